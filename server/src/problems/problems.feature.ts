/**
 * The problems ledger as a server feature: service, routes, live `problem:updated` to the
 * community room, the meetings hook (problems in the minutes) and the demo ledger.
 */
import { problemView } from '@linli/shared';
import type { AppContext } from '../context.ts';
import type { AuthService } from '../auth/auth.service.ts';
import type { CommunitiesService } from '../communities/communities.service.ts';
import { communityRoom } from '../communities/communities.socket.ts';
import type { StatsRepository } from '../dashboard/stats.repository.ts';
import type { MeetingsService } from '../meetings/meetings.service.ts';
import type { LinliIO } from '../realtime/socket.ts';
import type { Feature } from '../server.ts';
import { seedDemoProblems } from './problems.demo.ts';
import { ProblemsRepository } from './problems.repository.ts';
import { problemsRoutes } from './problems.routes.ts';
import { ProblemsService } from './problems.service.ts';

export function problemsFeature(
  ctx: AppContext,
  deps: { auth: AuthService; communities: CommunitiesService; meetings: MeetingsService; io: LinliIO; stats: StatsRepository },
): { feature: Feature; problems: ProblemsService } {
  const { auth, communities, meetings, io, stats } = deps;
  const repo = new ProblemsRepository(ctx.redis);
  const problems = new ProblemsService(repo, auth, stats, {
    meetingInCommunity: async (cid, meetingId) => (await meetings.get(meetingId))?.communityId === cid,
  });
  // Every member watching the community (community:watch) sees the ledger change live.
  problems.onChange((p) => io.to(communityRoom(p.communityId)).emit('problem:updated', { problem: problemView(p, problems.now()) }));
  // The minutes list the problems their agenda items took up, and those the meeting accepted
  // (`meetingId` set), only the meeting's own community's.
  meetings.provideProblems(async (meetingId, ids) => {
    const m = await meetings.get(meetingId);
    if (!m) return [];
    const takenUp = (await problems.list(m.communityId)).filter((p) => p.meetingId === meetingId).map((p) => p.id);
    return problems.summaries(m.communityId, [...new Set([...ids, ...takenUp])]);
  });
  return {
    problems,
    feature: {
      name: 'problems',
      routes: problemsRoutes(auth, communities, problems),
      seedDemo: async ({ communityId }) => {
        await seedDemoProblems({ repo, auth, stats, meetings: (cid) => meetings.list(cid) }, communityId, ctx.logger);
      },
    },
  };
}
