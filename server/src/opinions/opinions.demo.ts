/**
 * The demo community's opinion round: a question about parking and e-bike charging, eight
 * statements and the answers of the demo accounts, so the map shows two groups and common ground.
 */
import type { Logger } from '../logger.ts';
import type { AuthService } from '../auth/auth.service.ts';
import { DEMO_LOGINS } from '../members/members.demo.ts';
import type { OpinionsService } from './opinions.service.ts';

const STATEMENTS = [
  '电动车不能进楼道充电，安全第一',
  '小区应该增加集中充电桩',
  '地面车位应优先给业主，租户排在后面',
  '地面车位按摇号分配，业主租户一视同仁',
  '外来车辆白天临时停车应该收费',
  '充电桩费用由全体业主分摊',
  '充电桩费用应由使用者付',
  '消防通道必须保持畅通，占道车辆要处理',
];
// a agree, d disagree, p pass, per statement above. Two camps (owners first, tenants second) share 0, 1, 7.
const CAMP_A = 'aaadaaad'.split('');
const CAMP_B = 'aadaddaa'.split('');

export async function seedDemoOpinions(
  d: { service: OpinionsService; auth: AuthService },
  communityId: string,
  logger: Logger,
): Promise<void> {
  const host = await d.auth.findByLogin(DEMO_LOGINS.facilitator);
  if (!host) return;
  const hostActor = await d.auth.actor(host, communityId);
  const o = await d.service.create(hostActor, communityId, { title: '停车和电动车充电，大家怎么看？', moderated: true });
  const ids: string[] = [];
  for (const text of STATEMENTS) ids.push((await d.service.addStatement(hostActor, o, text)).id);
  const campA = [
    DEMO_LOGINS.owner,
    DEMO_LOGINS.ownersCommittee,
    DEMO_LOGINS.notable,
    DEMO_LOGINS.buildingLeaders[0],
    DEMO_LOGINS.buildingLeaders[1],
  ];
  const campB = [
    DEMO_LOGINS.resident,
    DEMO_LOGINS.propertyFirm,
    DEMO_LOGINS.partyBranch,
    DEMO_LOGINS.buildingLeaders[2],
    DEMO_LOGINS.buildingLeaders[3],
  ];
  const code = { a: 'agree', d: 'disagree', p: 'pass' } as const;
  for (const [logins, answers] of [
    [campA, CAMP_A],
    [campB, CAMP_B],
  ] as const) {
    for (const login of logins) {
      const u = await d.auth.findByLogin(login);
      if (!u) continue;
      const actor = await d.auth.actor(u, communityId);
      for (let j = 0; j < ids.length; j++) await d.service.vote(actor, actor.roles, o, ids[j]!, code[answers[j] as 'a' | 'd' | 'p']);
    }
  }
  logger.info({ opinionId: o.id }, 'demo opinion round seeded');
}
