/**
 * The demo community as a fresh `npm start` seeds it, on one server: roster and members, the
 * finished meeting with minutes and the scheduled one, and the problems ledger on the dashboard.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, startServer, type TestRedis, type TestServer } from './helpers/processes.ts';
import { Client } from './helpers/http-client.ts';
import { DEMO_DEFAULT_PASSWORD, DEMO_LOGINS } from '../src/members/members.demo.ts';
import { DEMO_DEVELOPER } from '../src/roster/roster.demo.ts';
import { DEMO_PROBLEMS } from '../src/problems/problems.demo.ts';
import { Redis } from 'ioredis';

const chinaDay = (at: number) => new Date(at + 8 * 3600_000).toISOString().slice(0, 10);
const chinaMonth = (at: number) => chinaDay(at).slice(0, 7);
const demoCommunity = async (c: Client): Promise<string> => (await c.get('/api/me')).body.memberships[0].communityId;

describe('the demo community', () => {
  let redis: TestRedis;
  let srv: TestServer;
  let cid: string;

  beforeAll(async () => {
    redis = await startRedis();
    srv = await startServer({ redisUrl: redis.url, env: { LINLI_DEMO: '1', LINLI_DEMO_LOG: '1' } });
  });
  afterAll(async () => {
    await srv?.stop();
    await redis?.stop();
  });

  it('signs in every demo staff account and finds the demo community with 120 households', async () => {
    const logins = [
      DEMO_LOGINS.propertyFirm,
      DEMO_LOGINS.ownersCommittee,
      DEMO_LOGINS.partyBranch,
      DEMO_LOGINS.facilitator,
      DEMO_LOGINS.notable,
      ...DEMO_LOGINS.buildingLeaders,
      DEMO_LOGINS.owner,
      DEMO_LOGINS.resident,
    ];
    const roles = new Set<string>();
    for (const login of logins) {
      const c = new Client(srv.url);
      await c.login(login, DEMO_DEFAULT_PASSWORD);
      const me = (await c.get('/api/me')).body;
      expect(me.memberships).toHaveLength(1);
      cid = me.memberships[0].communityId;
      for (const r of me.memberships[0].roles) roles.add(r);
    }
    expect([...roles].sort()).toEqual([
      'building_leader',
      'facilitator',
      'notable',
      'owner',
      'owners_committee',
      'party_branch',
      'property_firm',
      'resident',
    ]);

    const facilitator = new Client(srv.url);
    await facilitator.login(DEMO_LOGINS.facilitator, DEMO_DEFAULT_PASSWORD);
    const hh = (await facilitator.get(`/api/communities/${cid}/households`)).body.households as any[];
    expect(hh).toHaveLength(120);
    expect(new Set(hh.map((h) => h.building))).toEqual(new Set(['1', '2', '3', '4']));
    const areas = hh.map((h) => h.areaCentiares);
    expect(Math.min(...areas)).toBe(5620);
    expect(Math.max(...areas)).toBe(14380);
    expect(hh.every((h) => Number.isInteger(h.areaCentiares) && h.area === h.areaCentiares / 100)).toBe(true);
    const owners = new Map<string, number>();
    for (const h of hh) owners.set(h.owner, (owners.get(h.owner) ?? 0) + 1);
    expect([...owners.values()].filter((n) => n === 2).length).toBeGreaterThanOrEqual(8);
    expect(owners.get(DEMO_DEVELOPER)).toBe(3);

    const leader = new Client(srv.url);
    await leader.login(DEMO_LOGINS.buildingLeaders[2], DEMO_DEFAULT_PASSWORD);
    const own = (await leader.get(`/api/communities/${cid}/households`)).body.households as any[];
    expect(own).toHaveLength(30);
    expect(own.every((h) => h.building === '3')).toBe(true);
  });

  it('has an open written consultation with about half of the households answered, by phone and on paper', async () => {
    const owner = new Client(srv.url);
    await owner.login(DEMO_LOGINS.owner, DEMO_DEFAULT_PASSWORD);
    const cid2 = await demoCommunity(owner);
    const list = (await owner.get(`/api/communities/${cid2}/consultations`)).body.consultations as any[];
    expect(list).toHaveLength(1);
    expect(list[0].status).toBe('open');
    const view = (await owner.get(`/api/consultations/${list[0].id}`)).body;
    expect(view.progress.households).toEqual({ eligible: 120, responded: 60 });
    expect(view.progress.byChannel.paper).toBeGreaterThan(0);
    expect(view.progress.byChannel.phone).toBeGreaterThan(0);
    expect(view.consultation.questions.map((q: any) => q.kind)).toEqual(['yes_no_abstain', 'yes_no_abstain', 'election']);
    const result = (await owner.get(`/api/consultations/${list[0].id}/result`)).body;
    expect(result.final).toBe(false);
    expect(result.questions[0].turnout.voted).toBe(60);
  });

  it('logs the demo logins and the first invitation codes, which sign a phone in', async () => {
    const log = srv.logs.join('\n');
    expect(log).toContain('Demo accounts');
    expect(log).toContain(DEMO_LOGINS.facilitator);
    const code = /\/i\/([2-9A-HJKMNP-Z]{11})/.exec(log)?.[1];
    expect(code).toBeTruthy();
    const phone = new Client(srv.url);
    const r = await phone.post('/api/auth/invitation', { code });
    expect(r.status).toBe(200);
    expect(r.body.household).toMatchObject({ building: '1', unit: '1', room: '101' });
  });

  it('has one finished meeting with published minutes and one scheduled next week, counted on the dashboard', async () => {
    const owner = new Client(srv.url);
    await owner.login(DEMO_LOGINS.owner, DEMO_DEFAULT_PASSWORD);
    const cid = await demoCommunity(owner);
    const list = (await owner.get(`/api/communities/${cid}/meetings`)).body.meetings as any[];
    expect(list).toHaveLength(2);
    const done = list.find((m) => m.status === 'closed');
    const next = list.find((m) => m.status === 'scheduled');
    expect(Date.parse(next.startsAt) - Date.now()).toBeGreaterThan(5 * 24 * 3600_000);
    expect(Date.parse(next.startsAt) - Date.now()).toBeLessThan(8 * 24 * 3600_000);
    expect((await owner.get(`/api/meetings/${next.id}`)).body.agenda).toHaveLength(3);
    const minutes = (await owner.get(`/api/meetings/${done.id}/minutes`)).body.minutes;
    expect(minutes.publishedAt).toBeGreaterThan(0);
    expect(minutes.markdown).toContain('现场登记 80 户');
    // Written in the meeting's language only: no English half.
    expect(minutes.markdown).not.toMatch(/checked in|Minutes|Attendance/);
    expect(minutes.markdown).toContain('充电桩设在2栋与3栋之间');
    const fac = new Client(srv.url);
    await fac.login(DEMO_LOGINS.facilitator, DEMO_DEFAULT_PASSWORD);
    expect((await fac.get(`/api/meetings/${done.id}/attendance`)).body.attendees).toHaveLength(80);
    const r = new Redis(redis.url);
    const months = await r.smembers(`stats:{${cid}}:months`);
    const sums = { held: 0, people: 0 };
    for (const m of months) {
      const f = await r.hgetall(`stats:{${cid}}:${m}`);
      sums.held += Number(f.meetings_held ?? 0);
      sums.people += Number(f.meeting_participants ?? 0);
    }
    await r.quit();
    expect(sums).toEqual({ held: 1, people: 80 });
  });

  it('agrees with the demo ledger: problems across statuses, some rated, some overdue, counted in the months they happened', async () => {
    const owner = new Client(srv.url);
    await owner.login(DEMO_LOGINS.owner, DEMO_DEFAULT_PASSWORD);
    const cid = await demoCommunity(owner);
    const problems = (await owner.get(`/api/communities/${cid}/problems`)).body.problems as any[];
    expect(problems.length).toBe(DEMO_PROBLEMS.length);
    expect(problems.length).toBeGreaterThanOrEqual(15);
    expect(srv.logs.join('\n')).not.toContain('demo problem not seeded');
    const statuses = new Set(problems.map((x) => x.status));
    expect([...statuses].sort()).toEqual(['accepted', 'in_progress', 'raised', 'rejected', 'resolved']);
    const resolved = problems.filter((x) => x.status === 'resolved');
    const overdue = problems.filter((x) => x.overdue);
    expect(resolved.filter((x) => x.rating).length).toBeGreaterThanOrEqual(3);
    expect(overdue.length).toBeGreaterThanOrEqual(2);
    expect(overdue.every((x) => x.dueDate < chinaDay(Date.now()) && !['resolved', 'rejected'].includes(x.status))).toBe(true);
    expect(problems.some((x) => x.meetingId)).toBe(true);

    const d = (await owner.get(`/api/communities/${cid}/dashboard`)).body;
    expect(d.totals.problemsRaised).toBe(problems.length);
    expect(d.totals.problemsResolved).toBe(resolved.length);
    expect(d.totals.problemsOverdue).toBe(overdue.length);
    expect(d.current).toEqual({
      openProblems: problems.filter((x) => !['resolved', 'rejected'].includes(x.status)).length,
      overdueProblems: overdue.length,
    });
    expect(d.totals.meetingsHeld).toBeGreaterThanOrEqual(1);
    // Month by month: raised when raised, resolved when the history says so.
    for (const m of d.months as { month: string; figures: Record<string, number> }[]) {
      expect(m.figures.problems_raised, m.month).toBe(problems.filter((x) => chinaMonth(x.raisedAt) === m.month).length);
      const resolvedThen = resolved.filter(
        (x) => chinaMonth(x.history.find((h: any) => h.to === 'resolved' && h.from !== 'resolved').at) === m.month,
      );
      expect(m.figures.problems_resolved, m.month).toBe(resolvedThen.length);
    }
    expect(new Set(problems.map((x) => chinaMonth(x.raisedAt))).size).toBeGreaterThanOrEqual(3);
  });
});
