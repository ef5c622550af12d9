/**
 * Paper entry and door to door through the real server and Redis: a consultation with a clause
 * question and a committee election; papers entered twice by two people (counted once, with the
 * receipt), a typo refused with "typo?", the same person twice refused, one mismatch held back
 * (counting nothing, shown in progress) and resolved by a third person, a household that answered
 * by phone refusing its paper with the channel and time, building leaders limited to their
 * building, phones only for roster managers, counted papers in the audit chain.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVerify, type TestServer } from './helpers/processes.ts';
import { startCommunity, type CommunityFixture } from './helpers/community.ts';
import { Client } from './helpers/http-client.ts';
import { People } from './helpers/people.ts';
import { until } from './helpers/wait.ts';

const key = () => `k-${Math.random().toString(36).slice(2)}-${Date.now()}`;

describe('paper entry by double entry, review and doors', () => {
  let srv: TestServer;
  let f: CommunityFixture | undefined;
  let people: People;
  let admin: Client;
  const as = async (cid: string, name: string, roles: Parameters<People['member']>[2], opts = {}) =>
    Object.assign(new Client(srv.url), { cookie: (await people.member(cid, name, roles, opts)).cookie });
  let clerkA: Client, clerkB: Client, reviewer: Client, leader1: Client, owner4: Client;
  let id: string;
  let codes: Record<string, string>;
  let hh: Record<string, string>;
  let election: string;
  let clause: string;

  beforeAll(async () => {
    f = await startCommunity({ name: '录入测试小区' });
    ({ srv, admin, people } = f);
    const cid = f.cid;
    const rows = ['1-1-101', '1-1-102', '2-1-101', '2-1-102'].map((a) => {
      const [building, unit, room] = a.split('-');
      return { building, unit, room, area: '100', owner: `业主${a}`, phone: '13800138000' };
    });
    expect((await admin.post(`/api/communities/${cid}/households`, { households: rows })).status).toBe(200);
    const list = (await admin.get(`/api/communities/${cid}/households`)).body.households as {
      id: string;
      building: string;
      unit: string;
      room: string;
    }[];
    hh = Object.fromEntries(list.map((h) => [`${h.building}-${h.unit}-${h.room}`, h.id]));
    clerkA = await as(cid, '录入员甲', ['owners_committee']);
    clerkB = await as(cid, '录入员乙', ['owners_committee']);
    reviewer = await as(cid, '复核员丙', ['owners_committee']);
    leader1 = await as(cid, '楼栋长一', ['building_leader'], { buildings: ['1'] });
    owner4 = await as(cid, '业主四', ['owner'], { householdIds: [hh['2-1-102']!] });
    const created = await admin.post(`/api/communities/${cid}/consultations`, {
      title: '管理规约第3条及业委会选举',
      notice: '请各户在截止前表决。',
      opensAt: new Date(Date.now() - 60_000).toISOString(),
      closesAt: new Date(Date.now() + 3600_000).toISOString(),
      questions: [
        { title: '采纳第3条', kind: 'yes_no_abstain', rule: 'civil_code_278_ordinary' },
        {
          title: '选举业委会委员',
          kind: 'election',
          rule: 'civil_code_278_ordinary',
          seats: 1,
          options: [
            { id: 'c1', label: '张三' },
            { id: 'c2', label: '李四' },
          ],
        },
      ],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    id = created.body.consultation.id;
    [clause, election] = created.body.consultation.questions.map((q: { id: string }) => q.id);
    await until(
      async () => (await admin.get(`/api/consultations/${id}`)).body.consultation.status === 'open',
      10_000,
      'the consultation to open',
    );
    const doors = (await admin.get(`/api/consultations/${id}/doors`)).body.doors as { householdId: string; paperCode: string }[];
    codes = Object.fromEntries(doors.map((d) => [d.householdId, d.paperCode]));
  });
  afterAll(async () => f?.stop());

  const enter = (c: Client, hid: string, answers: object, paperCode = codes[hid]!) =>
    c.post(`/api/consultations/${id}/paper-entries`, { paperCode, answers, idempotencyKey: key() });
  const progress = async () => (await admin.get(`/api/consultations/${id}`)).body.progress;

  it('counts a paper once two different people entered the same answers, with one receipt', async () => {
    const h = hh['1-1-101']!;
    const answers = { [clause]: 'yes', [election]: { c1: 'yes', c2: 'no' } };
    const first = await enter(clerkA, h, answers);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.entry).toMatchObject({ state: 'awaiting_second', address: '1栋1单元101室' });
    expect((await progress()).papers).toEqual({ awaitingSecond: 1, mismatches: 0 });
    const same = await enter(clerkA, h, answers);
    expect(same.status).toBe(409);
    expect(same.body.error.code).toBe('same_person');
    const second = await enter(clerkB, h, { [election]: { c2: 'no', c1: 'yes' }, [clause]: 'yes' });
    expect(second.body.entry.state).toBe('counted');
    expect(second.body.entry.receipt).toMatch(/^[A-Z0-9]{6,}$/);
    expect(second.body.entry.entries.map((e: { byName: string }) => e.byName)).toEqual(['录入员甲', '录入员乙']);
    const p = await progress();
    expect(p.byChannel.paper).toBe(1);
    expect(p.papers).toEqual({ awaitingSecond: 0, mismatches: 0 });
    const audit = (await admin.get(`/api/consultations/${id}/audit?format=json`)).body.entries as {
      type: string;
      data: { receipt?: string };
    }[];
    expect(audit.some((e) => e.type === 'paper_vote' && e.data.receipt === second.body.entry.receipt)).toBe(true);
  });

  it('calls a mistyped code a typo (400) and never another household', async () => {
    const code = codes[hh['1-1-102']!]!;
    const typo = code.slice(0, 7) + (code[7] === 'B' ? 'C' : 'B') + code[8];
    const r = await enter(clerkA, hh['1-1-102']!, { [clause]: 'no' }, typo);
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/typo\?/);
  });

  it('holds a mismatch back until a third person resolves it from the paper', async () => {
    const h = hh['1-1-102']!;
    await enter(clerkA, h, { [clause]: 'no' });
    const held = await enter(clerkB, h, { [clause]: 'abstain' });
    expect(held.body.entry.state).toBe('mismatch');
    expect((await progress()).papers).toEqual({ awaitingSecond: 0, mismatches: 1 });
    expect((await progress()).byChannel.paper).toBe(1);
    const list = await reviewer.get(`/api/consultations/${id}/paper-entries?state=mismatch`);
    expect(list.body.entries.map((e: { householdId: string }) => e.householdId)).toEqual([h]);
    const byEntrant = await clerkA.post(`/api/consultations/${id}/paper-entries/${codes[h]}/resolve`, { answers: { [clause]: 'no' } });
    expect(byEntrant.status).toBe(403);
    const resolved = await reviewer.post(`/api/consultations/${id}/paper-entries/${codes[h]}/resolve`, {
      answers: { [clause]: 'no' },
      note: '原件勾选“反对”',
    });
    expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);
    expect(resolved.body.entry.state).toBe('counted');
    const p = await progress();
    expect(p.byChannel.paper).toBe(2);
    expect(p.papers).toEqual({ awaitingSecond: 0, mismatches: 0 });
    // The chain holds the held paper (which question differed), the resolution (who, why) and then the counted paper.
    const audit = (await admin.get(`/api/consultations/${id}/audit?format=json`)).body.entries as {
      type: string;
      data: Record<string, unknown>;
    }[];
    const mine = audit.filter((e) => e.data.householdId === h).map((e) => [e.type, e.data.questions ?? e.data.note ?? e.data.channel]);
    expect(mine).toEqual([
      ['paper_held', [clause]],
      ['paper_resolved', '原件勾选“反对”'],
      ['paper_vote', 'paper'],
    ]);
  });

  it('refuses the paper of a household that already answered by phone, naming the channel', async () => {
    const h = hh['2-1-102']!;
    expect((await owner4.post(`/api/consultations/${id}/responses`, { answers: { [clause]: 'yes' }, idempotencyKey: key() })).status).toBe(
      201,
    );
    await enter(clerkA, h, { [clause]: 'no' });
    const r = await enter(clerkB, h, { [clause]: 'no' });
    expect(r.body.entry.state).toBe('refused');
    expect(r.body.entry.reason).toMatch(/phone/);
    expect(r.body.entry.reason).toMatch(/手机/);
    const p = await progress();
    expect(p.byChannel).toMatchObject({ phone: 1, paper: 2 });
    const audit = (await admin.get(`/api/consultations/${id}/audit?format=json`)).body.entries as {
      type: string;
      data: Record<string, unknown>;
    }[];
    expect(audit.filter((e) => e.data.householdId === h).map((e) => [e.type, e.data.channel ?? e.data.code])).toEqual([
      ['vote', 'phone'],
      ['paper_refused', 'already_answered'],
    ]);
  });

  it('keeps building leaders to their building and phones to roster managers', async () => {
    expect((await enter(leader1, hh['2-1-101']!, { [clause]: 'yes' })).status).toBe(403);
    expect((await leader1.get(`/api/consultations/${id}/doors?building=2`)).status).toBe(403);
    const mine = await leader1.get(`/api/consultations/${id}/doors?building=1`);
    expect(mine.body.doors.map((d: { address: string; responded: boolean; phone?: string }) => [d.address, d.responded, d.phone])).toEqual([
      ['1栋1单元101室', true, undefined],
      ['1栋1单元102室', true, undefined],
    ]);
    expect((await admin.get(`/api/consultations/${id}/doors?building=2`)).body.doors[0].phone).toBe('13800138000');
    const marked = await leader1.post(`/api/consultations/${id}/doors/${hh['1-1-102']}`, { collected: true });
    expect(marked.body.door).toMatchObject({ handedOut: true, collected: true });
    expect((await leader1.post(`/api/consultations/${id}/doors/${hh['2-1-101']}`, { handedOut: true })).status).toBe(403);
  });

  it('leaves a chain `npm run verify` accepts, with the entry records among the votes', async () => {
    const ok = await runVerify([`${srv.url}/api/consultations/${id}/audit`, '--cookie', admin.cookie]);
    expect(ok.code, ok.out).toBe(0);
  }, 60_000);
});
