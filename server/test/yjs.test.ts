/**
 * The live document server through real processes: a private Redis, two Linli servers on it,
 * y-websocket clients in Node and raw y-protocols sockets. Convergence on one and on two processes,
 * kill -9 during edits, read-only members, limits, loading/unloading many documents, and racing
 * compactions.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { Redis } from 'ioredis';
import { startRedis, startServer, type TestRedis, type TestServer } from './helpers/processes.ts';
import { Client, addMember } from './helpers/http-client.ts';
import {
  clauseTexts,
  connectDoc,
  decodeServerMessage,
  loadStored,
  MESSAGE_AUTH,
  msg,
  rawConnect,
  synced,
  until,
  upgradeStatus,
  type LiveClient,
} from './helpers/yjs-clients.ts';
import { pace } from './helpers/wait.ts';
import { DocsRepository } from '../src/yjs/yjs.repository.ts';
import { compactDoc } from '../src/yjs/yjs.compaction.ts';

const ENV = {
  LINLI_YJS_UNLOAD_DELAY_MS: '300',
  LINLI_YJS_COMPACT_EVERY: '40',
  LINLI_YJS_COMPACT_QUIET_MS: '1500',
  LINLI_YJS_TRIM_GRACE_MS: '1000',
  LINLI_YJS_MAX_MESSAGE_BYTES: String(256 * 1024),
  LINLI_YJS_MAX_DOC_BYTES: String(1024 * 1024),
  LINLI_YJS_MAX_CLIENTS_PER_DOC: '12',
  LINLI_YJS_REVALIDATE_MS: '500',
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

/** `ticks` rounds of 1–3 random edits per client in one transaction, ~40 updates/s per client (fast typing). */
async function editConcurrently(cs: LiveClient[], rnds: (() => number)[], ticks: number): Promise<void> {
  for (let i = 0; i < ticks; i++) {
    cs.forEach((c, j) =>
      c.doc.transact(() => {
        const n = 1 + Math.floor(rnds[j]!() * 3);
        for (let k = 0; k < n; k++) randomEdit(c.doc, rnds[j]!, String.fromCharCode(120 + j));
      }),
    );
    await pace(25);
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

  const person = (login: string, roles: string[], communityId = cid) => addMember(admin, a.url, communityId, login, roles);

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

  afterEach(() => {
    for (const c of clients.splice(0)) c.destroy();
  });

  afterAll(async () => {
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
    await until(
      async () => {
        const r = await editor.get(`/api/conventions/${conv.id}`);
        return (
          JSON.stringify(r.body.clauses.map((c: { text: string }) => c.text)) === JSON.stringify(clauseTexts(x.doc).map((t) => t.trim()))
        );
      },
      5000,
      'REST text equal to the clients’ text',
    );
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
    // A single edit on A reaches B on its own (one blocking read per process wakes on it).
    x.doc.getMap('meta').set('title', '跨进程公约（改）');
    await until(() => y.doc.getMap('meta').get('title') === '跨进程公约（改）', 3000, 'title on B');
  });

  it('a reader gets the document, but its Update and SyncStep2 change nothing; it is told once', async () => {
    const conv = await newConvention('只读公约');
    const w = open(a.url, conv.docName, editor.cookie);
    await synced(w);
    w.doc.getMap('meta').set('note', 'written by the editor');

    const raw = await rawConnect(a.url, conv.docName, reader.cookie);
    const mine = new Y.Doc();
    raw.send(msg.syncStep1(mine));
    await until(() => raw.messages.some((m) => decodeServerMessage(m).sub === 1), 5000, 'SyncStep2 for the reader');
    const step2 = raw.messages.map(decodeServerMessage).find((m) => m.sub === 1)!;
    Y.applyUpdate(mine, step2.payload!);
    expect(mine.getMap('meta').get('note')).toBe('written by the editor');
    // The note reached the reader, so it is stored (updates are applied only once in the log).
    const lenBefore = await store.xlen(`doc:{${conv.docName}}:log`);

    // Writes: an Update and a SyncStep2 that would change the title, and an awareness state.
    const before = Y.encodeStateVector(mine);
    mine.getMap('meta').set('title', 'HACKED');
    const evil = Y.encodeStateAsUpdate(mine, before);
    raw.send(msg.update(evil));
    raw.send(msg.syncStep2(evil));
    raw.send(msg.syncStep2(Y.encodeStateAsUpdate(mine)));
    // Barrier: a SyncStep1 sent after them is answered once the three are handled; an editor's write
    // made after that answer is stored after anything they could have queued (the room stores in order).
    const answers = () => raw.messages.filter((m) => decodeServerMessage(m).sub === 1).length;
    raw.send(msg.syncStep1(new Y.Doc()));
    await until(() => answers() === 2, 5000, 'the second SyncStep2 for the reader');
    w.doc.getMap('meta').set('marker', 'after the reader');
    await until(async () => (await store.xlen(`doc:{${conv.docName}}:log`)) > lenBefore, 5000, "the editor's marker stored");
    expect(w.doc.getMap('meta').get('title')).toBe('只读公约');
    expect(await store.xlen(`doc:{${conv.docName}}:log`)).toBe(lenBefore + 1);
    const rest = await reader.get(`/api/conventions/${conv.id}`);
    expect(rest.body.convention.title).toBe('只读公约');
    // A fresh writer sees the untouched document too.
    const fresh = open(b.url, conv.docName, editor.cookie);
    await synced(fresh);
    expect(fresh.doc.getMap('meta').get('title')).toBe('只读公约');
    // Told once, with the y-protocols auth message: permission denied (0), reason read-only.
    const denied = raw.messages.map(decodeServerMessage).filter((m) => m.type === MESSAGE_AUTH);
    expect(denied).toEqual([{ type: MESSAGE_AUTH, sub: 0, text: 'read-only' }]);
    // The socket stays open: a reader keeps receiving edits.
    w.doc.getMap('meta').set('note', 'second');
    await until(
      () => {
        const d = new Y.Doc();
        for (const m of raw.messages.map(decodeServerMessage)) if (m.type === 0 && m.sub !== 0) Y.applyUpdate(d, m.payload!);
        return d.getMap('meta').get('note') === 'second';
      },
      3000,
      'reader receives later edits',
    );
    raw.close();
  });

  it('a stock y-websocket reader is told permission denied (read-only) by the y-protocols auth message; its edit is neither applied nor stored', async () => {
    const conv = await newConvention('只读提示');
    const w = open(a.url, conv.docName, editor.cookie);
    await synced(w);
    const dropped = async () => (await admin.get('/api/yjs/stats')).body.updatesDropped as number;
    const droppedBefore = await dropped();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const error = vi.spyOn(console, 'error');
    try {
      const r = open(a.url, conv.docName, reader.cookie);
      await synced(r);
      await expect.poll(() => r.denied).toEqual(['read-only']);
      // y-websocket's own handler got it (it warns), and no message was left unknown to the client.
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^Permission denied to access .*\nread-only$/));
      expect(error).not.toHaveBeenCalledWith('Unable to compute message');
      expect(r.provider.wsconnected).toBe(true);

      // The client's answer to the server's SyncStep1 is the reader's first dropped update; its edit the second.
      await expect.poll(dropped).toBe(droppedBefore + 1);
      r.doc.getMap('meta').set('title', 'HACKED');
      await expect.poll(dropped).toBe(droppedBefore + 2);
      expect(w.doc.getMap('meta').get('title')).toBe('只读提示');
      expect((await loadStored(new DocsRepository(store as never), conv.docName)).getMap('meta').get('title')).toBe('只读提示');
      expect((await editor.get(`/api/conventions/${conv.id}`)).body.convention.title).toBe('只读提示');
      const fresh = open(b.url, conv.docName, editor.cookie);
      await synced(fresh);
      expect(fresh.doc.getMap('meta').get('title')).toBe('只读提示');
      // Told once per connection, not once per refused write.
      expect(r.denied).toEqual(['read-only']);
      expect(error).not.toHaveBeenCalledWith('Unable to compute message');
    } finally {
      warn.mockRestore();
      error.mockRestore();
    }
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

  it('too many updates per second closes that client with its reason (and it may come back)', async () => {
    const conv = await newConvention('限速');
    const other = open(a.url, conv.docName, editor.cookie);
    await synced(other);
    const raw = await rawConnect(a.url, conv.docName, editor.cookie);
    const d = new Y.Doc();
    const t = d.getText('spam');
    for (let i = 0; i < 400; i++) {
      const sv = Y.encodeStateVector(d);
      t.insert(0, 'x');
      raw.send(msg.update(Y.encodeStateAsUpdate(d, sv)));
    }
    const closed = await raw.closed;
    expect(closed.code).toBe(4529);
    expect(closed.reason).toMatch(/too many updates per second/);
    // The accepted part was stored and reached the other client; the rest was refused, not silently lost.
    await until(() => other.doc.getText('spam').length > 0, 3000, 'accepted updates arrive');
    expect(other.doc.getText('spam').length).toBeLessThan(400);
    expect(other.provider.wsconnected).toBe(true);
  });

  it('a document cannot grow past its size limit: the writer is told why', async () => {
    const conv = await newConvention('大文档');
    const raw = await rawConnect(a.url, conv.docName, editor.cookie);
    const d = new Y.Doc();
    let closed: { code: number; reason: string } | null = null;
    void raw.closed.then((c) => (closed = c));
    for (let i = 0; i < 8 && !closed; i++) {
      const sv = Y.encodeStateVector(d);
      d.getText('t').insert(0, String(i).repeat(200 * 1024));
      raw.send(msg.update(Y.encodeStateAsUpdate(d, sv)));
      await pace(100);
    }
    await until(() => closed !== null, 3000, 'close');
    expect(closed!.code).toBe(4414);
    expect(closed!.reason).toMatch(/document too large/);
    const fresh = open(b.url, conv.docName, editor.cookie);
    await synced(fresh);
    expect(Y.encodeStateAsUpdate(fresh.doc).length).toBeLessThanOrEqual(1024 * 1024);
  });

  it('a document takes a limited number of clients; the next one is told the document is full', async () => {
    const conv = await newConvention('满员');
    const raws = await Promise.all(Array.from({ length: 12 }, () => rawConnect(a.url, conv.docName, reader.cookie)));
    const extra = await rawConnect(a.url, conv.docName, reader.cookie);
    const closed = await extra.closed;
    expect(closed.code).toBe(4503);
    expect(closed.reason).toMatch(/too many people/);
    for (const r of raws) expect(r.ws.readyState).toBe(1);
    for (const r of raws) r.close();
  });

  it('concurrent joiners share one load, and awareness crosses processes (coalesced, never stored)', async () => {
    const conv = await newConvention('同时进入');
    await until(async () => (await admin.get('/api/yjs/stats')).body.docs === 0, 5000, 'created doc unloaded');
    const loadsBefore = (await admin.get('/api/yjs/stats')).body.loads;
    const joiners = Array.from({ length: 10 }, () => open(a.url, conv.docName, editor.cookie));
    await Promise.all(joiners.map((j) => synced(j)));
    for (const j of joiners) expect(j.doc.getMap('meta').get('title')).toBe('同时进入');
    expect((await admin.get('/api/yjs/stats')).body.loads).toBe(loadsBefore + 1);

    const watcher = await rawConnect(b.url, conv.docName, editor.cookie);
    const me = joiners[0]!;
    const t0 = Date.now();
    for (let i = 0; i < 100; i++) {
      me.provider.awareness.setLocalStateField('user', { name: '甲', color: '#b3261e' });
      me.provider.awareness.setLocalStateField('editing', `c${i}`);
      await pace(5);
    }
    await until(
      () => {
        return watcher.messages.some((m) => {
          const dm = decodeServerMessage(m);
          return dm.type === 1 && new TextDecoder().decode(dm.payload!).includes('c99');
        });
      },
      3000,
      'awareness on the other process',
    );
    const elapsed = Date.now() - t0;
    const awarenessMessages = watcher.messages.filter((m) => decodeServerMessage(m).type === 1).length;
    // 200 local changes; at most one broadcast per 50 ms per document (plus the join snapshot).
    expect(awarenessMessages).toBeLessThanOrEqual(Math.ceil(elapsed / 50) + 3);
    const keys = await store.keys(`doc:{${conv.docName}}*`);
    expect(keys.every((k) => /:(log|snap)$/.test(k))).toBe(true);
    watcher.close();
  });

  it('kill -9 during edits: after a restart, every update a client saw is in the document', async () => {
    const conv = await newConvention('断电公约');
    let c = await startServer({ redisUrl: redis.url, env: ENV });
    const port = c.port;
    const x = open(c.url, conv.docName, editor.cookie);
    const y = open(c.url, conv.docName, editor.cookie);
    await Promise.all([synced(x), synced(y)]);
    let stop = false;
    const rx = seeded(11);
    const ry = seeded(12);
    const editing = (async () => {
      while (!stop) {
        x.doc.transact(() => randomEdit(x.doc, rx, 'x'));
        y.doc.transact(() => randomEdit(y.doc, ry, 'y'));
        await pace(15);
      }
    })();
    // Kill mid-typing, once each has received a good many of the other's edits.
    const heard = (me: LiveClient, other: LiveClient) => Y.decodeStateVector(Y.encodeStateVector(me.doc)).get(other.doc.clientID) ?? 0;
    await until(() => heard(x, y) > 20 && heard(y, x) > 20, 15_000, 'both typing through the server');
    await c.stop('SIGKILL');
    stop = true;
    await editing;
    x.provider.disconnect();
    y.provider.disconnect();
    // What each client had received from the other at the moment the server died.
    const seen = [x, y].map((cl) => ({ own: cl.doc.clientID, sv: Y.decodeStateVector(Y.encodeStateVector(cl.doc)) }));
    expect([...seen[0]!.sv.keys()].filter((k) => k !== x.doc.clientID).length).toBeGreaterThan(0);

    c = await startServer({ redisUrl: redis.url, env: ENV, port });
    const fresh = open(c.url, conv.docName, editor.cookie);
    await synced(fresh);
    const have = Y.decodeStateVector(Y.encodeStateVector(fresh.doc));
    let checked = 0;
    for (const s of seen) {
      for (const [client, clock] of s.sv) {
        if (client === s.own) continue;
        expect(have.get(client) ?? 0, `client ${client}`).toBeGreaterThanOrEqual(clock);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1);
    // The two come back with their offline edits and everyone converges.
    x.provider.connect();
    y.provider.connect();
    await until(
      () =>
        JSON.stringify(shape(x.doc)) === JSON.stringify(shape(fresh.doc)) &&
        JSON.stringify(shape(y.doc)) === JSON.stringify(shape(fresh.doc)),
      15_000,
      'convergence after restart',
    );
    for (const cl of [x, y, fresh]) cl.destroy();
    await c.stop();
  });

  it('compactions racing on two processes and a third compactor lose nothing, and the log is trimmed', async () => {
    const conv = await newConvention('压缩竞争');
    const x = open(a.url, conv.docName, editor.cookie);
    const y = open(b.url, conv.docName, editor.cookie);
    await Promise.all([synced(x), synced(y)]);
    const before = await Promise.all(
      [a, b].map(async (s) => (await new Client(s.url).request('GET', '/api/yjs/stats', undefined, { cookie: admin.cookie })).body),
    );
    const repo = new DocsRepository(store);
    let stop = false;
    const outcomes: string[] = [];
    const compactor = (async () => {
      while (!stop) {
        // Two at once from here: both read the same snapshot, exactly one may write.
        const rs = await Promise.all([compactDoc(repo, conv.docName, 0), compactDoc(repo, conv.docName, 0)]);
        outcomes.push(...rs.map((r) => r.result));
        await pace(30);
      }
    })();
    await editConcurrently([x, y], [seeded(21), seeded(22)], 160);
    stop = true;
    await compactor;
    await until(() => JSON.stringify(shape(x.doc)) === JSON.stringify(shape(y.doc)), 15_000, 'convergence');
    expect(outcomes).toContain('done');
    expect(outcomes).toContain('conflict');
    const after = await Promise.all(
      [a, b].map(async (s) => (await new Client(s.url).request('GET', '/api/yjs/stats', undefined, { cookie: admin.cookie })).body),
    );
    expect(after[0].compactions + after[1].compactions).toBeGreaterThan(before[0].compactions + before[1].compactions);
    const expected = JSON.stringify(shape(x.doc));
    x.destroy();
    y.destroy();
    // Everything unloads; a fresh load from the snapshot (and what is left of the log) is the same document.
    await until(async () => (await admin.get('/api/yjs/stats')).body.docs === 0, 8000, 'unload on A');
    const fresh = open(b.url, conv.docName, editor.cookie);
    await synced(fresh);
    expect(JSON.stringify(shape(fresh.doc))).toBe(expected);
    fresh.destroy();
    // Once the grace window has passed, all that the snapshot holds is trimmed (its last entry stays).
    await until(async () => (await store.xlen(`doc:{${conv.docName}}:log`)) <= 1, 8000, 'log trimmed after the grace window');
    expect(await store.hexists(`doc:{${conv.docName}}:snap`, 'u')).toBe(1);
  });

  it('opening and closing many documents leaves no rooms, subscriptions or keys beyond the documents’ own', async () => {
    // Let earlier tests' documents unload first.
    for (const s of [a, b]) {
      await until(
        async () => (await new Client(s.url).request('GET', '/api/yjs/stats', undefined, { cookie: admin.cookie })).body.docs === 0,
        15_000,
        'quiet start',
      );
    }
    const keysBefore = new Set(await store.keys('*'));
    const clientsBefore = String(await store.call('CLIENT', 'LIST'))
      .trim()
      .split('\n').length;
    const convs = [];
    for (let i = 0; i < 30; i++) convs.push(await newConvention(`公约${i}`));
    for (let round = 0; round < 3; round++) {
      const open1 = convs.map((c, i) => open(i % 2 ? a.url : b.url, c.docName, editor.cookie));
      await Promise.all(open1.map((c) => synced(c)));
      open1.forEach((c, i) => {
        c.doc.getMap('meta').set('round', round);
        c.provider.awareness.setLocalStateField('user', { name: `u${i}` });
      });
      await pace(200); // they leave while their writes and awareness may still be in flight: what must not leak
      for (const c of open1) c.destroy();
    }
    for (const s of [a, b]) {
      await until(
        async () => {
          const st = (await new Client(s.url).request('GET', '/api/yjs/stats', undefined, { cookie: admin.cookie })).body;
          return st.docs === 0 && st.clients === 0 && st.followedStreams === 0 && st.background === 0;
        },
        15_000,
        'every room unloaded',
      );
    }
    expect(await store.call('PUBSUB', 'CHANNELS', 'doc:*')).toEqual([]);
    const allowed = new Set(convs.flatMap((c) => [`convention:{${c.id}}`, `doc:{${c.docName}}:log`, `doc:{${c.docName}}:snap`]));
    const extra = (await store.keys('*')).filter((k) => !keysBefore.has(k) && !allowed.has(k));
    expect(extra).toEqual([]);
    const clientsAfter = String(await store.call('CLIENT', 'LIST'))
      .trim()
      .split('\n').length;
    expect(clientsAfter).toBe(clientsBefore);
    // And the documents are all there with their last round.
    const check = open(a.url, convs[7]!.docName, reader.cookie);
    await synced(check);
    expect(check.doc.getMap('meta').get('round')).toBe(2);
  });

  it('signing out closes the document socket with its reason', async () => {
    const conv = await newConvention('退出登录');
    const leaver = new Client(a.url);
    await leaver.login('yjs-reader', 'member-pass-1');
    const raw = await rawConnect(a.url, conv.docName, leaver.cookie);
    const stays = await rawConnect(a.url, conv.docName, reader.cookie);
    expect((await leaver.post('/api/auth/logout')).status).toBeLessThan(300);
    const closed = await raw.closed;
    expect(closed.code).toBe(4401);
    expect(closed.reason).toMatch(/session ended/);
    // Barrier: the other session's socket still answers a SyncStep1 after the sign-out's closes were sent.
    stays.send(msg.syncStep1(new Y.Doc()));
    await until(() => stays.messages.some((m) => decodeServerMessage(m).sub === 1), 5000, 'SyncStep2 on the socket that stays');
    expect(stays.ws.readyState).toBe(1);
    stays.close();
  });
});
