/**
 * Demo evaluations (评议) of the property firm: last year's round, closed, with printed
 * questionnaires from a dozen households, answers from the branch and a notable, and the firm's
 * written reply; and this year's round, open, so a resident can answer it and the trend shows
 * once it closes. Everything goes through the service (the log is real).
 */
import type { AuthService } from '../auth/auth.service.ts';
import type { Logger } from '../logger.ts';
import { DEMO_LOGINS } from '../members/members.demo.ts';
import type { RosterService } from '../roster/roster.service.ts';
import type { EvaluationsService } from './evaluations.service.ts';

const CRITERIA = ['安保', '保洁', '绿化', '维修响应', '收支公开'].map((title) => ({ title }));

export async function seedDemoEvaluations(
  d: { service: EvaluationsService; auth: AuthService; roster: RosterService },
  cid: string,
  logger: Logger,
): Promise<void> {
  const [branch, firm, notable] = await Promise.all(
    [DEMO_LOGINS.partyBranch, DEMO_LOGINS.propertyFirm, DEMO_LOGINS.notable].map((l) => d.auth.findByLogin(l)),
  );
  if (!branch || !firm || !notable) {
    logger.info('demo evaluations skipped: no party branch, firm or notable login');
    return;
  }
  const manager = await d.auth.actor(branch, cid);
  const subject = { kind: 'property_firm', name: '海月物业服务有限公司' };
  const last = await d.service.create(manager, cid, {
    title: '2025年度物业服务评议',
    subject,
    criteria: CRITERIA,
    electorate: { kind: 'households' },
  });
  await d.service.open(manager, last);
  const households = (await d.roster.listHouseholds(cid)).slice(0, 12);
  for (const [i, h] of households.entries()) {
    const s = (base: number) => Math.min(5, Math.max(1, base + ((i * 7) % 3) - 1));
    await d.service.paper(manager, await d.service.load(last.stored.id), {
      householdId: h.id,
      scores: { c1: s(4), c2: s(3), c3: s(4), c4: s(2), c5: s(3) },
      ...(i % 4 === 0 ? { comment: ['维修报修后等了一周才有人来。', '垃圾清运及时，点赞。', '希望每季度公布收支。'][i % 3] } : {}),
      idempotencyKey: `demo-eval-${h.id}`,
    });
  }
  for (const who of [branch, notable]) {
    const actor = await d.auth.actor(who, cid);
    const e = await d.service.load(last.stored.id);
    // The notable owns a household; in a households round it answers for it (unless papered above).
    await d.service
      .respond(who, actor, e, { scores: { c1: 4, c2: 3, c3: 5, c4: 2, c5: 3 }, idempotencyKey: `demo-eval-${who.id}` })
      .catch(() => undefined);
  }
  const closed = await d.service.close(manager, await d.service.load(last.stored.id));
  await d.service.reply(firm, await d.auth.actor(firm, cid), closed, {
    text: '感谢各位业主的评议。针对维修响应慢的问题，我们已增加两名维修工，承诺报修后24小时内上门；每季度在公告栏公布收支明细。',
  });

  const current = await d.service.create(manager, cid, {
    title: '2026年度物业服务评议',
    subject,
    criteria: CRITERIA,
    electorate: { kind: 'households' },
  });
  await d.service.open(manager, current);
  logger.info({ closed: last.stored.id, open: current.stored.id }, 'demo evaluations seeded');
}
