/**
 * /api meetings: create and list per community, read and update one, its QR code, joining by the
 * code read aloud (failures rate-limited), agenda, check-in of hall participants without a phone,
 * attendance list, and the minutes (generated, edited, published, exported as .md or .docx).
 */
import { Router, type Request } from 'express';
import QRCode from 'qrcode';
import { z } from 'zod';
import {
  AgendaItemAdd,
  AgendaItemPatch,
  AgendaOrder,
  AgendaUpdate,
  CheckInRequest,
  Id,
  MeetingCreate,
  MeetingJoinRequest,
  MeetingUpdate,
  MinutesExportQuery,
  MinutesUpdate,
  parseOrThrow,
  DomainError,
} from '@linli/shared';
import { requireCan, setSessionCookie } from '../auth/auth.middleware.ts';
import { GUEST_SESSION_TTL_SECONDS, publicUser, type AuthService } from '../auth/auth.service.ts';
import type { CommunitiesService } from '../communities/communities.service.ts';
import { refuseWhileWaiting, withWait, type FailureLimiter } from '../http/rate-limit.ts';
import { baseUrlOf } from '../http/base-url.ts';
import type { MeetingsService } from './meetings.service.ts';
import type { MeetingsState } from './meetings.state.ts';
import type { MeetingsMinutes } from './meetings.minutes.ts';

export interface MeetingJoinLimits {
  /** Failed codes per address; each distinct person who joins from it allows a few more. */
  perAddress: FailureLimiter;
}

const HouseholdsQuery = z.object({ q: z.string().trim().max(40).optional() });

/** The link a meeting's QR code holds: the web app's join page with the code filled in. */
export function meetingJoinUrl(baseUrl: string, joinCode: string): string {
  return `${baseUrl.replace(/\/$/, '')}/join?code=${joinCode}`;
}

export function meetingsRoutes(
  auth: AuthService,
  communities: CommunitiesService,
  meetings: MeetingsService,
  state: MeetingsState,
  minutes: MeetingsMinutes,
  limits: MeetingJoinLimits,
): Router {
  const r = Router();
  const access = (req: Request) => {
    const mid = parseOrThrow(Id, req.params.id, 'meeting id');
    return meetings.access(req.auth?.user, req.auth?.session, mid);
  };

  r.post('/communities/:cid/meetings', async (req, res) => {
    const cid = parseOrThrow(Id, req.params.cid, 'community id');
    const actor = await requireCan(auth, req, 'meeting.create', { communityId: cid });
    await communities.get(cid);
    const input = parseOrThrow(MeetingCreate, req.body, 'meeting');
    const meeting = await meetings.create(cid, input, actor);
    res.status(201).json({ meeting, joinUrl: meetingJoinUrl(baseUrlOf(req), meeting.joinCode) });
  });

  r.get('/communities/:cid/meetings', async (req, res) => {
    const cid = parseOrThrow(Id, req.params.cid, 'community id');
    await requireCan(auth, req, 'community.view', { communityId: cid });
    res.json({ meetings: await meetings.list(cid) });
  });

  // Before `/meetings/:id` routes so "join" is never taken for an id.
  r.post('/meetings/join', async (req, res) => {
    const { joinCode, displayName } = parseOrThrow(MeetingJoinRequest, req.body, 'join');
    const ip = req.ip ?? 'unknown';
    await refuseWhileWaiting([limits.perAddress.wait(ip)]);
    let joined;
    try {
      joined = await state.joinByCode(joinCode, req.auth ?? null, displayName);
    } catch (err) {
      if (err instanceof DomainError && err.code === 'not_found') throw withWait(err, await limits.perAddress.fail(ip));
      throw err;
    }
    await limits.perAddress.succeed(ip, `${joined.meeting.id}:${joined.user.id}`);
    if (joined.session) setSessionCookie(req, res, joined.session, GUEST_SESSION_TTL_SECONDS);
    res.json({ meeting: joined.meeting, user: publicUser(joined.user), guest: joined.guest });
  });

  r.get('/meetings/:id', async (req, res) => {
    const a = await access(req);
    const s = await meetings.require(a.meeting.id);
    res.json({
      meeting: s.meeting,
      agenda: s.live.agenda,
      you: { userId: a.user.id, facilitator: a.facilitator, guest: a.guest, roles: a.actor.roles },
    });
  });

  r.patch('/meetings/:id', async (req, res) => {
    const a = await access(req);
    const patch = parseOrThrow(MeetingUpdate, req.body, 'meeting');
    res.json({ meeting: await meetings.update(a, patch) });
  });

  r.get('/meetings/:id/state', async (req, res) => {
    const a = await access(req);
    const snap = await state.snapshot(a.meeting.id);
    // `you` as in the `meeting:join` ack: the phone page renders from this on the server.
    res.json({ state: snap, you: await state.you(a, snap) });
  });

  r.get('/meetings/:id/qr', async (req, res) => {
    const a = await access(req);
    const url = meetingJoinUrl(baseUrlOf(req), a.meeting.joinCode);
    const svg = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
    res.type('image/svg+xml').setHeader('Cache-Control', 'no-store');
    res.send(svg);
  });

  r.put('/meetings/:id/agenda', async (req, res) => {
    const a = await access(req);
    const { items } = parseOrThrow(AgendaUpdate, req.body, 'agenda');
    const s = await meetings.setAgenda(a, items);
    res.json({ agenda: s.live.agenda, currentItemId: s.live.currentItemId });
  });

  // One item at a time (the console uses the matching socket events): each answers with the whole agenda.
  const agendaOf = (s: { live: { agenda: unknown; currentItemId: string | null } }) => ({
    agenda: s.live.agenda,
    currentItemId: s.live.currentItemId,
  });

  r.post('/meetings/:id/agenda/items', async (req, res) => {
    const a = await access(req);
    const input = parseOrThrow(AgendaItemAdd, req.body, 'agenda item');
    const { stored, itemId } = await meetings.addAgendaItem(a, input);
    res.status(201).json({ itemId, ...agendaOf(stored) });
  });

  r.patch('/meetings/:id/agenda/items/:itemId', async (req, res) => {
    const a = await access(req);
    const itemId = parseOrThrow(Id, req.params.itemId, 'agenda item id');
    const patch = parseOrThrow(AgendaItemPatch, req.body, 'agenda item');
    res.json(agendaOf(await meetings.editAgendaItem(a, itemId, patch)));
  });

  r.delete('/meetings/:id/agenda/items/:itemId', async (req, res) => {
    const a = await access(req);
    const itemId = parseOrThrow(Id, req.params.itemId, 'agenda item id');
    res.json(agendaOf(await meetings.deleteAgendaItem(a, itemId)));
  });

  r.put('/meetings/:id/agenda/order', async (req, res) => {
    const a = await access(req);
    const { itemIds } = parseOrThrow(AgendaOrder, req.body, 'agenda order');
    res.json(agendaOf(await meetings.reorderAgenda(a, itemIds)));
  });

  r.get('/meetings/:id/households', async (req, res) => {
    const a = await access(req);
    const { q } = parseOrThrow(HouseholdsQuery, req.query, 'query');
    res.setHeader('Cache-Control', 'no-store');
    res.json({ households: await state.searchHouseholds(a, q) });
  });

  r.post('/meetings/:id/check-in', async (req, res) => {
    const a = await access(req);
    const { householdId } = parseOrThrow(CheckInRequest, req.body, 'check-in');
    res.json(await state.checkIn(a, householdId));
  });

  r.delete('/meetings/:id/check-in/:hid', async (req, res) => {
    const a = await access(req);
    const hid = parseOrThrow(Id, req.params.hid, 'household id');
    res.json(await state.undoCheckIn(a, hid));
  });

  r.get('/meetings/:id/attendance', async (req, res) => {
    const a = await access(req);
    res.setHeader('Cache-Control', 'no-store');
    res.json({ attendees: await state.attendeeList(a) });
  });

  r.get('/meetings/:id/minutes', async (req, res) => {
    const a = await access(req);
    res.json(await minutes.get(a));
  });

  r.put('/meetings/:id/minutes', async (req, res) => {
    const a = await access(req);
    const { markdown } = parseOrThrow(MinutesUpdate, req.body, 'minutes');
    res.json({ minutes: await minutes.edit(a, markdown) });
  });

  r.post('/meetings/:id/minutes/publish', async (req, res) => {
    const a = await access(req);
    res.json({ minutes: await minutes.publish(a) });
  });

  r.get('/meetings/:id/minutes/export', async (req, res) => {
    const a = await access(req);
    const { format } = parseOrThrow(MinutesExportQuery, req.query, 'query');
    const file = await minutes.export(a, format);
    res.setHeader('Content-Type', file.contentType);
    res.setHeader('Content-Disposition', `attachment; filename="minutes.${format}"; filename*=UTF-8''${encodeURIComponent(file.filename)}`);
    res.send(file.body);
  });

  return r;
}
