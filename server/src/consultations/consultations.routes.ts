/**
 * /api consultations (API.md "Consultations"): create and list in a community, read with progress,
 * answer (phone; hall when linked to a live meeting the member is checked into), result, extend,
 * publish, audit log. Paper entry, doors and documents live in their own route files.
 */
import { Router, type Request } from 'express';
import { AuditQuery, DomainError, Id, MeetingConsultationLink, parseOrThrow } from '@linli/shared';
import { requireCan, requireUser } from '../auth/auth.middleware.ts';
import type { AuthService } from '../auth/auth.service.ts';
import type { ConsultationsHall } from './consultations.hall.ts';
import type { ConsultationsService } from './consultations.service.ts';

export function consultationsRoutes(auth: AuthService, service: ConsultationsService, hall: ConsultationsHall): Router {
  const r = Router();
  const idOf = (req: Request) => parseOrThrow(Id, req.params.id, 'consultation id');

  r.post('/communities/:cid/consultations', async (req, res) => {
    const cid = parseOrThrow(Id, req.params.cid, 'community id');
    const actor = await requireCan(auth, req, 'consultation.manage', { communityId: cid });
    const c = await service.create(actor, cid, req.body);
    res.status(201).json({ consultation: service.view(c) });
  });

  r.get('/communities/:cid/consultations', async (req, res) => {
    const cid = parseOrThrow(Id, req.params.cid, 'community id');
    await requireCan(auth, req, 'community.view', { communityId: cid });
    res.json({ consultations: (await service.list(cid)).map((c) => service.view(c)) });
  });

  r.get('/consultations/:id', async (req, res) => {
    const { user } = requireUser(req);
    const { c } = await service.access(user, idOf(req), 'community.view');
    res.json(await service.read(user, c));
  });

  r.post('/consultations/:id/responses', async (req, res) => {
    const { user } = requireUser(req);
    const { c } = await service.access(user, idOf(req), 'ballot.vote');
    const ack = await service.respond(user, c, req.body, await hall.channelFor(user, c));
    res
      .status(ack.repeated ? 200 : 201)
      .json({ receipt: ack.receipt, householdId: ack.householdId, channel: ack.channel, repeated: ack.repeated });
  });

  r.get('/consultations/:id/result', async (req, res) => {
    const { user } = requireUser(req);
    const { c } = await service.access(user, idOf(req), 'community.view');
    res.json(await service.result(c));
  });

  r.post('/consultations/:id/extend', async (req, res) => {
    const { user } = requireUser(req);
    const { c, actor } = await service.access(user, idOf(req), 'consultation.manage');
    res.json({ consultation: service.view(await service.extend(actor, c, req.body)) });
  });

  r.post('/consultations/:id/publish', async (req, res) => {
    const { user } = requireUser(req);
    const { c, actor } = await service.access(user, idOf(req), 'consultation.manage');
    res.json({ consultation: service.view(await service.publish(actor, c, req.body)) });
  });

  r.get('/consultations/:id/audit', async (req, res) => {
    const { user } = requireUser(req);
    const { c } = await service.access(user, idOf(req), 'community.view');
    const { format } = parseOrThrow(AuditQuery, req.query, 'query');
    const lines = await service.repo.audit(c.stored.id);
    res.setHeader(
      'content-disposition',
      `attachment; filename="consultation-${c.stored.id}-audit.${format === 'json' ? 'json' : 'jsonl'}"`,
    );
    if (format === 'json') return void res.json({ consultationId: c.stored.id, entries: lines.map((l) => JSON.parse(l) as unknown) });
    res.type('application/x-ndjson').send(lines.join('\n') + (lines.length ? '\n' : ''));
  });

  r.put('/meetings/:id/consultation', async (req, res) => {
    const { user } = requireUser(req);
    const meetingId = parseOrThrow(Id, req.params.id, 'meeting id');
    const { consultationId } = parseOrThrow(MeetingConsultationLink, req.body, 'link');
    const meetingCid = await hall.communityOfMeeting(meetingId);
    res.json(await hall.linkMeeting(await auth.actor(user, meetingCid), meetingId, consultationId));
  });

  r.get('/meetings/:id/consultation', async (req, res) => {
    const { user } = requireUser(req);
    const meetingId = parseOrThrow(Id, req.params.id, 'meeting id');
    const cid = await hall.communityOfMeeting(meetingId);
    const actor = await auth.actor(user, cid);
    if (!actor.isAdmin && actor.roles.length === 0) throw new DomainError('not_found', 'No such meeting. 会议不存在。');
    const id = await hall.linkedTo(meetingId);
    if (!id) return void res.json({ consultation: null });
    const c = await service.load(id);
    res.json({ consultation: service.view(c), progress: await service.progress(c), questions: (await service.result(c)).questions });
  });

  return r;
}
