/**
 * /api/communities/:cid/members: add (members.manage), list (roster.view), assign roles (members.manage;
 * households: members.assign_households). /api/communities/:cid/audit: the community audit log (members.manage).
 */
import { Router } from 'express';
import { Id, MemberCreate, MemberUpdate, parseOrThrow } from '@linli/shared';
import { requireCan } from '../auth/auth.middleware.ts';
import type { AuthService } from '../auth/auth.service.ts';
import type { CommunitiesService } from '../communities/communities.service.ts';
import type { MembersService } from './members.service.ts';

export function membersRoutes(auth: AuthService, communities: CommunitiesService, members: MembersService): Router {
  const r = Router();

  r.post('/communities/:cid/members', async (req, res) => {
    const cid = parseOrThrow(Id, req.params.cid, 'community id');
    const actor = await requireCan(auth, req, 'members.manage', { communityId: cid });
    await communities.get(cid);
    const body = parseOrThrow(MemberCreate, req.body, 'member');
    res.status(201).json({ member: await members.create(cid, body, actor) });
  });

  r.get('/communities/:cid/members', async (req, res) => {
    const cid = parseOrThrow(Id, req.params.cid, 'community id');
    await requireCan(auth, req, 'roster.view', { communityId: cid });
    await communities.get(cid);
    res.json({ members: await members.list(cid) });
  });

  r.patch('/communities/:cid/members/:uid', async (req, res) => {
    const cid = parseOrThrow(Id, req.params.cid, 'community id');
    const uid = parseOrThrow(Id, req.params.uid, 'member id');
    const actor = await requireCan(auth, req, 'members.manage', { communityId: cid });
    const body = parseOrThrow(MemberUpdate, req.body, 'member');
    res.json({ member: await members.update(cid, uid, body, actor) });
  });

  r.get('/communities/:cid/audit', async (req, res) => {
    const cid = parseOrThrow(Id, req.params.cid, 'community id');
    await requireCan(auth, req, 'members.manage', { communityId: cid });
    await communities.get(cid);
    res.setHeader('Cache-Control', 'no-store');
    res.json({ entries: await members.audit(cid) });
  });

  return r;
}
