/**
 * /api/communities/:cid/households: import (CSV in UTF-8/GBK, .xlsx, or JSON; ?dryRun=1), list
 * with search, edit one. Phones only to roster managers; codes only to those who may print slips.
 */
import express, { Router, type RequestHandler } from 'express';
import { householdView } from './roster.view.ts';
import { z } from 'zod';
import {
  DomainError,
  HouseholdImportJson,
  HouseholdPatch,
  HouseholdsQuery,
  Id,
  ImportQuery,
  ROSTER_MAX_BYTES,
  can,
  parseOrThrow,
  type RawRosterRow,
  type RosterCheckOptions,
} from '@linli/shared';
import { requireCan } from '../auth/auth.middleware.ts';
import type { AuthService } from '../auth/auth.service.ts';
import type { CommunitiesService } from '../communities/communities.service.ts';
import { XLSX_TYPE, tooLarge } from './roster.files.ts';
import type { RosterParser } from './roster.parser.ts';
import { TEMPLATE_NAME, rosterTemplateCsv, rosterTemplateXlsx } from './roster.template.ts';
import type { RosterService } from './roster.service.ts';

const TemplateQuery = z.object({ format: z.enum(['csv', 'xlsx']).default('xlsx') });

/** Roster files arrive as bytes (the encoding is detected from them), at most 5 MB. */
const FILE_TYPES = ['text/csv', 'application/csv', XLSX_TYPE, 'application/vnd.ms-excel', 'application/octet-stream'];
const rawParser = express.raw({ type: FILE_TYPES, limit: ROSTER_MAX_BYTES });
const rosterBody: RequestHandler = (req, res, next) =>
  rawParser(req, res, (err?: unknown) => {
    const e = err as { type?: string } | undefined;
    next(e?.type === 'entity.too.large' ? tooLarge() : err);
  });

export function rosterRoutes(
  auth: AuthService,
  communities: CommunitiesService,
  roster: RosterService,
  parser: RosterParser,
  /** The same checks as the parser's (for JSON rows, checked here). */
  checks: RosterCheckOptions = {},
): Router {
  const r = Router();

  // The template to fill in (no personal data: anyone may download it).
  r.get('/roster/template', (req, res) => {
    const { format } = parseOrThrow(TemplateQuery, req.query, 'query');
    const xlsx = format === 'xlsx';
    const name = `${TEMPLATE_NAME}.${xlsx ? 'xlsx' : 'csv'}`;
    res.setHeader('Content-Type', xlsx ? XLSX_TYPE : 'text/csv; charset=utf-8');
    res.setHeader(
      'Content-Disposition',
      `attachment; filename="roster-template.${xlsx ? 'xlsx' : 'csv'}"; filename*=UTF-8''${encodeURIComponent(name)}`,
    );
    res.send(xlsx ? rosterTemplateXlsx() : rosterTemplateCsv());
  });

  r.post('/communities/:cid/households', rosterBody, async (req, res) => {
    const cid = parseOrThrow(Id, req.params.cid, 'community id');
    await requireCan(auth, req, 'roster.manage', { communityId: cid });
    await communities.get(cid);
    const { dryRun } = parseOrThrow(ImportQuery, req.query, 'query');
    if (Buffer.isBuffer(req.body) || typeof req.body === 'string') {
      const type = req.headers['content-type'] ?? '';
      const charset = /charset=([^;]+)/i.exec(type)?.[1]?.trim();
      // Decoded and checked in the roster worker thread: a large or hostile file never blocks the event loop.
      const parsed = Buffer.isBuffer(req.body)
        ? await parser.parse(req.body, { kind: type.startsWith(XLSX_TYPE) ? 'xlsx' : undefined, charset })
        : await parser.parse(Buffer.from(req.body, 'utf8'), { kind: 'csv' });
      return void res.json(await roster.importParsed(cid, parsed, { dryRun }));
    }
    if (!(req.body && typeof req.body === 'object' && 'households' in req.body)) {
      throw new DomainError(
        'bad_request',
        'Send the roster as text/csv, an .xlsx file, or JSON {households:[…]}. 请以表格文件或逗号分隔的文本上传名册。',
      );
    }
    const body = parseOrThrow(HouseholdImportJson, req.body, 'households');
    const raws: RawRosterRow[] = body.households.map((h, i) => ({
      line: i + 1,
      building: h.building,
      unit: h.unit,
      room: h.room,
      area: h.area,
      owner: h.owner,
      phone: h.phone,
    }));
    res.json(await roster.importRows(cid, raws, { dryRun, ...checks }));
  });

  r.get('/communities/:cid/households', async (req, res) => {
    const cid = parseOrThrow(Id, req.params.cid, 'community id');
    const actor = await requireCan(auth, req, 'roster.view', { communityId: cid });
    await communities.get(cid);
    const q = parseOrThrow(HouseholdsQuery, req.query, 'query');
    const found = await roster.search(cid, { q: q.q, building: q.building });
    // A building leader sees the households of their own buildings only.
    const visible = found.filter((h) => can(actor, 'roster.view', { communityId: cid, building: h.building }));
    res.json({ households: visible.map((h) => householdView(h, actor, cid)) });
  });

  r.get('/communities/:cid/households/:hid', async (req, res) => {
    const cid = parseOrThrow(Id, req.params.cid, 'community id');
    const hid = parseOrThrow(Id, req.params.hid, 'household id');
    const actor = await requireCan(auth, req, 'roster.view', { communityId: cid });
    const h = await roster.getHousehold(cid, hid);
    if (!h || !can(actor, 'roster.view', { communityId: cid, building: h.building }))
      throw new DomainError('not_found', 'No such household. 该户不存在。');
    res.json({ household: householdView(h, actor, cid) });
  });

  r.patch('/communities/:cid/households/:hid', async (req, res) => {
    const cid = parseOrThrow(Id, req.params.cid, 'community id');
    const hid = parseOrThrow(Id, req.params.hid, 'household id');
    const actor = await requireCan(auth, req, 'roster.manage', { communityId: cid });
    const patch = parseOrThrow(HouseholdPatch, req.body, 'household');
    res.json({ household: householdView(await roster.update(cid, hid, patch), actor, cid) });
  });

  return r;
}
