/**
 * Transport trust through the real server (issue 14, defects 3, 6, 9): the Origin of Socket.IO
 * handshakes, proxy hops and the client address, security headers, production defaults.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioc } from 'socket.io-client';
import { startRedis, startServer, type TestRedis, type TestServer } from './helpers/processes.ts';
import { Client } from './helpers/http-client.ts';
import { ConfigError, loadConfig } from '../src/config.ts';
import { DEMO_DEFAULT_PASSWORD, DEMO_LOGINS } from '../src/members/members.demo.ts';

/** Opens a Socket.IO connection as a browser would; resolves 'connected' or the connect error. */
function handshake(url: string, headers: Record<string, string>, transport: 'websocket' | 'polling'): Promise<string> {
  return new Promise((resolve) => {
    const s = ioc(url, { path: '/socket.io', transports: [transport], extraHeaders: headers, reconnection: false, timeout: 10_000 });
    s.on('connect', () => {
      s.emit('session:ping', {}, (ack: { ok: boolean }) => {
        s.disconnect();
        resolve(ack.ok ? 'connected' : 'no ack');
      });
    });
    s.on('connect_error', (err) => {
      s.disconnect();
      resolve(`refused: ${err.message}`);
    });
  });
}

describe('origin, proxy hops and headers', () => {
  let redis: TestRedis;
  let proxied: TestServer;
  let direct: TestServer;
  let admin: Client;
  let joinCode: string;

  beforeAll(async () => {
    redis = await startRedis();
    [proxied, direct] = await Promise.all([
      // One proxy hop; a 60 s first delay so no refusal below runs out under load.
      startServer({ redisUrl: redis.url, env: { LINLI_TRUST_PROXY: '1', LINLI_LIMIT_FIRST_DELAY: '60' } }),
      startServer({ redisUrl: redis.url, env: { LINLI_LIMIT_FIRST_DELAY: '60' } }),
    ]);
    admin = new Client(proxied.url);
    await admin.login('admin', proxied.adminPassword!);
    const cid = (await admin.post('/api/communities', { name: '信任测试小区' })).body.community.id;
    joinCode = (await admin.post(`/api/communities/${cid}/meetings`, { title: '信任', mode: 'online' })).body.meeting.joinCode;
  });
  afterAll(async () => {
    await Promise.all([proxied?.stop(), direct?.stop()]);
    await redis?.stop();
  });

  it('refuses a Socket.IO handshake from another site’s page, even with a valid cookie (WebSocket and polling)', async () => {
    const evil = { cookie: admin.cookie, origin: 'http://evil.example' };
    expect(await handshake(proxied.url, evil, 'websocket')).toMatch(/^refused/);
    expect(await handshake(proxied.url, evil, 'polling')).toMatch(/^refused/);
    expect(await handshake(proxied.url, { cookie: admin.cookie, origin: 'null' }, 'websocket')).toMatch(/^refused/);
    // Our own pages, and clients that send no Origin at all, still connect.
    expect(await handshake(proxied.url, { cookie: admin.cookie, origin: proxied.url }, 'websocket')).toBe('connected');
    expect(await handshake(proxied.url, { cookie: admin.cookie, origin: proxied.url }, 'polling')).toBe('connected');
    expect(await handshake(proxied.url, { cookie: admin.cookie }, 'websocket')).toBe('connected');
    // REST says the same.
    expect((await admin.post('/api/auth/logout', {}, { origin: 'http://evil.example' })).status).toBe(403);
  });

  it('with one proxy hop, a rotating X-Forwarded-For does not escape the limits: the right-most address counts', async () => {
    const wrong = joinCode.slice(0, -1) + String((Number(joinCode.slice(-1)) + 1) % 10);
    const statuses: number[] = [];
    for (let i = 0; i < 14; i++) {
      const forged = `10.${i}.${(i * 7) % 256}.${i + 1}, 203.0.113.50`;
      statuses.push((await new Client(proxied.url).post('/api/meetings/join', { joinCode: wrong }, { 'x-forwarded-for': forged })).status);
    }
    expect(statuses).toEqual([...Array(10).fill(404), 429, 429, 429, 429]);
    // The client named by our proxy (right-most) is the one slowed, whatever it wrote before that.
    const join = (xff: string) => new Client(proxied.url).post('/api/meetings/join', { joinCode }, { 'x-forwarded-for': xff });
    expect((await join('203.0.113.50')).status).toBe(429);
    expect((await join('192.0.2.1, 203.0.113.50')).status).toBe(429);
    expect((await join('203.0.113.50, 203.0.113.51')).status).toBe(200);
    // Without LINLI_TRUST_PROXY the header is ignored: every forged address is the socket's.
    const direct429: number[] = [];
    for (let i = 0; i < 11; i++) {
      direct429.push(
        (await new Client(direct.url).post('/api/meetings/join', { joinCode: wrong }, { 'x-forwarded-for': `198.51.100.${i}` })).status,
      );
    }
    expect(direct429.at(-1)).toBe(429);
  });

  it('marks API answers no-store, sends a Permissions-Policy, and HSTS only over TLS from a trusted proxy', async () => {
    const me = await admin.get('/api/me');
    expect(me.headers.get('cache-control')).toBe('no-store');
    expect(me.headers.get('permissions-policy')).toMatch(/microphone=\(\)/);
    expect(me.headers.get('content-security-policy')).toMatch(/connect-src 'self'/);
    expect(me.headers.get('strict-transport-security')).toBeNull();
    const overTls = await fetch(`${proxied.url}/api/me`, { headers: { 'x-forwarded-proto': 'https' } });
    expect(overTls.headers.get('strict-transport-security')).toMatch(/^max-age=\d{7,}/);
    // A client cannot claim TLS where no proxy is trusted.
    const spoofed = await fetch(`${direct.url}/api/me`, { headers: { 'x-forwarded-proto': 'https' } });
    expect(spoofed.headers.get('strict-transport-security')).toBeNull();
    expect((await fetch(`${direct.url}/healthz`)).headers.get('permissions-policy')).toBeTruthy();
  });

  it('gives each page one CSP: a nonce for its scripts, no inline scripts, same-origin connections', async () => {
    const page = await fetch(`${proxied.url}/login`);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp.match(/default-src/g)).toHaveLength(1);
    const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1] ?? '';
    expect(scriptSrc).toMatch(/'nonce-[A-Za-z0-9+/=]+'/);
    expect(scriptSrc).not.toMatch(/unsafe-inline/);
    expect(csp).toMatch(/connect-src 'self'/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    const nonce = /'nonce-([^']+)'/.exec(scriptSrc)![1];
    const html = await page.text();
    const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)([^>]*)>/g)];
    // Every inline script that can run carries the nonce. SvelteKit's data blocks
    // (type="application/json", the load's fetched answers) never run, and CSP does not govern them.
    const runnable = inline.filter((m) => !/type="application\/json"/.test(m[1]!));
    expect(runnable.length).toBeGreaterThan(0);
    for (const m of runnable) expect(m[1]).toContain(`nonce="${nonce}"`);
  });

  it('is still up after the polling handshakes above (Express no longer answers /socket.io/ too)', async () => {
    expect(await handshake(proxied.url, { cookie: admin.cookie }, 'polling')).toBe('connected');
    expect((await fetch(`${proxied.url}/healthz`)).status).toBe(200);
    expect(proxied.proc.exitCode).toBeNull();
    expect(proxied.logs.filter((l) => /headers after they are sent|uncaught exception/i.test(l))).toEqual([]);
  });

  it('reads LINLI_TRUST_PROXY as hops or proxy addresses, never as "trust anyone"', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ LINLI_TRUST_PROXY: '0' }).trustProxy).toBe(false);
    expect(loadConfig({ LINLI_TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ LINLI_TRUST_PROXY: 'true' }).trustProxy).toBe(1);
    expect(loadConfig({ LINLI_TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ LINLI_TRUST_PROXY: '10.0.0.0/8, loopback, 192.0.2.7' }).trustProxy).toEqual([
      '10.0.0.0/8',
      'loopback',
      '192.0.2.7',
    ]);
    expect(() => loadConfig({ LINLI_TRUST_PROXY: 'everyone' })).toThrow(ConfigError);
    expect(() => loadConfig({ LINLI_TRUST_PROXY: '10.0.0.0/99' })).toThrow(ConfigError);
  });
});

describe('production defaults', () => {
  let redis: TestRedis;
  let redis2: TestRedis;
  let plain: TestServer;
  let demo: TestServer;

  beforeAll(async () => {
    [redis, redis2] = await Promise.all([startRedis(), startRedis()]);
    [plain, demo] = await Promise.all([
      startServer({ redisUrl: redis.url, env: { NODE_ENV: 'production', LINLI_DEMO: '' } }),
      startServer({ redisUrl: redis2.url, env: { NODE_ENV: 'production', LINLI_DEMO: '1', LINLI_DEMO_PASSWORD: '' } }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([plain?.stop(), demo?.stop()]);
    await Promise.all([redis?.stop(), redis2?.stop()]);
  });

  it('seeds no demo community in production unless asked for', async () => {
    const admin = new Client(plain.url);
    await admin.login('admin', plain.adminPassword!);
    expect((await admin.get('/api/communities')).body.communities).toEqual([]);
    expect(
      (await new Client(plain.url).post('/api/auth/login', { login: DEMO_LOGINS.facilitator, password: DEMO_DEFAULT_PASSWORD })).status,
    ).toBe(401);
    // Development and `npm start` (no NODE_ENV) keep the demo.
    expect(loadConfig({}).demo).toBe(true);
    expect(loadConfig({ NODE_ENV: 'development' }).demo).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production' }).demo).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', LINLI_DEMO: '1' }).demo).toBe(true);
  });

  it('gives demo accounts in production a random password, printed once, never the known one', async () => {
    const line = demo.logs.find((l) => l.includes('Demo accounts'));
    const password = /password \\?"([A-Za-z0-9]{12,})\\?", shown once/.exec(line ?? '')?.[1];
    expect(password).toBeTruthy();
    expect(demo.logs.filter((l) => l.includes(password!))).toHaveLength(1);
    expect(
      (await new Client(demo.url).post('/api/auth/login', { login: DEMO_LOGINS.facilitator, password: DEMO_DEFAULT_PASSWORD })).status,
    ).toBe(401);
    expect((await new Client(demo.url).post('/api/auth/login', { login: DEMO_LOGINS.facilitator, password })).status).toBe(200);
  });
});
