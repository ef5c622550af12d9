/**
 * The problems ledger over HTTP: raise and list per community, read / change / rate one problem,
 * and its photo (raw image bytes in, the same bytes out with their type and nosniff).
 */
import express, { Router, type RequestHandler } from 'express';
import {
  DomainError,
  Id,
  PROBLEM_PHOTO_MAX_BYTES,
  PROBLEM_PHOTO_TYPES,
  ProblemCreate,
  ProblemPatch,
  ProblemRate,
  ProblemsQuery,
  parseOrThrow,
  problemView,
  type Problem,
} from '@linli/shared';
import { requireCan, requireUser } from '../auth/auth.middleware.ts';
import type { AuthService } from '../auth/auth.service.ts';
import type { CommunitiesService } from '../communities/communities.service.ts';
import { photoTooLarge, type ProblemsService } from './problems.service.ts';

const EXT: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' };

// The photo is the only raw body in the API: parsed here, for this route, after the sign-in check.
const rawPhoto = express.raw({ type: [...PROBLEM_PHOTO_TYPES], limit: PROBLEM_PHOTO_MAX_BYTES });
const photoBody: RequestHandler = (req, res, next) => {
  requireUser(req);
  rawPhoto(req, res, (err?: unknown) => {
    const e = err as { type?: string } | undefined;
    next(e?.type === 'entity.too.large' ? photoTooLarge() : err);
  });
};

export function problemsRoutes(auth: AuthService, communities: CommunitiesService, problems: ProblemsService): Router {
  const r = Router();
  const view = (p: Problem) => problemView(p, problems.now());
  const pid = (raw: unknown) => parseOrThrow(Id, raw, 'problem id');

  r.post('/communities/:cid/problems', async (req, res) => {
    const cid = parseOrThrow(Id, req.params.cid, 'community id');
    const actor = await requireCan(auth, req, 'problem.raise', { communityId: cid });
    await communities.get(cid);
    const input = parseOrThrow(ProblemCreate, req.body, 'problem');
    const p = await problems.raise(req.auth!.user, actor, cid, input);
    res.status(201).json({ problem: view(p) });
  });

  r.get('/communities/:cid/problems', async (req, res) => {
    const cid = parseOrThrow(Id, req.params.cid, 'community id');
    await requireCan(auth, req, 'community.view', { communityId: cid });
    await communities.get(cid);
    const q = parseOrThrow(ProblemsQuery, req.query, 'query');
    res.json({ problems: (await problems.list(cid, q)).map(view) });
  });

  r.get('/problems/:id', async (req, res) => {
    const { user } = requireUser(req);
    res.json({ problem: view(await problems.get(user, pid(req.params.id))) });
  });

  r.patch('/problems/:id', async (req, res) => {
    const { user } = requireUser(req);
    const id = pid(req.params.id);
    const patch = parseOrThrow(ProblemPatch, req.body, 'problem');
    res.json({ problem: view(await problems.change(user, id, patch)) });
  });

  r.post('/problems/:id/rating', async (req, res) => {
    const { user } = requireUser(req);
    const id = pid(req.params.id);
    const rating = parseOrThrow(ProblemRate, req.body, 'rating');
    res.json({ problem: view(await problems.rate(user, id, rating)) });
  });

  r.post('/problems/:id/photo', photoBody, async (req, res) => {
    const { user } = requireUser(req);
    const id = pid(req.params.id);
    if (!Buffer.isBuffer(req.body)) {
      throw new DomainError(
        'unsupported_media_type',
        'Send the photo as the request body with Content-Type image/jpeg, image/png or image/webp. 请上传 JPEG、PNG 或 WebP 照片。',
        { status: 415 },
      );
    }
    res.json({ problem: view(await problems.attachPhoto(user, id, req.body)) });
  });

  r.get('/problems/:id/photo', async (req, res) => {
    const { user } = requireUser(req);
    const id = pid(req.params.id);
    const photo = await problems.photo(user, id);
    const etag = `"${photo.id}"`;
    // Same URL for a replaced photo: revalidate every time, answer 304 while it is the same one.
    res.set({ 'Cache-Control': 'private, no-cache', ETag: etag, 'X-Content-Type-Options': 'nosniff' });
    if (req.headers['if-none-match'] === etag) {
      res.status(304).end();
      return;
    }
    res.set({
      'Content-Type': photo.mime,
      'Content-Disposition': `inline; filename="problem-${id}.${EXT[photo.mime] ?? 'bin'}"`,
      'Content-Security-Policy': "default-src 'none'; sandbox",
    });
    res.end(photo.bytes);
  });

  return r;
}
