/**
 * Live documents when the stream has holes (what a Redis failover does, reproduced on one Redis
 * in a second): two Linli processes, y-websocket clients and a raw socket. Found by
 * `npm run test:cluster` under load, where some editors ended without hundreds of edits:
 *  - an edit that completes structs the server held as pending must reach the client that sent
 *    it too (the broadcast used to skip its sender, which then held every later edit of that
 *    author as pending, for good);
 *  - an entry a process wrote but whose reply it lost (so it refused and did not apply it) is
 *    applied when its reader meets it in the log (it used to skip every entry it had written);
 *  - entries lost from the store after processes applied them (an asynchronous replica promoted)
 *    are appended again by those processes when their stream reader sees the gap;
 *  - entries a compaction trimmed before a stalled process read them reach that process's
 *    clients from the snapshot (found when yjs.test's racing compactors failed under load 20).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Redis } from 'ioredis';
import { startRedis, startServer, type TestRedis, type TestServer } from './helpers/processes.ts';
import { Client, addMember } from './helpers/http-client.ts';
import { connectDoc, loadStored, msg, rawConnect, synced, until, type LiveClient, type RawClient } from './helpers/yjs-clients.ts';
import { DocsRepository, docKeys } from '../src/yjs/yjs.repository.ts';
import { compactDoc } from '../src/yjs/yjs.compaction.ts';

const clients: LiveClient[] = [];
const raws: RawClient[] = [];
const open = (url: string, docName: string, cookie: string) => {
  const c = connectDoc(url, docName, cookie);
  clients.push(c);
  return c;
};
const text = (c: LiveClient) => c.doc.getText('t').toString();

/** The text of the document as a process loading it now would see it. */
async function storedText(repo: DocsRepository, name: string): Promise<string> {
  const doc = await loadStored(repo, name);
  const t = doc.getText('t').toString();
  doc.destroy();
  return t;
}

describe('live documents across gaps in the stream', () => {
  let redis: TestRedis;
  let a: TestServer;
  let b: TestServer;
  let editor: Client;
  let cid: string;
  let admin: Client;
  let store: Redis;
  let repo: DocsRepository;

  const newDoc = async (title: string): Promise<string> => {
    const r = await editor.post(`/api/communities/${cid}/conventions`, { title });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.convention.docName as string;
  };

  beforeAll(async () => {
    redis = await startRedis();
    // No compaction during the test: the log is exactly what the processes appended.
    const env = { LINLI_YJS_COMPACT_EVERY: '100000', LINLI_YJS_COMPACT_QUIET_MS: '600000' };
    [a, b] = await Promise.all([startServer({ redisUrl: redis.url, env }), startServer({ redisUrl: redis.url, env })]);
    store = new Redis(redis.url);
    store.on('error', () => {}); // the test stops Redis on purpose
    repo = new DocsRepository(store as never);
    admin = new Client(a.url);
    await admin.login('admin', a.adminPassword!);
    cid = (await admin.post('/api/communities', { name: '断流测试小区' })).body.community.id;
    editor = await addMember(admin, a.url, cid, 'gap-editor', ['owners_committee']);
  });

  afterEach(() => {
    for (const c of clients.splice(0)) c.destroy();
    for (const r of raws.splice(0)) r.close();
  });

  afterAll(async () => {
    store?.disconnect();
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
  });

  it('an edit that completes pending structs reaches its sender too', async () => {
    const docName = await newDoc('待补公约');
    // One author's two edits; the second builds on the first.
    const author = new Y.Doc();
    const updates: Uint8Array[] = [];
    author.on('update', (u: Uint8Array) => updates.push(u));
    author.getText('t').insert(0, 'a');
    author.getText('t').insert(1, 'b');
    const [first, second] = updates as [Uint8Array, Uint8Array];

    const live = open(a.url, docName, editor.cookie);
    await synced(live);
    // The second edit arrives first (its first was refused in a failover): stored, held pending.
    const raw = await rawConnect(a.url, docName, editor.cookie);
    raws.push(raw);
    const before = await store.xlen(docKeys.log(docName));
    raw.send(msg.update(second));
    await until(async () => (await store.xlen(docKeys.log(docName))) > before, 5000, 'the second edit in the log');
    expect(text(live)).toBe('');
    // The live client now has the first one (it got it elsewhere) and sends it: the server can
    // integrate both, and must send the second back to it.
    Y.applyUpdate(live.doc, first);
    await until(() => text(live) === 'ab', 5000, `"ab" on the client that sent "a" (has "${text(live)}")`);
    // Another client on the other process converges too.
    const other = open(b.url, docName, editor.cookie);
    await synced(other);
    await until(() => text(other) === 'ab', 5000, 'convergence on the other process');
  });

  it('an own write whose reply was lost (stored, yet refused) is applied when the reader meets it', async () => {
    const docName = await newDoc('回执丢失公约');
    const x = open(a.url, docName, editor.cookie);
    const y = open(b.url, docName, editor.cookie);
    await Promise.all([synced(x), synced(y)]);
    // Process A appended this edit, the master stored it, and the reply never came (the master
    // died, a timeout): A refused it and did not apply it. It is in the log under A's name.
    const processA = (await Object.assign(new Client(a.url), { cookie: admin.cookie }).get('/api/yjs/stats')).body.processId as string;
    const author = new Y.Doc();
    const updates: Uint8Array[] = [];
    author.on('update', (u: Uint8Array) => updates.push(u));
    author.getText('t').insert(0, 'lost-reply;');
    await store.xadd(docKeys.log(docName), '*', 'u', Buffer.from(updates[0]!), 'p', processA);
    await until(() => text(y) === 'lost-reply;', 5000, 'the edit on process B');
    await until(() => text(x) === 'lost-reply;', 5000, `the edit on process A, which wrote it (has "${text(x)}")`);
  });

  it('edits a failover took from the store are appended again by the processes that applied them', async () => {
    const docName = await newDoc('失而复得公约');
    const x = open(a.url, docName, editor.cookie);
    const y = open(b.url, docName, editor.cookie);
    await Promise.all([synced(x), synced(y)]);
    x.doc.getText('t').insert(0, 'one;');
    y.doc.getText('t').insert(0, 'two;');
    await until(() => text(x).length === 8 && text(x) === text(y), 5000, 'both edits on both processes');
    await until(async () => (await storedText(repo, docName)).length === 8, 5000, 'both edits stored');

    // The failover: the promoted replica had not yet received these entries.
    await store.del(docKeys.log(docName), docKeys.snap(docName));
    expect(await storedText(repo, docName)).toBe('');
    // ...and the store is away for a moment: each process's stream reader fails, a gap.
    const failed = () => [a, b].every((p) => p.logs.some((l) => l.includes('document stream read failed')));
    expect(failed()).toBe(false);
    await redis.kill();
    await until(failed, 10_000, 'both readers noticing the outage');
    await redis.start();
    const expected = text(x);
    await until(async () => (await storedText(repo, docName)) === expected, 10_000, 'the lost edits back in the store');
    // Editing goes on, and a client loading the document afresh gets all of it.
    x.doc.getText('t').insert(text(x).length, 'three;');
    await until(() => text(y).endsWith('three;'), 5000, 'a later edit crossing processes');
    await until(async () => (await storedText(repo, docName)) === text(x), 5000, 'the later edit stored');
  });

  it('entries trimmed before a stalled process read them still reach its clients (from the snapshot)', async () => {
    const docName = await newDoc('停顿公约');
    const x = open(a.url, docName, editor.cookie);
    const y = open(b.url, docName, editor.cookie);
    await Promise.all([synced(x), synced(y)]);
    const t = x.doc.getText('t');
    t.insert(0, 'one;');
    await until(() => text(y) === 'one;', 5000, 'the first edit on process B');
    const stats = () => Object.assign(new Client(b.url), { cookie: admin.cookie }).get('/api/yjs/stats');
    const gapsBefore = (await stats()).body.trimGaps as number;
    // Process B stalls (SIGSTOP: an event loop held for longer than the grace window). Its blocked
    // read is answered with the next entry; the two after it it never reads before they are trimmed.
    b.proc.kill('SIGSTOP');
    try {
      for (const word of ['two;', 'three;', 'four;']) {
        const len = await store.xlen(docKeys.log(docName));
        t.insert(t.length, word);
        await until(async () => (await store.xlen(docKeys.log(docName))) > len, 5000, `"${word}" in the log`);
      }
      // A compaction with no grace (as after a longer stall): everything below the last entry goes.
      expect((await compactDoc(repo, docName, 0)).result).toBe('done');
      expect(await store.xlen(docKeys.log(docName))).toBe(1);
    } finally {
      b.proc.kill('SIGCONT');
    }
    await until(() => text(y) === 'one;two;three;four;', 10_000, `every edit on process B's client (has "${text(y)}")`);
    expect((await stats()).body.trimGaps).toBeGreaterThan(gapsBefore);
    // Editing goes on across the processes.
    y.doc.getText('t').insert(0, 'zero;');
    await until(() => text(x) === 'zero;one;two;three;four;', 5000, 'a later edit from process B');
  });
});
