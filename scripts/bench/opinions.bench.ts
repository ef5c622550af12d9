// `npm run bench -- opinions`: the opinion map at compound scale. 2,000 participants (BENCH_OPINION_PEOPLE)
// × 300 statements (BENCH_OPINION_STATEMENTS), three planted camps with noise, 80 % of cells answered.
// 1. The worker's recompute (PCA, k-means k = 2..5, silhouette, repness): wall time per run, and the
//    main event loop's longest stall meanwhile (a 5 ms timer probe and monitorEventLoopDelay).
// 2. The full recompute as the server does it: the votes read from a real redis-server in HSCAN
//    pages into the matrix, then the worker; the same two figures.
// An idle second is probed first: the host's own timer noise, the floor under the stall figures.
// Targets from issue 19: under 1 s in the worker, the event loop never blocked over 50 ms.
// Prints figures only; nothing here asserts times.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { CELL, type OpinionMatrix } from '@linli/shared/opinions/clustering';
import type { OpinionRoleGroup } from '@linli/shared';
import { startRedis } from '../../server/test/helpers/processes.ts';
import { OpinionMaps, OpinionsWorker } from '../../server/src/opinions/opinions.compute.ts';
import { OpinionsRepository } from '../../server/src/opinions/opinions.repository.ts';
import { prng } from '@linli/shared/common/prng';

const N = Number(process.env.BENCH_OPINION_PEOPLE ?? 2000);
const M = Number(process.env.BENCH_OPINION_STATEMENTS ?? 300);
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

function synthetic(): OpinionMatrix {
  const rnd = prng(19);
  const lean = Array.from({ length: 3 }, () => Array.from({ length: M }, (_, j) => (j < 10 ? 1 : rnd() < 0.5 ? 1 : -1)));
  const cells = new Int8Array(N * M);
  const roles: OpinionRoleGroup[] = ['owner', 'resident', 'staff', 'other'];
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < M; j++) {
      if (rnd() > 0.8) continue;
      const r = rnd();
      cells[i * M + j] = r < 0.05 ? CELL.pass : r < 0.17 ? -lean[i % 3]![j]! : lean[i % 3]![j]!;
    }
  }
  return {
    participants: Array.from({ length: N }, (_, i) => ({ id: `p${String(i).padStart(5, '0')}`, role: roles[i % 4]! })),
    statements: Array.from({ length: M }, (_, j) => `s${j}`),
    cells,
  };
}

/** Runs `fn` while probing the event loop; returns its wall time and the longest stall seen. */
async function probed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; stallMs: number; p99Ms: number }> {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last - 5);
    last = now;
  }, 5);
  const t0 = performance.now();
  const value = await fn();
  const ms = performance.now() - t0;
  clearInterval(timer);
  h.disable();
  return { value, ms, stallMs: Math.max(worst, h.max / 1e6 - 5), p99Ms: h.percentile(99) / 1e6 };
}

const matrix = synthetic();
const answered = matrix.cells.reduce((n, c) => n + (c === CELL.unseen ? 0 : 1), 0);
console.log(`opinion map: ${fmt(N)} participants × ${fmt(M)} statements, ${fmt(answered)} answers`);

// The machine's own noise: the same probe over a second of doing nothing (a shared, loaded host
// delays timers by itself; a stall above this floor is ours).
const idle = await probed(() => new Promise((resolve) => setTimeout(resolve, 1000)));
console.log(`idle baseline (1 s of nothing): event loop longest stall ${fmt(idle.stallMs, 1)} ms (p99 ${fmt(idle.p99Ms, 1)} ms)`);

const worker = new OpinionsWorker();
for (let run = 1; run <= 3; run++) {
  const r = await probed(() => worker.run(matrix));
  console.log(
    `worker recompute #${run}: ${fmt(r.ms)} ms wall (${fmt(r.value.ms)} ms computing in the worker); groups ${r.value.analysis.groups.length}, silhouette ${r.value.analysis.silhouette}, consensus ${r.value.analysis.consensus.length}; event loop longest stall ${fmt(r.stallMs, 1)} ms (p99 ${fmt(r.p99Ms, 1)} ms)`,
  );
}

const redis = await startRedis();
const client = new Redis(redis.url);
try {
  const repo = new OpinionsRepository(client);
  const id = 'bench';
  // Statements accepted in order, people with roles, then every answer (pipelined, in batches).
  const code = { [CELL.agree]: 'a', [CELL.disagree]: 'd', [CELL.pass]: 'p' } as Record<number, string>;
  await client.zadd(`opinionorder:{opinion:${id}}`, ...matrix.statements.flatMap((s, j) => [String(j + 1), s]));
  await client.hset(`opinionpeople:{opinion:${id}}`, Object.fromEntries(matrix.participants.map((p) => [p.id, p.role])));
  for (let i = 0; i < N; i += 100) {
    const fields: Record<string, string> = {};
    for (let r = i; r < Math.min(N, i + 100); r++)
      for (let j = 0; j < M; j++) {
        const c = matrix.cells[r * M + j]!;
        if (c !== CELL.unseen) fields[`${matrix.participants[r]!.id}|${matrix.statements[j]}`] = code[c]!;
      }
    await client.hset(`opinionvotes:{opinion:${id}}`, fields);
  }
  await client.incr(`opinionrev:{opinion:${id}}`);
  const maps = new OpinionMaps(repo, worker, () => {});
  for (let run = 1; run <= 2; run++) {
    await client.incr(`opinionrev:{opinion:${id}}`);
    const r = await probed(() => maps.fresh(id));
    console.log(
      `full recompute from Redis #${run} (HSCAN pages → matrix → worker): ${fmt(r.ms)} ms wall (${fmt(r.value.ms)} ms in the worker); event loop longest stall ${fmt(r.stallMs, 1)} ms (p99 ${fmt(r.p99Ms, 1)} ms)`,
    );
  }
  await maps.stop();
} finally {
  await client.quit();
  await redis.stop();
  await worker.close();
}
