/**
 * /api conventions: create and list per community, read one with its clauses (from the live
 * document), and the document server's figures for operators.
 */
import { Router, type Request } from 'express';
import { ConventionCreate, DomainError, Id, parseOrThrow } from '@linli/shared';
import { requireCan, requireUser } from '../auth/auth.middleware.ts';
import type { AuthService } from '../auth/auth.service.ts';
import type { CommunitiesService } from '../communities/communities.service.ts';
import type { ConventionsService } from './conventions.service.ts';
import type { DocServer } from './docs.server.ts';

export function conventionsRoutes(auth: AuthService, communities: CommunitiesService, conventions: ConventionsService, docs: DocServer, extra: Router[] = []): Router {
  const r = Router();
  const id = (req: Request) => parseOrThrow(Id, req.params.id, 'convention id');

  r.post('/communities/:cid/conventions', async (req, res) => {
    const cid = parseOrThrow(Id, req.params.cid, 'community id');
    const actor = await requireCan(auth, req, 'convention.edit', { communityId: cid });
    await communities.get(cid);
    const { title } = parseOrThrow(ConventionCreate, req.body, 'convention');
    res.status(201).json({ convention: await conventions.create(cid, title, actor.userId) });
  });

  r.get('/communities/:cid/conventions', async (req, res) => {
    const cid = parseOrThrow(Id, req.params.cid, 'community id');
    await requireCan(auth, req, 'convention.view', { communityId: cid });
    res.json({ conventions: await conventions.list(cid) });
  });

  r.get('/conventions/:id', async (req, res) => {
    const { convention } = await conventions.access(requireUser(req).user, id(req), 'convention.view');
    const [live, clauses] = await Promise.all([conventions.withLiveTitle(convention), conventions.clauses(convention)]);
    res.json({ convention: live, clauses });
  });

  /** Operators: what the document server holds in this process (admin only). */
  r.get('/yjs/stats', (req, res) => {
    if (!requireUser(req).user.isAdmin) throw new DomainError('forbidden', 'Administrators only.');
    res.json(docs.stats());
  });

  for (const x of extra) r.use(x);
  return r;
}
