// The documents rows of `npm run bench -- peers`: one document, W writers each inserting R times a
// second, 5 observers, for BENCH_DOCS_SECONDS (10), against stock Hocuspocus 4.7 (no persistence,
// its own process) and Linli (the production server process, a private redis-server with
// appendfsync always: every update stored before it is broadcast), in the same run.
//
// Clients are y-websocket's WebsocketProvider, as Linli's web app uses (for Hocuspocus through a
// socket that adds and strips its document-name prefix and sends its auth message). Each writer
// types in its own text (people edit different clauses; 200 people typing at one position would
// measure Yjs's conflict scan, not the server). Writers receive every broadcast but do not apply
// others' edits (as docs.bench.ts's receivers), so this process measures the servers rather than
// 1,000 client Y.Docs; observers and the final fresh client are full clients.
//
// Per row and server: p50 / p99 propagation (a writer's insert → each observer's doc has it), the
// share not delivered within the run (load window + 1 s), updates lost at the end (after a settle
// period every observer and a fresh client must hold every insert), server CPU % over the load
// window (/proc/<pid>/stat), peak RSS. BENCH_DOCS_ROWS="200x5,400x5" picks rows; BENCH_LINLI_ENV (JSON)
// adds to Linli's environment, BENCH_LINLI_NODE_ARGS to its node flags (e.g. "--cpu-prof --cpu-prof-dir=/tmp/p").
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as Y from 'yjs';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import { freePort, pingRedis } from '../../../server/src/redis/managed-redis.ts';
import { startServer, tmpDir, type TestServer } from '../../../server/test/helpers/processes.ts';
import { Client } from '../../../server/test/helpers/http-client.ts';
import { cookieWebSocket } from '../../../server/test/helpers/yjs-clients.ts';
import type { PeerRow } from './table.ts';

const SECONDS = Number(process.env.BENCH_DOCS_SECONDS ?? 10);
const SETTLE_S = Number(process.env.BENCH_DOCS_SETTLE_SECONDS ?? 30);
const OBSERVERS = 5;
const ALL_ROWS: [number, number][] = [
  [20, 2],
  [50, 5],
  [100, 5],
  [200, 5],
  [400, 5],
  [1000, 2],
];
const ROWS = process.env.BENCH_DOCS_ROWS
  ? process.env.BENCH_DOCS_ROWS.split(',').map((s) => s.split('x').map(Number) as [number, number])
  : ALL_ROWS;
const PEER = 'Hocuspocus 4.7';

const loadAvg = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => {
  const s = Float64Array.from(xs).sort();
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : NaN;
};

/** utime + stime of a process in clock ticks (100 per second here). */
function cpuTicks(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}
function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** A WebSocket speaking Hocuspocus's framing under y-websocket: every message carries the document name. */
function hocuspocusWebSocket(docName: string): typeof WebSocket {
  const e = encoding.createEncoder();
  encoding.writeVarString(e, docName);
  const prefix = encoding.toUint8Array(e);
  const withPrefix = (data: Uint8Array) => {
    const out = new Uint8Array(prefix.length + data.length);
    out.set(prefix);
    out.set(data, prefix.length);
    return out;
  };
  return class extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      // Auth (type 2), token sub-message (0), empty token: stock Hocuspocus has no onAuthenticate hook.
      this.addEventListener('open', () => super.send(withPrefix(Uint8Array.of(2, 0, 0))));
      const base = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'onmessage')!;
      let current: unknown = null;
      Object.defineProperty(this, 'onmessage', {
        get: () => current,
        set: (fn: ((ev: { data: ArrayBuffer }) => void) | null) => {
          current = fn;
          base.set!.call(
            this,
            fn
              ? (ev: WebSocket.MessageEvent) => {
                  const d = decoding.createDecoder(new Uint8Array(ev.data as ArrayBuffer));
                  decoding.readVarString(d);
                  const rest = d.arr.subarray(d.pos);
                  // Only sync and awareness go to y-websocket (not auth replies or sync-status acks).
                  if (rest[0] === 0 || rest[0] === 1) fn({ data: rest.slice().buffer });
                }
              : null,
          );
        },
      });
    }
    override send(data: unknown): void {
      super.send(withPrefix(new Uint8Array(data as ArrayBuffer)));
    }
  } as unknown as typeof WebSocket;
}

interface Target {
  name: string;
  pid: number;
  /** y-websocket server URL (the provider appends /<room>) and the WebSocket class for a room. */
  url: string;
  ws(room: string): typeof WebSocket;
  newDoc(label: string): Promise<string>;
  /** Server figures to print beside the row (Linli's /api/yjs/stats). */
  stats?(): Promise<Record<string, number>>;
}

function provider(t: Target, room: string, doc: Y.Doc): WebsocketProvider {
  return new WebsocketProvider(t.url, room, doc, { WebSocketPolyfill: t.ws(room) as never, disableBc: true, maxBackoffTime: 500 });
}
const synced = (p: WebsocketProvider) => (p.synced ? Promise.resolve() : new Promise<void>((r) => p.once('sync', () => r())));
const MARK = /#(\d+)\.(\d+)#/g;

interface Result {
  p50: number;
  p99: number;
  notDelivered: number;
  lost: number;
  cpu: number;
  rss: number;
  closes: number;
  /** CPU % of this process (the clients) over the load window: near 100 means the clients limit the figures. */
  clientCpu: number;
  /** Differences in the server's own counters over the row (Linli). */
  server?: Record<string, number>;
}

/** One row against one server: connect, type for SECONDS, settle, check every insert is everywhere. */
async function runRow(t: Target, writers: number, rate: number): Promise<Result> {
  const room = await t.newDoc(`${writers}x${rate}`);
  const stats0 = await t.stats?.();
  const sentAt: Float64Array[] = Array.from({ length: writers }, () => new Float64Array(Math.ceil(SECONDS * rate) + 8));
  const sent = new Int32Array(writers);
  const latencies: number[] = [];
  let runEnd = Infinity;
  let deliveredInRun = 0;
  let closes = 0;
  const observers = Array.from({ length: OBSERVERS }, () => {
    const doc = new Y.Doc();
    doc.on('update', (u: Uint8Array) => {
      const now = performance.now();
      for (const m of Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('latin1').matchAll(MARK)) {
        const at = sentAt[Number(m[1])]?.[Number(m[2])];
        if (!at) continue;
        latencies.push(now - at);
        if (now <= runEnd) deliveredInRun++;
      }
    });
    const p = provider(t, room, doc);
    p.on('connection-close', () => closes++);
    return { doc, p };
  });
  const ws: { doc: Y.Doc; p: WebsocketProvider; text: Y.Text; next: number }[] = [];
  for (let i = 0; i < writers; i += 50) {
    const batch = Array.from({ length: Math.min(50, writers - i) }, (_, k) => {
      const doc = new Y.Doc();
      const p = provider(t, room, doc);
      const sync = p.messageHandlers[0]!;
      // Others' edits are counted by the observers, not applied here (see the header).
      p.messageHandlers[0] = (enc, dec, prov, emit, type) => {
        if (decoding.peekVarUint(dec) !== 2) sync(enc, dec, prov, emit, type);
      };
      p.on('connection-close', () => closes++);
      return { doc, p, text: doc.getText(`e${i + k}`), next: 0 };
    });
    await Promise.all(batch.map((w) => synced(w.p)));
    ws.push(...batch);
  }
  await Promise.all(observers.map((o) => synced(o.p)));
  await sleep(500);
  closes = 0;
  const interval = 1000 / rate;
  const t0 = performance.now();
  for (const w of ws) w.next = t0 + Math.random() * interval;
  const cpu0 = cpuTicks(t.pid);
  const own0 = process.cpuUsage();
  let rss = rssMb(t.pid);
  const end = t0 + SECONDS * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < ws.length; i++) {
      const w = ws[i]!;
      if (w.next > performance.now() || sent[i]! + 1 >= sentAt[i]!.length) continue;
      w.next += interval;
      const seq = ++sent[i]!;
      sentAt[i]![seq] = performance.now();
      w.text.insert(w.text.length, `#${i}.${seq}#`);
    }
    rss = Math.max(rss, rssMb(t.pid));
    await sleep(5);
  }
  const loadS = (performance.now() - t0) / 1000;
  const cpu = (cpuTicks(t.pid) - cpu0) / loadS;
  const own = process.cpuUsage(own0);
  const clientCpu = (own.user + own.system) / 1e4 / loadS;
  runEnd = performance.now() + 1000;
  const total = sent.reduce((a, b) => a + b, 0);
  const expected = (doc: Y.Doc) => {
    let missing = 0;
    for (let i = 0; i < writers; i++) {
      const have = new Set<number>();
      for (const m of doc.getText(`e${i}`).toString().matchAll(MARK)) have.add(Number(m[2]));
      for (let s = 1; s <= sent[i]!; s++) if (!have.has(s)) missing++;
    }
    return missing;
  };
  // Settle: until every observer holds everything (checked by the observed count), or SETTLE_S.
  const settleEnd = performance.now() + SETTLE_S * 1000;
  while (performance.now() < settleEnd && latencies.length < total * OBSERVERS) {
    rss = Math.max(rss, rssMb(t.pid));
    await sleep(100);
  }
  const fresh = { doc: new Y.Doc() };
  const fp = provider(t, room, fresh.doc);
  await Promise.race([synced(fp), sleep(15_000)]);
  const missingAnywhere = Math.max(expected(fresh.doc), ...observers.map((o) => expected(o.doc)));
  const closed = closes;
  const stats1 = await t.stats?.();
  const server =
    stats0 && stats1
      ? Object.fromEntries(
          ['updatesStored', 'storeWrites', 'writersSlowed', 'writersTold'].map((k) => [k, (stats1[k] ?? NaN) - (stats0[k] ?? NaN)]),
        )
      : undefined;
  fp.destroy();
  for (const c of [...ws, ...observers]) c.p.destroy();
  for (const c of [fresh, ...ws, ...observers]) c.doc.destroy();
  await sleep(1000);
  return {
    p50: pct(latencies, 50),
    p99: pct(latencies, 99),
    notDelivered: (100 * (total * OBSERVERS - deliveredInRun)) / Math.max(1, total * OBSERVERS),
    lost: missingAnywhere,
    cpu,
    rss,
    closes: closed,
    clientCpu,
    server,
  };
}

async function startHocuspocus(): Promise<{ target: Target; proc: ChildProcess }> {
  const proc = spawn(process.execPath, [path.join(import.meta.dirname, 'hocuspocus.server.mjs'), '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    proc.once('exit', (c) => reject(new Error(`hocuspocus exited ${c}`)));
    proc.stdout!.on('data', (d: Buffer) => {
      const m = /listening (\d+)/.exec(d.toString());
      if (m) resolve(Number(m[1]));
    });
  });
  let n = 0;
  return {
    proc,
    target: {
      name: PEER,
      pid: proc.pid!,
      url: `ws://127.0.0.1:${port}`,
      ws: (room) => hocuspocusWebSocket(room),
      newDoc: async (l) => `bench-${l}-${++n}`,
    },
  };
}

/** A private redis-server as the managed one runs it: append-only file, fsync on every write. */
async function startDurableRedis(): Promise<{ url: string; proc: ChildProcess }> {
  const port = await freePort();
  const proc = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      tmpDir('linli-bench-redis-'),
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--save',
      '',
    ],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 200 && !(await pingRedis(port)); i++) await sleep(50);
  return { url: `redis://127.0.0.1:${port}`, proc };
}

async function startLinli(redisUrl: string): Promise<{ target: Target; srv: TestServer }> {
  // One hall of up to 1,000 editors on one document: the per-document client cap is raised to fit.
  const nodeArgs = process.env.BENCH_LINLI_NODE_ARGS?.split(' ').filter(Boolean);
  const srv = await startServer({
    redisUrl,
    nodeArgs,
    env: {
      NODE_ENV: 'production',
      LINLI_YJS_MAX_CLIENTS_PER_DOC: '2000',
      ...(process.env.BENCH_LINLI_ENV ? JSON.parse(process.env.BENCH_LINLI_ENV) : {}),
    },
  });
  const admin = new Client(srv.url);
  await admin.login('admin', srv.adminPassword!);
  const cid = (await admin.post('/api/communities', { name: '同行对比小区' })).body.community.id;
  return {
    srv,
    target: {
      name: 'Linli',
      pid: srv.proc.pid!,
      url: srv.url.replace(/^http/, 'ws') + '/yjs',
      ws: () => cookieWebSocket(admin.cookie),
      newDoc: async (l) => (await admin.post(`/api/communities/${cid}/conventions`, { title: `压测公约 ${l}` })).body.convention.docName,
      stats: async () => (await admin.get('/api/yjs/stats')).body,
    },
  };
}

/** Runs every documents row against Hocuspocus and Linli; returns the rows for the peers table. */
export async function runDocRows(): Promise<PeerRow[]> {
  const hp = await startHocuspocus();
  let redis: Awaited<ReturnType<typeof startDurableRedis>> | null = null;
  let linli: Awaited<ReturnType<typeof startLinli>> | null = null;
  const rows: PeerRow[] = [];
  try {
    redis = await startDurableRedis();
    linli = await startLinli(redis.url);
    for (const [w, r] of ROWS) {
      const workload = `docs ${w.toLocaleString('en')}×${r}/s`;
      const peer = await runRow(hp.target, w, r);
      const ours = await runRow(linli.target, w, r);
      const brief = (x: Result) => JSON.stringify(x, (_k, v: unknown) => (typeof v === 'number' ? Math.round(v * 10) / 10 : v));
      console.log(`  ${workload} (${loadAvg()}):\n    Hocuspocus ${brief(peer)}\n    Linli ${brief(ours)}`);
      const row = (metric: string, unit: string, a: number, b: number, extra: Partial<PeerRow> = {}): PeerRow => ({
        workload,
        metric,
        unit,
        linli: a,
        peer: b,
        peerName: PEER,
        ...extra,
      });
      rows.push(
        row('p50 propagation', 'ms', ours.p50, peer.p50),
        row('p99 propagation', 'ms', ours.p99, peer.p99),
        row('not delivered in run', '%', ours.notDelivered, peer.notDelivered),
        row('lost at end', 'updates', ours.lost, peer.lost, { lost: ours.lost }),
        row('server CPU', '%', ours.cpu, peer.cpu),
        row('peak RSS', 'MB', ours.rss, peer.rss),
      );
    }
  } finally {
    hp.proc.kill('SIGTERM');
    await linli?.srv.stop();
    redis?.proc.kill('SIGTERM');
  }
  return rows;
}
