/**
 * Builds the ballots feature for the composition root: service, casting, views, the tally
 * broadcaster, and the hooks meetings calls (ballots in `meeting:join`, results in the minutes,
 * motion → ballot).
 */
import type { AppContext } from '../context.ts';
import type { AuthService } from '../auth/auth.service.ts';
import type { ConsensusService } from '../consensus/consensus.service.ts';
import type { StatsRepository } from '../dashboard/stats.repository.ts';
import type { MeetingsService } from '../meetings/meetings.service.ts';
import type { SocketRouter } from '../realtime/router.ts';
import type { LinliIO } from '../realtime/socket.ts';
import type { RosterService } from '../roster/roster.service.ts';
import { BallotsCasting } from './ballots.cast.ts';
import { seedDemoBallots } from './ballots.demo.ts';
import { BallotNotices } from './ballots.notices.ts';
import { BallotsRepository } from './ballots.repository.ts';
import { ballotsRoutes } from './ballots.routes.ts';
import { BallotsService } from './ballots.service.ts';
import { TallyBroadcaster, ballotsSocket, broadcastBallotEvents } from './ballots.socket.ts';
import { BallotsViews } from './ballots.views.ts';

export interface BallotsDeps {
  ctx: AppContext;
  io: LinliIO;
  router: SocketRouter;
  auth: AuthService;
  meetings: MeetingsService;
  roster: RosterService;
  stats: StatsRepository;
  consensus: ConsensusService;
}

export function createBallots(d: BallotsDeps) {
  const service = new BallotsService(new BallotsRepository(d.ctx.redis), {
    meetings: d.meetings,
    auth: d.auth,
    roster: d.roster,
    stats: d.stats,
    consensus: d.consensus,
  });
  const casting = new BallotsCasting(service);
  const views = new BallotsViews(service);
  const tally = new TallyBroadcaster(d.io, service, d.ctx.logger);
  service.onEvent(broadcastBallotEvents(d.io, tally));
  d.meetings.provideBallots((meetingId) => service.forMeeting(meetingId));
  d.meetings.provideResults((meetingId) => service.resultsFor(meetingId));
  d.meetings.provideMotionToBallot((meetingId, motion, actor) => service.fromMotion(meetingId, motion, actor));
  return {
    service,
    casting,
    notices: new BallotNotices(service),
    feature: {
      name: 'ballots',
      routes: ballotsRoutes(d.meetings, service, casting, views),
      onConnection: ballotsSocket(d.router, casting),
      seedDemo: ({ communityId }: { communityId: string }) =>
        seedDemoBallots({ service, meetings: d.meetings, auth: d.auth, roster: d.roster }, communityId, d.ctx.logger),
      stop: async () => tally.stop(),
    },
  };
}
