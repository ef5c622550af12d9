/**
 * Demo written consultation (书面征求意见) in the demo community: organised by the owners'
 * committee, open for two weeks from yesterday, three questions (renewing the property firm,
 * using the maintenance fund, electing two committee members out of three). About half of the
 * households have answered, by phone and on paper, through the real scripts (the log verifies).
 */
import type { AuthService } from '../auth/auth.service.ts';
import type { Logger } from '../logger.ts';
import { DEMO_LOGINS } from '../members/members.demo.ts';
import type { RosterService } from '../roster/roster.service.ts';
import type { ConsultationsService } from './consultations.service.ts';

const DAY = 86_400_000;

export async function seedDemoConsultation(
  d: { service: ConsultationsService; auth: AuthService; roster: RosterService },
  cid: string,
  logger: Logger,
): Promise<void> {
  const committee = await d.auth.findByLogin(DEMO_LOGINS.ownersCommittee);
  if (!committee) {
    logger.info('demo consultation skipped: no owners committee login');
    return;
  }
  const actor = await d.auth.actor(committee, cid);
  const now = Date.now();
  const c = await d.service.create(actor, cid, {
    title: '关于续聘物业服务企业、使用维修资金及增补业委会委员的书面征求意见',
    notice:
      '各位业主：根据《民法典》第二百七十八条，现就以下事项书面征求全体业主意见。请于截止时间前通过手机或纸质表决票表决；逾期未表决的，不计入参与表决人数。',
    organiser: { kind: 'owners_committee', name: '海月小区业主委员会' },
    opensAt: new Date(now - DAY).toISOString(),
    closesAt: new Date(now + 14 * DAY).toISOString(),
    questions: [
      { title: '是否同意续聘海月物业服务有限公司（三年）', kind: 'yes_no_abstain', rule: 'civil_code_278_ordinary' },
      { title: '是否同意使用专项维修资金更换3栋电梯', kind: 'yes_no_abstain', rule: 'civil_code_278_major' },
      {
        title: '增补业主委员会委员（两名）',
        kind: 'election',
        rule: 'civil_code_278_ordinary',
        seats: 2,
        options: [
          { id: 'wang', label: '王建国' },
          { id: 'li', label: '李秀英' },
          { id: 'zhao', label: '赵志强' },
        ],
      },
    ],
  });
  await d.service.openIfDue(c.stored.id);
  const households = await d.service.householdsOf(c.stored.id);
  const yn = ['yes', 'yes', 'yes', 'no', 'abstain'] as const;
  let answered = 0;
  for (const [i, h] of households.entries()) {
    if (i % 2 === 1) continue;
    const answers = {
      q1: yn[i % 5]!,
      q2: yn[(i + 1) % 5]!,
      q3: { wang: 'yes', li: i % 3 ? 'yes' : 'no', zhao: i % 4 ? 'abstain' : 'yes' },
    };
    await d.service.recordAnswers(c.stored.id, h.householdId, answers, {
      channel: i % 3 === 0 ? 'paper' : 'phone',
      by: committee.id,
      idempotencyKey: `demo-${h.householdId}`,
    });
    answered++;
  }
  logger.info({ consultationId: c.stored.id, answered, households: households.length }, 'demo consultation seeded');
}
