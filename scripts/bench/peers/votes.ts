// Vote storms for `npm run bench -- peers`: K phones (500 and 2,000; BENCH_VOTERS) cast at the
// same moment on one ballot. The ceiling is bare-cast.server.ts (a bare Socket.IO server running
// Linli's cast Lua script and acking); Linli is the production server process, its phones signed
// in and joined to the meeting (so every tally broadcast reaches all of them), the administrator's
// socket joined as the projector. Both use a private Redis with appendfsync always. Each storm is
// repeated (BENCH_VOTE_REPEATS, default 5) on a fresh ballot, ceiling and Linli in turn, and the
// median is reported.
//
// Per storm: total (first send → last ack), ack p99, the projector's final tally (last ack → the
// first `ballot:tally` that counts every vote), and from Redis: lost (acknowledged receipts not
// stored) and doubled (counts.cast, receipts or audit vote entries ≠ vote records; a broken audit
// chain counts as one). BENCH_CPU_PROF=<dir> writes a CPU profile of the Linli server there.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { Socket } from 'socket.io-client';
import { verifyChain } from '@linli/shared';
import { BallotsRepository, ballotKeys } from '../../../server/src/ballots/ballots.repository.ts';
import { auditBody } from '../../../server/src/ballots/ballots.rules.ts';
import { startServer } from '../../../server/test/helpers/processes.ts';
import { Client } from '../../../server/test/helpers/http-client.ts';
import { People } from '../../../server/test/helpers/people.ts';
import { connect, connectAll, cpuMs, loadAverage, median, pct, sleep, startBenchRedis, startTsChild } from './phones.ts';
import type { PeerRow } from './table.ts';

const SIZES = (process.env.BENCH_VOTERS ?? '500,2000').split(',').map(Number);
const REPEATS = Number(process.env.BENCH_VOTE_REPEATS ?? 5);
const MAX = Math.max(...SIZES);
const CHOICES = ['yes', 'no', 'abstain'];
const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

interface Storm {
  /** CPU the server process used from the first send to the last ack, and the bench's own. */
  cpu: number;
  benchCpu: number;
  redisCpu: number;
  total: number;
  p50: number;
  p99: number;
  finalTally: number;
  lost: number;
  doubled: number;
  failed: number;
}

type Ack = { ok: true; receipt: string } | { ok: false; error: { code: string; message?: string } };

/** Sends one cast per phone in one synchronous loop; resolves with the ack times and receipts. */
async function storm(pid: number, redisPid: number, phones: Socket[], send: (s: Socket, i: number) => Promise<Ack>) {
  const cpu0 = cpuMs(pid);
  const redis0 = cpuMs(redisPid);
  const bench0 = process.cpuUsage();
  const acks: number[] = [];
  const receipts = new Map<number, string>();
  let failed = 0;
  let lastAck = 0;
  const t0 = performance.now();
  await Promise.all(
    phones.map(async (s, i) => {
      const ack = await send(s, i);
      const now = performance.now();
      acks.push(now - t0);
      lastAck = Math.max(lastAck, now);
      if (ack.ok) receipts.set(i, ack.receipt);
      else if (failed++ < 3) console.error(`  phone ${i}: ${ack.error.code} ${ack.error.message ?? ''}`);
    }),
  );
  const b = process.cpuUsage(bench0);
  return {
    t0,
    lastAck,
    acks,
    receipts,
    failed,
    cpu: cpuMs(pid) - cpu0,
    redisCpu: cpuMs(redisPid) - redis0,
    benchCpu: (b.user + b.system) / 1000,
  };
}

/** Lost and doubled votes of one ballot, read from Redis after the storm. */
async function check(redis: Redis, ballotId: string, acked: Map<string, string>): Promise<{ lost: number; doubled: number }> {
  const k = ballotKeys(ballotId);
  const [votes, counts, nReceipts, log] = await Promise.all([
    redis.hgetall(k.votes),
    redis.hgetall(k.counts),
    redis.hlen(k.receipts),
    redis.lrange(k.audit, 0, -1),
  ]);
  let lost = 0;
  for (const [voter, receipt] of acked) if (!votes[voter] || (JSON.parse(votes[voter]) as { receipt: string }).receipt !== receipt) lost++;
  const records = Object.keys(votes).length;
  const entries = log.map((l) => JSON.parse(l) as { type: string });
  const voteEntries = entries.filter((e) => e.type === 'vote').length;
  let doubled = Math.abs(Number(counts.cast ?? 0) - records) + Math.max(0, nReceipts - records) + Math.max(0, voteEntries - records);
  if (!verifyChain(entries as Parameters<typeof verifyChain>[0], sha).ok) {
    console.error(`  ballot ${ballotId}: the audit chain does not verify`);
    doubled++;
  }
  return { lost, doubled };
}

interface Side {
  storm(K: number, r: number): Promise<Storm>;
  stop(): Promise<void>;
}

const line = (who: string, K: number, r: number, s: Storm) =>
  console.log(
    `  ${who} K=${K} #${r + 1}: total ${s.total.toFixed(0)} ms (CPU: server ${s.cpu.toFixed(0)}, Redis ${s.redisCpu.toFixed(0)}, bench ${s.benchCpu.toFixed(0)} ms), ack p50 ${s.p50.toFixed(0)} / p99 ${s.p99.toFixed(0)} ms${Number.isNaN(s.finalTally) ? '' : `, final tally +${s.finalTally.toFixed(0)} ms`}, lost ${s.lost}, doubled ${s.doubled}, failed ${s.failed} (load ${loadAverage()})`,
  );

/** The ceiling: bare Socket.IO + the cast script, same Redis durability. */
async function ceilingSide(): Promise<Side> {
  const redisSrv = await startBenchRedis();
  const bare = await startTsChild('scripts/bench/peers/bare-cast.server.ts', {
    REDIS_URL: redisSrv.url,
    ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
  });
  const redis = new Redis(redisSrv.url);
  const repo = new BallotsRepository(redis);
  const phones = await connectAll(
    `http://127.0.0.1:${bare.port}`,
    Array.from({ length: MAX }, () => ''),
  );
  const ids = Array.from({ length: MAX }, (_, i) => `v${i}`);
  return {
    async storm(K, r) {
      const ballotId = `ceiling${K}r${r}`;
      await repo.transition({
        ballotId,
        from: ['none'],
        to: 'draft',
        metaJson: '{}',
        auditType: 'created',
        ...auditBody(ballotId, 'created', {}),
      });
      await repo.transition({
        ballotId,
        from: ['draft'],
        to: 'open',
        metaJson: '{}',
        auditType: 'opened',
        ...auditBody(ballotId, 'opened', {}),
        electorateJson: '{}',
        eligible: ids,
      });
      await sleep(400);
      const s = await storm(bare.proc.pid!, redisSrv.proc.pid!, phones.slice(0, K), (p, i) =>
        p.timeout(60_000).emitWithAck('cast', { ballotId, voterId: ids[i], choice: CHOICES[i % 3], key: `k${i}` }),
      );
      const c = await check(redis, ballotId, new Map([...s.receipts].map(([i, receipt]) => [ids[i]!, receipt])));
      const row: Storm = {
        cpu: s.cpu,
        benchCpu: s.benchCpu,
        redisCpu: s.redisCpu,
        total: s.lastAck - s.t0,
        p50: pct(s.acks, 50),
        p99: pct(s.acks, 99),
        finalTally: NaN,
        ...c,
        failed: s.failed,
      };
      line('ceiling', K, r, row);
      return row;
    },
    async stop() {
      for (const p of phones) p.close();
      await redis.quit();
      await bare.stop();
      await redisSrv.stop();
    },
  };
}

/** Linli: the production server process, phones joined to the meeting, the projector watching. */
async function linliSide(): Promise<Side> {
  const redisSrv = await startBenchRedis();
  const prof = process.env.BENCH_CPU_PROF;
  const nodeOptions = [
    process.env.BENCH_NODE_OPTIONS ?? '',
    prof ? `--import ${path.join(import.meta.dirname, 'cpu-profile.hook.mjs')}` : '',
  ]
    .join(' ')
    .trim();
  const srv = await startServer({
    redisUrl: redisSrv.url,
    env: {
      NODE_ENV: 'production',
      ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
      ...(prof ? { BENCH_CPU_PROF: path.resolve(prof) } : {}),
    },
  }).catch(async (err: unknown) => {
    await redisSrv.stop();
    throw err;
  });
  const people = new People(redisSrv.url);
  let phones: Socket[] = [];
  let projector: Socket | null = null;
  const stop = async () => {
    for (const p of phones) p.close();
    projector?.close();
    await people.close();
    if (prof) {
      srv.proc.kill('SIGUSR2');
      await sleep(3000);
    }
    await srv.stop();
    await redisSrv.stop();
  };
  try {
    const admin = new Client(srv.url);
    await admin.login('admin', srv.adminPassword!);
    const cid = (await admin.post('/api/communities', { name: '表决压测小区' })).body.community.id;
    const meetingId = (await admin.post(`/api/communities/${cid}/meetings`, { title: '全体业主表决', mode: 'hybrid' })).body.meeting.id;
    await admin.patch(`/api/meetings/${meetingId}`, { status: 'open' });
    const voters = await people.members(cid, MAX, '居民');
    phones = await connectAll(
      srv.url,
      voters.map((v) => v.cookie),
    );
    for (let i = 0; i < MAX; i += 200) {
      const acks = await Promise.all(phones.slice(i, i + 200).map((p) => p.timeout(60_000).emitWithAck('meeting:join', { meetingId })));
      if (acks.some((a) => !a.ok)) throw new Error(`meeting:join refused: ${JSON.stringify(acks.find((a) => !a.ok))}`);
    }
    const proj = (projector = await connect(srv.url, admin.cookie));
    await proj.emitWithAck('meeting:join', { meetingId });
    return {
      stop,
      async storm(K, r) {
        const ballot = (
          await admin.post(`/api/meetings/${meetingId}/ballots`, {
            title: `K=${K} #${r + 1}`,
            kind: 'yes_no_abstain',
            options: [],
            rule: 'simple_majority',
            electorate: { kind: 'members' },
            secret: false,
          })
        ).body.ballot;
        await admin.post(`/api/ballots/${ballot.id}/open`);
        await sleep(400); // the tally broadcast that follows opening has gone out
        let finalAt = 0;
        const onTally = (p: { ballotId: string; result: { turnout: { voted: number } } }) => {
          if (p.ballotId === ballot.id && p.result.turnout.voted === K && !finalAt) finalAt = performance.now();
        };
        proj.on('ballot:tally', onTally);
        if (prof) srv.proc.kill('SIGURG'); // the hook samples allocations from the first storm on
        const from = process.hrtime.bigint() / 1000n;
        const s = await storm(srv.proc.pid!, redisSrv.proc.pid!, phones.slice(0, K), (p, i) =>
          p
            .timeout(60_000)
            .emitWithAck('ballot:cast', { ballotId: ballot.id, choice: CHOICES[i % 3], idempotencyKey: `bench-${ballot.id}-${i}` }),
        );
        for (let w = 0; w < 200 && !finalAt; w++) await sleep(25);
        // The storm's window on the monotonic clock the CPU profile's timestamps use (µs).
        if (prof) console.log(`  storm window ${from}-${process.hrtime.bigint() / 1000n}`);
        proj.off('ballot:tally', onTally);
        const c = await check(people.redis, ballot.id, new Map([...s.receipts].map(([i, receipt]) => [voters[i]!.userId, receipt])));
        const row: Storm = {
          cpu: s.cpu,
          benchCpu: s.benchCpu,
          redisCpu: s.redisCpu,
          total: s.lastAck - s.t0,
          p50: pct(s.acks, 50),
          p99: pct(s.acks, 99),
          finalTally: finalAt ? Math.max(0, finalAt - s.lastAck) : Infinity,
          ...c,
          failed: s.failed,
        };
        line('Linli', K, r, row);
        return row;
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * The vote-storm rows: storm total, ack p99 and final tally per K, Linli beside the ceiling. Both
 * sides stay up and their storms alternate (ceiling, Linli, per K, per repeat), so a change in the
 * machine's load during the run touches both alike.
 */
export async function runVoteRows(): Promise<PeerRow[]> {
  console.log(`vote storms: K = ${SIZES.join(', ')}, ${REPEATS} storms each, medians (load ${loadAverage()})`);
  const ceiling = new Map<number, Storm[]>();
  const linli = new Map<number, Storm[]>();
  const sides: Side[] = [];
  try {
    sides.push(await ceilingSide());
    sides.push(await linliSide());
    const [c, l] = sides as [Side, Side];
    for (let r = 0; r < REPEATS; r++) {
      for (const K of SIZES) {
        ceiling.set(K, [...(ceiling.get(K) ?? []), await c.storm(K, r)]);
        await sleep(300);
        linli.set(K, [...(linli.get(K) ?? []), await l.storm(K, r)]);
        await sleep(300);
      }
    }
  } finally {
    for (const s of sides) await s.stop();
  }
  const rows: PeerRow[] = [];
  for (const K of SIZES) {
    const c = ceiling.get(K)!;
    const l = linli.get(K)!;
    const sum = (f: (s: Storm) => number) => l.reduce((a, s) => a + f(s), 0);
    const workload = `votes ${K.toLocaleString('en')}`;
    const bare = 'bare Socket.IO + Lua';
    rows.push({
      workload,
      metric: 'storm total',
      unit: 'ms',
      linli: median(l.map((s) => s.total)),
      peer: median(c.map((s) => s.total)),
      peerName: bare,
      lost: sum((s) => s.lost + s.failed),
      doubled: sum((s) => s.doubled),
    });
    rows.push({
      workload,
      metric: 'ack p99',
      unit: 'ms',
      linli: median(l.map((s) => s.p99)),
      peer: median(c.map((s) => s.p99)),
      peerName: bare,
    });
    rows.push({
      workload,
      metric: 'final tally after last ack',
      unit: 'ms',
      linli: median(l.map((s) => s.finalTally)),
      peer: 250,
      peerName: 'target',
    });
    const cl = c.reduce((a, s) => a + s.lost + s.failed + s.doubled, 0);
    if (cl) console.error(`  the ceiling lost, doubled or failed ${cl} votes at K=${K}`);
  }
  return rows;
}
