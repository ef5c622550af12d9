/** The community dashboard as a server feature (reads the monthly counters and the problems ledger). */
import type { AppContext } from '../context.ts';
import type { AuthService } from '../auth/auth.service.ts';
import type { CommunitiesService } from '../communities/communities.service.ts';
import type { Feature } from '../server.ts';
import { dashboardRoutes } from './dashboard.routes.ts';
import { DashboardService, type LedgerNow } from './dashboard.service.ts';
import type { StatsRepository } from './stats.repository.ts';

export function dashboardFeature(
  ctx: AppContext,
  deps: { auth: AuthService; communities: CommunitiesService; stats: StatsRepository; ledger: LedgerNow },
): Feature {
  const dashboard = new DashboardService(deps.stats, deps.ledger);
  return { name: 'dashboard', routes: dashboardRoutes(deps.auth, deps.communities, dashboard) };
}
