/**
 * The opinion map (意见地图) as a server feature: repository, the map worker, service, routes, the
 * live `opinion:map` event to the community room, and the bridges to ballots and conventions
 * through which a consensus statement becomes a draft ballot or a clause suggestion.
 */
import { DomainError } from '@linli/shared';
import type { AppContext } from '../context.ts';
import type { AuthService } from '../auth/auth.service.ts';
import type { BallotsService } from '../ballots/ballots.service.ts';
import type { CommunitiesService } from '../communities/communities.service.ts';
import { communityRoom } from '../communities/communities.socket.ts';
import type { ConventionsFeature } from '../conventions/conventions.feature.ts';
import type { MeetingsService } from '../meetings/meetings.service.ts';
import type { LinliIO } from '../realtime/socket.ts';
import type { Feature } from '../server.ts';
import { OpinionMaps, OpinionsWorker } from './opinions.compute.ts';
import { seedDemoOpinions } from './opinions.demo.ts';
import { OpinionsRepository } from './opinions.repository.ts';
import { opinionsRoutes } from './opinions.routes.ts';
import { OpinionsService } from './opinions.service.ts';

export interface OpinionsFeatureDeps {
  auth: AuthService;
  communities: CommunitiesService;
  meetings: MeetingsService;
  ballots: BallotsService;
  conventions: ConventionsFeature;
  io: LinliIO;
}

export function createOpinions(ctx: AppContext, d: OpinionsFeatureDeps): { feature: Feature; service: OpinionsService } {
  const repo = new OpinionsRepository(ctx.redis);
  const maps = new OpinionMaps(repo, new OpinionsWorker(), async (opinionId, map) => {
    const o = await repo.get(opinionId);
    if (o)
      d.io
        .to(communityRoom(o.communityId))
        .emit('opinion:map', { opinionId, rev: map.rev, participants: map.analysis.participants, groups: map.analysis.groups.length });
  });
  const meetingInCommunity = async (cid: string, meetingId: string) => (await d.meetings.get(meetingId))?.communityId === cid;
  const service = new OpinionsService(repo, maps, {
    meetingInCommunity,
    toBallot: async (user, meetingId, draft) => {
      const a = await d.meetings.access(user, null, meetingId);
      const b = await d.ballots.create(a, {
        ...draft,
        kind: 'yes_no_abstain',
        options: [],
        rule: 'simple_majority',
        electorate: { kind: 'members' },
        secret: false,
      });
      return { ballotId: b.id };
    },
    toSuggestion: async (user, communityId, conventionId, clauseId, text, reason) => {
      const c = await d.conventions.service.repo.get(conventionId);
      if (!c || c.communityId !== communityId) throw new DomainError('not_found', 'No such convention. 公约不存在。');
      const { convention } = await d.conventions.service.access(user, conventionId, 'convention.suggest');
      const s = await d.conventions.discussion.suggest(convention, user, { clauseId, text, reason });
      return { suggestionId: s.id };
    },
  });
  service.onStatement((s, cid) =>
    d.io.to(communityRoom(cid)).emit('opinion:statement', { opinionId: s.opinionId, statementId: s.id, status: s.status }),
  );
  return {
    service,
    feature: {
      name: 'opinions',
      routes: opinionsRoutes(d.auth, d.communities, service),
      seedDemo: ({ communityId }) => seedDemoOpinions({ service, auth: d.auth }, communityId, ctx.logger),
      stop: () => maps.stop(),
    },
  };
}
