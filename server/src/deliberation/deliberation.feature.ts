/**
 * Deliberation as a server feature: questions with upvotes and moderation, word clouds, the live
 * events to the meeting room, and a little demo (two questions in the demo community's meeting).
 */
import type { AppContext } from '../context.ts';
import type { MeetingsService } from '../meetings/meetings.service.ts';
import type { LinliIO } from '../realtime/socket.ts';
import type { Feature } from '../server.ts';
import { DeliberationRepository } from './deliberation.repository.ts';
import { deliberationRoutes } from './deliberation.routes.ts';
import { DeliberationService } from './deliberation.service.ts';
import { DeliberationBroadcaster } from './deliberation.socket.ts';
import { seedDemoDeliberation } from './deliberation.demo.ts';

export function deliberationFeature(ctx: AppContext, deps: { meetings: MeetingsService; io: LinliIO }): Feature {
  const service = new DeliberationService(new DeliberationRepository(ctx.redis), deps.meetings);
  const broadcaster = new DeliberationBroadcaster(deps.io, service, ctx.logger);
  service.onChange((c) => broadcaster.schedule(c));
  return {
    name: 'deliberation',
    routes: deliberationRoutes(deps.meetings, service),
    seedDemo: ({ communityId }) => seedDemoDeliberation(service, deps.meetings, communityId),
    stop: async () => broadcaster.stop(),
  };
}
