/**
 * /api conventions: create and list per community, read one with its clauses (from the live
 * document), named versions (save, list, restore as a new edit, adopt), character diffs, export
 * (.md, .docx), comments and suggestions, and the document server's figures for operators.
 */
import { Router, type Request } from 'express';
import { z } from 'zod';
import {
  CommentCreate,
  ConventionCreate,
  DiffQuery,
  DomainError,
  ExportQuery,
  Id,
  SuggestionCreate,
  VersionAdopt,
  VersionCreate,
  diffClauses,
  parseOrThrow,
} from '@linli/shared';
import { requireCan, requireUser } from '../auth/auth.middleware.ts';
import type { AuthService } from '../auth/auth.service.ts';
import type { CommunitiesService } from '../communities/communities.service.ts';
import type { ConventionsService } from './conventions.service.ts';
import type { DocServer } from '../yjs/yjs.server.ts';
import type { ConventionDiscussion } from './conventions.discussion.ts';
import { toDocx, toMarkdown } from './conventions.export.ts';
import { baseUrlOf } from '../http/base-url.ts';

const CommentsQuery = z.object({ clauseId: z.string().max(64).optional() });

/** `attachment` with an ASCII fallback name and the real (Chinese) name as RFC 5987 `filename*`. */
export function attachment(filename: string, fallback: string): string {
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

export function conventionsRoutes(
  auth: AuthService,
  communities: CommunitiesService,
  conventions: ConventionsService,
  discussion: ConventionDiscussion,
  docs: DocServer,
): Router {
  const r = Router();
  const id = (req: Request) => parseOrThrow(Id, req.params.id, 'convention id');
  const vid = (req: Request) => parseOrThrow(Id, req.params.vid, 'version id');

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

  // ---- versions, diff, export ---------------------------------------------------------------

  r.post('/conventions/:id/versions', async (req, res) => {
    const { convention } = await conventions.access(requireUser(req).user, id(req), 'convention.version');
    const { name } = parseOrThrow(VersionCreate, req.body, 'version');
    res.status(201).json({ version: await conventions.createVersion(convention, name, requireUser(req).user.id) });
  });

  r.get('/conventions/:id/versions', async (req, res) => {
    const { convention } = await conventions.access(requireUser(req).user, id(req), 'convention.view');
    res.json({ versions: await conventions.versions(convention) });
  });

  r.post('/conventions/:id/versions/:vid/restore', async (req, res) => {
    const { convention } = await conventions.access(requireUser(req).user, id(req), 'convention.version');
    const version = await conventions.restore(convention, vid(req));
    res.json({ version, clauses: await conventions.clauses(convention) });
  });

  // Adoption records what a vote decided: only with the passed ballots that approved the text.
  r.get('/conventions/:id/versions/:vid/approvals', async (req, res) => {
    const { convention } = await conventions.access(requireUser(req).user, id(req), 'convention.view');
    res.json(await conventions.approvals(convention, vid(req)));
  });

  r.post('/conventions/:id/versions/:vid/adopt', async (req, res) => {
    const { user } = requireUser(req);
    const { convention } = await conventions.access(user, id(req), 'convention.adopt');
    const { ballotId } = parseOrThrow(VersionAdopt, req.body ?? {}, 'adoption');
    res.json(await conventions.adopt(convention, vid(req), user.id, ballotId));
  });

  r.get('/conventions/:id/diff', async (req, res) => {
    const { convention } = await conventions.access(requireUser(req).user, id(req), 'convention.view');
    const q = parseOrThrow(DiffQuery, req.query, 'diff query');
    const [from, to] = await Promise.all([conventions.clausesAt(convention, q.from), conventions.clausesAt(convention, q.to)]);
    res.json({ from: q.from, to: q.to, clauses: diffClauses(from, to) });
  });

  r.get('/conventions/:id/export', async (req, res) => {
    const { convention } = await conventions.access(requireUser(req).user, id(req), 'convention.view');
    const { format } = parseOrThrow(ExportQuery, req.query, 'export query');
    const [{ title, clauses }, adopted, community] = await Promise.all([
      conventions.contents(convention),
      conventions.adoptedVersion(convention),
      communities.get(convention.communityId),
    ]);
    // An adopted convention exports the adopted text, not whatever the draft says today.
    const body = adopted ? await conventions.clausesAt(convention, adopted.id) : clauses;
    const input = { title, clauses: body, at: Date.now(), adopted, communityName: community.name, baseUrl: baseUrlOf(req) };
    const filename = `${title.replace(/[\\/:*?"<>|\r\n]/g, '_')}.${format}`;
    res.setHeader('Content-Disposition', attachment(filename, `convention.${format}`));
    if (format === 'md') {
      res.type('text/markdown; charset=utf-8').send(toMarkdown(input));
    } else {
      res.type('application/vnd.openxmlformats-officedocument.wordprocessingml.document').send(await toDocx(input));
    }
  });

  // ---- comments and suggestions ---------------------------------------------------------------

  r.get('/conventions/:id/comments', async (req, res) => {
    const { convention } = await conventions.access(requireUser(req).user, id(req), 'convention.view');
    const { clauseId } = parseOrThrow(CommentsQuery, req.query, 'comments query');
    res.json({ comments: await discussion.comments(convention, clauseId) });
  });

  r.post('/conventions/:id/comments', async (req, res) => {
    const { user } = requireUser(req);
    const { convention } = await conventions.access(user, id(req), 'convention.comment');
    const input = parseOrThrow(CommentCreate, req.body, 'comment');
    res.status(201).json({ comment: await discussion.comment(convention, user, input) });
  });

  r.get('/conventions/:id/suggestions', async (req, res) => {
    const { convention } = await conventions.access(requireUser(req).user, id(req), 'convention.view');
    res.json({ suggestions: await discussion.suggestions(convention) });
  });

  r.post('/conventions/:id/suggestions', async (req, res) => {
    const { user } = requireUser(req);
    const { convention } = await conventions.access(user, id(req), 'convention.suggest');
    const input = parseOrThrow(SuggestionCreate, req.body, 'suggestion');
    res.status(201).json({ suggestion: await discussion.suggest(convention, user, input) });
  });

  for (const decision of ['accept', 'reject'] as const) {
    r.post(`/suggestions/:sid/${decision}`, async (req, res) => {
      const { user } = requireUser(req);
      const sid = parseOrThrow(Id, req.params.sid, 'suggestion id');
      const s = await discussion.find(sid);
      // Seeing it needs convention.view (else 404); deciding needs convention.edit.
      await conventions.access(user, s.conventionId, 'convention.view');
      const { convention } = await conventions.access(user, s.conventionId, 'convention.edit');
      const suggestion = await discussion.decide(convention, s, user, decision === 'accept' ? 'accepted' : 'rejected');
      res.json({ suggestion, ...(decision === 'accept' ? { clauses: await conventions.clauses(convention) } : {}) });
    });
  }

  /** Operators: what the document server holds in this process (admin only). */
  r.get('/yjs/stats', (req, res) => {
    if (!requireUser(req).user.isAdmin) throw new DomainError('forbidden', 'Administrators only. 仅限管理员。');
    res.json(docs.stats());
  });

  return r;
}
