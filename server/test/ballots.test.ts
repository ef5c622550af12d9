/**
 * Ballots through the real server and Redis: creating and opening (electorate frozen), online,
 * paper and proxy votes deduplicated with clear messages, Art. 278 counting, secret ballots that
 * keep no voter → choice link in Redis, hidden tallies, changing a vote, publishing the record,
 * the audit log and `npm run verify` (also on a tampered log), the consensus ledger, socket events.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioc, type Socket } from 'socket.io-client';
import { runVerify, startRedis, startServer, tmpDir, type TestRedis, type TestServer } from './helpers/processes.ts';
import { Client } from './helpers/http-client.ts';
import { People, type Person } from './helpers/people.ts';
import { createHash } from 'node:crypto';
import { AuthRepository } from '../src/auth/auth.repository.ts';
import { AuthService } from '../src/auth/auth.service.ts';
import { RosterRepository } from '../src/roster/roster.repository.ts';
import { RosterService } from '../src/roster/roster.service.ts';
import { StatsRepository } from '../src/dashboard/stats.repository.ts';
import { MeetingsRepository } from '../src/meetings/meetings.repository.ts';
import { MeetingsService } from '../src/meetings/meetings.service.ts';
import { ConsensusRepository } from '../src/consensus/consensus.repository.ts';
import { ConsensusService } from '../src/consensus/consensus.service.ts';
import { BallotsRepository } from '../src/ballots/ballots.repository.ts';
import { BallotsService } from '../src/ballots/ballots.service.ts';
import { BallotsCasting } from '../src/ballots/ballots.cast.ts';
import { quietFor, until } from './helpers/wait.ts';

const as = (srv: TestServer, p: Person) => Object.assign(new Client(srv.url), { cookie: p.cookie });
const key = () => `k-${Math.random().toString(36).slice(2)}-${Date.now()}`;
const yesNo = { kind: 'yes_no_abstain', options: [], rule: 'simple_majority', electorate: { kind: 'members' }, secret: false };

describe('ballots', () => {
  let redis: TestRedis;
  let srv: TestServer;
  let admin: Client;
  let people: People;
  let cid: string;
  let meetingId: string;
  let hh: Record<string, string>; // room → household id
  const owners: Record<string, Person> = {};
  let leader1: Person;
  let tenant: Person;
  let outsider: Client;

  beforeAll(async () => {
    redis = await startRedis();
    srv = await startServer({ redisUrl: redis.url });
    admin = new Client(srv.url);
    await admin.login('admin', srv.adminPassword!);
    people = new People(redis.url);
    cid = (await admin.post('/api/communities', { name: '表决测试小区' })).body.community.id;
    // 8 households of 100 m² in two buildings; 业主7 owns 201 and 202 (two units, one owner).
    const ownerOf: Record<string, string> = {
      '101': '业主1',
      '102': '业主2',
      '103': '业主3',
      '104': '业主4',
      '201': '业主5',
      '202': '业主7',
      '203': '业主7',
      '204': '业主8',
    };
    const rows = Object.entries(ownerOf).map(([room, owner]) => ({ building: room[0]!, unit: '1', room, area: '100', owner }));
    expect((await admin.post(`/api/communities/${cid}/households`, { households: rows })).status).toBe(200);
    const list = (await admin.get(`/api/communities/${cid}/households`)).body.households as { id: string; room: string }[];
    hh = Object.fromEntries(list.map((h) => [h.room, h.id]));
    for (const room of ['101', '102', '103', '104', '201', '204'])
      owners[room] = await people.member(cid, `业主${room}`, ['owner'], { householdIds: [hh[room]!] });
    owners['202'] = await people.member(cid, '业主7', ['owner'], { householdIds: [hh['202']!, hh['203']!] });
    leader1 = await people.member(cid, '1栋楼栋长', ['building_leader'], { buildings: ['1'] });
    tenant = await people.member(cid, '租户小刘', ['resident']);
    const other = (await admin.post('/api/communities', { name: '别的小区' })).body.community.id;
    outsider = as(srv, await people.member(other, '外人', ['owner']));
    meetingId = (await admin.post(`/api/communities/${cid}/meetings`, { title: '业主大会', mode: 'hybrid' })).body.meeting.id;
  });
  afterAll(async () => {
    await people?.close();
    await srv?.stop();
    await redis?.stop();
  });

  const create = (body: object, c: Client = admin) => c.post(`/api/meetings/${meetingId}/ballots`, body);
  const openBallot = async (body: object) => {
    const b = (await create(body)).body.ballot;
    const o = await admin.post(`/api/ballots/${b.id}/open`);
    expect(o.status).toBe(200);
    return o.body.ballot as { id: string; eligibleCount: number };
  };
  const vote = (p: Person, ballotId: string, choice: unknown, k = key(), extra: object = {}) =>
    as(srv, p).post(`/api/ballots/${ballotId}/votes`, { choice, idempotencyKey: k, ...extra });
  const paper = (c: Client, ballotId: string, householdId: string, choice: unknown, k = key()) =>
    c.post(`/api/ballots/${ballotId}/paper-votes`, { householdId, choice, idempotencyKey: k });
  const tallyOf = (r: { tally: { options: { id: string; votes: number }[] } }) =>
    Object.fromEntries(r.tally.options.map((o) => [o.id, o.votes]));

  it('creates a draft ballot and refuses a bad one with the field that is wrong', async () => {
    const bad = await create({ title: '缺规则', kind: 'yes_no_abstain', electorate: { kind: 'members' }, secret: false });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    expect(bad.body.error.issues.map((i: { path: string }) => i.path)).toContain('rule');
    const secretHouseholds = await create({ title: '无记名按户', ...yesNo, electorate: { kind: 'households' }, secret: true });
    expect(secretHouseholds.status).toBe(400);
    expect(secretHouseholds.body.error.message).toMatch(/members electorate/);
    const byTenant = await create({ title: '租户建表决', ...yesNo }, as(srv, tenant));
    expect(byTenant.status).toBe(403);
    const byOutsider = await create({ title: '外人', ...yesNo }, outsider);
    expect(byOutsider.status).toBe(404);
    const ok = await create({ title: '是否同意增设充电桩', ...yesNo });
    expect(ok.status).toBe(201);
    expect(ok.body.ballot).toMatchObject({ status: 'draft', kind: 'yes_no_abstain', rule: 'simple_majority', title: '是否同意增设充电桩' });
    const early = await vote(tenant, ok.body.ballot.id, 'yes');
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('ballot_not_open');
  });

  it('counts an online vote once: the same key returns the same receipt and changes nothing', async () => {
    const b = await openBallot({ title: '同一把钥匙', ...yesNo });
    const k = key();
    const first = await vote(tenant, b.id, 'yes', k);
    expect(first.status).toBe(200);
    expect(first.body.receipt).toMatch(/^[A-HJKMNP-Z2-9]{8}$/);
    const again = await vote(tenant, b.id, 'no', k);
    expect(again.body).toMatchObject({ receipt: first.body.receipt, repeated: true });
    const twice = await vote(tenant, b.id, 'no');
    expect(twice.status).toBe(409);
    expect(twice.body.error).toMatchObject({ code: 'already_voted' });
    expect(twice.body.error.message).toMatch(/online/);
    const bad = await vote(owners['101']!, b.id, 'maybe');
    expect(bad.status).toBe(400);
    const r = (await admin.get(`/api/ballots/${b.id}/result`)).body;
    expect(r.status).toBe('open');
    expect(tallyOf(r)).toEqual({ yes: 1, no: 0, abstain: 0 });
    expect(r.outcome.passed).toBeNull();
  });

  describe('a households ballot (Art. 278)', () => {
    let b: { id: string; eligibleCount: number };
    beforeAll(async () => {
      b = await openBallot({
        title: '通过管理规约',
        kind: 'yes_no_abstain',
        options: [],
        rule: 'civil_code_278_ordinary',
        electorate: { kind: 'households' },
        secret: false,
      });
    });

    it('freezes the roster at opening: a household added later cannot vote', async () => {
      expect(b.eligibleCount).toBe(8);
      await admin.post(`/api/communities/${cid}/households`, {
        households: [{ building: '2', unit: '1', room: '205', area: '100', owner: '新业主' }],
      });
      const list = (await admin.get(`/api/communities/${cid}/households`)).body.households as { id: string; room: string }[];
      const late = await people.member(cid, '新业主', ['owner'], { householdIds: [list.find((h) => h.room === '205')!.id] });
      const r = await vote(late, b.id, 'yes');
      expect(r.status).toBe(403);
      expect(r.body.error.message).toMatch(/electorate/);
    });

    it('refuses an online vote after a paper vote of the same household, saying it was on paper (and the other way round)', async () => {
      const leader = as(srv, leader1);
      const p = await paper(leader, b.id, hh['102']!, 'yes');
      expect(p.status).toBe(200);
      const online = await vote(owners['102']!, b.id, 'no');
      expect(online.status).toBe(409);
      expect(online.body.error.code).toBe('already_voted');
      expect(online.body.error.message).toMatch(/1栋1单元102 on paper/);
      expect((await vote(owners['103']!, b.id, 'yes')).status).toBe(200);
      const p2 = await paper(leader, b.id, hh['103']!, 'no');
      expect(p2.status).toBe(409);
      expect(p2.body.error.message).toMatch(/1栋1单元103 online/);
    });

    it('lets a building leader enter paper votes only in their own buildings', async () => {
      const r = await paper(as(srv, leader1), b.id, hh['201']!, 'yes');
      expect(r.status).toBe(403);
      expect((await paper(as(srv, tenant), b.id, hh['104']!, 'yes')).status).toBe(403);
    });

    it('counts an owner of two units once by number, both areas adding', async () => {
      const r = await vote(owners['202']!, b.id, 'yes');
      expect(r.status).toBe(200);
      expect([...r.body.voters].sort()).toEqual([hh['202'], hh['203']].sort());
      const res = (await admin.get(`/api/ballots/${b.id}/result`)).body;
      const yes = res.tally.options.find((o: { id: string }) => o.id === 'yes');
      expect(yes).toMatchObject({ votes: 4, owners: 3, areaCentiares: 40_000 });
      expect(res.turnout.owners).toEqual({ voted: 3, total: 7 });
    });

    it('lets a proxy vote for the household and refuses the owner afterwards', async () => {
      const reg = await admin.post(`/api/ballots/${b.id}/proxies`, { householdId: hh['104'], proxyUserId: tenant.userId });
      expect(reg.status).toBe(201);
      const notHis = await as(srv, owners['101']!).post(`/api/ballots/${b.id}/proxies`, {
        householdId: hh['201'],
        proxyUserId: tenant.userId,
      });
      expect(notHis.status).toBe(403);
      const r = await vote(tenant, b.id, 'no');
      expect(r.status).toBe(200);
      expect(r.body.voters).toEqual([hh['104']]);
      const owner = await vote(owners['104']!, b.id, 'yes');
      expect(owner.status).toBe(409);
      expect(owner.body.error.message).toMatch(/by proxy/);
    });

    it('shows the facilitator who has and has not voted, with how and what (open ballot)', async () => {
      const v = (await admin.get(`/api/ballots/${b.id}/voters`)).body;
      expect(v.voted.map((x: { address: string; via: string; choice: string }) => `${x.address}:${x.via}:${x.choice}`).sort()).toEqual(
        [
          '1栋1单元102:paper:yes',
          '1栋1单元103:online:yes',
          '1栋1单元104:proxy:no',
          '2栋1单元202:online:yes',
          '2栋1单元203:online:yes',
        ].sort(),
      );
      expect(v.notVoted).toHaveLength(3);
      expect((await as(srv, tenant).get(`/api/ballots/${b.id}/voters`)).status).toBe(403);
      expect((await outsider.get(`/api/ballots/${b.id}/voters`)).status).toBe(404);
    });

    it('closes with the Art. 278 result, publishes the record, and the audit log verifies (and fails where tampered)', async () => {
      expect((await vote(owners['101']!, b.id, 'yes')).status).toBe(200);
      const closed = await admin.post(`/api/ballots/${b.id}/close`);
      expect(closed.status).toBe(200);
      // 5 of 7 owners (≥ 2/3) with 600 of 800 m² (< 2/3 of the area: 3·600 = 1800 < 1600? no: ≥) take part.
      const res = closed.body.result;
      expect(res.turnout).toMatchObject({
        voted: 6,
        eligible: 8,
        owners: { voted: 5, total: 7 },
        areaCentiares: { voted: 60_000, total: 80_000 },
      });
      expect(res.outcome.passed).toBe(true);
      expect((await vote(owners['201']!, b.id, 'yes')).body.error.code).toBe('ballot_not_open');
      expect((await as(srv, tenant).get(`/api/ballots/${b.id}/record`)).status).toBe(409);
      const pub = await admin.post(`/api/ballots/${b.id}/publish`, { objectionDays: 7 });
      expect(pub.body.ballot).toMatchObject({ status: 'published', objectionDays: 7 });
      const result = (await admin.get(`/api/ballots/${b.id}/result`)).body;
      expect(result).toMatchObject({ status: 'published', final: false });
      const record = (await as(srv, tenant).get(`/api/ballots/${b.id}/record`)).body;
      expect(record.rows).toHaveLength(5);
      const paperRow = record.rows.find((x: { via: string }) => x.via === 'paper');
      expect(paperRow.voters).toEqual([{ label: '1栋1单元102 业**' }]);

      const dir = tmpDir('linli-audit-');
      const file = path.join(dir, 'audit.jsonl');
      const audit = await as(srv, owners['101']!).get(`/api/ballots/${b.id}/audit`);
      expect(audit.status).toBe(200);
      fs.writeFileSync(file, audit.body);
      const lines = String(audit.body)
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(lines.map((l) => l.type)).toEqual([
        'created',
        'opened',
        'paper_vote',
        'vote',
        'vote',
        'proxy_registered',
        'vote',
        'vote',
        'closed',
        'result',
        'published',
      ]);
      const ok = await runVerify([file, '--head', `${result.head.hash}:${result.head.length}`]);
      expect(ok.code, ok.out).toBe(0);
      expect(ok.out).toMatch(/OK: chain intact/);
      expect(ok.out).toMatch(/yes\s+5/);

      // Someone with access to Redis turns the paper vote (seq 3) from yes into no.
      const k = `{ballot:${b.id}}:audit`;
      const entry = JSON.parse((await people.redis.lindex(k, 2))!);
      expect(entry.seq).toBe(3);
      entry.data.choice = 'no';
      await people.redis.lset(k, 2, JSON.stringify(entry));
      const tampered = await admin.get(`/api/ballots/${b.id}/audit?format=json`);
      fs.writeFileSync(file, JSON.stringify(tampered.body));
      const bad = await runVerify([file]);
      expect(bad.code).toBe(1);
      expect(bad.out).toMatch(/breaks at entry seq 3/);
      expect(bad.out).toContain(`found    ${entry.hash}`);
      // And by URL with a member's cookie.
      const byUrl = await runVerify([`${srv.url}/api/ballots/${b.id}/audit`, '--cookie', owners['101']!.cookie]);
      expect(byUrl.code).toBe(1);
      expect(byUrl.out).toMatch(/seq 3/);
    });
  });

  it('applies DOMAIN.md: 4 owners A 300 / B, C, D 100; A yes, B and C no, D absent → not passed', async () => {
    const c2 = (await admin.post('/api/communities', { name: '例题小区' })).body.community.id;
    const rows = [
      { building: '1', unit: '1', room: '101', area: '300', owner: 'A' },
      { building: '1', unit: '1', room: '102', area: '100', owner: 'B' },
      { building: '1', unit: '1', room: '103', area: '100', owner: 'C' },
      { building: '1', unit: '1', room: '104', area: '100', owner: 'D' },
    ];
    await admin.post(`/api/communities/${c2}/households`, { households: rows });
    const list = (await admin.get(`/api/communities/${c2}/households`)).body.households as { id: string; owner: string }[];
    const m2 = (await admin.post(`/api/communities/${c2}/meetings`, { title: '例题', mode: 'hall' })).body.meeting.id;
    const b = (
      await admin.post(`/api/meetings/${m2}/ballots`, {
        title: '例题三',
        kind: 'yes_no_abstain',
        options: [],
        rule: 'civil_code_278_ordinary',
        electorate: { kind: 'households' },
        secret: false,
      })
    ).body.ballot;
    await admin.post(`/api/ballots/${b.id}/open`);
    const id = (o: string) => list.find((h) => h.owner === o)!.id;
    for (const [o, choice] of [
      ['A', 'yes'],
      ['B', 'no'],
      ['C', 'no'],
    ] as const)
      expect((await paper(admin, b.id, id(o), choice)).status).toBe(200);
    const res = (await admin.post(`/api/ballots/${b.id}/close`)).body.result;
    expect(res.outcome.passed).toBe(false);
    expect(res.turnout.owners).toEqual({ voted: 3, total: 4 });
    expect(res.turnout.areaCentiares).toEqual({ voted: 50_000, total: 60_000 });
  });

  it('keeps no link from a voter to a choice in a secret ballot (every Redis key inspected)', async () => {
    const b = await openBallot({
      title: '无记名评议物业',
      kind: 'single',
      options: [
        { id: 'good', label: '满意' },
        { id: 'bad', label: '不满意' },
      ],
      rule: 'simple_majority',
      electorate: { kind: 'members' },
      secret: true,
    });
    const voters = [owners['101']!, owners['102']!, tenant, leader1];
    const receipts: string[] = [];
    for (const [i, p] of voters.entries()) {
      const r = await vote(p, b.id, i % 2 ? 'bad' : 'good');
      expect(r.status).toBe(200);
      receipts.push(r.body.receipt);
    }
    const keys = await people.redis.keys(`{ballot:${b.id}}*`);
    const ids = voters.map((p) => p.userId);
    // Element by element (a hash field with its value, a list entry, a member): the electorate and
    // the voted set name people; no element names a person together with a receipt or a choice.
    for (const k of keys) {
      const type = await people.redis.type(k);
      const elements =
        type === 'string'
          ? [(await people.redis.get(k))!]
          : type === 'hash'
            ? Object.entries(await people.redis.hgetall(k)).map(([f, v]) => `${f}\n${v}`)
            : type === 'list'
              ? await people.redis.lrange(k, '0', '-1')
              : type === 'set'
                ? await people.redis.smembers(k)
                : await people.redis.zrange(k, '0', '-1');
      for (const text of elements) {
        const hasVoter = ids.some((id) => text.includes(id));
        const hasChoice = receipts.some((r) => text.includes(r)) || /"choice":"(good|bad)"/.test(text);
        if (hasVoter) expect({ key: k, text, hasChoice }).toMatchObject({ key: k, hasChoice: false });
      }
    }
    const voted = await people.redis.zrange(`{ballot:${b.id}}:voted`, '0', '-1');
    expect(voted).toEqual([...ids].sort());
    const v = (await admin.get(`/api/ballots/${b.id}/voters`)).body;
    expect(v.secret).toBe(true);
    expect(v.voted.every((x: object) => !('choice' in x) && !('receipt' in x))).toBe(true);
    const closed = (await admin.post(`/api/ballots/${b.id}/close`)).body.result;
    expect(tallyOf(closed)).toEqual({ good: 2, bad: 2 });
    await admin.post(`/api/ballots/${b.id}/publish`, { objectionDays: 0 });
    const record = (await as(srv, tenant).get(`/api/ballots/${b.id}/record`)).body;
    expect(record.rows.map((r: { receipt: string }) => r.receipt)).toEqual([...receipts].sort());
    expect(record.rows.every((r: object) => Object.keys(r).sort().join() === 'choice,receipt')).toBe(true);
    expect((await admin.get(`/api/ballots/${b.id}/result`)).body.final).toBe(true);
  });

  it('hides the counts until close when the ballot says so, then shows them', async () => {
    const b = await openBallot({ title: '暗计票', ...yesNo, hideTallyUntilClose: true });
    await vote(tenant, b.id, 'no');
    await vote(leader1, b.id, 'yes');
    const open = (await as(srv, tenant).get(`/api/ballots/${b.id}/result`)).body;
    expect(open).toMatchObject({ hidden: true, tally: { options: [] }, turnout: { voted: 2 } });
    const closed = (await admin.post(`/api/ballots/${b.id}/close`)).body.result;
    expect(tallyOf(closed)).toEqual({ yes: 1, no: 1, abstain: 0 });
  });

  it('lets voters change their vote when the ballot allows it, recorded as a change', async () => {
    const b = await openBallot({ title: '可改票', ...yesNo, allowChange: true });
    const first = await vote(tenant, b.id, 'yes');
    const second = await vote(tenant, b.id, 'no');
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ changed: true });
    expect(second.body.receipt).not.toBe(first.body.receipt);
    const closed = (await admin.post(`/api/ballots/${b.id}/close`)).body.result;
    expect(tallyOf(closed)).toEqual({ yes: 0, no: 1, abstain: 0 });
    const audit = String((await admin.get(`/api/ballots/${b.id}/audit`)).body)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const change = audit.find((e) => e.type === 'vote_changed');
    expect(change.data).toMatchObject({ receipt: second.body.receipt, choice: 'no', replaces: [first.body.receipt] });
    await admin.post(`/api/ballots/${b.id}/publish`, { objectionDays: 3 });
    const rows = (await admin.get(`/api/ballots/${b.id}/record`)).body.rows;
    expect(rows.find((r: { receipt: string }) => r.receipt === first.body.receipt).supersededBy).toBe(second.body.receipt);
  });

  it("counts an advisory tally of all members by role beside the binding owners' tally", async () => {
    const b = await openBallot({
      title: '两种计票',
      kind: 'yes_no_abstain',
      options: [],
      rule: 'civil_code_278_ordinary',
      electorate: { kind: 'households' },
      secret: false,
      advisory: true,
    });
    const owner = await vote(owners['101']!, b.id, 'yes');
    expect(owner.body.voters).toEqual([hh['101']]);
    const t = await vote(tenant, b.id, 'no');
    expect(t.status).toBe(200);
    expect(t.body.voters).toEqual([]);
    const again = await vote(tenant, b.id, 'yes');
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/advisory/);
    expect((await vote(leader1, b.id, 'no')).status).toBe(200);
    const r = (await admin.get(`/api/ballots/${b.id}/result`)).body;
    expect(tallyOf(r)).toEqual({ yes: 1, no: 0, abstain: 0 });
    expect(r.turnout.voted).toBe(1);
    expect(r.advisory.voted).toBe(3);
    expect(Object.fromEntries(r.advisory.tally.map((o: { id: string; votes: number }) => [o.id, o.votes]))).toEqual({
      yes: 1,
      no: 2,
      abstain: 0,
    });
    const byRole = Object.fromEntries(
      Object.entries(r.advisory.byRole as Record<string, { id: string; votes: number }[]>).map(([role, lines]) => [
        role,
        Object.fromEntries(lines.map((l) => [l.id, l.votes])),
      ]),
    );
    expect(byRole).toEqual({
      owner: { yes: 1, no: 0, abstain: 0 },
      resident: { yes: 0, no: 1, abstain: 0 },
      building_leader: { yes: 0, no: 1, abstain: 0 },
    });
    const secretAdvisory = await create({ title: '无记名分角色', ...yesNo, secret: true, advisory: true });
    expect(secretAdvisory.status).toBe(400);
  });

  it('caps the households one person may hold as proxy', async () => {
    const b = await openBallot({
      title: '委托上限',
      kind: 'yes_no_abstain',
      options: [],
      rule: 'simple_majority',
      electorate: { kind: 'households' },
      secret: false,
    });
    for (const room of ['101', '102', '103'])
      expect((await admin.post(`/api/ballots/${b.id}/proxies`, { householdId: hh[room], proxyUserId: leader1.userId })).status).toBe(201);
    const fourth = await admin.post(`/api/ballots/${b.id}/proxies`, { householdId: hh['104'], proxyUserId: leader1.userId });
    expect(fourth.status).toBe(409);
    expect(fourth.body.error.message).toMatch(/3/);
    const own = await as(srv, owners['104']!).post(`/api/ballots/${b.id}/proxies`, { householdId: hh['104'], proxyUserId: tenant.userId });
    expect(own.status).toBe(201);
    const r = await vote(leader1, b.id, 'yes');
    expect([...r.body.voters].sort()).toEqual([hh['101'], hh['102'], hh['103']].sort());
  });

  it('sends ballot events to the meeting room and takes votes over the socket, acked with the receipt', async () => {
    const connect = (p: { cookie: string }) =>
      new Promise<Socket>((resolve, reject) => {
        const s = ioc(srv.url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie: p.cookie }, reconnection: false });
        s.once('connect', () => resolve(s));
        s.once('connect_error', reject);
      });
    const observer = await connect(owners['201']!);
    const voter = await connect(tenant);
    const events: { ev: string; p: any }[] = [];
    for (const ev of ['ballot:opened', 'ballot:tally', 'ballot:closed']) observer.on(ev, (p) => events.push({ ev, p }));
    const join = await observer.emitWithAck('meeting:join', { meetingId });
    expect(join.ok).toBe(true);
    expect(join.ballots.length).toBeGreaterThan(3);
    const b = await openBallot({ title: '现场表决', ...yesNo });
    const k = key();
    const ack = await voter.emitWithAck('ballot:cast', { ballotId: b.id, choice: 'yes', idempotencyKey: k });
    expect(ack).toMatchObject({ ok: true, repeated: false });
    expect((await voter.emitWithAck('ballot:cast', { ballotId: b.id, choice: 'yes', idempotencyKey: k })).receipt).toBe(ack.receipt);
    const dup = await voter.emitWithAck('ballot:cast', { ballotId: b.id, choice: 'no', idempotencyKey: key() });
    expect(dup).toMatchObject({ ok: false, error: { code: 'already_voted' } });
    // The coalesced tally with the vote reaches the meeting room; then the close does.
    await until(
      () => events.some((e) => e.ev === 'ballot:tally' && e.p.ballotId === b.id && e.p.result.turnout.voted === 1),
      10_000,
      'the tally with the vote',
    );
    // The vote's trailing tally goes out within the coalescer's longest wait: the close comes after it.
    await quietFor(600, 'every tally of the vote has gone out before the close (the coalescer waits at most 500 ms)');
    await admin.post(`/api/ballots/${b.id}/close`);
    await until(() => events.some((e) => e.ev === 'ballot:closed' && (e.p.ballot?.id ?? e.p.ballotId) === b.id), 10_000, 'ballot:closed');
    // Nothing is ordered after a trailing tally but time: it would come within the coalescer's longest wait.
    await quietFor(600, 'a tally after the close would arrive within the tally coalescer’s longest wait (500 ms)');
    const mine = events.filter((e) => (e.p.ballot?.id ?? e.p.ballotId) === b.id).map((e) => e.ev);
    expect(mine[0]).toBe('ballot:opened');
    expect(mine).toContain('ballot:tally');
    expect(mine.at(-1)).toBe('ballot:closed');
    const tally = events.filter((e) => e.ev === 'ballot:tally' && e.p.ballotId === b.id).at(-1)!.p.result;
    expect(tallyOf(tally)).toEqual({ yes: 1, no: 0, abstain: 0 });
    observer.close();
    voter.close();
  });

  it('records passed ballots in the consensus ledger and on the dashboard; a motion becomes a ballot', async () => {
    const items = (await as(srv, tenant).get(`/api/communities/${cid}/consensus`)).body.items as {
      title: string;
      ballotId: string;
      voted: number;
      textHash: string;
    }[];
    expect(items.map((i) => i.title)).toContain('通过管理规约');
    expect(items.find((i) => i.title === '通过管理规约')).toMatchObject({ voted: 6, textHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(items.map((i) => i.title)).not.toContain('暗计票'); // a tie: not passed
    expect((await outsider.get(`/api/communities/${cid}/consensus`)).status).toBe(404);
    const month = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);
    const stats = await people.redis.hgetall(`stats:{${cid}}:${month}`);
    expect(Number(stats.consensus_items)).toBe(items.length);
    expect(Number(stats.ballots_closed)).toBeGreaterThanOrEqual(4);
  });

  it('binds a ballot to a clause: a text changed while open is flagged, and the consensus map says so', async () => {
    // The services in this process, on the same Redis, with a clause reader standing in for the
    // conventions feature (the server process has none yet: its map comes from the bindings alone).
    const redis = people.redis;
    const sha = (t: string) => createHash('sha256').update(t).digest('hex');
    const auth = new AuthService(new AuthRepository(redis));
    const stats = new StatsRepository(redis);
    const meetings = new MeetingsService(new MeetingsRepository(redis), auth, stats);
    const consensus = new ConsensusService(new ConsensusRepository(redis), stats);
    const texts: Record<string, string> = { c5: '第五条 遛狗须牵绳。', c6: '第六条 楼道不堆物。', c7: '第七条 垃圾分类。' };
    consensus.provideClauses(async (id) =>
      id === 'conv1'
        ? {
            communityId: cid,
            clauses: Object.entries(texts).map(([cid2, text], i) => ({ id: cid2, number: i + 5, text, textHash: sha(text) })),
          }
        : null,
    );
    const ballots = new BallotsService(new BallotsRepository(redis), {
      meetings,
      auth,
      roster: new RosterService(new RosterRepository(redis)),
      stats,
      consensus,
    });
    const casting = new BallotsCasting(ballots);
    const a = await meetings.access(await auth.findByLogin('admin'), null, meetingId);
    const tenantAccess = await meetings.access(await auth.getUser(tenant.userId), null, meetingId);

    const missing = ballots.create(a, { title: '不存在的条款', ...yesNo, clauseRef: { conventionId: 'conv1', clauseId: 'c99' } });
    await expect(missing).rejects.toMatchObject({ code: 'validation_failed' });
    let b5 = await ballots.create(a, { title: '通过第五条', ...yesNo, clauseRef: { conventionId: 'conv1', clauseId: 'c5' } });
    b5 = await ballots.open(a, b5);
    expect(b5).toMatchObject({ clauseHash: sha(texts.c5!), clauseText: texts.c5 });
    let b6 = await ballots.open(
      a,
      await ballots.create(a, { title: '通过第六条', ...yesNo, clauseRef: { conventionId: 'conv1', clauseId: 'c6' } }),
    );
    expect((await consensus.map('conv1')).map.clauses.map((c) => c.state)).toEqual(['voting', 'voting', 'not_voted']);

    await casting.castOnline(tenantAccess, b5, { choice: 'yes', idempotencyKey: key() });
    await casting.castOnline(tenantAccess, b6, { choice: 'no', idempotencyKey: key() });
    // Read (and cached) before the edit: an edit moves no vote, yet the next read must flag it.
    expect((await ballots.result(b5)).clauseChanged).toBeUndefined();
    texts.c5 = '第五条 遛狗须牵绳，并及时清理。';
    expect((await ballots.result(b5)).clauseChanged).toBe(true);
    const closed5 = await ballots.close(a, b5);
    expect(closed5.result).toMatchObject({ clauseChanged: true, outcome: { passed: true } });
    b6 = (await ballots.close(a, b6)).ballot;
    const map = (await consensus.map('conv1')).map;
    expect(map.clauses.map((c) => [c.clauseId, c.state])).toEqual([
      ['c5', 'changed_since_vote'],
      ['c6', 'failed'],
      ['c7', 'not_voted'],
    ]);
    const item = (await consensus.list(cid)).find((i) => i.ballotId === b5.id)!;
    expect(item).toMatchObject({ clauseId: 'c5', textHash: sha('第五条 遛狗须牵绳。'), clauseChanged: true, text: '第五条 遛狗须牵绳。' });

    const overHttp = (await as(srv, tenant).get('/api/conventions/conv1/consensus-map')).body;
    expect(overHttp.clauses.map((c: { clauseId: string; state: string }) => [c.clauseId, c.state]).sort()).toEqual([
      ['c5', 'changed_since_vote'],
      ['c6', 'failed'],
    ]);
    expect((await outsider.get('/api/conventions/conv1/consensus-map')).status).toBe(404);
  });
});
