/**
 * Demo ballot: in the finished demo meeting, the owners adopt the neighbourhood convention under
 * Art. 278 (ordinary matter): most households voted on paper in the hall, one owner online and one
 * through a proxy; closed and published with a 7-day objection period. The entries are written
 * through the real scripts, so the audit log verifies.
 */
import { DEMO_LOGINS } from '../members/members.demo.ts';
import type { AuthService } from '../auth/auth.service.ts';
import type { Logger } from '../logger.ts';
import type { MeetingAccess, MeetingsService } from '../meetings/meetings.service.ts';
import type { RosterService } from '../roster/roster.service.ts';
import { BallotsCasting } from './ballots.cast.ts';
import { BallotsService } from './ballots.service.ts';

export interface DemoBallotDeps {
  service: BallotsService;
  meetings: MeetingsService;
  auth: AuthService;
  roster: RosterService;
}

export async function seedDemoBallots(d: DemoBallotDeps, cid: string, logger: Logger): Promise<void> {
  const finished = (await d.meetings.list(cid)).find((m) => m.status === 'closed');
  const [facilitator, owner, committee] = await Promise.all(
    [DEMO_LOGINS.facilitator, DEMO_LOGINS.owner, DEMO_LOGINS.ownersCommittee].map((l) => d.auth.findByLogin(l)),
  );
  if (!finished || !facilitator) {
    logger.info('demo ballot skipped: no finished demo meeting');
    return;
  }
  // The meeting is closed now; the ballot was held while it ran.
  const running = { ...finished, status: 'in_progress' as const };
  const as = async (userId: string): Promise<MeetingAccess> => {
    const user = (await d.auth.getUser(userId))!;
    const a = await d.meetings.accessTo(user, null, running);
    return a;
  };
  // Dated in the meeting (the audit entries carry the Redis clock: when they were really written).
  let clock = (finished.startedAt ?? finished.createdAt) + 62 * 60_000;
  const service = new BallotsService(d.service.repo, d.service.deps, () => clock);
  const casting = new BallotsCasting(service);
  const fa = await as(facilitator.id);
  const households = await d.roster.listHouseholds(cid);
  let ballot = await service.create(fa, {
    title: '表决通过《海月小区邻里公约》',
    description:
      '按《民法典》第二百七十八条，制定和修改管理规约由业主共同决定：参与表决的业主专有部分面积和人数均须达到三分之二以上，且经参与表决者过半数同意。',
    kind: 'yes_no_abstain',
    options: [],
    rule: 'civil_code_278_ordinary',
    electorate: { kind: 'households' },
    secret: false,
  });
  clock += 3 * 60_000;
  ballot = await service.open(fa, ballot);
  const ownerHousehold = households[0];
  const proxyHousehold = households[3];
  if (proxyHousehold && committee) await casting.registerProxy(fa, ballot, { householdId: proxyHousehold.id, proxyUserId: committee.id });
  if (owner && ownerHousehold)
    await casting.castOnline(await as(owner.id), ballot, { choice: 'yes', idempotencyKey: `demo-online-${ownerHousehold.id}` });
  if (committee && proxyHousehold)
    await casting.castOnline(await as(committee.id), ballot, {
      choice: 'yes',
      idempotencyKey: `demo-proxy-${proxyHousehold.id}`,
      householdId: proxyHousehold.id,
    });
  // 96 of 120 households took part: 84 yes, 8 no, 4 abstain (paper ballots collected in the hall).
  const paper = households.slice(0, 96).filter((h) => h.id !== ownerHousehold?.id && h.id !== proxyHousehold?.id);
  for (const [i, h] of paper.entries()) {
    const choice = i % 12 === 5 ? 'no' : i % 24 === 11 ? 'abstain' : 'yes';
    await casting.castPaper(fa, ballot, { householdId: h.id, choice, idempotencyKey: `demo-paper-${h.id}` }).catch(() => {});
  }
  clock += 12 * 60_000;
  const closed = await service.close(fa, ballot);
  clock += 24 * 3600_000;
  await service.publish(fa, closed.ballot, 7);
}
