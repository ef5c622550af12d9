/** /api/communities: create (admin), list (what the user may see), get, rename (admin). */
import { Router } from 'express';
import { type Community, CommunityCreate, CommunityUpdate, DomainError, Id, parseOrThrow } from '@linli/shared';
import { requireCan, requireUser } from '../auth/auth.middleware.ts';
import type { AuthService } from '../auth/auth.service.ts';
import type { CommunitiesService } from './communities.service.ts';

export function communitiesRoutes(auth: AuthService, communities: CommunitiesService, onUpdated: (c: Community) => void): Router {
  const r = Router();

  r.post('/communities', async (req, res) => {
    const { user } = requireUser(req);
    if (!user.isAdmin) throw new DomainError('forbidden', 'Only an administrator may create communities. 只有管理员可以创建小区。');
    const body = parseOrThrow(CommunityCreate, req.body, 'community');
    const community = await communities.create(body);
    // The creator becomes the community's admin (listed among its members, in /api/me).
    await auth.saveMembership(user.id, { communityId: community.id, roles: ['admin'], householdIds: [], buildings: [] });
    res.status(201).json({ community });
  });

  r.get('/communities', async (req, res) => {
    const { user } = requireUser(req);
    const all = await communities.list();
    if (user.isAdmin) return void res.json({ communities: all });
    const mine = new Set((await auth.me(user, req.auth!.session)).memberships.map((m) => m.communityId));
    res.json({ communities: all.filter((c) => mine.has(c.id)) });
  });

  r.get('/communities/:cid', async (req, res) => {
    const cid = parseOrThrow(Id, req.params.cid, 'community id');
    await requireCan(auth, req, 'community.view', { communityId: cid });
    res.json({ community: await communities.get(cid) });
  });

  r.patch('/communities/:cid', async (req, res) => {
    const cid = parseOrThrow(Id, req.params.cid, 'community id');
    await requireCan(auth, req, 'community.manage', { communityId: cid });
    const body = parseOrThrow(CommunityUpdate, req.body, 'community');
    const community = await communities.update(cid, body);
    onUpdated(community);
    res.json({ community });
  });

  return r;
}
