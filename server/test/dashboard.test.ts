/**
 * The community dashboard against a real server and Redis: the figures equal what the test did
 * (problems raised / resolved / overdue, a meeting held with hall check-ins), months zero-filled
 * in China time, other communities' figures apart, outsiders refused; and the demo community's
 * dashboard agrees with its own ledger.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from './helpers/processes.ts';
import { startCommunity, type CommunityFixture } from './helpers/community.ts';
import { Client, addMember } from './helpers/http-client.ts';

const chinaDay = (at: number) => new Date(at + 8 * 3600_000).toISOString().slice(0, 10);
const chinaMonth = (at: number) => chinaDay(at).slice(0, 7);

describe('dashboard', () => {
  let srv: TestServer;
  let f: CommunityFixture | undefined;
  let admin: Client;
  let cid: string;
  let otherCid: string;
  const p = {} as Record<'res' | 'firm' | 'outsider', Client>;

  const member = (community: string, login: string, roles: string[]) => addMember(admin, srv.url, community, login, roles);

  beforeAll(async () => {
    f = await startCommunity({ name: '看板测试小区' });
    ({ srv, admin, cid } = f);
    otherCid = await f.community('看板隔壁小区');
    p.res = await member(cid, 'dres', ['resident']);
    p.firm = await member(cid, 'dfirm', ['property_firm']);
    p.outsider = await member(otherCid, 'dout', ['owner', 'property_firm']);
  });
  afterAll(async () => f?.stop());

  it('starts at zero: twelve empty months ending with this month (China time)', async () => {
    const r = await p.res.get(`/api/communities/${cid}/dashboard`);
    expect(r.status).toBe(200);
    expect(r.body.totals).toEqual({
      meetingsHeld: 0,
      participants: 0,
      problemsRaised: 0,
      problemsResolved: 0,
      problemsOverdue: 0,
      consensusItems: 0,
      ballotsClosed: 0,
      turnoutPercent: { num: 0, den: 0 },
      projectsFunded: 0,
      projectsDone: 0,
    });
    expect(r.body.months).toHaveLength(12);
    expect(r.body.months.at(-1).month).toBe(chinaMonth(Date.now()));
    expect(r.body.months.every((m: any) => Object.values(m.figures).every((v) => v === 0))).toBe(true);
    expect(r.body.current).toEqual({ openProblems: 0, overdueProblems: 0 });
  });

  it('shows exactly the problems and the meeting this test made', async () => {
    // Four problems: two resolved, one accepted and past due, one just raised.
    const ids: string[] = [];
    for (const title of ['3号楼电梯异响', '地下车库积水', '快递柜占用消防通道', '广场舞噪音']) {
      const r = await p.res.post(`/api/communities/${cid}/problems`, { title });
      expect(r.status).toBe(201);
      ids.push(r.body.problem.id);
    }
    for (const id of ids.slice(0, 2)) {
      for (const body of [{ status: 'accepted', responsible: 'property_firm' }, { status: 'in_progress' }, { status: 'resolved' }]) {
        expect((await p.firm.patch(`/api/problems/${id}`, body)).status).toBe(200);
      }
    }
    const yesterday = chinaDay(Date.now() - 86400_000);
    expect(
      (await p.firm.patch(`/api/problems/${ids[2]}`, { status: 'accepted', responsible: 'owners_committee', dueDate: yesterday })).status,
    ).toBe(200);
    // A repeated resolve (double click) changes nothing and is not counted twice; going back is refused.
    expect((await p.firm.patch(`/api/problems/${ids[0]}`, { status: 'resolved' })).status).toBe(200);
    expect((await p.firm.patch(`/api/problems/${ids[0]}`, { status: 'in_progress' })).status).toBe(409);

    // One meeting held in the hall: two households checked in, then closed.
    const hh = await admin.post(`/api/communities/${cid}/households`, {
      households: [
        { building: '1', unit: '1', room: '101', area: '90.5', owner: '甲' },
        { building: '1', unit: '1', room: '102', area: '80', owner: '乙' },
        { building: '1', unit: '1', room: '201', area: '75', owner: '丙' },
      ],
    });
    expect(hh.status, JSON.stringify(hh.body)).toBe(200);
    const households = (await admin.get(`/api/communities/${cid}/households`)).body.households as any[];
    const meeting = (await admin.post(`/api/communities/${cid}/meetings`, { title: '看板议事会', mode: 'hall' })).body.meeting;
    expect((await admin.patch(`/api/meetings/${meeting.id}`, { status: 'open' })).status).toBe(200);
    for (const h of households.slice(0, 2))
      expect((await admin.post(`/api/meetings/${meeting.id}/check-in`, { householdId: h.id })).status).toBe(200);
    expect((await admin.patch(`/api/meetings/${meeting.id}`, { status: 'in_progress' })).status).toBe(200);
    expect((await admin.patch(`/api/meetings/${meeting.id}`, { status: 'closed' })).status).toBe(200);

    const r = await p.res.get(`/api/communities/${cid}/dashboard`);
    expect(r.status).toBe(200);
    expect(r.body.totals).toEqual({
      meetingsHeld: 1,
      participants: 2,
      problemsRaised: 4,
      problemsResolved: 2,
      problemsOverdue: 1,
      consensusItems: 0,
      ballotsClosed: 0,
      turnoutPercent: { num: 0, den: 0 },
      projectsFunded: 0,
      projectsDone: 0,
    });
    expect(r.body.current).toEqual({ openProblems: 2, overdueProblems: 1 });
    const months = r.body.months as { month: string; figures: Record<string, number> }[];
    expect(months).toHaveLength(12);
    const now = months.at(-1)!;
    expect(now.month).toBe(chinaMonth(Date.now()));
    expect(now.figures).toMatchObject({
      meetings_held: 1,
      meeting_participants: 2,
      problems_raised: 4,
      problems_resolved: 2,
      consensus_items: 0,
      ballots_closed: 0,
    });
    expect(months.slice(0, -1).every((m) => Object.values(m.figures).every((v) => v === 0))).toBe(true);

    // Resolving the overdue one moves the live figures, and the month's resolved count.
    await p.firm.patch(`/api/problems/${ids[2]}`, { status: 'in_progress' });
    await p.firm.patch(`/api/problems/${ids[2]}`, { status: 'resolved' });
    const after = (await p.res.get(`/api/communities/${cid}/dashboard`)).body;
    expect(after.totals.problemsResolved).toBe(3);
    expect(after.totals.problemsOverdue).toBe(0);
    expect(after.current).toEqual({ openProblems: 1, overdueProblems: 0 });

    // The community next door saw none of it.
    const other = (await p.outsider.get(`/api/communities/${otherCid}/dashboard`)).body;
    expect(other.totals.problemsRaised).toBe(0);
    expect(other.totals.meetingsHeld).toBe(0);
  });

  it('is for members only: outsiders get 404, strangers 401, unknown communities 404', async () => {
    const r = await p.outsider.get(`/api/communities/${cid}/dashboard`);
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('not_found');
    expect((await new Client(srv.url).get(`/api/communities/${cid}/dashboard`)).status).toBe(401);
    expect((await admin.get(`/api/communities/no-such-community/dashboard`)).status).toBe(404);
    expect((await admin.get(`/api/communities/${cid}/dashboard`)).status).toBe(200);
  });
});
