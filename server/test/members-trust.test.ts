/**
 * One household, one vote, against the members API (issue 14, defect 2), and safe free text
 * (defect 8), through the real server and Redis:
 * - an owners' committee member who adds 10 households to their own membership during an open
 *   Art. 278 ballot is refused (own_households), and their vote still counts for their one household;
 * - an administrator's change of another member's households is in the community audit log, in the
 *   open ballot's audit chain (the chain still verifies) and on the meeting console (ballot:notice);
 *   the households given after opening do not vote through their new holder in that ballot;
 * - a household's own invitation slip, claimed while the ballot is open, votes;
 * - control/bidi/zero-width characters and staff look-alike names are refused.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioc, type Socket } from 'socket.io-client';
import { Redis } from 'ioredis';
import { verifyChain } from '@linli/shared';
import type { TestServer } from './helpers/processes.ts';
import { startCommunity, type CommunityFixture } from './helpers/community.ts';
import { Client } from './helpers/http-client.ts';
import type { People, Person } from './helpers/people.ts';

const as = (srv: TestServer, p: Person) => Object.assign(new Client(srv.url), { cookie: p.cookie });
const key = () => `k-${Math.random().toString(36).slice(2)}-${Date.now()}`;
const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

describe('members: no vote stuffing through one’s own membership', () => {
  let srv: TestServer;
  let admin: Client;
  let people: People;
  let cid: string;
  let meetingId: string;
  let ballotId: string;
  let hh: { id: string; room: string; invitationCode: string }[];
  let committee: Person;
  let ownerB: Person;
  let f: CommunityFixture | undefined;

  beforeAll(async () => {
    f = await startCommunity({ name: '一户一票小区', households: 12 });
    ({ srv, admin, people, cid } = f);
    hh = (await admin.get(`/api/communities/${cid}/households`)).body.households;
    hh.sort((a, b) => a.room.localeCompare(b.room));
    committee = await people.member(cid, '业委会老陈', ['owners_committee', 'owner'], { householdIds: [hh[0]!.id] });
    ownerB = await people.member(cid, '业主二', ['owner'], { householdIds: [hh[1]!.id] });
    meetingId = (await admin.post(`/api/communities/${cid}/meetings`, { title: '业主大会', mode: 'hall' })).body.meeting.id;
    const b = (
      await admin.post(`/api/meetings/${meetingId}/ballots`, {
        title: '续聘物业',
        kind: 'yes_no_abstain',
        options: [],
        rule: 'civil_code_278_ordinary',
        electorate: { kind: 'households' },
        secret: false,
      })
    ).body.ballot;
    expect((await admin.post(`/api/ballots/${b.id}/open`)).status).toBe(200);
    ballotId = b.id;
  });
  afterAll(async () => f?.stop());

  const result = async () => (await admin.get(`/api/ballots/${ballotId}/result`)).body;

  it('refuses a committee member adding 10 households to their own membership; one cast counts for one household', async () => {
    const me = as(srv, committee);
    const ten = hh.slice(2, 12).map((h) => h.id);
    const attack = await me.patch(`/api/communities/${cid}/members/${committee.userId}`, { householdIds: [hh[0]!.id, ...ten] });
    expect(attack.status).toBe(403);
    expect(attack.body.error.code).toBe('own_households');
    expect(attack.body.error.message).toMatch(/themselves.*自行更改/);
    // Nor through someone else's membership, nor a new puppet holding them: households are the administrator's.
    expect(
      (await me.patch(`/api/communities/${cid}/members/${ownerB.userId}`, { householdIds: [hh[1]!.id, ...ten] })).body.error.code,
    ).toBe('forbidden');
    expect(
      (
        await me.post(`/api/communities/${cid}/members`, {
          displayName: '傀儡',
          roles: ['owner'],
          login: 'puppet',
          password: 'puppet-password',
          householdIds: ten,
        })
      ).status,
    ).toBe(403);
    // Roles of others stay the committee's to give.
    expect((await me.patch(`/api/communities/${cid}/members/${ownerB.userId}`, { roles: ['owner', 'notable'] })).status).toBe(200);

    const mine = (await people.auth.membership(cid, committee.userId))!;
    expect(mine.householdIds).toEqual([hh[0]!.id]);
    const v = await me.post(`/api/ballots/${ballotId}/votes`, { choice: 'yes', idempotencyKey: key() });
    expect(v.status).toBe(200);
    expect(v.body.voters).toEqual([hh[0]!.id]);
    expect((await result()).turnout.voted).toBe(1);
  });

  it('audits an administrator’s change of another member’s households and shows it on the open ballot', async () => {
    const console = await new Promise<Socket>((resolve, reject) => {
      const s = ioc(srv.url, {
        path: '/socket.io',
        transports: ['websocket'],
        extraHeaders: { cookie: admin.cookie },
        reconnection: false,
      });
      s.once('connect', () => resolve(s));
      s.once('connect_error', reject);
    });
    try {
      expect((await console.emitWithAck('meeting:join', { meetingId })).ok).toBe(true);
      const notice = new Promise<{ ballotId: string; kind: string; seq: number }>((resolve) => console.once('ballot:notice', resolve));
      const after = [hh[1]!.id, hh[4]!.id];
      const r = await admin.patch(`/api/communities/${cid}/members/${ownerB.userId}`, { householdIds: after });
      expect(r.status).toBe(200);
      expect(r.body.member.householdIds).toEqual(after);

      const n = await notice;
      expect(n).toMatchObject({ ballotId, kind: 'holdings_changed' });
      const chain = String((await admin.get(`/api/ballots/${ballotId}/audit`)).body)
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      const entry = chain.find((e) => e.seq === n.seq);
      expect(entry).toMatchObject({
        type: 'holdings_changed',
        data: { memberId: ownerB.userId, before: [hh[1]!.id], after: [...after].sort() },
      });
      expect(verifyChain(chain, sha256).ok).toBe(true);

      const log = await admin.get(`/api/communities/${cid}/audit`);
      expect(log.status).toBe(200);
      const e = log.body.entries.find(
        (x: { member: { userId: string }; after: { householdIds: string[] } }) =>
          x.member.userId === ownerB.userId && x.after.householdIds.length === 2,
      );
      expect(e).toMatchObject({
        type: 'member_changed',
        by: { displayName: '管理员' },
        member: { displayName: '业主二' },
        before: { householdIds: [hh[1]!.id] },
        after: { householdIds: after },
        ballots: [ballotId],
      });
      expect(typeof e.at).toBe('number');
      // The log is for those who manage members, not for owners.
      expect((await as(srv, ownerB).get(`/api/communities/${cid}/audit`)).status).toBe(403);
    } finally {
      console.close();
    }
  });

  it('keeps the electorate frozen: a household given after opening does not vote through its new holder', async () => {
    const b = as(srv, ownerB);
    const late = await b.post(`/api/ballots/${ballotId}/votes`, { choice: 'no', idempotencyKey: key(), householdId: hh[4]!.id });
    expect(late.status).toBe(403);
    expect(late.body.error.message).toMatch(/after this ballot opened/);
    // Nor can its new holder hand that vote to someone else.
    expect((await b.post(`/api/ballots/${ballotId}/proxies`, { householdId: hh[4]!.id, proxyUserId: committee.userId })).status).toBe(403);
    const mine = await b.get(`/api/ballots/${ballotId}/mine`);
    expect(mine.body.voters.map((v: { householdId: string }) => v.householdId)).toEqual([hh[1]!.id]);
    const v = await b.post(`/api/ballots/${ballotId}/votes`, { choice: 'no', idempotencyKey: key() });
    expect(v.status).toBe(200);
    expect(v.body.voters).toEqual([hh[1]!.id]);
    const res = await result();
    expect(res.turnout).toMatchObject({ voted: 2, eligible: 12 });
  });

  it('still lets a household claim its own slip at the hall door and vote while the ballot is open', async () => {
    const phone = new Client(srv.url);
    const claim = await phone.post('/api/auth/invitation', { code: hh[4]!.invitationCode });
    expect(claim.status).toBe(200);
    const v = await phone.post(`/api/ballots/${ballotId}/votes`, { choice: 'yes', idempotencyKey: key() });
    expect(v.status).toBe(200);
    expect(v.body.voters).toEqual([hh[4]!.id]);
    expect((await result()).turnout.voted).toBe(3);
  });

  it('refuses an administrator changing their own households too, and admits only administrators to assign them', async () => {
    const adminId = (await admin.get('/api/me')).body.user.id;
    const join = (extra: object) =>
      admin.post(`/api/communities/${cid}/members`, { displayName: '管理员', roles: ['admin', 'owner'], login: 'admin', ...extra });
    expect((await join({ householdIds: [hh[5]!.id] })).body.error.code).toBe('own_households');
    // The administrator created this community, so is already its member: nothing to add.
    expect((await join({})).body.error.code).toBe('conflict');
    const self = await admin.patch(`/api/communities/${cid}/members/${adminId}`, { householdIds: [hh[5]!.id] });
    expect(self.status).toBe(403);
    expect(self.body.error.code).toBe('own_households');
  });
});

describe('free text: control, bidi and zero-width characters, staff look-alike names', () => {
  let srv: TestServer;
  let admin: Client;
  let cid: string;
  let joinCode: string;
  let f: CommunityFixture | undefined;

  beforeAll(async () => {
    f = await startCommunity({ name: '文字小区' });
    ({ srv, admin, cid } = f);
    expect(
      (
        await admin.post(`/api/communities/${cid}/members`, {
          displayName: '周老师',
          roles: ['facilitator'],
          login: 'zhou',
          password: 'zhou-password',
        })
      ).status,
    ).toBe(201);
    joinCode = (await admin.post(`/api/communities/${cid}/meetings`, { title: '议事会', mode: 'hall' })).body.meeting.joinCode;
  });
  afterAll(async () => f?.stop());

  it('refuses NUL, ESC, U+202E, zero-width and lone surrogates in names and titles, and stores nothing', async () => {
    for (const bad of ['ad\u200Bmin', 'a\u0000b', 'a\u001B[31m', 'evil\u202Etxt', 'x\uD800y', 'x\uFEFFy']) {
      const guest = new Client(srv.url);
      const r = await guest.post('/api/meetings/join', { joinCode, displayName: bad });
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect(r.body.error.code).toBe('validation_failed');
      expect(r.body.error.message).toMatch(/U\+[0-9A-F]{4}.*请重新输入/);
      expect(guest.cookie).toBe('');
    }
    const before = (await admin.get(`/api/communities/${cid}/meetings`)).body.meetings.length;
    const r = await admin.post(`/api/communities/${cid}/meetings`, { title: '会议\u202Egnp.exe', mode: 'hall' });
    expect(r.status).toBe(400);
    expect(r.body.error.issues[0].path).toBe('title');
    expect((await admin.get(`/api/communities/${cid}/meetings`)).body.meetings.length).toBe(before);
    // Multi-line text keeps its newlines, normalised to NFC.
    const p = await admin.post(`/api/communities/${cid}/problems`, { title: 'Cafe\u0301 门口', description: '第一行\r\n第二行' });
    expect(p.status).toBe(201);
    expect(p.body.problem).toMatchObject({ title: 'Café 门口', description: '第一行\n第二行' });
  });

  it('refuses a guest or a renamed member that looks like a staff member of the community', async () => {
    for (const name of ['周 老师', '周老师', 'ＺＨＯＵ', 'Аdmin', '管理员']) {
      const r = await new Client(srv.url).post('/api/meetings/join', { joinCode, displayName: name });
      expect(r.status, name).toBe(409);
      expect(r.body.error.code).toBe('name_taken');
    }
    const guest = new Client(srv.url);
    expect((await guest.post('/api/meetings/join', { joinCode, displayName: '周老师的邻居' })).status).toBe(200);
    const rename = await guest.patch('/api/me', { displayName: '周  老师' });
    expect(rename.status).toBe(409);
    expect(rename.body.error.code).toBe('name_taken');
    // A staff member keeps (and may re-type) their own name.
    const zhou = new Client(srv.url);
    await zhou.login('zhou', 'zhou-password');
    expect((await zhou.patch('/api/me', { displayName: '周老师' })).status).toBe(200);
    // Adding a person named like staff is refused as well.
    expect((await admin.post(`/api/communities/${cid}/members`, { displayName: 'zhou', roles: ['resident'] })).body.error.code).toBe(
      'name_taken',
    );
  });

  it('follows role changes: a member made staff is protected, one no longer staff is not; a community without the staff index gets it built', async () => {
    const join = (name: string) => new Client(srv.url).post('/api/meetings/join', { joinCode, displayName: name });
    const wuId = (await admin.post(`/api/communities/${cid}/members`, { displayName: '吴大姐', roles: ['resident'] })).body.member
      .userId as string;
    expect((await join('吴大姐')).status).toBe(200);
    expect((await admin.patch(`/api/communities/${cid}/members/${wuId}`, { roles: ['building_leader'], buildings: ['1'] })).status).toBe(
      200,
    );
    expect((await join('吴大姐')).body.error?.code).toBe('name_taken');
    expect((await admin.patch(`/api/communities/${cid}/members/${wuId}`, { roles: ['resident'], buildings: [] })).status).toBe(200);
    expect((await join('吴大姐')).status).toBe(200);
    // A community from before the staff index (no index keys): the first check builds it from the members.
    const r = new Redis(f!.redis.url);
    expect(await r.del(`community:${cid}:staff`, `community:${cid}:staff:built`)).toBe(2);
    expect((await join('周老师')).body.error?.code).toBe('name_taken');
    // The community's creator (role admin) and 周老师; not 吴大姐 any more.
    const staff = await r.smembers(`community:${cid}:staff`);
    expect(staff).toHaveLength(2);
    expect(staff).not.toContain(wuId);
    expect((await join('周老师')).body.error?.code).toBe('name_taken');
    r.disconnect();
  });
});
