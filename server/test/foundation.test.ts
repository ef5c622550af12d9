/** The foundation as a client sees it: errors, headers, upgrades, Redis outage, two processes. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { io as ioc, type Socket } from 'socket.io-client';
import { startRedis, startServer, type TestRedis, type TestServer } from './helpers/processes.ts';
import { Client } from './helpers/http-client.ts';

/** Sends a raw WebSocket upgrade request and returns the status line the server answers. */
function upgradeStatus(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
          `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
      );
    });
    let buf = '';
    s.on('data', (d) => (buf += d.toString()));
    s.on('close', () => resolve(buf.split('\r\n')[0] ?? ''));
    s.on('error', reject);
    setTimeout(() => s.destroy(), 3000);
  });
}

async function waitFor<T>(fn: () => Promise<T | undefined> | T | undefined, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('foundation', () => {
  let redis: TestRedis;
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    redis = await startRedis();
    // A first delay of 60 s (not 1) after failed logins, so no refusal below runs out under load.
    const env = { LINLI_LIMIT_FIRST_DELAY: '60' };
    [a, b] = await Promise.all([startServer({ redisUrl: redis.url, env }), startServer({ redisUrl: redis.url, env })]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
  });

  it('answers /healthz with redis ok', async () => {
    const r = await fetch(`${a.url}/healthz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: 'ok', redis: 'ok' });
  });

  it('answers unknown API paths, bad JSON and big bodies in the error shape', async () => {
    const c = new Client(a.url);
    const nf = await c.get('/api/does-not-exist');
    expect(nf.status).toBe(404);
    expect(nf.body.error.code).toBe('not_found');

    const bad = await c.request('POST', '/api/auth/login', '{"login": ', { 'content-type': 'application/json' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_json');

    const big = await c.request('POST', '/api/auth/login', JSON.stringify({ login: 'x', password: 'y'.repeat(1_100_000) }), {
      'content-type': 'application/json',
    });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('too_large');

    const invalid = await c.post('/api/auth/login', { login: '' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.code).toBe('validation_failed');
    expect(invalid.body.error.issues.map((i: { path: string }) => i.path)).toEqual(expect.arrayContaining(['login', 'password']));
  });

  it('sends helmet security headers and refuses cross-site writes', async () => {
    const r = await fetch(`${a.url}/healthz`);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(r.headers.get('x-powered-by')).toBeNull();
    const c = new Client(a.url);
    const x = await c.post('/api/auth/login', { login: 'admin', password: 'admin-password-1' }, { origin: 'https://evil.example' });
    expect(x.status).toBe(403);
    expect(x.body.error.code).toBe('forbidden');
  });

  it('routes upgrades by path: unknown paths and unknown documents are refused', async () => {
    expect(await upgradeStatus(a.port, '/nope')).toMatch(/^HTTP\/1.1 40\d/);
    expect(await upgradeStatus(a.port, '/yjs/../../etc')).toMatch(/^HTTP\/1.1 40\d/);
    expect(await upgradeStatus(a.port, '/yjs/no-such-document')).toMatch(/^HTTP\/1.1 40\d/);
  });

  it('signs in, tells who is signed in, signs out', async () => {
    const c = new Client(a.url);
    expect((await c.get('/api/me')).status).toBe(401);
    const wrong = await c.post('/api/auth/login', { login: 'admin', password: 'wrong' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('invalid_credentials');
    const ok = await c.login('admin', a.adminPassword!);
    expect(ok.body.user).toMatchObject({ login: 'admin', isAdmin: true });
    expect(ok.headers.getSetCookie().join(';')).toMatch(/linli_sid=.*HttpOnly.*SameSite=Lax/i);
    // The session lives in Redis, so the other process knows it too.
    const onB = new Client(b.url);
    onB.cookie = c.cookie;
    expect((await onB.get('/api/me')).body.user.login).toBe('admin');
    await c.post('/api/auth/logout');
    onB.cookie = c.cookie || onB.cookie;
    expect((await onB.get('/api/me')).status).toBe(401);
  });

  it('slows failed logins per account and address with 429 and Retry-After', async () => {
    const c = new Client(a.url);
    const codes: number[] = [];
    for (let i = 0; i < 12; i++) codes.push((await c.post('/api/auth/login', { login: 'victim', password: `guess-${i}` })).status);
    expect(codes).toEqual([401, 401, 401, 401, 401, 429, 429, 429, 429, 429, 429, 429]);
    const limited = await c.post('/api/auth/login', { login: 'victim', password: 'another' });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Other accounts from the same address are not refused.
    expect((await c.post('/api/auth/login', { login: 'admin', password: a.adminPassword! })).status).toBe(200);
  });

  it('shares Socket.IO rooms between two processes on one Redis', async () => {
    const admin = new Client(a.url);
    await admin.login('admin', a.adminPassword!);
    const created = await admin.post('/api/communities', { name: '测试小区' });
    expect(created.status).toBe(201);
    const cid = created.body.community.id as string;

    const sock: Socket = ioc(b.url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie: admin.cookie } });
    const ack = await sock.timeout(5000).emitWithAck('community:watch', { communityId: cid });
    expect(ack).toMatchObject({ ok: true, community: { name: '测试小区' } });
    const got = new Promise<{ community: { name: string } }>((resolve) => sock.once('community:updated', resolve));
    const renamed = await admin.patch(`/api/communities/${cid}`, { name: '测试小区（改名）' });
    expect(renamed.status).toBe(200);
    expect((await got).community.name).toBe('测试小区（改名）');

    const badAck = await sock.timeout(5000).emitWithAck('community:watch', { communityId: 42 });
    expect(badAck).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    sock.close();
  });

  it('signing out on one process closes that session’s sockets on the other, with the reason', async () => {
    const admin = new Client(a.url);
    await admin.login('admin', a.adminPassword!);
    const cid = (await admin.post('/api/communities', { name: '登出测试小区' })).body.community.id as string;
    const other = new Client(a.url);
    await other.login('admin', a.adminPassword!); // the same person on another device: a second session
    const sock: Socket = ioc(b.url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie: admin.cookie } });
    const kept: Socket = ioc(b.url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie: other.cookie } });
    expect(await sock.timeout(5000).emitWithAck('community:watch', { communityId: cid })).toMatchObject({ ok: true });
    expect(await kept.timeout(5000).emitWithAck('community:watch', { communityId: cid })).toMatchObject({ ok: true });
    const expired = new Promise<{ reason: string }>((resolve) => sock.once('session:expired', resolve));
    const closed = new Promise<string>((resolve) => sock.once('disconnect', (why) => resolve(why)));
    const oldCookie = admin.cookie;
    expect((await admin.post('/api/auth/logout')).status).toBe(200);
    expect(await expired).toEqual({ reason: 'signed_out' });
    expect(await closed).toBe('io server disconnect');
    // The other device's session is untouched; the old cookie opens only an anonymous socket.
    expect(kept.connected).toBe(true);
    const again: Socket = ioc(b.url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie: oldCookie } });
    expect(await again.timeout(5000).emitWithAck('community:watch', { communityId: cid })).toMatchObject({ ok: false });
    for (const s of [sock, kept, again]) s.close();
  });

  it('turns /healthz 503 while Redis is away, fails requests fast, and recovers without restart', async () => {
    await redis.kill();
    const status = await waitFor(async () => {
      const r = await fetch(`${a.url}/healthz`);
      return r.status === 503 ? r : undefined;
    }, 5000);
    expect(await status.json()).toMatchObject({ redis: 'down' });
    const t0 = Date.now();
    const during = await new Client(a.url).post('/api/auth/login', { login: 'admin', password: 'x' });
    expect(during.status).toBe(503);
    expect(during.body.error.code).toBe('unavailable');
    expect(Date.now() - t0).toBeLessThan(6000);

    await redis.start();
    await waitFor(async () => ((await fetch(`${a.url}/healthz`)).status === 200 ? true : undefined), 15_000);
    await waitFor(async () => ((await fetch(`${b.url}/healthz`)).status === 200 ? true : undefined), 15_000);
    const c = new Client(a.url);
    expect((await c.post('/api/auth/login', { login: 'admin', password: a.adminPassword! })).status).toBe(200);
  });
});
