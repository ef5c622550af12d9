/**
 * A document's write queue is bounded (issue 16): a client flooding one document faster than the
 * store takes it is slowed (its socket is not read) and, past twice the bound, told (closed 4509
 * "busy"); y-websocket reconnects and re-sends what it has, so the document converges and every
 * edit the flooder made is stored. Meanwhile others keep editing. Real Redis, a real server process,
 * y-websocket clients; the bound is shrunk so a few hundred keystrokes pass it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Redis } from 'ioredis';
import type { Socket } from 'node:net';
import { startRedis, startServer, type TestRedis, type TestServer } from './helpers/processes.ts';
import { Client } from './helpers/http-client.ts';
import { connectDoc, loadStored, synced, until, type LiveClient } from './helpers/yjs-clients.ts';
import { DocsRepository } from '../src/yjs/yjs.repository.ts';

const ENV = {
  LINLI_YJS_MAX_QUEUED_BYTES: '400',
  LINLI_YJS_UPDATES_PER_SECOND: '100000',
  LINLI_YJS_UPDATES_BURST: '100000',
};
const N = 500;
const marks = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `#${tag}${i}#`).join('');

describe('a flood into one document', () => {
  let redis: TestRedis;
  let srv: TestServer;
  let admin: Client;
  let store: Redis;
  const clients: LiveClient[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    srv = await startServer({ redisUrl: redis.url, env: ENV });
    store = new Redis(redis.url);
    admin = new Client(srv.url);
    await admin.login('admin', srv.adminPassword!);
  });

  afterAll(async () => {
    for (const c of clients) c.destroy();
    store?.disconnect();
    await srv?.stop();
    await redis?.stop();
  });

  it('slows and tells the flooder, keeps the others editing, and loses nothing it typed', async () => {
    const cid = (await admin.post('/api/communities', { name: '洪水小区' })).body.community.id;
    const { docName } = (await admin.post(`/api/communities/${cid}/conventions`, { title: '洪水公约' })).body.convention;
    const open = () => {
      const c = connectDoc(srv.url, docName, admin.cookie);
      clients.push(c);
      return c;
    };
    const [flooder, typist, observer] = [open(), open(), open()];
    await Promise.all([synced(flooder), synced(typist), synced(observer)]);
    const before = (await admin.get('/api/yjs/stats')).body;

    // 500 keystrokes in one write: the server reads them faster than one store round trip.
    const socket = (flooder.provider.ws as unknown as { _socket: Socket })._socket;
    socket.cork();
    const flood = flooder.doc.getText('flood');
    for (let i = 0; i < N; i++) flood.insert(flood.length, `#f${i}#`);
    socket.uncork();
    // Another person types meanwhile, one keystroke at a time.
    const typed = typist.doc.getText('typed');
    for (let i = 0; i < 20; i++) {
      typed.insert(typed.length, `#t${i}#`);
      await new Promise((r) => setTimeout(r, 10));
    }

    await until(() => flooder.closes.some((c) => c.code === 4509), 10_000, 'the flooder is told (4509)');
    expect(flooder.closes.find((c) => c.code === 4509)!.reason).toMatch(/busy/);
    const after = (await admin.get('/api/yjs/stats')).body;
    expect(after.writersSlowed).toBeGreaterThan(before.writersSlowed);
    expect(after.writersTold).toBeGreaterThan(before.writersTold);

    // It reconnects and re-sends; everyone converges on everything both typed.
    await until(
      () => observer.doc.getText('flood').toString() === marks(N, 'f') && observer.doc.getText('typed').toString() === marks(20, 't'),
      20_000,
      'the observer holds every keystroke',
    );
    await until(() => flooder.doc.getText('typed').toString() === marks(20, 't'), 10_000, 'the flooder gets the typist’s edits');
    expect(flooder.doc.getText('flood').toString()).toBe(marks(N, 'f'));
    const fresh = open();
    await synced(fresh);
    expect(fresh.doc.getText('flood').toString()).toBe(marks(N, 'f'));
    expect(fresh.doc.getText('typed').toString()).toBe(marks(20, 't'));

    // And it is stored: what a process loading the document now would read.
    const stored = await loadStored(new DocsRepository(store as never), docName);
    expect(stored.getText('flood').toString()).toBe(marks(N, 'f'));
    expect(stored.getText('typed').toString()).toBe(marks(20, 't'));
    expect(Y.encodeStateVector(stored)).toEqual(Y.encodeStateVector(fresh.doc));
  });
});
