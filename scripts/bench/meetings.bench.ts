// `npm run bench -- meetings`: 1,000 participants join one meeting within 10 s (guests by code:
// HTTP join, then a Socket.IO connection and `meeting:join`), each receiving the state in its ack.
// Prints p50 / p99 join-to-state times, how long until every phone's broadcast state counts all
// 1,000, broadcasts per phone, and the server's memory. Nothing here asserts times.
import fs from 'node:fs';
import { io as ioc, type Socket } from 'socket.io-client';
import { startRedis, startServer } from '../../server/test/helpers/processes.ts';
import { Client } from '../../server/test/helpers/http-client.ts';

const N = Number(process.env.BENCH_PARTICIPANTS ?? 1000);
const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 10_000);

const rssMb = (pid: number) => {
  const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
};
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const redis = await startRedis();
const srv = await startServer({ redisUrl: redis.url });
const sockets: Socket[] = [];
try {
  const admin = new Client(srv.url);
  await admin.login('admin', srv.adminPassword!);
  const cid = (await admin.post('/api/communities', { name: '压测小区' })).body.community.id;
  const rows = Array.from({ length: 1200 }, (_, i) => ({
    building: String(1 + (i % 12)),
    unit: '1',
    room: String(101 + i),
    area: (60 + (i % 90) + 0.25).toFixed(2),
    owner: `业主${i % 1100}`,
  }));
  await admin.post(`/api/communities/${cid}/households`, { households: rows });
  const created = await admin.post(`/api/communities/${cid}/meetings`, {
    title: '千人议事会',
    mode: 'hybrid',
    agenda: [{ title: '议题一' }, { title: '议题二' }],
  });
  const { id: meetingId, joinCode } = created.body.meeting;
  await admin.patch(`/api/meetings/${meetingId}`, { status: 'open' });
  const rssBefore = rssMb(srv.proc.pid!);

  const joinMs: number[] = [];
  const ackMs: number[] = [];
  const broadcasts: number[] = new Array(N).fill(0);
  const lastCount: number[] = new Array(N).fill(0);
  let failures = 0;
  const t0 = Date.now();

  const one = async (i: number) => {
    await sleep((i * WINDOW_MS) / N - (Date.now() - t0));
    const start = performance.now();
    try {
      const c = new Client(srv.url);
      const j = await c.post('/api/meetings/join', { joinCode, displayName: `听众${i}` });
      if (j.status !== 200) throw new Error(`join ${j.status}`);
      const s = ioc(srv.url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie: c.cookie }, reconnection: false });
      sockets.push(s);
      s.on('meeting:state', (p: { state: { attendance: { guests: number } } }) => {
        broadcasts[i]!++;
        lastCount[i] = p.state.attendance.guests;
      });
      await new Promise<void>((res, rej) => {
        s.once('connect', () => res());
        s.once('connect_error', rej);
      });
      const a0 = performance.now();
      const ack = await s.timeout(30_000).emitWithAck('meeting:join', { meetingId });
      if (!ack.ok || !ack.state) throw new Error(JSON.stringify(ack.error));
      ackMs.push(performance.now() - a0);
      joinMs.push(performance.now() - start);
    } catch (err) {
      failures++;
      if (failures < 5) console.error(`participant ${i}:`, (err as Error).message);
    }
  };
  await Promise.all(Array.from({ length: N }, (_, i) => one(i)));
  const allJoined = Date.now() - t0;
  const rssPeak = rssMb(srv.proc.pid!);
  // Until every phone's latest broadcast counts everyone (coalesced presence).
  let converged = NaN;
  for (let waited = 0; waited < 15_000; waited += 50) {
    if (lastCount.every((n) => n === N - failures)) {
      converged = Date.now() - t0;
      break;
    }
    await sleep(50);
  }
  const rssAfter = rssMb(srv.proc.pid!);
  const avgBroadcasts = broadcasts.reduce((a, b) => a + b, 0) / N;

  const rows2: [string, string][] = [
    ['participants (guests by code)', `${N - failures} of ${N} (${failures} failed)`],
    ['arrivals spread over', `${WINDOW_MS / 1000} s`],
    ['all joined after', `${(allJoined / 1000).toFixed(2)} s`],
    ['join → state (HTTP join + connect + ack) p50', `${pct(joinMs, 50).toFixed(1)} ms`],
    ['join → state p99', `${pct(joinMs, 99).toFixed(1)} ms`],
    ['join → state max', `${Math.max(...joinMs).toFixed(1)} ms`],
    ['meeting:join ack only p50 / p99', `${pct(ackMs, 50).toFixed(1)} / ${pct(ackMs, 99).toFixed(1)} ms`],
    ['every phone shows all present after', Number.isNaN(converged) ? 'not within 15 s' : `${(converged / 1000).toFixed(2)} s`],
    ['meeting:state broadcasts per phone (avg)', avgBroadcasts.toFixed(1)],
    ['server RSS before / peak / after', `${rssBefore} / ${rssPeak} / ${rssAfter} MB`],
  ];
  const w = Math.max(...rows2.map(([k]) => k.length));
  console.log(rows2.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n'));
} finally {
  for (const s of sockets) s.disconnect();
  await srv.stop();
  await redis.stop();
}
