/**
 * Demo meetings: one finished three weeks ago (agenda, 80 households checked in, a seconded motion,
 * counted on the dashboard) and one scheduled for next week with three items. Its minutes are
 * published by `publishDemoMinutes`, seeded last, so they record the ballot and the problems the
 * later features seed into that meeting.
 */
import { buildAgenda, emptyLive, type LiveRecord, type Meeting } from '@linli/shared';
import type { AuthService } from '../auth/auth.service.ts';
import { newId } from '../common/ids.ts';
import type { StatsRepository } from '../dashboard/stats.repository.ts';
import type { Logger } from '../logger.ts';
import { DEMO_LOGINS } from '../members/members.demo.ts';
import type { RosterService } from '../roster/roster.service.ts';
import { MeetingsMinutes } from './meetings.minutes.ts';
import { newJoinCode, type MeetingsService } from './meetings.service.ts';

export interface DemoDeps {
  meetings: MeetingsService;
  auth: AuthService;
  roster: RosterService;
  stats: StatsRepository;
}

const DAY = 24 * 3600_000;
const MIN = 60_000;

export async function seedDemoMeetings(deps: DemoDeps, cid: string, logger: Logger): Promise<void> {
  const { meetings, auth, roster, stats } = deps;
  const repo = meetings.repo;
  const [facilitator, branch, owner, notable, leader1] = await Promise.all(
    [DEMO_LOGINS.facilitator, DEMO_LOGINS.partyBranch, DEMO_LOGINS.owner, DEMO_LOGINS.notable, DEMO_LOGINS.buildingLeaders[0]].map((l) =>
      auth.findByLogin(l),
    ),
  );
  if (!facilitator || !branch) {
    logger.warn('demo meetings skipped: demo accounts missing');
    return;
  }
  const households = await roster.listHouseholds(cid);

  // --- finished: three weeks ago, 19:30–21:05 China time
  const day = Math.floor((Date.now() - 21 * DAY) / DAY) * DAY;
  const start = day + 11.5 * 3600_000;
  const agenda = buildAgenda(
    [
      { title: '电动车充电桩选址', description: '在2栋与3栋之间的空地增设集中充电桩，讨论位置与收费方式。', plannedMinutes: 40 },
      { title: '楼道堆物清理', description: '约定清理时间与互相提醒的办法。', plannedMinutes: 25 },
      { title: '邻里公约第五条（宠物）', description: '遛狗牵绳、清理粪便的约定。', plannedMinutes: 20 },
    ],
    [],
    newId,
  );
  const used = [43, 27, 18];
  const live: LiveRecord = {
    ...emptyLive(),
    agenda: agenda.map((a, i) => ({ ...a, usedMs: used[i]! * MIN, done: true })),
    motions: [
      {
        id: newId(),
        text: '充电桩设在2栋与3栋之间的空地，由物业统一管理，按电价加收0.2元/度服务费。',
        proposerId: owner?.id ?? branch.id,
        proposerName: owner?.displayName ?? branch.displayName,
        createdAt: start + 30 * MIN,
        itemId: agenda[0]!.id,
        seconds: notable ? [{ userId: notable.id, name: notable.displayName, at: start + 31 * MIN }] : [],
        status: notable ? 'seconded' : 'proposed',
      },
    ],
  };
  const closedAt = start + 95 * MIN;
  const finished: Meeting = {
    id: newId(),
    communityId: cid,
    title: '2026年第三次居民协商议事会',
    topic: '充电桩、楼道堆物与宠物公约',
    startsAt: new Date(start).toISOString(),
    place: '社区活动中心二楼',
    mode: 'hybrid',
    status: 'closed',
    joinCode: newJoinCode(),
    conveners: ['party_branch', 'owners_committee'],
    facilitatorIds: [facilitator.id],
    createdAt: start - 7 * DAY,
    createdBy: branch.id,
    openedAt: start - 15 * MIN,
    startedAt: start,
    closedAt,
  };
  await repo.create(finished, live);
  await repo.compareAndSet(finished.id, 1, { releaseCode: finished.joinCode });
  // 80 households in the hall, checked in by their building leaders.
  for (const [i, h] of households.slice(0, 80).entries()) {
    await repo.addCheckIn(finished.id, {
      householdId: h.id,
      by: leader1?.id ?? facilitator.id,
      byName: leader1?.displayName ?? facilitator.displayName,
      at: start - 10 * MIN + i * 10_000,
    });
  }
  await stats.addAll(cid, { meetings_held: 1, meeting_participants: 80 }, closedAt);

  // --- scheduled: next week, same hour
  const next = day + 28 * DAY + 11.5 * 3600_000;
  await meetings.create(
    cid,
    {
      title: '2026年第四次居民协商议事会',
      mode: 'hybrid',
      topic: '老旧电梯更新与维修资金使用',
      startsAt: new Date(next).toISOString(),
      place: '社区活动中心二楼',
      conveners: ['party_branch'],
      facilitatorIds: [facilitator.id],
      agenda: [
        { title: '电梯更新方案介绍', description: '物业介绍三家厂商的报价与工期。', plannedMinutes: 20 },
        { title: '维修资金使用表决', description: '按民法典第二百七十八条，使用维修资金需业主共同决定。', plannedMinutes: 40 },
        { title: '问题清单进展通报', plannedMinutes: 15 },
      ],
    },
    { userId: branch.id, communityId: cid, roles: ['party_branch'] },
  );
}

/** Generates and publishes the finished demo meeting's minutes (a day after it closed): run after every other demo seed. */
export async function publishDemoMinutes(deps: DemoDeps, cid: string): Promise<void> {
  const { meetings, auth, roster } = deps;
  const finished = (await meetings.list(cid)).find((m) => m.status === 'closed');
  if (!finished?.closedAt || (await meetings.repo.getMinutes(finished.id))) return;
  const facilitator = finished.facilitatorIds[0] ? await auth.getUser(finished.facilitatorIds[0]) : null;
  const markdown = await new MeetingsMinutes(meetings, auth, roster).generate(finished.id);
  await meetings.repo.saveMinutes(finished.id, null, {
    markdown,
    generated: true,
    publishedAt: finished.closedAt + DAY,
    publishedBy: facilitator?.displayName ?? '—',
  });
}
