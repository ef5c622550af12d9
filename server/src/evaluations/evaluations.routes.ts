/**
 * /api evaluations (API.md "Evaluations (评议)"): create and list in a community, read, open,
 * close, answer (phone), printed questionnaires (staff), result, the subject's reply, audit log.
 * Handlers parse ids, check the action, call one service method and answer.
 */
import { Router, type Request } from 'express';
import { Id, parseOrThrow } from '@linli/shared';
import { requireCan, requireUser } from '../auth/auth.middleware.ts';
import type { AuthService } from '../auth/auth.service.ts';
import type { EvaluationsService } from './evaluations.service.ts';

export function evaluationsRoutes(auth: AuthService, service: EvaluationsService): Router {
  const r = Router();
  const idOf = (req: Request) => parseOrThrow(Id, req.params.id, 'evaluation id');
  const cidOf = (req: Request) => parseOrThrow(Id, req.params.cid, 'community id');

  r.post('/communities/:cid/evaluations', async (req, res) => {
    const cid = cidOf(req);
    const actor = await requireCan(auth, req, 'evaluation.manage', { communityId: cid });
    res.status(201).json({ evaluation: service.view(await service.create(actor, cid, req.body)) });
  });

  r.get('/communities/:cid/evaluations', async (req, res) => {
    const cid = cidOf(req);
    await requireCan(auth, req, 'community.view', { communityId: cid });
    const list = await service.list(cid);
    res.json({
      evaluations: await Promise.all(
        list.map(async (e) => ({ ...service.view(e), responses: await service.repo.responseCount(e.stored.id) })),
      ),
    });
  });

  r.get('/evaluations/:id', async (req, res) => {
    const { user } = requireUser(req);
    const { e } = await service.access(user, idOf(req), 'community.view');
    res.json({ evaluation: service.view(e), mine: await service.mine(user, e), responses: await service.repo.responseCount(e.stored.id) });
  });

  r.post('/evaluations/:id/open', async (req, res) => {
    const { user } = requireUser(req);
    const { e, actor } = await service.access(user, idOf(req), 'evaluation.manage');
    res.json({ evaluation: service.view(await service.open(actor, e)) });
  });

  r.post('/evaluations/:id/close', async (req, res) => {
    const { user } = requireUser(req);
    const { e, actor } = await service.access(user, idOf(req), 'evaluation.manage');
    res.json({ evaluation: service.view(await service.close(actor, e)) });
  });

  r.post('/evaluations/:id/responses', async (req, res) => {
    const { user } = requireUser(req);
    const { e, actor } = await service.access(user, idOf(req), 'evaluation.answer');
    const ack = await service.respond(user, actor, e, req.body);
    res.status(ack.repeated ? 200 : 201).json(ack);
  });

  r.post('/evaluations/:id/paper', async (req, res) => {
    const { user } = requireUser(req);
    const { e, actor } = await service.access(user, idOf(req), 'evaluation.manage');
    const ack = await service.paper(actor, e, req.body);
    res.status(ack.repeated ? 200 : 201).json(ack);
  });

  r.get('/evaluations/:id/result', async (req, res) => {
    const { user } = requireUser(req);
    const { e } = await service.access(user, idOf(req), 'community.view');
    res.json(await service.result(e));
  });

  r.post('/evaluations/:id/reply', async (req, res) => {
    const { user } = requireUser(req);
    const { e, actor } = await service.access(user, idOf(req), 'evaluation.reply');
    res.json({ evaluation: service.view(await service.reply(user, actor, e, req.body)) });
  });

  r.get('/evaluations/:id/audit', async (req, res) => {
    const { user } = requireUser(req);
    const { e } = await service.access(user, idOf(req), 'community.view');
    res.json({ evaluationId: e.stored.id, entries: (await service.repo.audit(e.stored.id)).map((l) => JSON.parse(l) as unknown) });
  });

  return r;
}
