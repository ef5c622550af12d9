/**
 * Micro-project budgets (民生微实事) and the three lists through the real server and Redis: the most
 * supported project that no longer fits is skipped for the next that fits; a tie is broken by cost;
 * one household answers once (same key → same receipt, another member → 409 household_answered);
 * over budget → 400 with the figures; proposals wait for a manager; a funded project goes to done
 * and is rated once; the dashboard counts them; the audit chain verifies; the three lists link.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '@linli/shared';
import { runVerify, tmpDir } from './helpers/processes.ts';
import { Client } from './helpers/http-client.ts';
import { roomRows, startCommunity, type CommunityFixture } from './helpers/community.ts';

const key = () => `k-${Math.random().toString(36).slice(2)}-${Date.now()}`;
const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/** `npm run verify` on a file, as anyone checking a published log would. */
describe('micro-project budgets', () => {
  let cid: string;
  let hh: string[];
  let branch: Client;
  let owners: Client[];
  let spouse: Client; // a second member of household 0
  let tenant: Client; // a resident without a household
  let outsider: Client;

  let f: CommunityFixture | undefined;

  beforeAll(async () => {
    f = await startCommunity({ name: '微实事测试小区', households: roomRows(8, '90') });
    ({ cid, hh } = f);
    branch = f.as(await f.member('王书记', ['party_branch']));
    owners = [];
    for (let i = 0; i < 8; i++) owners.push(f.as(await f.member(`业主${i + 1}`, ['owner'], { householdIds: [hh[i]!] })));
    spouse = f.as(await f.member('业主1家属', ['resident'], { householdIds: [hh[0]!] }));
    tenant = f.as(await f.member('租户', ['resident']));
    outsider = f.as(await f.member('外人', ['owner', 'party_branch'], { communityId: await f.community('别的小区') }));
  }, 120_000);
  afterAll(async () => f?.stop());

  async function budget(amountFen: number, electorate: 'households' | 'members' = 'households') {
    const r = await branch.post(`/api/communities/${cid}/budgets`, {
      title: '年度民生微实事',
      amountFen,
      electorate: { kind: electorate },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.budget).toMatchObject({ status: 'draft', amountFen });
    return r.body.budget.id as string;
  }
  async function project(bid: string, title: string, costFen: number, by = branch, extra: object = {}) {
    const r = await by.post(`/api/budgets/${bid}/projects`, { title, description: `${title}说明`, costFen, ...extra });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.project.id as string;
  }
  const vote = (c: Client, bid: string, projectIds: string[], idempotencyKey = key()) =>
    c.post(`/api/budgets/${bid}/votes`, { projectIds, idempotencyKey });

  it('skips the most supported project that no longer fits, takes the next that fits, and breaks a tie by cost', async () => {
    const bid = await budget(100_000_00);
    const a = await project(bid, '儿童游乐区翻新', 60_000_00);
    const b = await project(bid, '单元门禁更换', 50_000_00);
    const c = await project(bid, '公共座椅', 30_000_00);
    const d = await project(bid, '楼道灯', 10_000_00); // ties with e on votes, cheaper
    const e = await project(bid, '遮雨棚', 12_000_00);
    expect((await branch.post(`/api/budgets/${bid}/open`)).body.budget.status).toBe('open');
    // Votes: a 5, b 3, and c, d, e 2 each (every choice fits the budget).
    const choices = [[a, c, d], [a, c], [a, e], [a], [a], [b], [b], [b, e, d]];
    for (const [i, ch] of choices.entries()) expect((await vote(owners[i]!, bid, ch)).status).toBe(200);
    const closed = await branch.post(`/api/budgets/${bid}/close`);
    expect(closed.body.budget.status).toBe('closed');
    const r = await owners[0]!.get(`/api/budgets/${bid}/result`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const byId = Object.fromEntries((r.body.projects as any[]).map((p) => [p.id, p]));
    expect([byId[a].votes, byId[b].votes, byId[c].votes, byId[d].votes, byId[e].votes]).toEqual([5, 3, 2, 2, 2]);
    // c, d, e tie on 2 votes: the lower cost first (d 10k, e 12k, c 30k), though c was proposed first.
    expect(r.body.projects.map((p: any) => p.id)).toEqual([a, b, d, e, c]);
    // a (60k) funded → 40k left; b (50k, second most supported) no longer fits → skipped for the
    // next that fits: d (10k) → 30k left, e (12k) → 18k left; c (30k) no longer fits.
    expect(r.body.projects.map((p: any) => [p.funded, p.reason])).toEqual([
      [true, 'funded'],
      [false, 'skipped_no_longer_fits'],
      [true, 'funded'],
      [true, 'funded'],
      [false, 'skipped_no_longer_fits'],
    ]);
    expect(r.body.spentFen).toBe(82_000_00);
    expect(r.body.remainingFen).toBe(18_000_00);
    expect(r.body.rule.zh).toContain('跳过');
    expect(r.body.final).toBe(true);
    expect(r.body.chainHead).toMatch(/^\d+:[0-9a-f]{64}$/);
    // Funded projects are now selected; the others stay accepted.
    const view = (await owners[0]!.get(`/api/budgets/${bid}`)).body;
    expect(Object.fromEntries(view.projects.map((p: any) => [p.id, p.status]))).toEqual({
      [a]: 'selected',
      [b]: 'accepted',
      [c]: 'accepted',
      [d]: 'selected',
      [e]: 'selected',
    });
    // The audit chain verifies and holds every choice.
    const log = (await owners[0]!.get(`/api/budgets/${bid}/audit`)).body.entries;
    expect(verifyChain(log, sha256)).toMatchObject({ ok: true });
    expect(log.filter((x: any) => x.type === 'vote')).toHaveLength(8);
    expect(log.map((x: any) => x.type)).toContain('result');
    // `npm run verify` recounts the result from the choices in the log and checks the published head.
    const dir = tmpDir('linli-budget-');
    const file = path.join(dir, 'audit.json');
    fs.writeFileSync(file, JSON.stringify({ entries: log }));
    const head = `${r.body.head.hash}:${r.body.head.length}`;
    const ok = await runVerify([file, '--head', head]);
    expect(ok.out).toContain('equals the recount');
    expect(ok.code, ok.out).toBe(0);
    // One choice changed (b instead of a) and the chain re-hashed from there: the head no longer matches.
    const i = log.findIndex((x: any) => x.type === 'vote');
    const forged = log.map((x: any, j: number) => (j === i ? { ...x, data: { ...x.data, projectIds: [b] } } : x));
    fs.writeFileSync(file, JSON.stringify({ entries: forged }));
    const bad = await runVerify([file, '--head', head]);
    expect(bad.code, bad.out).toBe(1);
  }, 60_000);

  it('counts a household once: same key → same receipt; another member of the household → 409 household_answered', async () => {
    const bid = await budget(1_000_00);
    const p = await project(bid, '花坛补种', 800_00);
    const q = await project(bid, '信箱维修', 300_00);
    await branch.post(`/api/budgets/${bid}/open`);
    const k = key();
    const first = await vote(owners[0]!, bid, [p], k);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.receipt).toMatch(/^[A-Z2-9]{8}$/);
    const again = await vote(owners[0]!, bid, [p], k);
    expect(again.body).toMatchObject({ receipt: first.body.receipt, repeated: true });
    const other = await vote(spouse, bid, [q]);
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('household_answered');
    const later = await vote(owners[0]!, bid, [q]);
    expect(later.body.error.code).toBe('household_answered');
    // No household: refused on the phone (paper instead).
    expect((await vote(tenant, bid, [q])).status).toBe(403);
    // Paper choice for household 2, entered twice by staff: counted once.
    const paper = { householdId: hh[1], projectIds: [q], idempotencyKey: key() };
    const r1 = await branch.post(`/api/budgets/${bid}/paper`, paper);
    const r2 = await branch.post(`/api/budgets/${bid}/paper`, paper);
    expect(r1.status, JSON.stringify(r1.body)).toBe(200);
    expect(r2.body.receipt).toBe(r1.body.receipt);
    expect((await vote(owners[1]!, bid, [p])).body.error.code).toBe('household_answered');
    // Running count: managers only while open.
    expect((await owners[0]!.get(`/api/budgets/${bid}/result`)).status).toBe(409);
    const live = (await branch.get(`/api/budgets/${bid}/result`)).body;
    expect(live).toMatchObject({ final: false, choices: 2 });
    expect(Object.fromEntries(live.projects.map((x: any) => [x.id, x.votes]))).toEqual({ [p]: 1, [q]: 1 });
    expect((await owners[0]!.get(`/api/budgets/${bid}`)).body.mine).toMatchObject({ receipt: first.body.receipt, projectIds: [p] });
  });

  it('refuses a choice over budget with the figures, duplicates, unaccepted projects, and outsiders', async () => {
    const bid = await budget(1_000_00, 'members');
    const p = await project(bid, '活动室空调', 800_00);
    const q = await project(bid, '信箱维修', 300_00);
    const pending = await project(bid, '居民提议：晾衣架', 100_00, owners[2]);
    await branch.post(`/api/budgets/${bid}/open`);
    const over = await vote(owners[2]!, bid, [p, q]);
    expect(over.status).toBe(400);
    expect(over.body.error.code).toBe('over_budget');
    expect(JSON.parse(over.body.error.issues[0].message)).toEqual({ totalFen: 1_100_00, amountFen: 1_000_00, overByFen: 100_00 });
    expect((await vote(owners[2]!, bid, [p, p])).body.error.code).toBe('validation_failed');
    expect((await vote(owners[2]!, bid, [pending])).body.error.code).toBe('validation_failed');
    expect((await vote(outsider, bid, [p])).status).toBe(404);
    expect((await outsider.post(`/api/projects/${p}/accept`)).status).toBe(404);
    // Members budget: each member answers for themself (two members of one household both count).
    expect((await vote(owners[0]!, bid, [p])).status).toBe(200);
    expect((await vote(spouse, bid, [p])).status).toBe(200);
    expect((await vote(spouse, bid, [q])).body.error.code).toBe('already_answered');
    // A resident's proposal waits; a manager accepts it; a resident may not.
    expect((await owners[0]!.post(`/api/projects/${pending}/accept`)).status).toBe(403);
    expect((await branch.post(`/api/projects/${pending}/accept`)).body.project.status).toBe('accepted');
    expect((await vote(tenant, bid, [pending])).status).toBe(200);
    const rej = await project(bid, '居民提议：喷泉', 200_00, owners[3]);
    expect((await branch.post(`/api/projects/${rej}/reject`, { reason: '超出微实事范围' })).body.project).toMatchObject({
      status: 'rejected',
      rejectReason: '超出微实事范围',
    });
    // Not a need from the ledger → refused.
    expect((await branch.post(`/api/budgets/${bid}/projects`, { title: 'x', costFen: 1, needIds: ['nope'] })).body.error.code).toBe(
      'validation_failed',
    );
    await branch.post(`/api/budgets/${bid}/close`);
    expect((await vote(owners[4]!, bid, [p])).status).toBe(409);
  });

  it('takes a funded project to done with dated updates; residents rate it once; the dashboard counts it', async () => {
    const before = (await branch.get(`/api/communities/${cid}/dashboard`)).body.totals;
    const bid = await budget(500_00);
    const p = await project(bid, '快递柜遮阳棚', 400_00);
    await branch.post(`/api/budgets/${bid}/open`);
    await vote(owners[5]!, bid, [p]);
    expect((await owners[5]!.post(`/api/projects/${p}/rating`, { stars: 5 })).status).toBe(409); // not done yet
    await branch.post(`/api/budgets/${bid}/close`);
    expect((await branch.post(`/api/projects/${p}/updates`, { text: '直接完成', status: 'done' })).status).toBe(409); // must go through in progress
    expect((await owners[5]!.post(`/api/projects/${p}/updates`, { text: '我来更新' })).status).toBe(403);
    let r = await branch.post(`/api/projects/${p}/updates`, { text: '已签约，开工', status: 'in_progress' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    r = await branch.post(`/api/projects/${p}/updates`, { text: '立柱已装好' });
    r = await branch.post(`/api/projects/${p}/updates`, { text: '验收完成', status: 'done' });
    expect(r.body.project.status).toBe('done');
    expect(r.body.project.updates.map((u: any) => [u.status, u.text])).toEqual([
      ['in_progress', '已签约，开工'],
      ['in_progress', '立柱已装好'],
      ['done', '验收完成'],
    ]);
    expect(r.body.project.updates.every((u: any) => typeof u.at === 'number' && u.at > 0)).toBe(true);
    expect((await owners[5]!.post(`/api/projects/${p}/rating`, { stars: 5 })).body.project.rating).toEqual({
      count: 1,
      mean: '5.00',
      distribution: [0, 0, 0, 0, 1],
    });
    expect((await owners[5]!.post(`/api/projects/${p}/rating`, { stars: 1 })).body.error.code).toBe('already_rated');
    expect((await owners[6]!.post(`/api/projects/${p}/rating`, { stars: 4 })).body.project.rating).toEqual({
      count: 2,
      mean: '4.50',
      distribution: [0, 0, 0, 1, 1],
    });
    expect((await tenant.post(`/api/projects/${p}/rating`, { stars: 6 })).status).toBe(400);
    const after = (await branch.get(`/api/communities/${cid}/dashboard`)).body.totals;
    expect(after.projectsFunded - before.projectsFunded).toBe(1);
    expect(after.projectsDone - before.projectsDone).toBe(1);
  });

  it('opens at its opening time and closes at its closing time by itself, each written once in the chain', async () => {
    const t0 = Date.now();
    const r = await branch.post(`/api/communities/${cid}/budgets`, {
      title: '定时预算',
      amountFen: 10_000,
      electorate: { kind: 'households' },
      opensAt: t0 + 2_000,
      closesAt: t0 + 6_000,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const bid = r.body.budget.id as string;
    const p = await project(bid, '路灯', 5_000);
    const status = async () => (await owners[6]!.get(`/api/budgets/${bid}`)).body.budget.status as string;
    // Before its time a choice is refused: the budget is still a draft.
    expect((await vote(owners[6]!, bid, [p])).body.error?.code).toBe('not_open');
    await expect.poll(status, { timeout: 10_000, interval: 200 }).toBe('open');
    expect((await vote(owners[6]!, bid, [p])).status).toBe(200);
    await expect.poll(status, { timeout: 15_000, interval: 300 }).toBe('closed');
    const result = (await owners[6]!.get(`/api/budgets/${bid}/result`)).body;
    expect(result).toMatchObject({ final: true, spentFen: 5_000 });
    const types = (await owners[6]!.get(`/api/budgets/${bid}/audit`)).body.entries.map((e: { type: string }) => e.type);
    expect(types.filter((t: string) => t === 'opened')).toHaveLength(1);
    expect(types.filter((t: string) => t === 'closed')).toHaveLength(1);
  });

  it('links the three lists: a project shows the needs it answers and the resources it uses, and back', async () => {
    const raise = async (title: string, tags: string[]) =>
      (await owners[0]!.post(`/api/communities/${cid}/problems`, { title, tags })).body.problem.id as string;
    const need = await raise('车库太暗', ['need']);
    const res = await raise('物业闲置仓库可作活动室', ['resource']);
    await raise('只是个问题', []);
    const bid = await budget(900_00);
    const p = await project(bid, '车库照明改造', 500_00, owners[1], { needIds: [need], resourceIds: [res] });
    // A resource id offered as a need is refused.
    expect((await owners[1]!.post(`/api/budgets/${bid}/projects`, { title: 'x', costFen: 100, needIds: [res] })).status).toBe(400);
    const lists = (await tenant.get(`/api/communities/${cid}/lists`)).body;
    expect(lists.needs.map((n: any) => n.title)).toContain('车库太暗');
    expect(lists.needs.find((n: any) => n.id === need).projects).toEqual([{ id: p, title: '车库照明改造', status: 'proposed' }]);
    expect(lists.resources.find((r: any) => r.id === res).projects.map((x: any) => x.id)).toEqual([p]);
    expect(lists.projects.find((x: any) => x.id === p)).toMatchObject({
      needs: [{ id: need, title: '车库太暗' }],
      resources: [{ id: res, title: '物业闲置仓库可作活动室' }],
      costFen: 500_00,
      budgetId: bid,
    });
    expect(lists.needs.some((n: any) => n.title === '只是个问题')).toBe(false);
    expect((await outsider.get(`/api/communities/${cid}/lists`)).status).toBe(404);
  });
});
