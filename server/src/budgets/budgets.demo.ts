/**
 * Demo micro-project budgets of 海月花园, through the same service as real ones: last year's
 * budget closed with paper choices from 24 households, its result funding three of five projects
 * (the best supported that no longer fit skipped), one of them done and rated; and this year's
 * budget open, with four accepted projects linked to the ledger's needs and resources.
 */
import type { Actor } from '@linli/shared';
import type { AuthService } from '../auth/auth.service.ts';
import type { StoredUser } from '../auth/auth.repository.ts';
import type { Logger } from '../logger.ts';
import { DEMO_LOGINS } from '../members/members.demo.ts';
import type { BudgetsService, LedgerPort } from './budgets.service.ts';

const YUAN = 100;

export async function seedDemoBudgets(
  service: BudgetsService,
  auth: AuthService,
  ledger: LedgerPort,
  households: (cid: string) => Promise<{ id: string }[]>,
  cid: string,
  logger: Logger,
): Promise<void> {
  const branch = await auth.findByLogin(DEMO_LOGINS.partyBranch);
  const owner = await auth.findByLogin(DEMO_LOGINS.owner);
  if (!branch || !owner) return;
  const actor = async (u: StoredUser): Promise<Actor> => auth.actor(u, cid);
  const items = await ledger(cid);
  const need = (word: string) => items.filter((p) => p.tags.includes('need') && p.title.includes(word)).map((p) => p.id);
  const resource = items.filter((p) => p.tags.includes('resource')).map((p) => p.id);
  const hh = (await households(cid)).slice(10, 34).map((h) => h.id);

  // Last year: closed and funded.
  let last = await service.create(await actor(branch), cid, {
    title: '2026年度民生微实事',
    amountFen: 100_000 * YUAN,
    electorate: { kind: 'households' },
  });
  const propose = async (
    b: typeof last,
    by: StoredUser,
    title: string,
    description: string,
    costYuan: number,
    links: { needIds?: string[]; resourceIds?: string[] } = {},
  ) => service.propose(by, await actor(by), b, { title, description, costFen: costYuan * YUAN, ...links });
  const lastProjects = [
    await propose(last, branch, '儿童游乐区地面翻新', '更换老化的塑胶地面，加装围栏。', 70_000, { needIds: need('儿童').slice(0, 1) }),
    await propose(last, branch, '5栋单元门禁更换', '更换5栋四个单元损坏的门禁。', 50_000),
    await propose(last, branch, '小区公共座椅', '在中心花园增设十把带靠背的座椅，方便老人歇脚。', 25_000),
    await propose(last, branch, '楼道感应灯', '为1–3栋楼道更换声光感应灯。', 12_000),
    await propose(last, branch, '垃圾分类亭遮雨棚', '为两处垃圾分类亭加装遮雨棚。', 9_000),
  ];
  last = await service.open(await actor(branch), last);
  const [play, gate, seats, lights, shelter] = lastProjects.map((p) => p.id) as [string, string, string, string, string];
  const picks = [
    [play, seats],
    [play, lights],
    [gate, seats],
    [play, shelter],
    [gate, lights, shelter],
    [seats, lights],
  ];
  for (const [i, hid] of hh.entries()) {
    await service.paper(branch, last, { householdId: hid, projectIds: picks[i % picks.length], idempotencyKey: `demo-budget-${i}` });
  }
  last = await service.close(branch.id, last);
  const result = await service.result(last);
  const funded = result.projects.filter((l) => l.funded).map((l) => l.id);
  const first = funded[0];
  if (first) {
    await service.update(branch, first, { text: '已与施工方签约，材料进场。', status: 'in_progress' });
    await service.update(branch, first, { text: '施工完成，已验收。', status: 'done' });
    await service.rate(owner, first, { stars: 5 });
  }
  if (funded[1]) await service.update(branch, funded[1], { text: '已确定施工方，下周开工。', status: 'in_progress' });

  // This year: open for choices.
  let next = await service.create(await actor(branch), cid, {
    title: '2027年度民生微实事',
    amountFen: 80_000 * YUAN,
    electorate: { kind: 'households' },
  });
  await propose(next, branch, '地下车库照明改造', '车库换用LED灯并加装感应开关。', 35_000, {
    needIds: need('车库').slice(0, 1),
    resourceIds: resource.slice(0, 1),
  });
  await propose(next, branch, '老年活动室空调', '为活动室安装两台空调。', 18_000, { resourceIds: resource.slice(0, 1) });
  await propose(next, branch, '小区围墙修补', '修补北侧围墙破损处并粉刷。', 40_000);
  await propose(next, branch, '快递柜遮阳棚', '为快递柜区域加装遮阳棚。', 8_500);
  await propose(next, owner, '增设电动车充电桩', '在2栋旁增设8个充电口。', 30_000);
  next = await service.open(await actor(branch), next);
  logger.info({ budgets: 2, funded: funded.length }, 'demo budgets seeded');
}
