/** Invitation slips through the real server: claim, resume, revoke, re-issue, slips, rate limits. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, startServer, type TestRedis, type TestServer } from './helpers/processes.ts';
import { Client } from './helpers/http-client.ts';

describe('invitations', () => {
  let redis: TestRedis;
  let srv: TestServer;
  let admin: Client;
  let cid: string;
  let households: any[];

  beforeAll(async () => {
    redis = await startRedis();
    // A first delay of 60 s (not 1) after the allowance, so no refusal below runs out under load.
    srv = await startServer({ redisUrl: redis.url, env: { LINLI_LIMIT_FIRST_DELAY: '60' } });
    admin = new Client(srv.url);
    await admin.login('admin', srv.adminPassword!);
    cid = (await admin.post('/api/communities', { name: '邀请测试小区' })).body.community.id;
    const rows = Array.from({ length: 310 }, (_, i) => ({
      building: String(1 + (i % 4)),
      unit: '1',
      room: String(101 + i),
      area: '88.50',
      owner: `业主${i}`,
    }));
    const imp = await admin.post(`/api/communities/${cid}/households`, { households: rows });
    expect(imp.body.created).toBe(310);
    households = (await admin.get(`/api/communities/${cid}/households`)).body.households;
  });
  afterAll(async () => {
    await srv?.stop();
    await redis?.stop();
  });

  it('signs a phone in as the household member (owner), who may then set a display name', async () => {
    const h = households[0];
    const phone = new Client(srv.url);
    const r = await phone.post('/api/auth/invitation', { code: h.invitationCode });
    expect(r.status).toBe(200);
    expect(r.body.user).toMatchObject({ kind: 'member', login: null, isAdmin: false });
    expect(r.body.membership).toEqual({ communityId: cid, roles: ['owner'], householdIds: [h.id], buildings: [] });
    expect(r.body.household).toEqual({ id: h.id, building: h.building, unit: h.unit, room: h.room });
    expect(r.body.resumed).toBe(false);
    expect(r.headers.getSetCookie().join(';')).toMatch(/linli_sid=.*HttpOnly/i);

    const me = await phone.get('/api/me');
    expect(me.body.user.id).toBe(r.body.user.id);
    expect(me.body.memberships).toEqual([expect.objectContaining({ communityId: cid, roles: ['owner'], householdIds: [h.id] })]);
    const named = await phone.patch('/api/me', { displayName: '王阿姨' });
    expect(named.body.user.displayName).toBe('王阿姨');
    // A member sees the community but not the roster.
    expect((await phone.get(`/api/communities/${cid}`)).status).toBe(200);
    expect((await phone.get(`/api/communities/${cid}/households`)).status).toBe(403);

    // The same browser scanning again resumes; typed lower case without dashes works too.
    const again = await phone.post('/api/auth/invitation', { code: h.invitationCode.replace(/-/g, '').toLowerCase() });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ resumed: true, user: { id: r.body.user.id, displayName: '王阿姨' } });

    // The same slip scanned on another phone (or after the cookies were cleared) signs in the same
    // member, with a session of its own: one person never becomes two.
    const rescan = new Client(srv.url);
    const same = await rescan.post('/api/auth/invitation', { code: h.invitationCode });
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ resumed: true, user: { id: r.body.user.id, displayName: '王阿姨' } });
    expect(same.headers.getSetCookie().join(';')).toMatch(/linli_sid=/);
    expect((await rescan.get('/api/me')).body.user.id).toBe(r.body.user.id);

    // Another person of the same family says so, and becomes a second member of that household.
    const other = new Client(srv.url);
    const second = await other.post('/api/auth/invitation', { code: ` ${h.invitationCode.replace(/-/g, ' ')} `, newMember: true });
    expect(second.status).toBe(200);
    expect(second.body.user.id).not.toBe(r.body.user.id);
    expect(second.body.resumed).toBe(false);
    expect(second.body.membership.householdIds).toEqual([h.id]);
    // Later rescans still sign in the first member.
    expect((await new Client(srv.url).post('/api/auth/invitation', { code: h.invitationCode })).body.user.id).toBe(r.body.user.id);
  });

  it('revokes and re-issues a code: the old slip stops working at once', async () => {
    const h = households[1];
    const del = await admin.delete(`/api/communities/${cid}/households/${h.id}/invitation`);
    expect(del.status).toBe(200);
    expect(del.body.household.invitationCode).toBeNull();
    const refused = await new Client(srv.url).post('/api/auth/invitation', { code: h.invitationCode });
    expect(refused.status).toBe(404);
    expect(refused.body.error.code).toBe('not_found');

    const re = await admin.post(`/api/communities/${cid}/households/${h.id}/invitation`);
    expect(re.status).toBe(200);
    const code = re.body.household.invitationCode;
    expect(code).not.toBe(h.invitationCode);
    expect(re.body.joinUrl).toBe(`${srv.url}/i/${code.replace(/-/g, '')}`);
    expect((await new Client(srv.url).post('/api/auth/invitation', { code: h.invitationCode })).status).toBe(404);
    expect((await new Client(srv.url).post('/api/auth/invitation', { code })).status).toBe(200);
    const again = await admin.post(`/api/communities/${cid}/households/${h.id}/invitation`);
    expect((await new Client(srv.url).post('/api/auth/invitation', { code })).status).toBe(404);
    expect((await new Client(srv.url).post('/api/auth/invitation', { code: again.body.household.invitationCode })).status).toBe(200);
    households[1] = { ...h, invitationCode: again.body.household.invitationCode };
  });

  it('revoking a stolen slip can also take the household from whoever joined with it', async () => {
    const h = households[3];
    const thief = new Client(srv.url);
    expect((await thief.post('/api/auth/invitation', { code: h.invitationCode })).status).toBe(200);
    expect((await thief.get(`/api/communities/${cid}`)).status).toBe(200);
    const r = await admin.delete(`/api/communities/${cid}/households/${h.id}/invitation?removeMembers=1`);
    expect(r.status).toBe(200);
    expect(r.body.removedMembers).toBe(1);
    const me = (await thief.get('/api/me')).body;
    expect(me.memberships[0]).toMatchObject({ communityId: cid, roles: [], householdIds: [] });
    expect((await thief.get(`/api/communities/${cid}`)).status).toBe(404);
    // A plain revoke (no flag) leaves members who already joined alone.
    const h2 = households[4];
    const family = new Client(srv.url);
    await family.post('/api/auth/invitation', { code: h2.invitationCode });
    expect((await admin.delete(`/api/communities/${cid}/households/${h2.id}/invitation`)).body.removedMembers).toBe(0);
    expect((await family.get(`/api/communities/${cid}`)).status).toBe(200);
  });

  it('gives printable slips for one building: address, code, absolute /i/ link and its QR', async () => {
    const r = await admin.get(`/api/communities/${cid}/invitations?building=2`);
    expect(r.status).toBe(200);
    expect(r.body.community).toEqual({ id: cid, name: '邀请测试小区' });
    const slips = r.body.invitations as any[];
    const inBuilding = households.filter((h) => h.building === '2');
    expect(slips).toHaveLength(inBuilding.length);
    const s = slips.find((x) => x.householdId === inBuilding[0].id)!;
    expect(s).toMatchObject({ building: '2', address: `2栋1单元${inBuilding[0].room}`, code: inBuilding[0].invitationCode });
    expect(s.joinUrl).toBe(`${srv.url}/i/${s.code.replace(/-/g, '')}`);
    expect(s.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    // The whole roster: every household but the two revoked above.
    expect((await admin.get(`/api/communities/${cid}/invitations`)).body.invitations).toHaveLength(308);
    // Signed-out or member: no slips (codes are credentials).
    expect((await new Client(srv.url).get(`/api/communities/${cid}/invitations`)).status).toBe(401);
  });

  it('lets 300 phones behind one address claim valid slips in a row, never refused', async () => {
    const t = Date.now();
    const statuses: number[] = [];
    for (const h of households.slice(10, 310)) {
      const r = await new Client(srv.url).post('/api/auth/invitation', { code: h.invitationCode });
      statuses.push(r.status);
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(300);
    console.log(`300 claims from one IP: ${Date.now() - t} ms`);
  });

  it('slows an address after its allowance of bad codes, which grew with the slips claimed from it', async () => {
    const bad = (i: number) => `ZZZZ-${'23456789ABCDEFGH'[i % 16]}${'23456789ABCDEFGH'[(i >> 4) % 16]}XY-ZZZ`;
    const c = new Client(srv.url);
    const statuses: number[] = [];
    for (let i = 0; i < 250 && !statuses.includes(429); i++) statuses.push((await c.post('/api/auth/invitation', { code: bad(i) })).status);
    const firstRefusal = statuses.indexOf(429);
    // 10 + ½ per distinct household claimed here (about 305 above), less the few earlier failures.
    expect(firstRefusal).toBeGreaterThan(150);
    expect(firstRefusal).toBeLessThan(170);
    expect(statuses.slice(0, firstRefusal).every((s) => s === 404)).toBe(true);
    // While the address waits, even a valid slip waits (unchecked): Retry-After tells how long.
    const byIp = await c.post('/api/auth/invitation', { code: households[2].invitationCode });
    expect(byIp.status).toBe(429);
    expect(byIp.body.error.code).toBe('rate_limited');
    expect(Number(byIp.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
