// Joins and presence for `npm run bench -- peers`. The phones live in two child processes
// (phones.worker.ts), not in the bench: thousands of clients in one event loop measure the client.
//
// 1. 1,000 guests join one meeting by code within 1 s (BENCH_JOINS, BENCH_JOIN_WINDOW_MS): HTTP
//    join, Socket.IO connect, `meeting:join` with the whole state in its ack; join → state p50/p99
//    against the target p99 < 1 s.
// 2. 5,000 members (BENCH_PRESENCE) joined to one meeting on one production process, presence on:
//    server RSS and CPU per phone (joining, then idle beyond the idle server's), and one vote's `ballot:tally` reaching every
//    phone: p99 from the vote being sent to each phone's event, against the target < 500 ms.
// BENCH_JOIN_ROWS=joins,presence picks the rows (both by default). BENCH_CPU_PROF=<dir>: CPU
// profiles of both servers (cpu-profile.hook.mjs). The join row also prints the CPU the server and
// the two phone processes used in the burst: they share the machine's cores.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ROOT, startServer, type TestServer } from '../../../server/test/helpers/processes.ts';
import { Client } from '../../../server/test/helpers/http-client.ts';
import { People } from '../../../server/test/helpers/people.ts';
import { connect, cpuMs, loadAverage, pct, rssMb, sleep, startBenchRedis, type BenchRedis } from './phones.ts';
import type { PeerRow } from './table.ts';

const JOINS = Number(process.env.BENCH_JOINS ?? 1000);
const JOIN_WINDOW_MS = Number(process.env.BENCH_JOIN_WINDOW_MS ?? 1000);
const PRESENCE = Number(process.env.BENCH_PRESENCE ?? 5000);
const IDLE_MS = 5_000;
const ROWS = (process.env.BENCH_JOIN_ROWS ?? 'joins,presence').split(',');
const now = () => performance.timeOrigin + performance.now();

interface Worker {
  proc: ChildProcess;
  send(m: object): void;
  next<T>(type: string): Promise<T>;
}

async function startWorker(): Promise<Worker> {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/bench/peers/phones.worker.ts')], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const w: Worker = {
    proc,
    send: (m) => proc.send(m),
    next: <T>(type: string) =>
      new Promise<T>((resolve, reject) => {
        const on = (m: { type: string }) => {
          if (m.type !== type) return;
          proc.off('message', on);
          resolve(m as T);
        };
        proc.on('message', on);
        proc.once('exit', (code) => reject(new Error(`phones worker exited (${code})`)));
      }),
  };
  await w.next('up');
  return w;
}

async function stopWorkers(ws: Worker[]) {
  await Promise.all(
    ws.map((w) => {
      if (w.proc.exitCode !== null) return null;
      const exited = new Promise((r) => w.proc.once('exit', r));
      w.send({ type: 'close' });
      return exited;
    }),
  );
}

async function setUp(): Promise<{ redis: BenchRedis; srv: TestServer; admin: Client }> {
  const redis = await startBenchRedis();
  const prof = process.env.BENCH_CPU_PROF;
  const hook: Record<string, string> = prof
    ? { NODE_OPTIONS: `--import ${path.join(import.meta.dirname, 'cpu-profile.hook.mjs')}`, BENCH_CPU_PROF: path.resolve(prof) }
    : {};
  const srv = await startServer({ redisUrl: redis.url, env: { NODE_ENV: 'production', ...hook } }).catch(async (err: unknown) => {
    await redis.stop();
    throw err;
  });
  const admin = new Client(srv.url);
  await admin.login('admin', srv.adminPassword!);
  return { redis, srv, admin };
}

/** 1,000 guests by code within 1 s. */
async function joinRows(): Promise<PeerRow[]> {
  const { redis, srv, admin } = await setUp();
  const workers = await Promise.all([startWorker(), startWorker()]);
  try {
    const cid = (await admin.post('/api/communities', { name: '压测小区' })).body.community.id;
    const rows = Array.from({ length: 1200 }, (_, i) => ({
      building: String(1 + (i % 12)),
      unit: '1',
      room: String(101 + i),
      area: (60 + (i % 90) + 0.25).toFixed(2),
      owner: `业主${i % 1100}`,
    }));
    await admin.post(`/api/communities/${cid}/households`, { households: rows });
    const { id: meetingId, joinCode } = (
      await admin.post(`/api/communities/${cid}/meetings`, {
        title: '千人议事会',
        mode: 'hybrid',
        agenda: [{ title: '议题一' }, { title: '议题二' }],
      })
    ).body.meeting;
    await admin.patch(`/api/meetings/${meetingId}`, { status: 'open' });
    // Warm both sides up (JIT, connection pools) with a few joins that are not measured.
    await Promise.all(
      workers.map(
        (w, k) => (
          w.send({
            type: 'joinByCode',
            url: srv.url,
            joinCode,
            meetingId,
            n: 10,
            offset: k * 10,
            total: 20,
            windowMs: 200,
            startAt: now(),
          }),
          w.next('joined')
        ),
      ),
    );
    await sleep(500);
    const startAt = now() + 500;
    const half = Math.ceil(JOINS / 2);
    const pids = [srv.proc.pid!, ...workers.map((w) => w.proc.pid!)];
    const cpu0 = pids.map(cpuMs);
    const done = workers.map((w) => w.next<{ joinMs: number[]; failed: number }>('joined'));
    workers.forEach((w, k) =>
      w.send({
        type: 'joinByCode',
        url: srv.url,
        joinCode,
        meetingId,
        n: k ? JOINS - half : half,
        offset: k * half,
        total: JOINS,
        windowMs: JOIN_WINDOW_MS,
        startAt,
      }),
    );
    const res = await Promise.all(done);
    const joinMs = res.flatMap((r) => r.joinMs);
    const failed = res.reduce((a, r) => a + r.failed, 0);
    const [srvCpu, ...phoneCpu] = pids.map((p, i) => cpuMs(p) - cpu0[i]!);
    console.log(
      `  ${JOINS} joins in ${JOIN_WINDOW_MS} ms: p50 ${pct(joinMs, 50).toFixed(0)} / p99 ${pct(joinMs, 99).toFixed(0)} / max ${Math.max(...joinMs).toFixed(0)} ms, ${failed} failed (load ${loadAverage()})`,
    );
    console.log(
      `  CPU in the burst: server ${srvCpu!.toFixed(0)} ms (${(srvCpu! / JOINS).toFixed(2)} ms per join), phone processes ${phoneCpu.map((c) => c.toFixed(0)).join(' + ')} ms`,
    );
    const workload = `joins ${JOINS.toLocaleString('en')} in ${JOIN_WINDOW_MS / 1000} s`;
    return [
      { workload, metric: 'join → state p50', unit: 'ms', linli: pct(joinMs, 50), peer: NaN, peerName: '–', lost: failed },
      { workload, metric: 'join → state p99', unit: 'ms', linli: pct(joinMs, 99), peer: 1000, peerName: 'target' },
    ];
  } finally {
    await stopWorkers(workers);
    await profiled(srv);
    await srv.stop();
    await redis.stop();
  }
}

/** BENCH_CPU_PROF: the hook writes the server's profile on SIGUSR2. */
async function profiled(srv: TestServer) {
  if (!process.env.BENCH_CPU_PROF) return;
  srv.proc.kill('SIGUSR2');
  await sleep(3000);
}

/** 5,000 members in one meeting on one process: memory, CPU, one tally to all. */
async function presenceRows(): Promise<PeerRow[]> {
  const { redis, srv, admin } = await setUp();
  const people = new People(redis.url);
  const workers = await Promise.all([startWorker(), startWorker()]);
  const pid = srv.proc.pid!;
  try {
    const cid = (await admin.post('/api/communities', { name: '五千人小区' })).body.community.id;
    const meetingId = (await admin.post(`/api/communities/${cid}/meetings`, { title: '全体业主大会', mode: 'hybrid' })).body.meeting.id;
    await admin.patch(`/api/meetings/${meetingId}`, { status: 'open' });
    const members = await people.members(cid, PRESENCE, '业主');
    const projector = await connect(srv.url, admin.cookie);
    await projector.emitWithAck('meeting:join', { meetingId });
    await sleep(1000);
    // The idle server without the phones (heartbeats, the adapter's read loop): subtracted below.
    const idle0 = cpuMs(pid);
    await sleep(IDLE_MS);
    const idleBase = (cpuMs(pid) - idle0) / IDLE_MS;
    const rss0 = rssMb(pid);
    const cpu0 = cpuMs(pid);
    const t0 = now();
    const half = Math.ceil(PRESENCE / 2);
    const done = workers.map((w) => w.next<{ failed: number }>('joined'));
    workers.forEach((w, k) =>
      w.send({ type: 'joinMembers', url: srv.url, meetingId, cookies: members.slice(k * half, k ? PRESENCE : half).map((m) => m.cookie) }),
    );
    const failed = (await Promise.all(done)).reduce((a, r) => a + r.failed, 0);
    const joinSecs = (now() - t0) / 1000;
    const cpuJoin = cpuMs(pid) - cpu0;
    await sleep(2000);
    const rss1 = rssMb(pid);
    const cpu1 = cpuMs(pid);
    await sleep(IDLE_MS);
    const idleCpu = Math.max(0, (cpuMs(pid) - cpu1) / IDLE_MS - idleBase); // ms of CPU per ms, beyond the idle server's
    const phones = PRESENCE - failed;

    // One vote; every phone's first tally that counts it.
    const ballot = (
      await admin.post(`/api/meetings/${meetingId}/ballots`, {
        title: '五千人表决',
        kind: 'yes_no_abstain',
        options: [],
        rule: 'simple_majority',
        electorate: { kind: 'members' },
        secret: false,
      })
    ).body.ballot;
    await admin.post(`/api/ballots/${ballot.id}/open`);
    await sleep(1500);
    await Promise.all(workers.map((w) => (w.send({ type: 'watchTally', ballotId: ballot.id, voted: 1 }), w.next('watching'))));
    const sent = now();
    const ack = await projector.emitWithAck('ballot:cast', { ballotId: ballot.id, choice: 'yes', idempotencyKey: 'presence-1' });
    if (!ack.ok) throw new Error(`cast refused: ${JSON.stringify(ack.error)}`);
    await sleep(5000);
    const reports = await Promise.all(workers.map((w) => (w.send({ type: 'reportTally' }), w.next<{ times: number[] }>('tally'))));
    const lat = reports.flatMap((r) => r.times.map((t) => t - sent));
    const missing = phones - lat.length;
    const all = [...lat, ...Array.from({ length: missing }, () => Infinity)];
    projector.close();
    console.log(
      `  ${phones} phones joined in ${joinSecs.toFixed(1)} s (${failed} failed); RSS ${rss0.toFixed(0)} → ${rss1.toFixed(0)} MB; CPU ${cpuJoin.toFixed(0)} ms to join them, idle ${(idleCpu * 100).toFixed(1)}% of a core; ` +
        `tally to all: p50 ${pct(all, 50).toFixed(0)} / p99 ${pct(all, 99).toFixed(0)} / max ${Math.max(...all).toFixed(0)} ms, ${missing} never got it (load ${loadAverage()})`,
    );
    const workload = `presence ${PRESENCE.toLocaleString('en')} phones`;
    return [
      {
        workload,
        metric: 'server RSS per phone',
        unit: 'KiB',
        linli: ((rss1 - rss0) * 1024) / phones,
        peer: NaN,
        peerName: '–',
        lost: failed,
      },
      { workload, metric: 'server CPU per join', unit: 'ms', linli: cpuJoin / phones, peer: NaN, peerName: '–' },
      { workload, metric: 'idle CPU per 1,000 phones', unit: '%', linli: (idleCpu * 100 * 1000) / phones, peer: NaN, peerName: '–' },
      { workload, metric: 'tally to every phone p99', unit: 'ms', linli: pct(all, 99), peer: 500, peerName: 'target', lost: missing },
    ];
  } finally {
    await stopWorkers(workers);
    await people.close();
    await profiled(srv);
    await srv.stop();
    await redis.stop();
  }
}

/** The join rows and the presence rows, each on its own Redis and server process. */
export async function runJoinRows(): Promise<PeerRow[]> {
  console.log(`joins: ${JOINS} guests in ${JOIN_WINDOW_MS} ms; presence: ${PRESENCE} members in one meeting (load ${loadAverage()})`);
  return [...(ROWS.includes('joins') ? await joinRows() : []), ...(ROWS.includes('presence') ? await presenceRows() : [])];
}
