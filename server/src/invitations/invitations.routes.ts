/**
 * POST /api/auth/invitation {code} (claim), slips for printing, re-issue and revoke one household's
 * code. Failed claims are limited per address, with an allowance that grows with the distinct
 * households claimed from it; nothing is keyed on any part of a code.
 */
import { Router } from 'express';
import { z } from 'zod';
import { DomainError, Id, InvitationClaim, InvitationSlipsQuery, can, parseOrThrow } from '@linli/shared';
import { requireCan, setSessionCookie } from '../auth/auth.middleware.ts';
import { publicUser, type AuthService } from '../auth/auth.service.ts';
import type { CommunitiesService } from '../communities/communities.service.ts';
import { refuseWhileWaiting, withWait, type FailureLimiter } from '../http/rate-limit.ts';
import { householdView } from '../roster/roster.view.ts';
import { baseUrlOf } from '../http/base-url.ts';
import type { RosterService } from '../roster/roster.service.ts';
import { joinUrlOf, type InvitationsService } from './invitations.service.ts';

/** `?removeMembers=1`: also sign out of the household everyone who joined with its slips. */
const RevokeQuery = z.object({
  removeMembers: z
    .enum(['1', '0', 'true', 'false'])
    .optional()
    .transform((v) => v === '1' || v === 'true'),
});

export interface InvitationLimits {
  perAddress: FailureLimiter;
}

export function invitationsRoutes(
  auth: AuthService,
  communities: CommunitiesService,
  roster: RosterService,
  invitations: InvitationsService,
  limits: InvitationLimits,
): Router {
  const r = Router();

  r.post('/auth/invitation', async (req, res) => {
    const { code, newMember } = parseOrThrow(InvitationClaim, req.body, 'invitation');
    const ip = req.ip ?? 'unknown';
    await refuseWhileWaiting([limits.perAddress.wait(ip)]);
    let claimed;
    try {
      claimed = await invitations.claim(code, req.auth?.user ?? null, { newMember });
    } catch (err) {
      if (err instanceof DomainError && err.code === 'not_found') throw withWait(err, await limits.perAddress.fail(ip));
      throw err;
    }
    await limits.perAddress.succeed(ip, claimed.household.id);
    if (!claimed.resumed || req.auth?.user.id !== claimed.user.id) {
      const session = await auth.startSession(claimed.user.id);
      setSessionCookie(req, res, session);
    }
    const h = claimed.household;
    res.json({
      user: publicUser(claimed.user),
      membership: claimed.membership,
      household: { id: h.id, building: h.building, unit: h.unit, room: h.room },
      resumed: claimed.resumed,
    });
  });

  r.get('/communities/:cid/invitations', async (req, res) => {
    const cid = parseOrThrow(Id, req.params.cid, 'community id');
    const { building } = parseOrThrow(InvitationSlipsQuery, req.query, 'query');
    const actor = await requireCan(auth, req, 'invitation.print', { communityId: cid, ...(building ? { building } : {}) });
    const community = await communities.get(cid);
    const slips = await invitations.slips(cid, {
      baseUrl: baseUrlOf(req),
      building,
      // A building leader gets the slips of their own buildings only.
      visible: (h) => can(actor, 'invitation.print', { communityId: cid, building: h.building }),
    });
    res.setHeader('Cache-Control', 'no-store');
    res.json({ community: { id: community.id, name: community.name }, invitations: slips });
  });

  r.post('/communities/:cid/households/:hid/invitation', async (req, res) => {
    const cid = parseOrThrow(Id, req.params.cid, 'community id');
    const hid = parseOrThrow(Id, req.params.hid, 'household id');
    const actor = await requireCan(auth, req, 'roster.manage', { communityId: cid });
    const h = await roster.reissueInvitation(cid, hid);
    res.json({ household: householdView(h, actor, cid), joinUrl: joinUrlOf(baseUrlOf(req), h.invitationCode!) });
  });

  r.delete('/communities/:cid/households/:hid/invitation', async (req, res) => {
    const cid = parseOrThrow(Id, req.params.cid, 'community id');
    const hid = parseOrThrow(Id, req.params.hid, 'household id');
    const actor = await requireCan(auth, req, 'roster.manage', { communityId: cid });
    const { removeMembers } = parseOrThrow(RevokeQuery, req.query, 'query');
    const { household, removedMembers } = await invitations.revoke(cid, hid, { removeMembers });
    res.json({ household: householdView(household, actor, cid), removedMembers });
  });

  return r;
}
