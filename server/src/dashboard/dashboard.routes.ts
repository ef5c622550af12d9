/** GET /api/communities/:cid/dashboard (dashboard.view): the community's figures. */
import { Router } from 'express';
import { Id, parseOrThrow } from '@linli/shared';
import { requireCan } from '../auth/auth.middleware.ts';
import type { AuthService } from '../auth/auth.service.ts';
import type { CommunitiesService } from '../communities/communities.service.ts';
import type { DashboardService } from './dashboard.service.ts';

export function dashboardRoutes(auth: AuthService, communities: CommunitiesService, dashboard: DashboardService): Router {
  const r = Router();
  r.get('/communities/:cid/dashboard', async (req, res) => {
    const cid = parseOrThrow(Id, req.params.cid, 'community id');
    await requireCan(auth, req, 'dashboard.view', { communityId: cid });
    await communities.get(cid);
    res.json(await dashboard.figures(cid));
  });
  return r;
}
