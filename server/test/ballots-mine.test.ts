/**
 * GET /api/ballots/:id/mine through the real server and Redis: the households a person votes for
 * on a households ballot (own as owner, held as proxy) with whether each has voted, and a proxy
 * holder voting household by household with `householdId` (each counted once, by its channel),
 * and `ballot:proxy` telling the meeting's room (the ballot id only) that a proxy was named.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioc } from 'socket.io-client';
import type { TestServer } from './helpers/processes.ts';
import { startCommunity, type CommunityFixture } from './helpers/community.ts';
import { Client } from './helpers/http-client.ts';
import type { People, Person } from './helpers/people.ts';

const as = (srv: TestServer, p: Person) => Object.assign(new Client(srv.url), { cookie: p.cookie });
const key = () => `k-${Math.random().toString(36).slice(2)}-${Date.now()}`;

describe('ballots: mine', () => {
  let srv: TestServer;
  let admin: Client;
  let people: People;
  let cid: string;
  let meetingId: string;
  let hh: Record<string, string>;
  let owner: Person;
  let tenant: Person;
  let f: CommunityFixture | undefined;

  beforeAll(async () => {
    f = await startCommunity({
      name: '委托测试小区',
      households: ['101', '102', '103'].map((room, i) => ({
        building: '1',
        unit: '1',
        room,
        area: String(100 + i * 10),
        owner: `业主${room}`,
      })),
    });
    ({ srv, admin, people, cid } = f);
    hh = Object.fromEntries(f.households.map((h) => [h.room, h.id]));
    owner = await people.member(cid, '业主101', ['owner'], { householdIds: [hh['101']!] });
    tenant = await people.member(cid, '租户小刘', ['resident']);
    meetingId = (await admin.post(`/api/communities/${cid}/meetings`, { title: '业主大会', mode: 'hall' })).body.meeting.id;
  });
  afterAll(async () => f?.stop());

  it('lists own and proxied households; votes for one household at a time; marks each as voted', async () => {
    const b = (
      await admin.post(`/api/meetings/${meetingId}/ballots`, {
        title: '加装电梯',
        kind: 'yes_no_abstain',
        options: [],
        rule: 'simple_majority',
        electorate: { kind: 'households' },
        secret: false,
      })
    ).body.ballot;
    expect((await admin.post(`/api/ballots/${b.id}/open`)).status).toBe(200);
    expect((await as(srv, tenant).get(`/api/ballots/${b.id}/mine`)).body.voters).toEqual([]);
    expect((await admin.post(`/api/ballots/${b.id}/proxies`, { householdId: hh['102'], proxyUserId: owner.userId })).status).toBe(201);

    const before = (await as(srv, owner).get(`/api/ballots/${b.id}/mine`)).body.voters;
    expect(before).toEqual([
      { householdId: hh['101'], address: '1栋1单元101', owner: '业主101', via: 'online', voted: false },
      { householdId: hh['102'], address: '1栋1单元102', owner: '业主102', via: 'proxy', voted: false },
    ]);

    const own = await as(srv, owner).post(`/api/ballots/${b.id}/votes`, { choice: 'yes', idempotencyKey: key(), householdId: hh['101'] });
    expect(own.status).toBe(200);
    expect(own.body.voters).toEqual([hh['101']]);
    const mid = (await as(srv, owner).get(`/api/ballots/${b.id}/mine`)).body.voters.map(
      (v: { via: string; voted: boolean }) => `${v.via}:${v.voted}`,
    );
    expect(mid).toEqual(['online:true', 'proxy:false']);

    const forOther = await as(srv, owner).post(`/api/ballots/${b.id}/votes`, {
      choice: 'no',
      idempotencyKey: key(),
      householdId: hh['102'],
    });
    expect(forOther.status).toBe(200);
    expect(forOther.body.voters).toEqual([hh['102']]);
    const after = (await as(srv, owner).get(`/api/ballots/${b.id}/mine`)).body.voters.map((v: { voted: boolean }) => v.voted);
    expect(after).toEqual([true, true]);

    const notHis = await as(srv, owner).post(`/api/ballots/${b.id}/votes`, {
      choice: 'yes',
      idempotencyKey: key(),
      householdId: hh['103'],
    });
    expect(notHis.status).toBe(403);
    const v = (await admin.get(`/api/ballots/${b.id}/voters`)).body;
    expect(v.voted.map((x: { address: string; via: string; choice: string }) => `${x.address}:${x.via}:${x.choice}`).sort()).toEqual([
      '1栋1单元101:online:yes',
      '1栋1单元102:proxy:no',
    ]);
  });

  it('tells the meeting room that a proxy was named, with the ballot id and nothing about who', async () => {
    const b = (
      await admin.post(`/api/meetings/${meetingId}/ballots`, {
        title: '委托通知',
        kind: 'yes_no_abstain',
        options: [],
        rule: 'simple_majority',
        electorate: { kind: 'households' },
        secret: false,
      })
    ).body.ballot;
    expect((await admin.post(`/api/ballots/${b.id}/open`)).status).toBe(200);
    const s = ioc(srv.url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie: tenant.cookie }, reconnection: false });
    try {
      await new Promise<void>((resolve, reject) => {
        s.once('connect', () => resolve());
        s.once('connect_error', reject);
      });
      expect((await s.emitWithAck('meeting:join', { meetingId })).ok).toBe(true);
      const heard = new Promise<unknown>((resolve) => s.once('ballot:proxy', resolve));
      expect((await admin.post(`/api/ballots/${b.id}/proxies`, { householdId: hh['103'], proxyUserId: tenant.userId })).status).toBe(201);
      expect(await heard).toEqual({ ballotId: b.id });
      const mine = (await as(srv, tenant).get(`/api/ballots/${b.id}/mine`)).body.voters;
      expect(mine.map((v: { address: string; via: string }) => `${v.address}:${v.via}`)).toEqual(['1栋1单元103:proxy']);
    } finally {
      s.close();
    }
  });

  it('answers an empty list on a members ballot and 404 to someone of another community', async () => {
    const b = (
      await admin.post(`/api/meetings/${meetingId}/ballots`, {
        title: '按人',
        kind: 'yes_no_abstain',
        options: [],
        rule: 'simple_majority',
        electorate: { kind: 'members' },
        secret: false,
      })
    ).body.ballot;
    expect((await as(srv, owner).get(`/api/ballots/${b.id}/mine`)).body).toEqual({ voters: [], you: { eligible: false, voted: false } });
    const other = (await admin.post('/api/communities', { name: '别的小区' })).body.community.id;
    const outsider = as(srv, await people.member(other, '外人', ['owner']));
    expect((await outsider.get(`/api/ballots/${b.id}/mine`)).status).toBe(404);
  });

  it("tells a phone its own standing: whether it may vote, whether it has, and the receipt and choice (a secret ballot's only with the phone's key)", async () => {
    const open = async (secret: boolean) => {
      const b = (
        await admin.post(`/api/meetings/${meetingId}/ballots`, {
          title: secret ? '不记名' : '记名',
          kind: 'yes_no_abstain',
          options: [],
          rule: 'simple_majority',
          electorate: { kind: 'members' },
          secret,
        })
      ).body.ballot;
      expect((await admin.post(`/api/ballots/${b.id}/open`)).status).toBe(200);
      return b.id as string;
    };
    const voter = await people.member(cid, '投票人', ['resident']);
    const b1 = await open(false);
    // Joined after the ballot opened: not in its electorate, so the phone offers no vote.
    const late = await people.member(cid, '后来的人', ['resident']);
    expect((await as(srv, late).get(`/api/ballots/${b1}/mine`)).body.you).toEqual({ eligible: false, voted: false });
    expect((await as(srv, voter).get(`/api/ballots/${b1}/mine`)).body.you).toEqual({ eligible: true, voted: false });
    const k1 = key();
    const cast = await as(srv, voter).post(`/api/ballots/${b1}/votes`, { choice: 'no', idempotencyKey: k1 });
    expect(cast.status).toBe(200);
    // A phone that never heard the answer (server down, socket dropped) learns it here.
    expect((await as(srv, voter).get(`/api/ballots/${b1}/mine`)).body.you).toEqual({
      eligible: true,
      voted: true,
      via: 'online',
      receipt: cast.body.receipt,
      choice: 'no',
    });
    expect((await as(srv, voter).get(`/api/ballots/${b1}/mine?key=${k1}`)).body.you).toMatchObject({
      voted: true,
      receipt: cast.body.receipt,
      choice: 'no',
    });

    const b2 = await open(true);
    const k2 = key();
    const secretCast = await as(srv, voter).post(`/api/ballots/${b2}/votes`, { choice: 'yes', idempotencyKey: k2 });
    expect(secretCast.status).toBe(200);
    // Without the key nothing leads from the person to the choice.
    expect((await as(srv, voter).get(`/api/ballots/${b2}/mine`)).body.you).toEqual({ eligible: true, voted: true, via: 'online' });
    expect((await as(srv, voter).get(`/api/ballots/${b2}/mine?key=${k2}`)).body.you).toEqual({
      eligible: true,
      voted: true,
      receipt: secretCast.body.receipt,
      choice: 'yes',
    });
    // Someone else's key opens nothing of theirs.
    expect((await as(srv, owner).get(`/api/ballots/${b2}/mine?key=${k2}`)).body.you).toEqual({ eligible: true, voted: false });
    // A household that voted on paper: its owner's phone says so and offers no second vote.
    const h = (
      await admin.post(`/api/meetings/${meetingId}/ballots`, {
        title: '按户',
        kind: 'yes_no_abstain',
        options: [],
        rule: 'simple_majority',
        electorate: { kind: 'households' },
        secret: false,
      })
    ).body.ballot;
    expect((await admin.post(`/api/ballots/${h.id}/open`)).status).toBe(200);
    expect(
      (await admin.post(`/api/ballots/${h.id}/paper-votes`, { householdId: hh['101'], choice: 'abstain', idempotencyKey: key() })).status,
    ).toBe(200);
    expect((await as(srv, owner).get(`/api/ballots/${h.id}/mine`)).body.you).toMatchObject({
      eligible: true,
      voted: true,
      via: 'paper',
      choice: 'abstain',
    });
  });
});
