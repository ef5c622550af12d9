/** Micro-project budgets (民生微实事) and the three lists as a server feature: service, routes, demo. */
import type { AppContext } from '../context.ts';
import type { AuthService } from '../auth/auth.service.ts';
import type { CommunitiesService } from '../communities/communities.service.ts';
import type { StatsRepository } from '../dashboard/stats.repository.ts';
import type { Feature } from '../server.ts';
import { seedDemoBudgets } from './budgets.demo.ts';
import { BudgetsRepository } from './budgets.repository.ts';
import { budgetsRoutes } from './budgets.routes.ts';
import { BudgetsService, type LedgerPort } from './budgets.service.ts';

export function budgetsFeature(
  ctx: AppContext,
  deps: {
    auth: AuthService;
    communities: CommunitiesService;
    stats: StatsRepository;
    ledger: LedgerPort;
    households: (cid: string) => Promise<{ id: string }[]>;
  },
): Feature {
  const service = new BudgetsService(new BudgetsRepository(ctx.redis), { auth: deps.auth, stats: deps.stats, ledger: deps.ledger });
  return {
    name: 'budgets',
    routes: budgetsRoutes(deps.auth, deps.communities, service),
    seedDemo: ({ communityId }) => seedDemoBudgets(service, deps.auth, deps.ledger, deps.households, communityId, ctx.logger),
  };
}
