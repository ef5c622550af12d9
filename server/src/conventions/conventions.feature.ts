/**
 * Wires the conventions feature: the live document server (Yjs gateway), the service, its REST
 * routes, socket events and demo data. server.ts adds the returned Feature to its list.
 */
import type { AppContext } from '../context.ts';
import type { AuthService } from '../auth/auth.service.ts';
import type { CommunitiesService } from '../communities/communities.service.ts';
import type { Feature } from '../server.ts';
import { loadDocLimits } from './docs.limits.ts';
import { DocServer } from './docs.server.ts';
import { ConventionsRepository } from './conventions.repository.ts';
import { ConventionsService } from './conventions.service.ts';
import { conventionsRoutes } from './conventions.routes.ts';

export interface ConventionsFeature extends Feature {
  service: ConventionsService;
  docs: DocServer;
}

export async function createConventionsFeature(ctx: AppContext, deps: { auth: AuthService; communities: CommunitiesService }): Promise<ConventionsFeature> {
  let service: ConventionsService | null = null;
  const docs = new DocServer({
    redis: ctx.redis,
    newRedis: (name, opts) => ctx.newRedis(name, opts),
    logger: ctx.logger,
    limits: loadDocLimits(),
    auth: deps.auth,
    authorize: (user, docName) => service!.authorizeDoc(user, docName),
  });
  service = new ConventionsService(new ConventionsRepository(ctx.redis), docs, deps.auth);
  await docs.start();
  return {
    name: 'conventions',
    service,
    docs,
    routes: conventionsRoutes(deps.auth, deps.communities, service, docs),
    yjs: docs,
    stop: () => docs.stop(),
  };
}
