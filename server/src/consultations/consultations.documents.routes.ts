/**
 * /api routes of the consultation documents (API.md "Consultation documents"): the ballot papers
 * (whole compound or one building, streamed, with the page count up front and a progress record
 * the web polls), the notice (公告), the result notice (公示), a building's not-voted list and the
 * voter register (.xlsx). Who may have what is decided here with can(); the documents themselves
 * are drawn by ./documents from plain data.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { DomainError, Id, can, parseOrThrow, type Actor } from '@linli/shared';
import { requireUser } from '../auth/auth.middleware.ts';
import type { AuthService } from '../auth/auth.service.ts';
import { CommunitiesRepository } from '../communities/communities.repository.ts';
import { baseUrlOf } from '../http/base-url.ts';
import type { Redis } from '../redis/connection.ts';
import type { StoredResponse } from './consultations.model.ts';
import type { ConsultationsService, Loaded } from './consultations.service.ts';
import { streamNoticePdf } from './documents/notice.pdf.ts';
import { streamNotVotedPdf } from './documents/not-voted.pdf.ts';
import { pagesPerPaper, streamPapersPdf, type PrintProgress } from './documents/papers.pdf.ts';
import { streamRegisterXlsx } from './documents/register.xlsx.ts';
import { streamResultPdf } from './documents/result.pdf.ts';

const BuildingQuery = z.object({
  building: z.string().trim().min(1).max(40).optional(),
  job: z
    .string()
    .regex(/^[A-Za-z0-9_-]{8,64}$/)
    .optional(),
});
const NotVotedQuery = z.object({ building: z.string().trim().min(1).max(40) });

/** Print progress of one papers.pdf download, in the consultation's slot; gone an hour after the last update. */
const printKey = (cid: string, job: string) => `{consultation:${cid}}:print:${job}`;
/** Door marks written by the door-to-door routes; read here only. */
const doorsKey = (cid: string) => `{consultation:${cid}}:doors`;

/** Who may print papers or a not-voted list: organisers everything; building leaders their buildings. */
export function mayPrintBuilding(actor: Actor, communityId: string, building: string | undefined): boolean {
  if (can(actor, 'consultation.manage', { communityId })) return true;
  return building !== undefined && can(actor, 'consultation.doors', { communityId, building });
}

/** Phone numbers on a not-voted list: the same rule as the door-to-door list (roster.manage). */
export function maySeePhones(actor: Actor, communityId: string): boolean {
  return can(actor, 'roster.manage', { communityId });
}

function attachment(res: Response, type: string, filename: string) {
  res.setHeader('content-type', type);
  res.setHeader(
    'content-disposition',
    `attachment; filename="${filename.replace(/[^\x20-\x7e]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(filename)}`,
  );
  res.setHeader('cache-control', 'no-store');
}

export function consultationDocumentsRoutes(auth: AuthService, service: ConsultationsService, redis: Redis): Router {
  const r = Router();
  const communities = new CommunitiesRepository(redis);
  const idOf = (req: Request) => parseOrThrow(Id, req.params.id, 'consultation id');
  const communityName = async (c: Loaded) => (await communities.get(c.stored.communityId))?.name ?? '';
  const forbidden = (what: string) =>
    new DomainError('forbidden', `You may not print ${what}. 您无权打印${what === 'these papers' ? '这些表决票' : '该清单'}。`);

  r.get('/consultations/:id/papers.pdf', async (req, res) => {
    const { user } = requireUser(req);
    const { c, actor } = await service.access(user, idOf(req), 'community.view');
    const { building, job } = parseOrThrow(BuildingQuery, req.query, 'query');
    if (!mayPrintBuilding(actor, c.stored.communityId, building)) throw forbidden('these papers');
    const all = await service.householdsOf(c.stored.id);
    const households = building ? all.filter((h) => h.building === building) : all;
    if (building && households.length === 0) throw new DomainError('not_found', `No households in building ${building}. 该楼栋没有住户。`);
    const input = { consultation: service.view(c), communityName: await communityName(c), households, baseUrl: baseUrlOf(req) };
    const perPaper = pagesPerPaper(input);
    attachment(res, 'application/pdf', `表决票-${c.stored.code}${building ? `-${building}栋` : ''}.pdf`);
    res.setHeader('x-linli-papers', String(households.length));
    res.setHeader('x-linli-pages', String(households.length * perPaper));
    res.flushHeaders();
    const key = job ? printKey(c.stored.id, job) : null;
    const record = (p: PrintProgress, done: boolean) => {
      if (!key) return;
      redis
        .multi()
        .hset(key, { papers: p.papers, pages: p.pages, totalPapers: p.totalPapers, totalPages: p.totalPages, done: done ? 1 : 0 })
        .expire(key, 3600)
        .exec()
        .catch(() => undefined);
    };
    if (key) record({ papers: 0, pages: 0, totalPapers: households.length, totalPages: households.length * perPaper }, false);
    const result = await streamPapersPdf(input, res, { pagesPerPaper: perPaper, every: 100, onProgress: (p) => record(p, false) });
    record(result, result.complete);
  });

  r.get('/consultations/:id/papers-progress/:job', async (req, res) => {
    const { user } = requireUser(req);
    const { c } = await service.access(user, idOf(req), 'community.view');
    const job = parseOrThrow(z.string().regex(/^[A-Za-z0-9_-]{8,64}$/), req.params.job, 'job');
    const h = await redis.hgetall(printKey(c.stored.id, job));
    if (!h.totalPages) throw new DomainError('not_found', 'No such print. 没有这次打印。');
    res.json({
      papers: Number(h.papers),
      pages: Number(h.pages),
      totalPapers: Number(h.totalPapers),
      totalPages: Number(h.totalPages),
      done: h.done === '1',
    });
  });

  r.get('/consultations/:id/notice.pdf', async (req, res) => {
    const { user } = requireUser(req);
    const { c } = await service.access(user, idOf(req), 'community.view');
    const consultation = service.view(c);
    attachment(res, 'application/pdf', `公告-${c.stored.code}.pdf`);
    await streamNoticePdf(
      {
        consultation,
        communityName: await communityName(c),
        answerUrl: `${baseUrlOf(req)}/c/${c.stored.communityId}/consultations/${c.stored.id}`,
      },
      res,
    );
  });

  r.get('/consultations/:id/result.pdf', async (req, res) => {
    const { user } = requireUser(req);
    const { c } = await service.access(user, idOf(req), 'community.view');
    const result = await service.result(c);
    attachment(res, 'application/pdf', `表决结果公示-${c.stored.code}.pdf`);
    await streamResultPdf(
      {
        consultation: service.view(c),
        communityName: await communityName(c),
        result,
        auditUrl: `${baseUrlOf(req)}/api/consultations/${c.stored.id}/audit`,
      },
      res,
    );
  });

  r.get('/consultations/:id/not-voted.pdf', async (req, res) => {
    const { user } = requireUser(req);
    const { c, actor } = await service.access(user, idOf(req), 'community.view');
    const { building } = parseOrThrow(NotVotedQuery, req.query, 'query');
    if (!mayPrintBuilding(actor, c.stored.communityId, building)) throw forbidden('this list');
    const [all, responses, marks] = await Promise.all([
      service.householdsOf(c.stored.id),
      service.repo.responses(c.stored.id),
      redis.hgetall(doorsKey(c.stored.id)),
    ]);
    const inBuilding = all.filter((h) => h.building === building);
    if (inBuilding.length === 0) throw new DomainError('not_found', `No households in building ${building}. 该楼栋没有住户。`);
    const withPhones = maySeePhones(actor, c.stored.communityId);
    const rows = inBuilding
      .filter((h) => !responses[h.householdId])
      .map((h) => ({
        address: h.address,
        owner: h.owner,
        areaCentiares: h.areaCentiares,
        paperCode: h.paperCode,
        ...(withPhones && h.phone ? { phone: h.phone } : {}),
        handedOut: marks[h.householdId] ? (JSON.parse(marks[h.householdId]!) as { handedOut?: boolean }).handedOut === true : false,
      }));
    attachment(res, 'application/pdf', `未表决户-${c.stored.code}-${building}栋.pdf`);
    await streamNotVotedPdf(
      {
        consultation: service.view(c),
        communityName: await communityName(c),
        building,
        rows,
        buildingTotal: inBuilding.length,
        withPhones,
      },
      res,
    );
  });

  r.get('/consultations/:id/register.xlsx', async (req, res) => {
    const { user } = requireUser(req);
    const { c } = await service.access(user, idOf(req), 'consultation.manage');
    const [households, responses] = await Promise.all([service.householdsOf(c.stored.id), service.repo.responses(c.stored.id)]);
    const consultation = service.view(c);
    attachment(res, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', `表决统计表-${c.stored.code}.xlsx`);
    const rows = households.map((h) => {
      const raw = responses[h.householdId];
      const s = raw ? (JSON.parse(raw) as StoredResponse) : null;
      return {
        ...h,
        ...(s
          ? {
              response: {
                channel: s.channel,
                at: s.at,
                receipt: s.receipt ?? '',
                ...(s.answers && !consultation.secret ? { answers: s.answers } : {}),
              },
            }
          : {}),
      };
    });
    await streamRegisterXlsx({ consultation, communityName: await communityName(c), rows }, res);
  });

  return r;
}
