/**
 * Opinion rounds over HTTP: create and list per community; per round its statements, moderation,
 * answers, the next statement to answer, the map, and promotion of a consensus statement.
 */
import { Router, type Request } from 'express';
import {
  DomainError,
  Id,
  OpinionCreate,
  OpinionPatch,
  OpinionVote,
  StatementCreate,
  StatementModerate,
  StatementPromote,
  parseOrThrow,
  type Action,
  type Opinion,
} from '@linli/shared';
import { requireCan, requireUser } from '../auth/auth.middleware.ts';
import type { AuthService } from '../auth/auth.service.ts';
import type { CommunitiesService } from '../communities/communities.service.ts';
import type { OpinionsService } from './opinions.service.ts';

export function opinionsRoutes(auth: AuthService, communities: CommunitiesService, opinions: OpinionsService): Router {
  const r = Router();
  const oid = (raw: unknown) => parseOrThrow(Id, raw, 'opinion id');
  const sidOf = (raw: unknown) => parseOrThrow(Id, raw, 'statement id');
  /** The round and the actor, after checking `action` in its community (outsiders: 404). */
  const round = async (req: Request, action: Action): Promise<{ o: Opinion; actor: Awaited<ReturnType<typeof requireCan>> }> => {
    requireUser(req);
    const o = await opinions.require(oid(req.params.id));
    // Someone outside the community learns nothing of the round: 404, as for an unknown id.
    const actor = await requireCan(auth, req, action, { communityId: o.communityId }).catch((err: unknown) => {
      throw err instanceof DomainError && err.code === 'not_found'
        ? new DomainError('not_found', 'No such opinion round. 意见征集不存在。')
        : err;
    });
    return { o, actor };
  };

  r.post('/communities/:cid/opinions', async (req, res) => {
    const cid = parseOrThrow(Id, req.params.cid, 'community id');
    const actor = await requireCan(auth, req, 'deliberation.moderate', { communityId: cid });
    await communities.get(cid);
    const input = parseOrThrow(OpinionCreate, req.body, 'opinion');
    res.status(201).json({ opinion: await opinions.create(actor, cid, input) });
  });

  r.get('/communities/:cid/opinions', async (req, res) => {
    const cid = parseOrThrow(Id, req.params.cid, 'community id');
    await requireCan(auth, req, 'deliberation.take_part', { communityId: cid });
    await communities.get(cid);
    res.json({ opinions: await opinions.list(cid) });
  });

  r.get('/opinions/:id', async (req, res) => {
    const { o, actor } = await round(req, 'deliberation.take_part');
    res.json({ opinion: o, statements: await opinions.statements(actor, o), moderator: opinions.mayModerate(actor, o) });
  });

  r.patch('/opinions/:id', async (req, res) => {
    const { o } = await round(req, 'deliberation.moderate');
    const patch = parseOrThrow(OpinionPatch, req.body, 'opinion');
    res.json({ opinion: await opinions.setStatus(o, patch.status) });
  });

  r.post('/opinions/:id/statements', async (req, res) => {
    const { o, actor } = await round(req, 'deliberation.take_part');
    const { text } = parseOrThrow(StatementCreate, req.body, 'statement');
    res.status(201).json({ statement: await opinions.addStatement(actor, o, text) });
  });

  r.post('/opinions/:id/statements/:sid/moderation', async (req, res) => {
    const { o, actor } = await round(req, 'deliberation.take_part');
    const { status } = parseOrThrow(StatementModerate, req.body, 'moderation');
    res.json({ statement: await opinions.moderate(actor, o, sidOf(req.params.sid), status) });
  });

  r.post('/opinions/:id/votes', async (req, res) => {
    const { o, actor } = await round(req, 'deliberation.take_part');
    const v = parseOrThrow(OpinionVote, req.body, 'vote');
    const { rev } = await opinions.vote(actor, actor.roles, o, v.statementId, v.vote);
    res.json({ vote: v, rev });
  });

  r.get('/opinions/:id/next', async (req, res) => {
    const { o, actor } = await round(req, 'deliberation.take_part');
    res.json(await opinions.next(actor.userId, o));
  });

  r.get('/opinions/:id/map', async (req, res) => {
    const { o, actor } = await round(req, 'deliberation.take_part');
    res.json(await opinions.map(actor, o));
  });

  r.post('/opinions/:id/statements/:sid/promote', async (req, res) => {
    const { o, actor } = await round(req, 'deliberation.moderate');
    const body = parseOrThrow(StatementPromote, req.body, 'promotion');
    res.status(201).json(await opinions.promote(actor, req.auth!.user, o, sidOf(req.params.sid), body));
  });

  return r;
}
