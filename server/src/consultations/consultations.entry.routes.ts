/**
 * /api consultations: paper entry (double entry), the review of held papers, and door to door
 * (API.md "Consultations: paper entry and door to door"). Mounted by the consultations feature.
 */
import { Router, type Request } from 'express';
import { z } from 'zod';
import {
  DomainError,
  DoorMark,
  Id,
  PAPER_ENTRY_STATES,
  PaperEntryRequest,
  PaperResolveRequest,
  can,
  parseOrThrow,
  type Consultation,
} from '@linli/shared';
import { requireUser } from '../auth/auth.middleware.ts';
import type { AuthService } from '../auth/auth.service.ts';
import type { DoorsService } from './consultations.doors.ts';
import type { EntryCore, PaperEntryService } from './consultations.entry.ts';

const ListQuery = z.object({ state: z.enum(PAPER_ENTRY_STATES).optional() });
const DoorsQuery = z.object({ building: z.string().min(1).max(40).optional() });

export function entryRoutes(auth: AuthService, core: EntryCore, entries: PaperEntryService, doors: DoorsService): Router {
  const r = Router();
  /** The consultation and the caller's actor in its community; outsiders get 404. */
  const access = async (req: Request): Promise<{ c: Consultation; actor: Awaited<ReturnType<AuthService['actor']>> }> => {
    const { user } = requireUser(req);
    const c = await core.get(parseOrThrow(Id, req.params.id, 'consultation id'));
    const actor = c ? await auth.actor(user, c.communityId) : null;
    if (!c || !actor || (!actor.isAdmin && actor.roles.length === 0))
      throw new DomainError('not_found', 'No such consultation. 没有这次表决。');
    return { c, actor };
  };

  r.post('/consultations/:id/paper-entries', async (req, res) => {
    const { c, actor } = await access(req);
    if (!can(actor, 'vote.enter_paper', { communityId: c.communityId }))
      throw new DomainError('forbidden', 'Entering papers needs the vote.enter_paper permission. 无权录入纸质票。');
    const body = parseOrThrow(PaperEntryRequest, req.body, 'paper entry');
    res.json({ entry: await entries.enter(c, actor, body.paperCode, body.answers, body.idempotencyKey) });
  });

  r.get('/consultations/:id/paper-entries/lookup', async (req, res) => {
    const { c, actor } = await access(req);
    const code = parseOrThrow(z.object({ code: z.string().min(9).max(300) }), req.query, 'lookup').code;
    const { household } = await entries.lookup(c, code);
    if (!can(actor, 'vote.enter_paper', { communityId: c.communityId, building: household.building }))
      throw new DomainError('forbidden', 'You may not enter papers of this building. 您无权录入该楼栋的纸质票。');
    res.json({
      household: {
        householdId: household.householdId,
        address: household.address,
        building: household.building,
        owner: household.owner,
        areaCentiares: household.areaCentiares,
        paperCode: household.paperCode,
      },
    });
  });

  r.get('/consultations/:id/paper-entries', async (req, res) => {
    const { c, actor } = await access(req);
    if (
      !can(actor, 'vote.enter_paper', { communityId: c.communityId }) &&
      !can(actor, 'consultation.review_papers', { communityId: c.communityId })
    ) {
      throw new DomainError('forbidden', 'Seeing paper entries needs vote.enter_paper or consultation.review_papers. 无权查看纸质票录入。');
    }
    const { state } = parseOrThrow(ListQuery, req.query, 'query');
    res.json({ entries: await entries.list(c, actor, state), counts: await entries.counts(c.id) });
  });

  r.post('/consultations/:id/paper-entries/:paperCode/resolve', async (req, res) => {
    const { c, actor } = await access(req);
    const body = parseOrThrow(PaperResolveRequest, req.body, 'resolution');
    res.json({ entry: await entries.resolve(c, actor, String(req.params.paperCode), body.answers, body.note) });
  });

  r.get('/consultations/:id/doors', async (req, res) => {
    const { c, actor } = await access(req);
    const { building } = parseOrThrow(DoorsQuery, req.query, 'query');
    res.json({ doors: await doors.list(c, actor, building) });
  });

  r.post('/consultations/:id/doors/:householdId', async (req, res) => {
    const { c, actor } = await access(req);
    const body = parseOrThrow(DoorMark, req.body, 'door mark');
    res.json({ door: await doors.mark(c, actor, parseOrThrow(Id, req.params.householdId, 'household id'), body) });
  });

  return r;
}
