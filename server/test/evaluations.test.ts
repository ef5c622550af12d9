/**
 * Evaluation rounds (评议) through the real server and Redis: exact means and distributions from
 * known scores, by role; one answer per household whatever the channel (the same key returns the
 * same receipt, another member of a counted household gets 409 household_answered); printed
 * questionnaires by address; results hidden until close with live turnout; the subject's reply
 * only from its own role; the trend against the previous round; opensAt / closesAt honoured; the
 * audit chain; permissions and bad input with clear errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from './helpers/processes.ts';
import { startCommunity, type CommunityFixture } from './helpers/community.ts';
import { Client } from './helpers/http-client.ts';
import type { People, Person } from './helpers/people.ts';
import { until } from './helpers/wait.ts';

const as = (srv: TestServer, p: Person) => Object.assign(new Client(srv.url), { cookie: p.cookie });
const key = () => `k-${Math.random().toString(36).slice(2)}-${Date.now()}`;

describe('evaluations', () => {
  let srv: TestServer;
  let f: CommunityFixture | undefined;
  let admin: Client;
  let people: People;
  let cid: string;
  let hh: string[];
  const c: Record<string, Client> = {};
  let outsider: Client;
  let firstRoundId = '';

  beforeAll(async () => {
    f = await startCommunity({ name: '评议测试小区', households: 6 });
    ({ srv, admin, people, cid, hh } = f);
    const m = async (name: string, roles: Parameters<People['member']>[2], householdIds: string[] = []) =>
      as(srv, await people.member(cid, name, roles, { householdIds }));
    c.o1 = await m('业主一', ['owner'], [hh[0]!]);
    c.o2 = await m('业主二', ['owner'], [hh[1]!]);
    c.o3 = await m('业主三', ['owner'], [hh[2]!]);
    c.o5 = await m('业主五', ['owner'], [hh[4]!]);
    c.r5 = await m('五号家属', ['resident'], [hh[4]!]);
    c.o6 = await m('贤达六', ['notable', 'owner'], [hh[5]!]);
    c.tenant = await m('无房租户', ['resident']);
    c.firm = await m('物业经理', ['property_firm']);
    c.committee = await m('业委会主任', ['owners_committee']);
    c.branch = await m('党支部书记', ['party_branch']);
    outsider = as(srv, await people.member((await admin.post('/api/communities', { name: '别处' })).body.community.id, '外人', ['owner']));
  }, 120_000);
  afterAll(async () => f?.stop());

  const round = (over: Record<string, unknown> = {}) => ({
    title: '2026年物业评议',
    subject: { kind: 'property_firm' },
    criteria: [{ title: '安保' }, { title: '保洁' }],
    electorate: { kind: 'households' },
    ...over,
  });
  const answer = (who: Client, id: string, scores: Record<string, number>, k = key(), extra: Record<string, unknown> = {}) =>
    who.post(`/api/evaluations/${id}/responses`, { scores, idempotencyKey: k, ...extra });

  it('refuses bad input with clear errors and keeps others out', async () => {
    const url = `/api/communities/${cid}/evaluations`;
    expect((await c.o1!.post(url, round())).status).toBe(403);
    expect((await c.firm!.post(url, round())).status).toBe(403);
    expect((await outsider.post(url, round())).status).toBe(404);
    expect((await outsider.get(url)).status).toBe(404);
    const noCriteria = await c.branch!.post(url, round({ criteria: [] }));
    expect(noCriteria.status).toBe(400);
    expect(noCriteria.body.error.code).toBe('validation_failed');
    expect(JSON.stringify(noCriteria.body.error.issues)).toContain('criteria');
    expect((await c.branch!.post(url, round({ subject: { kind: 'named_service' } }))).status).toBe(400);
    expect((await c.branch!.post(url, round({ electorate: { kind: 'everyone' } }))).status).toBe(400);
    expect((await c.branch!.post(url, round({ opensAt: '2030-01-02T00:00:00+08:00', closesAt: '2030-01-01T00:00:00+08:00' }))).status).toBe(
      400,
    );
    expect((await c.branch!.post(url, round({ closesAt: '2020-01-01T00:00:00+08:00' }))).status).toBe(400);
  });

  it('counts one answer per household on any channel, hides figures until close, and gives exact means by role', async () => {
    const created = await c.branch!.post(`/api/communities/${cid}/evaluations`, round());
    expect(created.status).toBe(201);
    const ev = created.body.evaluation;
    expect(ev).toMatchObject({
      status: 'draft',
      criteria: [
        { id: 'c1', title: '安保' },
        { id: 'c2', title: '保洁' },
      ],
    });
    expect(typeof ev.id).toBe('string');
    firstRoundId = ev.id;
    expect((await answer(c.o1!, ev.id, { c1: 5, c2: 3 })).body.error.code).toBe('not_open');
    expect((await c.o1!.post(`/api/evaluations/${ev.id}/open`)).status).toBe(403);
    expect((await c.branch!.post(`/api/evaluations/${ev.id}/open`)).body.evaluation.status).toBe('open');
    expect((await c.branch!.post(`/api/evaluations/${ev.id}/open`)).status).toBe(409);

    // Bad answers: a criterion missing, a score out of range, a comment too long.
    const missing = await answer(c.o1!, ev.id, { c1: 5 });
    expect(missing.status).toBe(400);
    expect(missing.body.error.issues[0].path).toBe('scores.c2');
    expect((await answer(c.o1!, ev.id, { c1: 6, c2: 3 })).status).toBe(400);
    expect((await answer(c.o1!, ev.id, { c1: 5, c2: 3 }, key(), { comment: '长'.repeat(501) })).status).toBe(400);
    // Who may not answer: the subject itself, a member without a household, an outsider.
    expect((await answer(c.firm!, ev.id, { c1: 5, c2: 5 })).body.error.code).toBe('subject_cannot_answer');
    const tenant = await answer(c.tenant!, ev.id, { c1: 1, c2: 1 });
    expect([tenant.status, tenant.body.error.code]).toEqual([403, 'no_household']);
    expect((await answer(outsider, ev.id, { c1: 1, c2: 1 })).status).toBe(404);

    const k1 = key();
    const first = await answer(c.o1!, ev.id, { c1: 5, c2: 3 }, k1, { comment: '保安很负责。' });
    expect(first.status).toBe(201);
    expect(first.body.receipt).toMatch(/^[A-Z2-9]{8}$/);
    const again = await answer(c.o1!, ev.id, { c1: 1, c2: 1 }, k1);
    expect([again.status, again.body.receipt, again.body.repeated]).toEqual([200, first.body.receipt, true]);
    expect((await answer(c.o1!, ev.id, { c1: 1, c2: 1 })).body.error.code).toBe('household_answered');
    expect((await c.o1!.get(`/api/evaluations/${ev.id}`)).body.mine).toEqual({
      answered: true,
      household: true,
      channel: 'phone',
      receipt: first.body.receipt,
    });
    expect((await answer(c.o2!, ev.id, { c1: 4, c2: 3 })).status).toBe(201);
    expect((await answer(c.o3!, ev.id, { c1: 4, c2: 1 })).status).toBe(201);
    expect((await answer(c.o6!, ev.id, { c1: 2, c2: 5 })).status).toBe(201);
    // Household 105: the family member answers first; the owner is told the household has answered.
    expect((await answer(c.r5!, ev.id, { c1: 1, c2: 2 })).status).toBe(201);
    const owner5 = await answer(c.o5!, ev.id, { c1: 5, c2: 5 });
    expect([owner5.status, owner5.body.error.code]).toEqual([409, 'household_answered']);
    // The owner sees the household has answered, not the family member's receipt.
    expect((await c.o5!.get(`/api/evaluations/${ev.id}`)).body.mine).toEqual({ answered: true, household: true, channel: 'phone' });

    // Printed questionnaires: by address; a household that answered by phone is refused; an unknown address is 404.
    const paper = (body: Record<string, unknown>, who = c.branch!) =>
      who.post(`/api/evaluations/${ev.id}/paper`, { idempotencyKey: key(), ...body });
    expect((await paper({ address: { building: '1', unit: '1', room: '104' }, scores: { c1: 3, c2: 4 } }, c.o1!)).status).toBe(403);
    const p104 = await paper({ address: { building: '1', unit: '1', room: '104' }, scores: { c1: 3, c2: 4 } });
    expect([p104.status, p104.body.channel, p104.body.householdId]).toEqual([201, 'paper', hh[3]]);
    const p101 = await paper({ address: { building: '1', unit: '1', room: '101' }, scores: { c1: 1, c2: 1 } });
    expect([p101.status, p101.body.error.code]).toEqual([409, 'household_answered']);
    expect((await paper({ address: { building: '9', unit: '1', room: '101' }, scores: { c1: 1, c2: 1 } })).body.error.code).toBe(
      'unknown_household',
    );
    expect((await paper({ householdId: hh[5], address: { building: '1', unit: '1', room: '106' }, scores: { c1: 1, c2: 1 } })).status).toBe(
      400,
    );

    // While open: turnout only, per-criterion figures hidden (no bandwagon).
    const live = (await c.o2!.get(`/api/evaluations/${ev.id}/result`)).body;
    expect(live).toMatchObject({ responses: 6, eligible: 6, hidden: true });
    expect(live.criteria.map((x: { mean: unknown; distribution: unknown }) => [x.mean, x.distribution])).toEqual([
      [null, null],
      [null, null],
    ]);
    expect(live.byRole).toBeUndefined();
    // The reply comes after the round closes.
    expect((await c.firm!.post(`/api/evaluations/${ev.id}/reply`, { text: '谢谢' })).body.error.code).toBe('not_closed');

    expect((await c.o1!.post(`/api/evaluations/${ev.id}/close`)).status).toBe(403);
    expect((await c.branch!.post(`/api/evaluations/${ev.id}/close`)).body.evaluation.status).toBe('closed');
    expect((await answer(c.o5!, ev.id, { c1: 5, c2: 5 })).body.error.code).toBe('closed');

    // c1: 5,4,4,2,1,3 = 19/6 = 3.1666… → "3.17";  c2: 3,3,1,5,2,4 = 18/6 → "3.00".
    const result = (await c.o2!.get(`/api/evaluations/${ev.id}/result`)).body;
    expect(result.responses).toBe(6);
    expect(result.hidden).toBe(false);
    expect(result.criteria).toEqual([
      { id: 'c1', title: '安保', mean: '3.17', distribution: [1, 1, 1, 2, 1] },
      { id: 'c2', title: '保洁', mean: '3.00', distribution: [1, 1, 2, 1, 1] },
    ]);
    // By role: residents o1, o2, o3, o6, r5 (c1 16/5); notables o6 alone (a notable who owns counts in both); paper 104.
    const g = Object.fromEntries(
      result.byRole.map((x: { group: string; responses: number; criteria: { mean: string }[] }) => [
        x.group,
        [x.responses, x.criteria[0]!.mean, x.criteria[1]!.mean],
      ]),
    );
    expect(g).toEqual({ residents: [5, '3.20', '2.80'], notables: [1, '2.00', '5.00'], paper: [1, '3.00', '4.00'] });
    expect(result.comments).toEqual(['保安很负责。']);
    expect(result.previous).toBeUndefined();

    // The reply: only the property firm for a firm round; the committee and residents are refused.
    expect((await c.committee!.post(`/api/evaluations/${ev.id}/reply`, { text: '我们来回复' })).body.error.code).toBe('not_the_subject');
    expect((await c.o1!.post(`/api/evaluations/${ev.id}/reply`, { text: '我来回复' })).status).toBe(403);
    expect((await c.firm!.post(`/api/evaluations/${ev.id}/reply`, { text: '' })).status).toBe(400);
    expect((await c.firm!.post(`/api/evaluations/${ev.id}/reply`, { text: '感谢评议，维修响应将改进。' })).status).toBe(200);
    expect((await c.o1!.get(`/api/evaluations/${ev.id}/result`)).body.reply).toMatchObject({
      text: '感谢评议，维修响应将改进。',
      by: '物业经理',
    });

    // The audit chain: every step, linked hash to hash; answers carry receipts, not people.
    const audit = (await c.o1!.get(`/api/evaluations/${ev.id}/audit`)).body.entries as {
      seq: number;
      type: string;
      prevHash: string;
      hash: string;
      data: Record<string, unknown>;
    }[];
    const types = audit.map((e) => e.type);
    expect(types.filter((t) => t === 'response').length).toBe(5);
    expect(types.filter((t) => t === 'paper_response').length).toBe(1);
    expect(types.slice(0, 2)).toEqual(['created', 'opened']);
    expect(types.slice(-3)).toEqual(['closed', 'result', 'reply']);
    for (let i = 1; i < audit.length; i++) expect(audit[i]!.prevHash).toBe(audit[i - 1]!.hash);
    expect(JSON.stringify(audit)).not.toContain(hh[0]!);
    expect(audit.find((e) => e.type === 'result')!.data).toMatchObject({ responses: 6 });
    const list = (await c.o1!.get(`/api/communities/${cid}/evaluations`)).body.evaluations;
    expect(list.find((x: { id: string }) => x.id === ev.id)).toMatchObject({ status: 'closed', responses: 6 });
  });

  it('counts every member in a members round and shows the trend against the previous round', async () => {
    const ev = (
      await c.branch!.post(
        `/api/communities/${cid}/evaluations`,
        round({ title: '2027年物业评议', criteria: [{ title: '安保' }, { title: '绿化' }], electorate: { kind: 'members' } }),
      )
    ).body.evaluation;
    await c.branch!.post(`/api/evaluations/${ev.id}/open`);
    // Two members of household 105 each count in a members round; the tenant without a household too.
    for (const [who, s] of [
      ['o5', 4],
      ['r5', 5],
      ['tenant', 5],
      ['o6', 4],
    ] as const)
      expect((await answer(c[who]!, ev.id, { c1: s, c2: 3 })).status).toBe(201);
    expect((await answer(c.o6!, ev.id, { c1: 1, c2: 1 })).body.error.code).toBe('already_answered');
    // A printed questionnaire in a members round counts once per household, beside its members' phones.
    const paper = () =>
      c.branch!.post(`/api/evaluations/${ev.id}/paper`, { householdId: hh[2], scores: { c1: 5, c2: 3 }, idempotencyKey: key() });
    expect((await paper()).status).toBe(201);
    expect((await paper()).body.error.code).toBe('household_answered');
    // Eligible: the 9 members made here and the admin who created the community; not the firm (the subject).
    expect((await c.o1!.get(`/api/evaluations/${ev.id}/result`)).body).toMatchObject({ responses: 5, eligible: 10, hidden: true });
    await c.branch!.post(`/api/evaluations/${ev.id}/close`);
    const r = (await c.o1!.get(`/api/evaluations/${ev.id}/result`)).body;
    expect(r.criteria[0]).toMatchObject({ mean: '4.60', distribution: [0, 0, 0, 2, 3] }); // 4 5 5 4 + paper 5 = 23/5
    expect(r.previous.evaluationId).toBe(firstRoundId);
    // 安保 4.60 against 3.17 → +1.43; 绿化 was not a criterion last time.
    expect(r.previous.criteria).toEqual([
      { id: 'c1', title: '安保', mean: '4.60', previousMean: '3.17', delta: '+1.43' },
      { id: 'c2', title: '绿化', mean: '3.00', previousMean: null, delta: null },
    ]);
  });

  it('opens at opensAt and closes at closesAt by itself; a named service takes its reply from an admin', async () => {
    const now = Date.now();
    const ev = (
      await c.branch!.post(
        `/api/communities/${cid}/evaluations`,
        round({
          title: '电梯维保评议',
          subject: { kind: 'named_service', name: '电梯维保公司' },
          criteria: [{ title: '响应' }],
          // Opens 2 s out: on a loaded machine the create itself can take longer than a few hundred ms.
          opensAt: new Date(now + 2000).toISOString(),
          closesAt: new Date(now + 4000).toISOString(),
        }),
      )
    ).body.evaluation;
    expect(ev.status).toBe('draft');
    await until(async () => (await c.o1!.get(`/api/evaluations/${ev.id}`)).body.evaluation.status === 'open', 5000, 'the round to open');
    expect((await answer(c.o1!, ev.id, { c1: 4 })).status).toBe(201);
    await until(async () => (await c.o1!.get(`/api/evaluations/${ev.id}`)).body.evaluation.status === 'closed', 8000, 'the round to close');
    expect((await answer(c.o2!, ev.id, { c1: 4 })).body.error.code).toBe('closed');
    expect((await c.o1!.get(`/api/evaluations/${ev.id}/result`)).body.criteria[0]).toMatchObject({
      mean: '4.00',
      distribution: [0, 0, 0, 1, 0],
    });
    expect((await c.firm!.post(`/api/evaluations/${ev.id}/reply`, { text: '收到' })).body.error.code).toBe('not_the_subject');
    expect((await admin.post(`/api/evaluations/${ev.id}/reply`, { text: '维保公司回复：已整改。' })).status).toBe(200);
  });
});
