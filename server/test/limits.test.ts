/**
 * Failure limits through the real server (issue 14, defect 5): the scenarios that locked out the
 * innocent, with the default allowances. Addresses come from X-Forwarded-For through one trusted
 * proxy hop (LINLI_TRUST_PROXY=1), so one process plays many phones, NATs and strangers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { FailureLimiter } from '../src/http/rate-limit.ts';
import { startRedis, startServer, type TestRedis, type TestServer } from './helpers/processes.ts';
import { addMember, Client } from './helpers/http-client.ts';

const from = (ip: string) => ({ 'x-forwarded-for': ip });
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
/** The same code with its last character changed: a typo that is still a well-formed code. */
const typo = (code: string, i = 0) => code.slice(0, -1) + ALPHABET[(ALPHABET.indexOf(code.slice(-1)) + 1 + (i % 29)) % ALPHABET.length];

describe('failure limits never punish the right answer', () => {
  let redis: TestRedis;
  let srv: TestServer;
  let admin: Client;
  let cid: string;
  let households: { id: string; invitationCode: string }[];

  beforeAll(async () => {
    redis = await startRedis();
    // Default allowances, but the account-wide one lowered (from 50) to keep the distributed
    // attack short, and a first delay of 60 s (not 1) so no refusal below can run out under load.
    srv = await startServer({
      redisUrl: redis.url,
      env: { LINLI_TRUST_PROXY: '1', LINLI_LIMIT_ACCOUNT_FAILURES: '8', LINLI_LIMIT_FIRST_DELAY: '60' },
    });
    admin = new Client(srv.url);
    await admin.login('admin', srv.adminPassword!);
    cid = (await admin.post('/api/communities', { name: '限流测试小区' })).body.community.id;
    const rows = Array.from({ length: 320 }, (_, i) => ({
      building: String(1 + (i % 4)),
      unit: '1',
      room: String(101 + i),
      area: '88.50',
      owner: `业主${i}`,
    }));
    expect((await admin.post(`/api/communities/${cid}/households`, { households: rows })).body.created).toBe(320);
    households = (await admin.get(`/api/communities/${cid}/households`)).body.households;
  });
  afterAll(async () => {
    await srv?.stop();
    await redis?.stop();
  });

  it('a hall behind one address: 60 typos among 300 slip claims, and all 300 residents get in', async () => {
    const hall = from('198.51.100.20');
    const statuses: number[] = [];
    let typos = 0;
    for (const [i, h] of households.slice(0, 300).entries()) {
      if (i % 5 === 2) {
        const r = await new Client(srv.url).post('/api/auth/invitation', { code: typo(h.invitationCode, i) }, hall);
        expect(r.status).toBe(404);
        typos++;
      }
      statuses.push((await new Client(srv.url).post('/api/auth/invitation', { code: h.invitationCode }, hall)).status);
    }
    expect(typos).toBe(60);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  });

  it('a hall behind one address: 15 mistyped meeting codes among 300 joins, and all 300 join', async () => {
    const code = (await admin.post(`/api/communities/${cid}/meetings`, { title: '限流议事会', mode: 'hall' })).body.meeting
      .joinCode as string;
    const wrong = (i: number) => code.slice(0, -1) + String((Number(code.slice(-1)) + 1 + (i % 9)) % 10);
    const hall = from('198.51.100.21');
    const statuses: number[] = [];
    for (let i = 0; i < 300; i++) {
      if (i % 20 === 7) expect((await new Client(srv.url).post('/api/meetings/join', { joinCode: wrong(i) }, hall)).status).toBe(404);
      statuses.push((await new Client(srv.url).post('/api/meetings/join', { joinCode: code }, hall)).status);
    }
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  });

  it('a stranger guessing admin’s password slows only themselves: admin still signs in with the right one', async () => {
    const stranger = new Client(srv.url);
    const replies = [];
    for (let i = 0; i < 10; i++)
      replies.push(await stranger.post('/api/auth/login', { login: 'admin', password: `guess-${i}` }, from('203.0.113.66')));
    // Five free tries; the fifth wrong answer says how long to wait, and attempts before then are
    // refused unchecked (so they tell a guesser nothing), each saying how long in both languages.
    expect(replies.map((r) => r.status)).toEqual([401, 401, 401, 401, 401, 429, 429, 429, 429, 429]);
    expect(replies[4]!.headers.get('retry-after')).toBe('60');
    expect(replies[4]!.body.error.message).toMatch(/Next attempt in 60 s\. 请 60 秒后再试/);
    for (const r of replies.slice(5)) {
      expect(r.body.error.code).toBe('rate_limited');
      const s = Number(r.headers.get('retry-after'));
      expect(s).toBeGreaterThan(0);
      expect(s).toBeLessThanOrEqual(60);
      expect(r.body.error.message).toBe(`Too many failed attempts. Try again in ${s} s. 尝试失败次数过多，请 ${s} 秒后再试。`);
    }

    // The real admin, elsewhere, is not affected at all.
    expect(
      (await new Client(srv.url).post('/api/auth/login', { login: 'admin', password: srv.adminPassword }, from('192.0.2.10'))).status,
    ).toBe(200);
    // Nor behind the stranger's own NAT, from a browser that signed in to admin before.
    const laptop = new Client(srv.url);
    const first = await laptop.post('/api/auth/login', { login: 'admin', password: srv.adminPassword }, from('192.0.2.11'));
    expect(first.headers.getSetCookie().join(';')).toMatch(/linli_dev=[^;]+;.*Path=\/api\/auth;.*HttpOnly/i);
    const device = deviceCookie(first.headers);
    const sameNat = await fetch(`${srv.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: device, ...from('203.0.113.66') },
      body: JSON.stringify({ login: 'admin', password: srv.adminPassword }),
    });
    expect(sameNat.status).toBe(200);
  });

  it('many strangers at many addresses slow the account for unknown browsers; the owner’s browser still signs in', async () => {
    const victim = await addMember(admin, srv.url, cid, 'victim', ['facilitator']);
    expect(victim.cookie).toBeTruthy();
    const ownerDevice = deviceCookie(
      (await new Client(srv.url).post('/api/auth/login', { login: 'victim', password: 'member-pass-1' }, from('192.0.2.50'))).headers,
    );
    // 8 failures (the lowered account allowance) from 4 addresses, 2 each: no address is slowed.
    for (let i = 0; i < 8; i++) {
      const r = await new Client(srv.url).post(
        '/api/auth/login',
        { login: 'victim', password: `spray-${i}` },
        from(`203.0.113.${100 + (i % 4)}`),
      );
      expect(r.status).toBe(401);
    }
    const fresh = await new Client(srv.url).post('/api/auth/login', { login: 'victim', password: 'member-pass-1' }, from('203.0.113.200'));
    expect(fresh.status).toBe(429);
    expect(Number(fresh.headers.get('retry-after'))).toBeGreaterThan(0);
    const owner = await fetch(`${srv.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: ownerDevice, ...from('203.0.113.200') },
      body: JSON.stringify({ login: 'victim', password: 'member-pass-1' }),
    });
    expect(owner.status).toBe(200);
  });

  it('wrong codes sharing a real code’s first characters never block that code’s holder', async () => {
    const h = households[310]!;
    // Same first 4 characters (the old limit's key), the rest different: 10 wrong codes.
    const near = (i: number) =>
      `${h.invitationCode.slice(0, 5)}${ALPHABET[i]}${ALPHABET[i + 1]}${ALPHABET[i + 2]}${h.invitationCode.slice(8)}`;
    for (let i = 0; i < 10; i++) {
      const r = await new Client(srv.url).post('/api/auth/invitation', { code: near(i) }, from('203.0.113.9'));
      expect(r.status).toBe(near(i) === h.invitationCode ? 200 : 404);
    }
    const holder = await new Client(srv.url).post('/api/auth/invitation', { code: h.invitationCode }, from('192.0.2.77'));
    expect(holder.status).toBe(200);
  });
});

/** The device cookie pair from a login answer. */
function deviceCookie(headers: Headers): string {
  const c = headers.getSetCookie().find((x) => x.startsWith('linli_dev='));
  if (!c) throw new Error('no device cookie');
  return c.split(';')[0]!;
}

describe('FailureLimiter (in Redis, shared by processes)', () => {
  let redis: TestRedis;
  let a: Redis;
  let b: Redis;
  beforeAll(async () => {
    redis = await startRedis();
    [a, b] = [new Redis(redis.url), new Redis(redis.url)];
  });
  afterAll(async () => {
    await Promise.all([a?.quit(), b?.quit()]);
    await redis?.stop();
  });

  it('slows progressively (1, 2, 4, … s, capped) after the allowance, across two processes', async () => {
    const rule = { allowed: 3, windowSeconds: 600, maxDelaySeconds: 10 };
    const [p1, p2] = [new FailureLimiter(a, 't', rule), new FailureLimiter(b, 't', rule)];
    const waits = [];
    for (let i = 0; i < 8; i++) waits.push(await (i % 2 ? p2 : p1).fail('k'));
    expect(waits).toEqual([0, 0, 1, 2, 4, 8, 10, 10]);
    expect(await p2.wait('k')).toBeGreaterThan(0);
    await p1.succeed('k');
    expect(await p2.wait('k')).toBe(0);
  });

  it('allows more failures for each distinct success from the address (not for repeats)', async () => {
    const limiter = new FailureLimiter(a, 'u', { allowed: 2, perSuccess: 0.5, windowSeconds: 600, maxDelaySeconds: 60 });
    for (let i = 0; i < 10; i++) await limiter.succeed('nat', `household-${i}`);
    for (let i = 0; i < 5; i++) await limiter.succeed('nat', 'household-0');
    // Allowance 2 + 10 × 0.5 = 7: the seventh failure starts the delay.
    const waits = [];
    for (let i = 0; i < 8; i++) waits.push(await limiter.fail('nat'));
    expect(waits).toEqual([0, 0, 0, 0, 0, 0, 1, 2]);
  });
});
