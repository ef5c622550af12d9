/**
 * The permission matrix walked through the real server: one signed-in member per role × a
 * representative endpoint per action, plus an outsider (404, never 403) and the socket room check.
 * Expected answers are written out by hand, not derived from the table, so a table change shows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioc, type Socket } from 'socket.io-client';
import type { TestServer } from './helpers/processes.ts';
import { startCommunity, type CommunityFixture } from './helpers/community.ts';
import { Client } from './helpers/http-client.ts';

type Who =
  | 'admin'
  | 'owner'
  | 'resident'
  | 'property_firm'
  | 'owners_committee'
  | 'party_branch'
  | 'building_leader'
  | 'notable'
  | 'facilitator'
  | 'outsider';
const WHO: Who[] = [
  'admin',
  'owner',
  'resident',
  'property_firm',
  'owners_committee',
  'party_branch',
  'building_leader',
  'notable',
  'facilitator',
  'outsider',
];
const PASSWORD = 'role-password-1';

// columns: the endpoints below, in order
const COLUMNS = [
  'community.view',
  'community.manage',
  'roster.view',
  'roster.manage',
  'print b1',
  'print b2',
  'members list',
  'members add',
  'grant admin',
] as const;
const EXPECTED: Record<Who, number[]> = {
  admin: /*            */ [200, 200, 200, 200, 200, 200, 200, 201, 201],
  owner: /*            */ [200, 403, 403, 403, 403, 403, 403, 403, 403],
  resident: /*         */ [200, 403, 403, 403, 403, 403, 403, 403, 403],
  property_firm: /*    */ [200, 403, 403, 403, 403, 403, 403, 403, 403],
  owners_committee: /* */ [200, 403, 200, 403, 200, 200, 200, 201, 403],
  party_branch: /*     */ [200, 403, 200, 403, 403, 403, 200, 403, 403],
  building_leader: /*  */ [200, 403, 200, 403, 200, 403, 200, 403, 403],
  notable: /*          */ [200, 403, 403, 403, 403, 403, 403, 403, 403],
  facilitator: /*      */ [200, 403, 200, 403, 200, 200, 200, 403, 403],
  outsider: /*         */ [404, 404, 404, 404, 404, 404, 404, 404, 404],
};

describe('permission matrix', () => {
  let srv: TestServer;
  let f: CommunityFixture | undefined;
  let admin: Client;
  let cid: string;
  let other: string;
  let hids: string[];
  const clients = {} as Record<Who, Client>;
  const userIds = {} as Record<Who, string>;

  beforeAll(async () => {
    f = await startCommunity({ name: '权限小区' });
    ({ srv, admin, cid } = f);
    other = (await admin.post('/api/communities', { name: '别的小区' })).body.community.id;
    await admin.post(`/api/communities/${cid}/households`, {
      households: [
        { building: '1', unit: '1', room: '101', area: 90, owner: '甲', phone: '13800000001' },
        { building: '1', unit: '1', room: '102', area: 90, owner: '乙' },
        { building: '2', unit: '1', room: '201', area: 90, owner: '丙' },
      ],
    });
    hids = (await admin.get(`/api/communities/${cid}/households`)).body.households.map((h: any) => h.id);
    for (const who of WHO) {
      const community = who === 'outsider' ? other : cid;
      const role = who === 'outsider' ? 'owners_committee' : who;
      const r = await admin.post(`/api/communities/${community}/members`, {
        displayName: `测试${who}`,
        roles: [role],
        login: `t-${who}`,
        password: PASSWORD,
        ...(who === 'owner' ? { householdIds: [hids[0]] } : {}),
        ...(who === 'building_leader' ? { buildings: ['1'] } : {}),
      });
      expect(r.status).toBe(201);
      userIds[who] = r.body.member.userId;
      clients[who] = new Client(srv.url);
      await clients[who].login(`t-${who}`, PASSWORD);
    }
  });
  afterAll(async () => f?.stop());

  it('answers each role × action as the table says', async () => {
    const got = {} as Record<Who, number[]>;
    let n = 0;
    for (const who of WHO) {
      const c = clients[who];
      const base = `/api/communities/${cid}`;
      got[who] = [
        (await c.get(base)).status,
        (await c.patch(base, { name: '权限小区' })).status,
        (await c.get(`${base}/households`)).status,
        (await c.post(`${base}/households?dryRun=1`, { households: [{ building: '9', unit: '1', room: '1', area: 1, owner: 'x' }] }))
          .status,
        (await c.get(`${base}/invitations?building=1`)).status,
        (await c.get(`${base}/invitations?building=2`)).status,
        (await c.get(`${base}/members`)).status,
        (await c.post(`${base}/members`, { displayName: `新居民${n++}`, roles: ['resident'] })).status,
        (await c.post(`${base}/members`, { displayName: `新管理员${n++}`, roles: ['admin'] })).status,
      ];
    }
    const table = (m: Record<Who, number[]>) => WHO.map((w) => `${w.padEnd(17)} ${m[w].join(' ')}`).join('\n');
    expect(table(got), `columns: ${COLUMNS.join(' | ')}`).toBe(table(EXPECTED));
  });

  it('shows personal data per role: phones to roster managers, a building leader their building only', async () => {
    const byAdmin = (await admin.get(`/api/communities/${cid}/households`)).body.households;
    expect(byAdmin.find((h: any) => h.room === '101').phone).toBe('13800000001');
    const byFacilitator = (await clients.facilitator.get(`/api/communities/${cid}/households`)).body.households;
    expect(byFacilitator).toHaveLength(3);
    expect(byFacilitator.every((h: any) => h.phone === undefined && h.room)).toBe(true);
    const byLeader = (await clients.building_leader.get(`/api/communities/${cid}/households`)).body.households;
    expect(byLeader.map((h: any) => h.room)).toEqual(['101', '102']);
    expect(byLeader.every((h: any) => /^[A-Z0-9]{4}-/.test(h.invitationCode))).toBe(true);
    const byParty = (await clients.party_branch.get(`/api/communities/${cid}/households`)).body.households;
    expect(byParty.every((h: any) => h.invitationCode === null)).toBe(true);
    const leaderSlips = (await clients.building_leader.get(`/api/communities/${cid}/invitations`)).body.invitations;
    expect(leaderSlips.map((s: any) => s.building)).toEqual(['1', '1']);
  });

  it('lets the admin and the owners’ committee assign roles, but only an admin grants admin', async () => {
    const base = `/api/communities/${cid}/members`;
    const uid = userIds.resident;
    const byCommittee = await clients.owners_committee.patch(`${base}/${uid}`, {
      roles: ['resident', 'building_leader'],
      buildings: ['2'],
    });
    expect(byCommittee.status).toBe(200);
    expect(byCommittee.body.member).toMatchObject({ userId: uid, roles: ['resident', 'building_leader'], buildings: ['2'] });
    // The new role takes effect on the next request.
    expect((await clients.resident.get(`/api/communities/${cid}/invitations?building=2`)).status).toBe(200);
    expect((await clients.resident.get(`/api/communities/${cid}/invitations?building=1`)).status).toBe(403);

    expect((await clients.owners_committee.patch(`${base}/${uid}`, { roles: ['admin'] })).status).toBe(403);
    expect((await clients.owners_committee.patch(`${base}/${userIds.admin}`, { roles: ['resident'] })).status).toBe(403);
    expect((await clients.facilitator.patch(`${base}/${uid}`, { roles: ['facilitator'] })).status).toBe(403);
    expect((await admin.patch(`${base}/${uid}`, { roles: ['admin'] })).status).toBe(200);
    expect((await clients.resident.patch(`/api/communities/${cid}`, { name: '权限小区' })).status).toBe(200);
    await admin.patch(`${base}/${uid}`, { roles: ['resident'], buildings: [] });
    expect((await clients.resident.patch(`/api/communities/${cid}`, { name: '权限小区' })).status).toBe(403);

    const list = (await admin.get(base)).body.members as any[];
    expect(list.find((m) => m.userId === userIds.owner)).toMatchObject({
      login: 't-owner',
      kind: 'staff',
      roles: ['owner'],
      householdIds: [hids[0]],
    });
    expect(list.some((m) => m.userId === userIds.outsider)).toBe(false);
    // Bad input is refused with field issues and nothing is created.
    const bad = await admin.post(base, { displayName: '', roles: ['guest'], householdIds: ['nope'] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues.map((i: any) => i.path)).toEqual(expect.arrayContaining(['displayName', 'roles.0']));
    expect((await admin.post(base, { displayName: '某人', roles: ['owner'], householdIds: ['nope'] })).status).toBe(400);
    expect((await admin.post(base, { displayName: '重名', roles: ['resident'], login: 't-owner', password: 'another-pass' })).status).toBe(
      409,
    );
    expect((await admin.patch(`${base}/nobody`, { roles: ['resident'] })).status).toBe(404);
    expect((await admin.get(base)).body.members).toHaveLength(list.length);
    // An existing account (here from another community) can join with its login alone.
    const join = await admin.post(base, { displayName: '跨小区', roles: ['facilitator'], login: 't-outsider' });
    expect(join.status).toBe(201);
    expect(join.body.member.userId).toBe(userIds.outsider);
    expect((await clients.outsider.get(`/api/communities/${cid}/households`)).status).toBe(200);
    await admin.patch(`${base}/${userIds.outsider}`, { roles: ['guest'] }).then((r) => expect(r.status).toBe(400));
  });

  it('checks the same table on the socket: community:watch as member vs non-member', async () => {
    const watch = async (c: Client | null, communityId: string) => {
      const sock: Socket = ioc(srv.url, { path: '/socket.io', transports: ['websocket'], extraHeaders: c ? { cookie: c.cookie } : {} });
      try {
        return await sock.timeout(5000).emitWithAck('community:watch', { communityId });
      } finally {
        sock.disconnect();
      }
    };
    for (const who of WHO.filter((w) => w !== 'outsider')) {
      const ack = await watch(clients[who], cid);
      expect(ack, who).toMatchObject({ ok: true, community: { id: cid } });
    }
    const stranger = new Client(srv.url);
    await admin.post(`/api/communities/${other}/members`, {
      displayName: '外人',
      roles: ['owner'],
      login: 't-stranger',
      password: PASSWORD,
    });
    await stranger.login('t-stranger', PASSWORD);
    const refused = await watch(stranger, cid);
    expect(refused.ok).toBe(false);
    expect(refused.error.code).toBe('not_found');
    expect((await watch(stranger, other)).ok).toBe(true);
    const anonymous = await watch(null, cid);
    expect(anonymous).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    // A household member who claimed a slip is a member too.
    const code = (await admin.get(`/api/communities/${cid}/households`)).body.households[2].invitationCode;
    const phone = new Client(srv.url);
    expect((await phone.post('/api/auth/invitation', { code })).status).toBe(200);
    expect((await watch(phone, cid)).ok).toBe(true);
    expect((await watch(phone, other)).ok).toBe(false);
  });
});
