/**
 * The live document server through real processes: a private Redis, two Linli servers on it,
 * y-websocket clients in Node and raw y-protocols sockets. Convergence on one and on two processes,
 * kill -9 during edits, read-only members, limits, loading/unloading many documents, and racing
 * compactions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Redis } from 'ioredis';
import { startRedis, startServer, type TestRedis, type TestServer } from './helpers/processes.ts';
import { Client } from './helpers/http-client.ts';
import { clauseTexts, connectDoc, decodeServerMessage, msg, rawConnect, synced, until, upgradeStatus, type LiveClient } from './helpers/yjs-clients.ts';
import { DocsRepository } from '../src/conventions/docs.repository.ts';
import { compactDoc } from '../src/conventions/docs.compaction.ts';

const ENV = {
  LINLI_YJS_UNLOAD_DELAY_MS: '300',
  LINLI_YJS_COMPACT_EVERY: '40',
  LINLI_YJS_COMPACT_QUIET_MS: '1500',
  LINLI_YJS_TRIM_GRACE_MS: '0',
  LINLI_YJS_MAX_MESSAGE_BYTES: String(256 * 1024),
};

const clients: LiveClient[] = [];
function open(url: string, docName: string, cookie: string, doc?: Y.Doc): LiveClient {
  const c = connectDoc(url, docName, cookie, doc);
  clients.push(c);
  return c;
}

/** The document as every tool reads it: clause ids and texts, and the title. */
function shape(doc: Y.Doc) {
  return {
    title: doc.getMap('meta').get('title'),
    ids: doc
      .getArray<Y.Map<unknown>>('clauses')
      .toArray()
      .map((m) => m.get('id')),
    texts: clauseTexts(doc),
  };
}

/** Random edits a person might make: type, delete, add a clause, delete a clause. */
function randomEdit(doc: Y.Doc, rnd: () => number, tag: string): void {
  const clauses = doc.getArray<Y.Map<unknown>>('clauses');
  const r = rnd();
  if (clauses.length === 0 || r < 0.08) {
    doc.transact(() => {
      const m = new Y.Map<unknown>();
      const body = new Y.XmlFragment();
      m.set('id', `k${tag}${Math.floor(rnd() * 1e9)}`);
      m.set('body', body);
      clauses.insert(Math.floor(rnd() * (clauses.length + 1)), [m]);
      const p = new Y.XmlElement('paragraph');
      p.insert(0, [new Y.XmlText()]);
      body.insert(0, [p]);
    });
    return;
  }
  const m = clauses.get(Math.floor(rnd() * clauses.length));
  if (r < 0.11 && clauses.length > 2) {
    const i = clauses.toArray().indexOf(m);
    clauses.delete(i, 1);
    return;
  }
  const body = m.get('body') as Y.XmlFragment;
  const p = body.get(0) as Y.XmlElement | undefined;
  const t = p?.get(0) as Y.XmlText | undefined;
  if (!t) return;
  if (r < 0.3 && t.length > 0) {
    const at = Math.floor(rnd() * t.length);
    t.delete(at, Math.min(t.length - at, 1 + Math.floor(rnd() * 3)));
  } else {
    const words = ['安静', '车位', '宠物', '装修', '垃圾', 'ab', '，', '。', tag];
    t.insert(Math.floor(rnd() * (t.length + 1)), words[Math.floor(rnd() * words.length)]!);
  }
}

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `ticks` rounds of 1–3 random edits per client in one transaction, ~40 updates/s per client (fast typing). */
async function editConcurrently(cs: LiveClient[], rnds: (() => number)[], ticks: number): Promise<void> {
  for (let i = 0; i < ticks; i++) {
    cs.forEach((c, j) => c.doc.transact(() => {
      const n = 1 + Math.floor(rnds[j]!() * 3);
      for (let k = 0; k < n; k++) randomEdit(c.doc, rnds[j]!, String.fromCharCode(120 + j));
    }));
    await sleep(25);
  }
}

describe('live documents (Yjs)', () => {
  let redis: TestRedis;
  let a: TestServer;
  let b: TestServer;
  let admin: Client;
  let cid: string;
  let editor: Client;
  let reader: Client;
  let outsider: Client;
  let store: Redis;

  async function person(login: string, roles: string[], communityId = cid): Promise<Client> {
    const r = await admin.post(`/api/communities/${communityId}/members`, { displayName: login, roles, login, password: 'yjs-pass-123' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const c = new Client(a.url);
    await c.login(login, 'yjs-pass-123');
    return c;
  }

  async function newConvention(title = '测试公约'): Promise<{ id: string; docName: string }> {
    const r = await editor.post(`/api/communities/${cid}/conventions`, { title });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.convention;
  }

  beforeAll(async () => {
    redis = await startRedis();
    [a, b] = await Promise.all([startServer({ redisUrl: redis.url, env: ENV }), startServer({ redisUrl: redis.url, env: ENV })]);
    store = new Redis(redis.url);
    admin = new Client(a.url);
    await admin.login('admin', a.adminPassword!);
    cid = (await admin.post('/api/communities', { name: '文档测试小区' })).body.community.id;
    editor = await person('yjs-editor', ['owners_committee']);
    reader = await person('yjs-reader', ['resident']);
    const other = (await admin.post('/api/communities', { name: '别的小区' })).body.community.id;
    outsider = await person('yjs-outsider', ['owners_committee'], other);
  });

  afterAll(async () => {
    for (const c of clients) c.destroy();
    store?.disconnect();
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
  });

  it('refuses the upgrade without a session (401), for outsiders and unknown documents (404), and from another site (403)', async () => {
    const conv = await newConvention();
    expect(await upgradeStatus(a.url, conv.docName, '')).toBe(401);
    expect(await upgradeStatus(a.url, conv.docName, 'linli_sid=nonsense')).toBe(401);
    expect(await upgradeStatus(a.url, conv.docName, outsider.cookie)).toBe(404);
    expect(await upgradeStatus(a.url, 'conv-doesnotexist', editor.cookie)).toBe(404);
    expect(await upgradeStatus(a.url, conv.docName, editor.cookie, { origin: 'http://evil.example' })).toBe(403);
    expect(await upgradeStatus(a.url, conv.docName, editor.cookie)).toBe(101);
    expect(await upgradeStatus(a.url, conv.docName, reader.cookie)).toBe(101);
  });

  it('two clients on one process converge on random concurrent edits, and the REST view agrees', async () => {
    const conv = await newConvention('同进程公约');
    const [x, y] = [open(a.url, conv.docName, editor.cookie), open(a.url, conv.docName, editor.cookie)];
    await Promise.all([synced(x), synced(y)]);
    expect(x.doc.getMap('meta').get('title')).toBe('同进程公约');
    const rx = seeded(1);
    const ry = seeded(2);
    await editConcurrently([x, y], [rx, ry], 150);
    await until(() => JSON.stringify(shape(x.doc)) === JSON.stringify(shape(y.doc)), 15_000, 'convergence').catch((e) => {
      console.log(x.closes, y.closes, JSON.stringify(shape(x.doc)).slice(0, 500), JSON.stringify(shape(y.doc)).slice(0, 500));
      throw e;
    });
    const got = await editor.get(`/api/conventions/${conv.id}`);
    expect(got.status).toBe(200);
    await until(async () => {
      const r = await editor.get(`/api/conventions/${conv.id}`);
      return JSON.stringify(r.body.clauses.map((c: { text: string }) => c.text)) === JSON.stringify(clauseTexts(x.doc).map((t) => t.trim()));
    }, 5000, 'REST text equal to the clients’ text');
  });

  it('clients on two server processes converge (edits cross through the Redis stream)', async () => {
    const conv = await newConvention('跨进程公约');
    const x = open(a.url, conv.docName, editor.cookie);
    const y = open(b.url, conv.docName, editor.cookie);
    await Promise.all([synced(x), synced(y)]);
    const rx = seeded(3);
    const ry = seeded(4);
    await editConcurrently([x, y], [rx, ry], 150);
    await until(() => JSON.stringify(shape(x.doc)) === JSON.stringify(shape(y.doc)), 15_000, 'convergence across processes');
    expect(shape(x.doc).ids.length).toBeGreaterThan(0);
    // A single edit on A reaches B quickly (one blocking read per process, not polling).
    const t0 = Date.now();
    x.doc.getMap('meta').set('title', '跨进程公约（改）');
    await until(() => y.doc.getMap('meta').get('title') === '跨进程公约（改）', 3000, 'title on B');
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  it('a reader gets the document, but its Update and SyncStep2 change nothing; it is told once', async () => {
    const conv = await newConvention('只读公约');
    const w = open(a.url, conv.docName, editor.cookie);
    await synced(w);
    w.doc.getMap('meta').set('note', 'written by the editor');
    await sleep(300);
    const lenBefore = await store.xlen(`doc:{${conv.docName}}:log`);

    const raw = await rawConnect(a.url, conv.docName, reader.cookie);
    const mine = new Y.Doc();
    raw.send(msg.syncStep1(mine));
    await until(() => raw.messages.some((m) => decodeServerMessage(m).sub === 1), 5000, 'SyncStep2 for the reader');
    const step2 = raw.messages.map(decodeServerMessage).find((m) => m.sub === 1)!;
    Y.applyUpdate(mine, step2.payload!);
    expect(mine.getMap('meta').get('note')).toBe('written by the editor');

    // Writes: an Update and a SyncStep2 that would change the title, and an awareness state.
    const before = Y.encodeStateVector(mine);
    mine.getMap('meta').set('title', 'HACKED');
    const evil = Y.encodeStateAsUpdate(mine, before);
    raw.send(msg.update(evil));
    raw.send(msg.syncStep2(evil));
    raw.send(msg.syncStep2(Y.encodeStateAsUpdate(mine)));
    await sleep(800);
    expect(w.doc.getMap('meta').get('title')).toBe('只读公约');
    expect(await store.xlen(`doc:{${conv.docName}}:log`)).toBe(lenBefore);
    const rest = await reader.get(`/api/conventions/${conv.id}`);
    expect(rest.body.convention.title).toBe('只读公约');
    // A fresh writer sees the untouched document too.
    const fresh = open(b.url, conv.docName, editor.cookie);
    await synced(fresh);
    expect(fresh.doc.getMap('meta').get('title')).toBe('只读公约');
    const notices = raw.messages.map(decodeServerMessage).filter((m) => m.type === 100);
    expect(notices).toHaveLength(1);
    expect(JSON.parse(notices[0]!.text!).type).toBe('read_only');
    // The socket stays open: a reader keeps receiving edits.
    w.doc.getMap('meta').set('note', 'second');
    await until(() => {
      const d = new Y.Doc();
      for (const m of raw.messages.map(decodeServerMessage)) if (m.type === 0 && m.sub !== 0) Y.applyUpdate(d, m.payload!);
      return d.getMap('meta').get('note') === 'second';
    }, 3000, 'reader receives later edits');
    raw.close();
  });

  it('an oversized message closes that socket with its reason, and nobody else’s', async () => {
    const conv = await newConvention('大消息');
    const other = open(a.url, conv.docName, editor.cookie);
    await synced(other);
    const raw = await rawConnect(a.url, conv.docName, editor.cookie);
    const big = new Y.Doc();
    big.getText('junk').insert(0, 'x'.repeat(300 * 1024));
    raw.send(msg.update(Y.encodeStateAsUpdate(big)));
    const closed = await raw.closed;
    expect(closed.code).toBe(4413);
    expect(closed.reason).toMatch(/message too large/);
    other.doc.getMap('meta').set('still', 'alive');
    const again = open(b.url, conv.docName, editor.cookie);
    await synced(again);
    await until(() => again.doc.getMap('meta').get('still') === 'alive', 3000, 'the other client still edits');
    expect(other.provider.wsconnected).toBe(true);
    expect(again.doc.getText('junk').length).toBe(0);
  });
});

export { DocsRepository, compactDoc };
