/**
 * Micro-project budgets and the three lists over HTTP. Each handler checks the permission, parses,
 * calls one service method and answers (docs/API.md "Micro-project budgets").
 */
import { Router } from 'express';
import { DomainError, Id, can, parseOrThrow } from '@linli/shared';
import { requireCan, requireUser } from '../auth/auth.middleware.ts';
import type { AuthService } from '../auth/auth.service.ts';
import type { CommunitiesService } from '../communities/communities.service.ts';
import type { BudgetsService } from './budgets.service.ts';

export function budgetsRoutes(auth: AuthService, communities: CommunitiesService, budgets: BudgetsService): Router {
  const r = Router();
  const cidOf = (raw: unknown) => parseOrThrow(Id, raw, 'community id');
  const idOf = (raw: unknown) => parseOrThrow(Id, raw, 'id');

  r.post('/communities/:cid/budgets', async (req, res) => {
    const cid = cidOf(req.params.cid);
    const actor = await requireCan(auth, req, 'budget.manage', { communityId: cid });
    await communities.get(cid);
    const b = await budgets.create(actor, cid, req.body);
    res.status(201).json({ budget: budgets.view(b) });
  });

  r.get('/communities/:cid/budgets', async (req, res) => {
    const cid = cidOf(req.params.cid);
    await requireCan(auth, req, 'community.view', { communityId: cid });
    await communities.get(cid);
    const list = await budgets.list(cid);
    const rows = await Promise.all(
      list.map(async (b) => ({
        ...budgets.view(b),
        projects: (await budgets.projects(b.stored.id)).filter((p) => p.status !== 'rejected').length,
      })),
    );
    res.json({ budgets: rows });
  });

  r.get('/communities/:cid/lists', async (req, res) => {
    const cid = cidOf(req.params.cid);
    await requireCan(auth, req, 'community.view', { communityId: cid });
    await communities.get(cid);
    res.json(await budgets.lists(cid));
  });

  r.get('/budgets/:id', async (req, res) => {
    const { user } = requireUser(req);
    const { b, actor } = await budgets.access(user, idOf(req.params.id), 'community.view');
    const manage = can(actor, 'budget.manage', { communityId: b.stored.communityId });
    // Proposals waiting for a manager (and rejected ones) are seen by managers and their proposer.
    const projects = (await budgets.projects(b.stored.id)).filter(
      (p) => manage || p.proposedBy.userId === user.id || (p.status !== 'proposed' && p.status !== 'rejected'),
    );
    res.json({
      budget: budgets.view(b),
      projects: await Promise.all(projects.map((p) => budgets.projectView(b, p, user.id))),
      mine: await budgets.mine(user, b),
    });
  });

  for (const step of ['open', 'close'] as const) {
    r.post(`/budgets/:id/${step}`, async (req, res) => {
      const { user } = requireUser(req);
      const { b, actor } = await budgets.access(user, idOf(req.params.id), 'budget.manage');
      const next = step === 'open' ? await budgets.open(actor, b) : await budgets.close(user.id, b);
      res.json({ budget: budgets.view(next) });
    });
  }

  r.post('/budgets/:id/projects', async (req, res) => {
    const { user } = requireUser(req);
    const { b, actor } = await budgets.access(user, idOf(req.params.id), 'budget.propose');
    const project = await budgets.propose(user, actor, b, req.body);
    res.status(201).json({ project });
  });

  r.post('/budgets/:id/votes', async (req, res) => {
    const { user } = requireUser(req);
    const { b } = await budgets.access(user, idOf(req.params.id), 'budget.vote');
    res.json(await budgets.vote(user, b, req.body));
  });

  r.post('/budgets/:id/paper', async (req, res) => {
    const { user } = requireUser(req);
    const { b } = await budgets.access(user, idOf(req.params.id), 'budget.manage');
    res.json(await budgets.paper(user, b, req.body));
  });

  r.get('/budgets/:id/result', async (req, res) => {
    const { user } = requireUser(req);
    const { b, actor } = await budgets.access(user, idOf(req.params.id), 'community.view');
    // While choosing is open only managers see the running count (it would sway the choice).
    if (b.status !== 'closed' && !can(actor, 'budget.manage', { communityId: b.stored.communityId })) {
      throw new DomainError('not_closed', 'The result is published when choosing closes. 选择结束后公布结果。', { status: 409 });
    }
    res.json(await budgets.result(b));
  });

  r.get('/budgets/:id/audit', async (req, res) => {
    const { user } = requireUser(req);
    const { b } = await budgets.access(user, idOf(req.params.id), 'community.view');
    res.json({ entries: await budgets.auditLog(b.stored.id) });
  });

  r.get('/projects/:id', async (req, res) => {
    const { user } = requireUser(req);
    const { b, project } = await budgets.accessProject(user, idOf(req.params.id), 'community.view');
    res.json({ project: await budgets.projectView(b, project, user.id) });
  });

  for (const step of ['accept', 'reject'] as const) {
    r.post(`/projects/:id/${step}`, async (req, res) => {
      const { user } = requireUser(req);
      const id = idOf(req.params.id);
      const out = step === 'accept' ? await budgets.accept(user, id) : await budgets.reject(user, id, req.body);
      res.json({ project: out.project });
    });
  }

  r.post('/projects/:id/updates', async (req, res) => {
    const { user } = requireUser(req);
    const out = await budgets.update(user, idOf(req.params.id), req.body);
    res.json({ project: await budgets.projectView(out.b, out.project, user.id) });
  });

  r.post('/projects/:id/rating', async (req, res) => {
    const { user } = requireUser(req);
    res.json({ project: await budgets.rate(user, idOf(req.params.id), req.body) });
  });

  return r;
}
