/**
 * Wires the conventions feature: the live document server (Yjs gateway), the services, REST
 * routes, socket events and demo data. server.ts adds the returned Feature to its list.
 */
import type { AppContext } from '../context.ts';
import type { AuthService } from '../auth/auth.service.ts';
import type { CommunitiesService } from '../communities/communities.service.ts';
import type { LinliIO } from '../realtime/socket.ts';
import type { SocketRouter } from '../realtime/router.ts';
import type { Feature } from '../server.ts';
import { DocServer } from '../yjs/yjs.server.ts';
import { ConventionsRepository } from './conventions.repository.ts';
import { ConventionsService } from './conventions.service.ts';
import { ConventionDiscussion } from './conventions.discussion.ts';
import { conventionsRoutes } from './conventions.routes.ts';
import { conventionRoom, conventionsSocket } from './conventions.socket.ts';
import { seedDemoConvention } from './conventions.demo.ts';

export interface ConventionsFeature extends Feature {
  service: ConventionsService;
  docs: DocServer;
  /** Comments and suggestions (the opinion map turns a consensus statement into a suggestion). */
  discussion: ConventionDiscussion;
}

export async function createConventionsFeature(
  ctx: AppContext,
  deps: { auth: AuthService; communities: CommunitiesService; io: LinliIO; router: SocketRouter },
): Promise<ConventionsFeature> {
  let service: ConventionsService | null = null;
  const docs = new DocServer({
    redis: ctx.redis,
    newRedis: (name, opts) => ctx.newRedis(name, opts),
    logger: ctx.logger,
    limits: ctx.config.yjs,
    auth: deps.auth,
    authorize: (user, docName) => service!.authorizeDoc(user, docName),
  });
  const repo = new ConventionsRepository(ctx.redis);
  service = new ConventionsService(repo, docs, deps.auth);
  const discussion = new ConventionDiscussion(repo, service, {
    comment: (conventionId, comment) => deps.io.to(conventionRoom(conventionId)).emit('convention:comment', { conventionId, comment }),
    suggestion: (conventionId, suggestion) =>
      deps.io.to(conventionRoom(conventionId)).emit('convention:suggestion', { conventionId, suggestion }),
  });
  service.announceVersions((conventionId, version) =>
    deps.io.to(conventionRoom(conventionId)).emit('convention:version', { conventionId, version }),
  );
  await docs.start();
  const conventions = service;
  return {
    name: 'conventions',
    service,
    docs,
    discussion,
    routes: conventionsRoutes(deps.auth, deps.communities, service, discussion, docs),
    onConnection: conventionsSocket(deps.router, deps.auth, service, discussion),
    yjs: docs,
    seedDemo: async ({ communityId }) => {
      const author = await deps.auth.findByLogin('admin');
      await seedDemoConvention(conventions, discussion, { communityId, author }, ctx.logger);
    },
    stop: () => docs.stop(),
  };
}
