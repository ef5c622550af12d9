// `npm run bench -- docs`: the live document server under editors typing at once.
// Scenarios: N editors (10, 50, 200) on one document, and 500 documents × 3 editors, each editor
// sending BENCH_RATE updates per second (default 3, a person typing; y-websocket sends one update
// per keystroke or IME commit) for BENCH_SECONDS (default 8). For each: updates/s stored,
// deliveries/s, delivered share, p50 / p99 propagation latency (send → every other editor
// receives it) and peak server RSS; beside the same load through a bare `ws` relay (no Yjs, no
// Redis, no auth) measured in the same run as the ceiling. Editors are raw y-protocols clients,
// each with its own Y.Doc making real updates (receivers scan bytes for a marker instead of
// applying updates, so the benchmark process measures the server, not 200 client Y.Docs).
// Nothing here asserts times.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import * as Y from 'yjs';
import WebSocket from 'ws';
import { startRedis, startServer, ROOT } from '../../server/test/helpers/processes.ts';
import { Client } from '../../server/test/helpers/http-client.ts';
import { msg } from '../../server/test/helpers/yjs-clients.ts';

const RATE = Number(process.env.BENCH_RATE ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const SCENARIOS = [
  { name: '1 doc × 10 editors', docs: 1, per: 10 },
  { name: '1 doc × 50 editors', docs: 1, per: 50 },
  { name: '1 doc × 200 editors', docs: 1, per: 200 },
  { name: '500 docs × 3 editors', docs: 500, per: 3 },
].filter((s) => !process.env.BENCH_ONLY || s.name.includes(process.env.BENCH_ONLY));

const rssMb = (pid: number) => {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : NaN;
  } catch {
    return NaN;
  }
};
const pct = (xs: Float64Array | number[], p: number) => {
  const s = Float64Array.from(xs).sort();
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : NaN;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Result {
  sent: number;
  delivered: number;
  expected: number;
  latencies: number[];
  seconds: number;
  rssPeak: number;
  closed: number;
}

const MARK = /#(\d+)\.(\d+)#/g;

/** Runs one scenario against `urlOf(doc)`; `yjs` editors send y-protocols updates, others raw bytes. */
async function run(
  kind: 'yjs' | 'echo',
  urlOf: (doc: number) => string,
  cookie: string,
  sc: { docs: number; per: number },
  pid: number,
): Promise<Result> {
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let delivered = 0;
  let expected = 0;
  let sent = 0;
  let closed = 0;
  let measuring = false;
  const editors: { ws: WebSocket; doc: Y.Doc; id: number; seq: number; next: number }[] = [];
  const onData = (data: Buffer) => {
    if (!measuring) return;
    const now = performance.now();
    const s = data.toString('latin1');
    for (const m of s.matchAll(MARK)) {
      const t = sentAt.get(`${m[1]}.${m[2]}`);
      if (t !== undefined) {
        latencies.push(now - t);
        delivered++;
      }
    }
  };
  const connectOne = (id: number, doc: number) =>
    new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(urlOf(doc), { headers: cookie ? { cookie } : {}, perMessageDeflate: false });
      ws.binaryType = 'nodebuffer';
      ws.on('message', (d: Buffer) => onData(d));
      ws.on('close', () => closed++);
      ws.once('open', () => {
        editors.push({ ws, doc: new Y.Doc(), id, seq: 0, next: performance.now() + Math.random() * (1000 / RATE) });
        resolve();
      });
      ws.once('error', reject);
    });
  const all = Array.from({ length: sc.docs * sc.per }, (_, i) => i);
  for (let i = 0; i < all.length; i += 50) await Promise.all(all.slice(i, i + 50).map((id) => connectOne(id, Math.floor(id / sc.per))));
  await sleep(500);
  let rssPeak = rssMb(pid);
  measuring = true;
  const t0 = performance.now();
  const end = t0 + SECONDS * 1000;
  const interval = 1000 / RATE;
  while (performance.now() < end) {
    const now = performance.now();
    for (const e of editors) {
      if (e.next > now) continue;
      e.next += interval;
      const marker = `#${e.id}.${++e.seq}#`;
      let bytes: Uint8Array;
      if (kind === 'yjs') {
        const sv = Y.encodeStateVector(e.doc);
        // Each editor types in its own text (as people work in different clauses). All 200 typing
        // at position 0 of one shared text, never seeing each other, would measure Yjs's
        // worst-case conflict scan instead of the server.
        const t = e.doc.getText(`e${e.id}`);
        t.insert(t.length, marker);
        bytes = msg.update(Y.encodeStateAsUpdate(e.doc, sv));
      } else {
        bytes = Buffer.from(marker.padEnd(40, ' '));
      }
      sentAt.set(marker.slice(1, -1), performance.now());
      e.ws.send(bytes);
      sent++;
      expected += sc.per - 1;
    }
    rssPeak = Math.max(rssPeak, rssMb(pid));
    await sleep(5);
  }
  const seconds = (performance.now() - t0) / 1000;
  // Stragglers: until everything arrived, or nothing more arrives for 2 s (at most 15 s).
  for (let last = -1, quiet = 0, i = 0; i < 150 && delivered < expected && quiet < 20; i++) {
    quiet = delivered === last ? quiet + 1 : 0;
    last = delivered;
    await sleep(100);
  }
  rssPeak = Math.max(rssPeak, rssMb(pid));
  measuring = false;
  for (const e of editors) {
    e.ws.close();
    e.doc.destroy();
  }
  await sleep(300);
  return { sent, delivered, expected, latencies, seconds, rssPeak, closed: closed - editors.length };
}

const redis = await startRedis();
const srv = await startServer({ redisUrl: redis.url });
const echo = spawn(process.execPath, [path.join(ROOT, 'scripts/bench/ws-fanout.server.mjs'), '0'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const echoPort = await new Promise<number>((resolve) =>
  echo.stdout!.on('data', (d: Buffer) => {
    const m = /listening (\d+)/.exec(d.toString());
    if (m) resolve(Number(m[1]));
  }),
);
const rows: string[][] = [];
try {
  const admin = new Client(srv.url);
  await admin.login('admin', srv.adminPassword!);
  const cid = (await admin.post('/api/communities', { name: '文档压测小区' })).body.community.id;
  const docNames: string[] = [];
  for (let i = 0; i < 503; i++)
    docNames.push((await admin.post(`/api/communities/${cid}/conventions`, { title: `压测公约${i}` })).body.convention.docName);
  const wsBase = srv.url.replace(/^http/, 'ws');
  console.log(`editors send ${RATE} updates/s each for ${SECONDS} s; server RSS at start ${rssMb(srv.proc.pid!)} MB`);
  let offset = 0;
  for (const sc of SCENARIOS) {
    const docs = docNames.slice(offset, offset + sc.docs);
    offset += sc.docs;
    for (const kind of ['echo', 'yjs'] as const) {
      const pid = kind === 'yjs' ? srv.proc.pid! : echo.pid!;
      const url = (d: number) => (kind === 'yjs' ? `${wsBase}/yjs/${docs[d]}` : `ws://127.0.0.1:${echoPort}/room-${sc.name}-${d}`);
      const before = kind === 'yjs' ? (await admin.get('/api/yjs/stats')).body : null;
      const r = await run(kind, url, kind === 'yjs' ? admin.cookie : '', sc, pid);
      const after = kind === 'yjs' ? (await admin.get('/api/yjs/stats')).body : null;
      const stored = after && before ? after.updatesStored - before.updatesStored : r.sent;
      rows.push([
        sc.name,
        kind === 'yjs' ? 'Linli /yjs' : 'bare ws relay',
        (stored / r.seconds).toFixed(0),
        (r.delivered / r.seconds).toFixed(0),
        `${((100 * r.delivered) / Math.max(1, r.expected)).toFixed(1)}%`,
        pct(r.latencies, 50).toFixed(1),
        pct(r.latencies, 99).toFixed(1),
        String(r.rssPeak),
        String(r.closed),
      ]);
      console.log(`  done: ${sc.name}, ${kind}`);
      if (kind === 'yjs') await sleep(1500);
    }
  }
  const head = ['scenario', 'server', 'updates/s stored', 'deliveries/s', 'delivered', 'p50 ms', 'p99 ms', 'peak RSS MB', 'closed early'];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i < 2 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  console.log('\n' + line(head) + '\n' + w.map((n) => '-'.repeat(n)).join('  ') + '\n' + rows.map(line).join('\n'));
  const st = (await admin.get('/api/yjs/stats')).body;
  console.log(
    `\nserver after the run: ${st.docs} docs loaded, ${st.compactions} compactions (${st.compactionConflicts} conflicts), ${st.streamReads} stream reads`,
  );
} finally {
  echo.kill('SIGTERM');
  await srv.stop();
  await redis.stop();
}
