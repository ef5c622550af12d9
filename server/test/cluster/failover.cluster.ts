/**
 * `npm run test:cluster`: Linli as a city would run it, on this machine without Docker. Six
 * redis-server processes in cluster mode (3 masters, 3 replicas, 2 s node timeout), three Linli
 * processes, the repository's nginx.conf in front. Through nginx, LINLI_CLUSTER_PHONES (1,000)
 * phones join one meeting and 20 editors edit one convention; mid-storm of votes, kill -9 one
 * Linli process and the Redis master holding the ballot's slot (restarted once its replica has
 * taken over, as an operator would: it rejoins as a replica). Then: every acknowledged vote counted exactly once, phones
 * reconnect and see their receipts, the document converges with every edit, `npm run verify`
 * accepts the audit chain. Run twice: durable acks on (LINLI_WAIT_REPLICAS=1: nothing acknowledged
 * may be lost) and off (0: the run reports what was lost; docs/SCALING.md says why it can be).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioc, type Socket } from 'socket.io-client';
import { startServer, ROOT, type TestServer } from '../helpers/processes.ts';
import { startCluster, type TestCluster } from '../helpers/cluster.ts';
import { startNginx, type TestNginx } from '../helpers/nginx.ts';
import { Client } from '../helpers/http-client.ts';
import { People, type Person } from '../helpers/people.ts';
import { connectDoc, loadStored, synced, type LiveClient } from '../helpers/yjs-clients.ts';
import { connectRedis, parseClusterNodes, type Redis } from '../../src/redis/connection.ts';
import { DocsRepository, docKeys } from '../../src/yjs/yjs.repository.ts';
import { createLogger } from '../../src/logger.ts';

const N = Number(process.env.LINLI_CLUSTER_PHONES ?? 1000);
const EDITORS = 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Resident memory of a process in KiB (for docs/SCALING.md's memory per connection). */
const rssKiB = (pid: number | undefined) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);

type Ack = { ok: true; receipt: string; repeated: boolean } | { ok: false; error: { code: string; message: string } };

function connect(url: string, cookie: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = ioc(url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie }, reconnection: false, timeout: 10_000 });
    s.once('connect', () => resolve(s));
    s.once('connect_error', (e) => {
      s.close();
      reject(e);
    });
  });
}

function emit<T>(s: Socket, event: string, payload: object, ms = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    if (!s.connected) return reject(new Error('disconnected'));
    const onDrop = () => reject(new Error('disconnected'));
    s.once('disconnect', onDrop);
    s.timeout(ms).emit(event as never, payload as never, (err: Error | null, ack: T) => {
      s.off('disconnect', onDrop);
      if (err) reject(err);
      else resolve(ack);
    });
  });
}

describe.each([
  { wait: 1, label: 'durable acks on (WAIT 1)' },
  { wait: 0, label: 'durable acks off' },
])('city cluster failover, $label', ({ wait }) => {
  let cluster: TestCluster;
  const apps: TestServer[] = [];
  let nginx: TestNginx;
  let store: Redis;
  let people: People;
  let admin: Client;
  let cid: string;
  let meetingId: string;
  let phones: Person[];
  const sockets: Socket[] = [];
  let editors: LiveClient[] = [];
  let docName: string;
  let ballotId: string;
  let rssBefore: number[] = [];
  let rssAfter: number[] = [];
  /** Set-up phases in ms (cluster, processes and nginx, phones joined, editors synced). */
  const setup: Record<string, number> = {};
  /** Set when the test ends, so voters still retrying after a failure stop reconnecting. */
  let stopped = false;
  let killer: Promise<void> | undefined;

  beforeAll(async () => {
    let t = Date.now();
    const lap = (what: string) => {
      setup[what] = Date.now() - t;
      t = Date.now();
    };
    cluster = await startCluster({ nodeTimeoutMs: 2000 });
    lap('cluster');
    const env = {
      REDIS_CLUSTER_NODES: cluster.seeds,
      LINLI_WAIT_REPLICAS: String(wait),
      LINLI_WAIT_MS: '1000',
      LINLI_LOG_LEVEL: 'info',
      LINLI_TRUST_PROXY: '1',
    };
    apps.push(...(await Promise.all([startServer({ env }), startServer({ env }), startServer({ env })])));
    nginx = await startNginx(apps.map((a) => a.port));
    lap('processes');
    store = await connectRedis({ cluster: parseClusterNodes(cluster.seeds) }, createLogger('silent'), { name: 'test' });
    people = new People(store);
    admin = new Client(nginx.url);
    await admin.login('admin', apps[0]!.adminPassword!);
    cid = (await admin.post('/api/communities', { name: '城市集群小区' })).body.community.id;
    meetingId = (await admin.post(`/api/communities/${cid}/meetings`, { title: '全市联动议事会', mode: 'hybrid' })).body.meeting.id;
    const ballot = await admin.post(`/api/meetings/${meetingId}/ballots`, {
      title: '是否加装电梯',
      kind: 'yes_no_abstain',
      options: [],
      rule: 'simple_majority',
      electorate: { kind: 'members' },
      secret: false,
    });
    expect(ballot.status, JSON.stringify(ballot.body)).toBe(201);
    ballotId = ballot.body.ballot.id;
    phones = await people.members(cid, N, '居民');
    rssBefore = apps.map((a) => rssKiB(a.proc.pid));
    for (let i = 0; i < N; i += 100) {
      const batch = await Promise.all(phones.slice(i, i + 100).map((p) => connect(nginx.url, p.cookie)));
      sockets.push(...batch);
      await Promise.all(batch.map(async (s) => expect((await emit<{ ok: boolean }>(s, 'meeting:join', { meetingId })).ok).toBe(true)));
    }
    rssAfter = apps.map((a) => rssKiB(a.proc.pid));
    lap('phones');
    const editorPeople = await people.members(cid, EDITORS, '编辑', ['owners_committee']);
    // The convention's document lives on the shard whose master is killed (like the ballot), so
    // every run takes the document through the failover too (a document elsewhere would only see
    // the killed Linli process).
    const ballotMaster = cluster.masterOfKey(`{ballot:${ballotId}}:status`);
    for (let tries = 0; !docName || cluster.masterOfKey(docKeys.log(docName)) !== ballotMaster; tries++) {
      expect(tries, "a convention on the ballot's shard").toBeLessThan(40);
      const conv = await Object.assign(new Client(nginx.url), { cookie: editorPeople[0]!.cookie }).post(
        `/api/communities/${cid}/conventions`,
        { title: `集群公约${tries}` },
      );
      expect(conv.status, JSON.stringify(conv.body)).toBe(201);
      docName = conv.body.convention.docName;
    }
    editors = editorPeople.map((p) => connectDoc(nginx.url, docName, p.cookie));
    await Promise.all(editors.map((e) => synced(e, 30_000)));
    lap('editors');
  }, 300_000);

  afterAll(async () => {
    stopped = true;
    await killer?.catch(() => {});
    // What the processes logged as unexpected (an `internal` answer names its cause here).
    for (const a of apps)
      for (const l of a.logs.filter((x) => /"level":(50|60)/.test(x)).slice(0, 5)) console.log(`[app :${a.port}] ${l.slice(0, 1500)}`);
    for (const s of sockets) s.close();
    for (const e of editors) e.destroy();
    await store?.quit().catch(() => {});
    await nginx?.stop();
    await Promise.all(apps.map((a) => a.stop('SIGKILL')));
    await cluster?.stop();
  });

  it("kill -9 of a Linli process and of the ballot's Redis master mid-storm", async () => {
    // Phones spread over the three processes (nginx does not pin fresh WebSockets).
    const perProcess = apps.map((a) =>
      spawnSync('sh', ['-c', `ss -Htn state established '( sport = :${a.port} )' | wc -l`], { encoding: 'utf8' }).stdout.trim(),
    );
    expect((await admin.post(`/api/ballots/${ballotId}/open`)).status).toBe(200);
    const master = cluster.masterOfKey(`{ballot:${ballotId}}:status`);
    expect(cluster.masterOfKey(docKeys.log(docName))).toBe(master);
    const victim = apps[1]!;
    const choices = ['yes', 'no', 'abstain'];
    const acked = new Map<number, string>();
    const outcomes = { unavailable: 0, reconnects: 0 };
    let killedAt = 0;
    let failedOverAt = 0;
    const t0 = Date.now();
    const STORM_MS = 4000;

    // Editors type a token every 100 ms through the storm and the failover.
    const written: string[] = [];
    let typing = true;
    const typers = editors.map(async (e, j) => {
      for (let n = 0; typing; n++) {
        const token = `[${j}.${n}]`;
        e.doc.getText('t').insert(e.doc.getText('t').length, token);
        written.push(token);
        await sleep(100);
      }
    });

    killer = (async () => {
      await sleep(STORM_MS / 2);
      killedAt = Date.now() - t0;
      master.proc.kill('SIGKILL');
      await victim.stop('SIGKILL');
      // Once a replica has taken over, the operator restarts the dead Redis machine: it rejoins as
      // a replica of the promoted one (until then its shard has no replica: WAIT 1 answers unavailable).
      await cluster.waitForNewMaster(master, `{ballot:${ballotId}}:status`);
      failedOverAt = Date.now() - t0;
      await cluster.restart(master);
    })();
    killer.catch(() => {}); // awaited (and so reported) after the storm

    await Promise.all(
      sockets.map(async (s0, i) => {
        await sleep((i * STORM_MS) / N);
        const payload = { ballotId, choice: choices[i % 3], idempotencyKey: `city-vote-${i}` };
        let s = s0;
        for (let attempt = 0; attempt < 60 && !stopped; attempt++) {
          try {
            const ack = await emit<Ack>(s, 'ballot:cast', payload, 8000);
            if (ack.ok) {
              const before = acked.get(i);
              if (before && before !== ack.receipt) throw new Error(`voter ${i}: two receipts ${before} ${ack.receipt}`);
              acked.set(i, ack.receipt);
              return;
            }
            if (ack.error.code !== 'unavailable') throw new Error(`voter ${i}: ${ack.error.code} ${ack.error.message}`);
            outcomes.unavailable++;
            await sleep(500);
          } catch (err) {
            if (String((err as Error).message).startsWith('voter')) throw err;
            // Dropped or no answer: the phone reconnects through nginx and sends the same key.
            outcomes.reconnects++;
            s.close();
            await sleep(300);
            s = await connect(nginx.url, phones[i]!.cookie).catch(() => s);
            sockets[i] = s;
          }
        }
      }),
    );
    await killer;
    typing = false;
    await Promise.all(typers);
    const stormMs = Date.now() - t0;

    // Every phone that got a receipt finds it (GET /mine through nginx, any surviving process).
    const stored = await store.hgetall(`{ballot:${ballotId}}:votes`);
    const lost: number[] = [];
    for (const [i, receipt] of acked) {
      const rec = stored[phones[i]!.userId];
      if (!rec || (JSON.parse(rec) as { receipt: string }).receipt !== receipt) lost.push(i);
    }
    const sample = [...acked.keys()].filter((_, j) => j % Math.max(1, Math.floor(acked.size / 50)) === 0);
    let mineOk = 0;
    for (const i of sample) {
      const r = await Object.assign(new Client(nginx.url), { cookie: phones[i]!.cookie }).get(`/api/ballots/${ballotId}/mine`);
      if (r.status === 200 && JSON.stringify(r.body).includes(acked.get(i)!)) mineOk++;
    }
    // Exactly once: one record per voter, the counters equal the records.
    const counts = await store.hgetall(`{ballot:${ballotId}}:counts`);
    const close = await admin.post(`/api/ballots/${ballotId}/close`);
    expect(close.status, JSON.stringify(close.body)).toBe(200);
    const verify = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(ROOT, 'server/src/cli/verify.ts'),
        `${nginx.url}/api/ballots/${ballotId}/audit`,
        '--cookie',
        admin.cookie,
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );

    // The document: every editor (connected and synced again after the failover), a fresh client,
    // and the store itself (what a process loading it now would read) hold every token. Waits for
    // that state (bounded), then reports what is missing where.
    const fresh = connectDoc(nginx.url, docName, (await people.members(cid, 1, '读者', ['owners_committee']))[0]!.cookie);
    await synced(fresh, 30_000);
    const repo = new DocsRepository(store);
    const storedText = async () => {
      const d = await loadStored(repo, docName);
      const t = d.getText('t').toString();
      d.destroy();
      return t;
    };
    const texts = async () => [...editors, fresh].map((e) => e.doc.getText('t').toString()).concat(await storedText());
    const allSynced = () => [...editors, fresh].every((e) => e.provider.wsconnected && e.provider.synced);
    const end = Date.now() + 30_000;
    while (
      Date.now() < end &&
      !(allSynced() && (await texts()).every((t) => written.every((w) => t.includes(w)) && t === editors[0]!.doc.getText('t').toString()))
    )
      await sleep(250);
    const finalTexts = await texts();
    const docStats = await Promise.all(
      apps
        .filter((a) => a !== victim)
        .map(
          async (a) =>
            (await Object.assign(new Client(a.url), { cookie: admin.cookie }).get('/api/yjs/stats')).body as {
              recoveries: number;
              repairs: number;
            },
        ),
    );
    const missing = written.filter((w) => !finalTexts.every((t) => t.includes(w)));
    const missingEdits = missing.length;
    for (const w of missing.slice(0, 10)) {
      const author = Number(/\[(\d+)\./.exec(w)![1]);
      console.log(
        `missing ${w}: held by ${finalTexts.filter((t) => t.includes(w)).length}/${finalTexts.length} clients, not by ${finalTexts.flatMap((t, k) => (t.includes(w) ? [] : [k])).join(',')} (author has it: ${finalTexts[author]!.includes(w)}; author closes ${JSON.stringify(editors[author]!.closes)}, denied ${JSON.stringify(editors[author]!.denied)}, connected ${editors[author]!.provider.wsconnected})`,
      );
    }
    fresh.destroy();

    console.log(
      `[cluster ${wait ? 'WAIT 1' : 'WAIT off'}] set-up ms ${JSON.stringify(setup)}; phones ${N} (per process at start ${perProcess.join('/')}), editors ${EDITORS}; kill -9 of Linli :${victim.port} and Redis master :${master.port} at ${killedAt} ms, replica promoted at ${failedOverAt} ms; ` +
        `RSS KiB before/after phones joined ${rssBefore.join('/')} → ${rssAfter.join('/')}; storm ${stormMs} ms; acknowledged ${acked.size}/${N}, lost ${lost.length}, unavailable answers ${outcomes.unavailable}, reconnects ${outcomes.reconnects}; ` +
        `stored ${Object.keys(stored).length}, counts.cast ${counts.cast}; receipts shown by /mine ${mineOk}/${sample.length}; edits ${written.length}, missing ${missingEdits} (of ${finalTexts.length} copies: ${EDITORS} editors, a fresh client, the store); document recoveries/repairs per surviving process ${docStats.map((d) => `${d.recoveries}/${d.repairs}`).join(' ')}; verify exit ${verify.status}`,
    );
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);
    expect(Number(counts.cast)).toBe(Object.keys(stored).length);
    expect(missingEdits).toBe(0);
    // Both surviving processes saw the document's shard fail over and checked the store after it.
    expect(
      docStats.every((d) => d.recoveries >= 1),
      JSON.stringify(docStats),
    ).toBe(true);
    expect(new Set(finalTexts).size).toBe(1);
    if (wait) {
      // Durable acks: every phone ends with a receipt, and not one acknowledged vote is gone.
      expect(acked.size).toBe(N);
      expect(lost).toEqual([]);
      expect(Object.keys(stored).length).toBe(N);
      expect(mineOk).toBe(sample.length);
    } else {
      // Without them a vote acknowledged just before the master died may be gone (reported above);
      // what is stored is still counted exactly once and the chain still verifies.
      expect(acked.size).toBeGreaterThan(0);
    }
  }, 300_000);
});
