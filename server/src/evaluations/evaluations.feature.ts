/**
 * Builds the evaluations feature (评议) for the composition root: service, routes, demo, and a
 * small timer that applies opensAt / closesAt (every read and answer applies them too; the Lua
 * scripts make each transition happen once whichever process gets there first).
 */
import type { AppContext } from '../context.ts';
import type { AuthService } from '../auth/auth.service.ts';
import type { RosterService } from '../roster/roster.service.ts';
import type { Feature } from '../server.ts';
import { seedDemoEvaluations } from './evaluations.demo.ts';
import { EvaluationsRepository } from './evaluations.repository.ts';
import { evaluationsRoutes } from './evaluations.routes.ts';
import { EvaluationsService } from './evaluations.service.ts';

export function evaluationsFeature(ctx: AppContext, deps: { auth: AuthService; roster: RosterService }, everyMs = 1000): Feature {
  const repo = new EvaluationsRepository(ctx.redis);
  const service = new EvaluationsService(repo, deps);
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  const tick = async () => {
    for (const member of await repo.due(Date.now())) {
      const [what, id] = member.split(':') as ['open' | 'close', string];
      try {
        if (await service.due(id, what)) await repo.unschedule(member);
      } catch (err) {
        if ((err as { code?: string }).code === 'not_found') await repo.unschedule(member);
        else ctx.logger.error({ err, evaluationId: id, what }, 'evaluation schedule step failed');
      }
    }
  };
  const loop = () => {
    running = tick()
      .catch((err) => ctx.logger.error({ err }, 'evaluation timer failed'))
      .finally(() => {
        running = null;
        if (timer) timer = setTimeout(loop, everyMs);
      });
  };
  timer = setTimeout(loop, everyMs);
  return {
    name: 'evaluations',
    routes: evaluationsRoutes(deps.auth, service),
    seedDemo: ({ communityId }) => seedDemoEvaluations({ service, auth: deps.auth, roster: deps.roster }, communityId, ctx.logger),
    stop: async () => {
      if (timer) clearTimeout(timer);
      timer = null;
      await running;
    },
  };
}
