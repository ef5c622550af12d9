/** /api consensus: the community ledger and a convention's per-clause consensus map. */
import { Router } from 'express';
import { Id, parseOrThrow } from '@linli/shared';
import { requireCan } from '../auth/auth.middleware.ts';
import type { AuthService } from '../auth/auth.service.ts';
import type { ConsensusService } from './consensus.service.ts';

export function consensusRoutes(auth: AuthService, consensus: ConsensusService): Router {
  const r = Router();

  r.get('/communities/:cid/consensus', async (req, res) => {
    const cid = parseOrThrow(Id, req.params.cid, 'community id');
    await requireCan(auth, req, 'community.view', { communityId: cid });
    res.json({ items: await consensus.list(cid) });
  });

  r.get('/conventions/:id/consensus-map', async (req, res) => {
    const id = parseOrThrow(Id, req.params.id, 'convention id');
    const { communityId, map } = await consensus.map(id);
    await requireCan(auth, req, 'convention.view', { communityId });
    res.json(map);
  });

  return r;
}
