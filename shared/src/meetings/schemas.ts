/**
 * Meetings (协商议事会): details, agenda, live state, attendance and quorum, motions, reactions,
 * minutes, and every Socket.IO payload of the meeting room (API.md "Meetings and ballots").
 */
import { z } from 'zod';
import { safeText } from '../common/text.ts';
import { Role } from '../permissions.ts';
import type { MeetingBallot } from '../ballots/schemas.ts';

const text = (max: number) => safeText({ min: 1, max });
const longText = (max: number) => safeText({ max, multiline: true });
const id = z.string().min(1).max(64);

export const MEETING_STATUSES = ['scheduled', 'open', 'in_progress', 'closed'] as const;
/** Life cycle, forward only: scheduled → open (people may join) → in_progress → closed. */
export const MeetingStatus = z.enum(MEETING_STATUSES);
export type MeetingStatus = z.infer<typeof MeetingStatus>;

export const MeetingMode = z.enum(['online', 'hall', 'hybrid']);
export type MeetingMode = z.infer<typeof MeetingMode>;

/** Join codes: digits only, easy to read aloud in a hall (printed as `1234 5678`). */
export const JOIN_CODE_LENGTH = 8;
export const JoinCode = z
  .string()
  .transform((s) => s.replace(/[\s-]/g, ''))
  .pipe(z.string().regex(/^\d{6,8}$/, 'a meeting code has 6 to 8 digits'));

/** A meeting as stored and sent. `startsAt` is an ISO date-time; `createdAt` epoch ms. */
export const Meeting = z.object({
  id: z.string(),
  communityId: z.string(),
  title: z.string(),
  topic: z.string().optional(),
  startsAt: z.string().optional(),
  place: z.string().optional(),
  mode: MeetingMode,
  status: MeetingStatus,
  joinCode: z.string(),
  /** Who convenes it (usually the party branch or the owners' committee). */
  conveners: z.array(Role).optional(),
  /** Users who run this meeting (besides holders of the community-wide facilitator role). */
  facilitatorIds: z.array(z.string()),
  /** The language its minutes are written in (zh when not set). */
  language: z.enum(['zh', 'en']).optional(),
  createdAt: z.number(),
  createdBy: z.string().optional(),
  openedAt: z.number().optional(),
  startedAt: z.number().optional(),
  closedAt: z.number().optional(),
});
export type Meeting = z.infer<typeof Meeting>;

/** A convention clause an agenda item discusses. */
export const ClauseRef = z.object({ conventionId: id, clauseId: id });
export type ClauseRef = z.infer<typeof ClauseRef>;

/** Most agenda items a meeting may have. */
export const MAX_AGENDA_ITEMS = 50;

/** An agenda item as the facilitator writes it; `id` is kept when editing, made when absent. */
export const AgendaItemInput = z.object({
  id: id.optional(),
  title: text(120),
  description: longText(2000).optional(),
  plannedMinutes: z.number().int().min(1).max(600).optional(),
  clauseRefs: z.array(ClauseRef).max(20).optional(),
  problemIds: z.array(id).max(50).optional(),
});
export type AgendaItemInput = z.infer<typeof AgendaItemInput>;

/**
 * One agenda item (议题). Time used = `usedMs` (earlier turns) + (now − `startedAt`) while it is
 * the current item; clients render the timer from these without ticks from the server.
 */
export const AgendaItem = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string().optional(),
  plannedMinutes: z.number().int().optional(),
  clauseRefs: z.array(ClauseRef).optional(),
  problemIds: z.array(z.string()).optional(),
  /** Epoch ms when it became the current item this time; null when it is not current. */
  startedAt: z.number().nullable().default(null),
  /** Milliseconds spent on it in earlier turns. */
  usedMs: z.number().int().default(0),
  /** Set once the facilitator has moved past it. */
  done: z.boolean().default(false),
});
export type AgendaItem = z.infer<typeof AgendaItem>;

/** `PUT /api/meetings/:id/agenda`: the whole ordered list. */
export const AgendaUpdate = z.object({ items: z.array(AgendaItemInput).max(MAX_AGENDA_ITEMS) });
export type AgendaUpdate = z.infer<typeof AgendaUpdate>;

/** A new agenda item (`meeting:agenda_add`, `POST /api/meetings/:id/agenda/items`); `index`: where (default: last). */
export const AgendaItemAdd = AgendaItemInput.omit({ id: true }).extend({ index: z.number().int().min(0).max(MAX_AGENDA_ITEMS).optional() });
export type AgendaItemAdd = z.infer<typeof AgendaItemAdd>;

/** What an edit may change on one item; `null` clears description or planned minutes. */
export const AgendaItemPatch = z
  .object({
    title: text(120),
    description: z.string().trim().max(2000).nullable(),
    plannedMinutes: z.number().int().min(1).max(600).nullable(),
  })
  .partial()
  .refine((p) => Object.keys(p).length > 0, 'nothing to change');
export type AgendaItemPatch = z.infer<typeof AgendaItemPatch>;

/** `PUT /api/meetings/:id/agenda/order`: item ids in the new order (see `reorderAgenda`). */
export const AgendaOrder = z.object({ itemIds: z.array(id).max(MAX_AGENDA_ITEMS) });
export type AgendaOrder = z.infer<typeof AgendaOrder>;

/** `POST /api/communities/:cid/meetings`. */
export const MeetingCreate = z.object({
  title: text(120),
  mode: MeetingMode,
  topic: longText(2000).optional(),
  startsAt: z.iso.datetime({ offset: true }).optional(),
  place: safeText({ max: 120 }).optional(),
  conveners: z
    .array(Role.exclude(['guest', 'admin']))
    .max(5)
    .optional(),
  /** Default: the creator. */
  facilitatorIds: z.array(id).min(1).max(10).optional(),
  agenda: z.array(AgendaItemInput).max(50).optional(),
  /** The language the minutes are written in; Chinese by default. */
  language: z.enum(['zh', 'en']).optional(),
});
export type MeetingCreate = z.infer<typeof MeetingCreate>;

/** `PATCH /api/meetings/:id`: details and/or the next status. */
export const MeetingUpdate = z
  .object({
    title: text(120),
    mode: MeetingMode,
    topic: longText(2000).nullable(),
    startsAt: z.iso.datetime({ offset: true }).nullable(),
    place: safeText({ max: 120 }).nullable(),
    conveners: z.array(Role.exclude(['guest', 'admin'])).max(5),
    facilitatorIds: z.array(id).min(1).max(10),
    status: MeetingStatus,
  })
  .partial()
  .refine((p) => Object.keys(p).length > 0, 'nothing to change');
export type MeetingUpdate = z.infer<typeof MeetingUpdate>;

/** `POST /api/meetings/join`: the code read aloud (`joinCode`, or `code` as the join page sends). */
export const MeetingJoinRequest = z
  .object({
    joinCode: z.string().max(20).optional(),
    code: z.string().max(20).optional(),
    displayName: safeText({ min: 1, max: 40 }).optional(),
  })
  .transform((b, ctx) => {
    const raw = b.joinCode ?? b.code;
    const parsed = JoinCode.safeParse(raw ?? '');
    if (!parsed.success) {
      ctx.addIssue({ code: 'custom', path: ['joinCode'], message: 'a meeting code has 6 to 8 digits' });
      return z.NEVER;
    }
    return { joinCode: parsed.data, displayName: b.displayName };
  });
export type MeetingJoinRequest = z.infer<typeof MeetingJoinRequest>;

/** `POST /api/meetings/:id/check-in`: a hall participant without a phone, by household. */
export const CheckInRequest = z.object({ householdId: id });
export type CheckInRequest = z.infer<typeof CheckInRequest>;

/** A raised hand in the facilitator's queue, in speaking order. */
export const SpeakerEntry = z.object({ userId: z.string(), name: z.string(), raisedAt: z.number() });
export type SpeakerEntry = z.infer<typeof SpeakerEntry>;

/** Who has the floor, since when (epoch ms): clients run the speaking timer themselves. */
export const CurrentSpeaker = z.object({ userId: z.string(), name: z.string(), since: z.number() });
export type CurrentSpeaker = z.infer<typeof CurrentSpeaker>;

export const MotionStatus = z.enum(['proposed', 'seconded', 'balloted', 'withdrawn']);
export type MotionStatus = z.infer<typeof MotionStatus>;

/** A motion (动议): proposed by a member, seconded by others, maybe turned into a ballot. */
export const Motion = z.object({
  id: z.string(),
  text: z.string(),
  proposerId: z.string(),
  proposerName: z.string(),
  createdAt: z.number(),
  itemId: z.string().nullable().optional(),
  seconds: z.array(z.object({ userId: z.string(), name: z.string(), at: z.number() })),
  status: MotionStatus,
  ballotId: z.string().optional(),
});
export type Motion = z.infer<typeof Motion>;

export const Reaction = z.enum(['agree', 'unsure', 'disagree']);
export type Reaction = z.infer<typeof Reaction>;
/** Live temperature check: counts only, never a ballot; cleared when the agenda moves. */
export const ReactionCounts = z.object({ agree: z.number().int(), unsure: z.number().int(), disagree: z.number().int() });
export type ReactionCounts = z.infer<typeof ReactionCounts>;

/** Art. 278 participation figures (see quorum.ts): integers, area in centiares. */
export const Quorum = z.object({
  owners: z.object({ present: z.number().int(), total: z.number().int() }),
  areaCentiares: z.object({ present: z.number().int(), total: z.number().int() }),
  /** ≥ 2/3 of owners by number AND of the area. */
  met: z.boolean(),
  /** Still needed to reach 2/3 (0 when reached). */
  needed: z.object({ owners: z.number().int(), areaCentiares: z.number().int() }),
  /**
   * Households (户, units of the roster) beside owners (业主, people: one owner counts once however
   * many units they hold): the units of the owners present, and all units. Shown to explain why the
   * two numbers differ; the quorum counts owners and area only.
   */
  households: z.object({ present: z.number().int(), total: z.number().int() }).optional(),
});
export type Quorum = z.infer<typeof Quorum>;

/** Who is here now, by kind, role and building (counts only: the names are on the REST list). */
export const Attendance = z.object({
  /** People here now: connected members and guests, plus households checked in by hand. */
  present: z.number().int(),
  members: z.number().int(),
  guests: z.number().int(),
  checkedIn: z.number().int(),
  /** Distinct households represented (members' households and check-ins). */
  households: z.number().int(),
  byRole: z.record(z.string(), z.number().int()),
  byBuilding: z.array(z.object({ building: z.string(), people: z.number().int(), households: z.number().int() })),
  /** Everyone who has attended at some point (for the minutes). */
  attendedTotal: z.number().int(),
});
export type Attendance = z.infer<typeof Attendance>;

/** The state every screen renders, broadcast as `meeting:state` after each change. */
export const MeetingState = z.object({
  meeting: Meeting,
  agenda: z.array(AgendaItem),
  currentItemId: z.string().nullable(),
  speaker: CurrentSpeaker.nullable(),
  speakers: z.array(SpeakerEntry),
  attendance: Attendance,
  quorum: Quorum,
  motions: z.array(Motion),
  reactions: ReactionCounts,
  /** Bumped on every stored change of the live record. */
  version: z.number().int(),
  /** The server's clock when sent (epoch ms), so clients can correct their timers. */
  serverTime: z.number(),
});
export type MeetingState = z.infer<typeof MeetingState>;

/** The joining person's own view (only in the `meeting:join` ack: broadcasts carry no personal part). */
export const MeetingYou = z.object({
  userId: z.string(),
  name: z.string(),
  kind: z.enum(['staff', 'member', 'guest']),
  roles: z.array(Role),
  facilitator: z.boolean(),
  handRaised: z.boolean(),
  /** 1-based place in the speakers queue, or null. */
  queuePosition: z.number().int().nullable(),
  reaction: Reaction.nullable(),
  /** The buildings of the person's own households (to prefill a problem's building); empty for guests. */
  homeBuildings: z.array(z.string()).optional(),
});
export type MeetingYou = z.infer<typeof MeetingYou>;

/** One entry of the attendance list (`GET /api/meetings/:id/attendance`). */
export const Attendee = z.object({
  userId: z.string().nullable(),
  name: z.string(),
  kind: z.enum(['staff', 'member', 'guest', 'checked_in']),
  roles: z.array(Role),
  householdIds: z.array(z.string()),
  buildings: z.array(z.string()),
  firstSeenAt: z.number(),
  present: z.boolean(),
  /** For check-ins: who checked the household in. */
  checkedInBy: z.string().optional(),
});
export type Attendee = z.infer<typeof Attendee>;

/** Minutes (会议纪要): generated from the meeting, editable until published. */
export const Minutes = z.object({
  markdown: z.string(),
  /** True while nobody has edited the generated text. */
  generated: z.boolean(),
  editedAt: z.number().optional(),
  editedBy: z.string().optional(),
  publishedAt: z.number().optional(),
  publishedBy: z.string().optional(),
});
export type Minutes = z.infer<typeof Minutes>;

export const MinutesUpdate = z.object({ markdown: longText(200_000) });
export type MinutesUpdate = z.infer<typeof MinutesUpdate>;

export const MinutesExportQuery = z.object({ format: z.enum(['md', 'docx']).default('md') });
export type MinutesExportQuery = z.infer<typeof MinutesExportQuery>;

/** A ballot's outcome as the minutes list it (provided by the ballots feature). */
export const BallotResultSummary = z.object({
  ballotId: z.string(),
  title: z.string(),
  status: z.string(),
  outcome: z.unknown(),
});
export type BallotResultSummary = z.infer<typeof BallotResultSummary>;

// ---- Socket.IO payloads (client → server). `meetingId` may be left out after `meeting:join`.

const inMeeting = { meetingId: id.optional() };
export const MeetingJoin = z.object({ meetingId: id });
export type MeetingJoin = z.infer<typeof MeetingJoin>;
export const MeetingLeave = z.object({ ...inMeeting }).optional();
export type MeetingLeave = z.infer<typeof MeetingLeave>;
export const AgendaMove = z.object({ ...inMeeting, itemId: id.nullable() });
export type AgendaMove = z.infer<typeof AgendaMove>;
/** `meeting:agenda_add`: a new item (facilitator). */
export const AgendaAddEvent = z.object({ ...inMeeting, item: AgendaItemAdd });
export type AgendaAddEvent = z.infer<typeof AgendaAddEvent>;
/** `meeting:agenda_edit`: change one item's title, description or planned minutes (facilitator). */
export const AgendaEditEvent = z.object({ ...inMeeting, itemId: id, patch: AgendaItemPatch });
export type AgendaEditEvent = z.infer<typeof AgendaEditEvent>;
/** `meeting:agenda_reorder`: the items in a new order (facilitator). */
export const AgendaReorderEvent = z.object({ ...inMeeting, itemIds: z.array(id).max(MAX_AGENDA_ITEMS) });
export type AgendaReorderEvent = z.infer<typeof AgendaReorderEvent>;
/** `meeting:agenda_delete`: remove one item (facilitator); the current item is refused. */
export const AgendaDeleteEvent = z.object({ ...inMeeting, itemId: id });
export type AgendaDeleteEvent = z.infer<typeof AgendaDeleteEvent>;
export const SpeakerNext = z.object({ ...inMeeting }).optional();
export type SpeakerNext = z.infer<typeof SpeakerNext>;
export const SpeakerReorder = z.object({ ...inMeeting, userIds: z.array(id).max(1000) });
export type SpeakerReorder = z.infer<typeof SpeakerReorder>;
export const SpeakerLower = z.object({ ...inMeeting, userId: id });
export type SpeakerLower = z.infer<typeof SpeakerLower>;
export const MeetingStatusChange = z.object({ ...inMeeting, status: MeetingStatus });
export type MeetingStatusChange = z.infer<typeof MeetingStatusChange>;
export const HandRaise = z.object({ ...inMeeting, raised: z.boolean() });
export type HandRaise = z.infer<typeof HandRaise>;
export const ReactionSet = z.object({ ...inMeeting, reaction: Reaction.nullable() });
export type ReactionSet = z.infer<typeof ReactionSet>;
export const MotionPropose = z.object({ ...inMeeting, text: safeText({ min: 1, max: 1000, multiline: true }) });
export type MotionPropose = z.infer<typeof MotionPropose>;
export const MotionRef = z.object({ ...inMeeting, motionId: id });
export type MotionRef = z.infer<typeof MotionRef>;

/** `meeting:state` broadcast. */
export interface MeetingStateEvent {
  state: MeetingState;
}
/** `meeting:join` ack data. `ballots` come from the ballots feature (open and recent ballots). */
export interface MeetingJoinAck {
  state: MeetingState;
  ballots: MeetingBallot[];
  you: MeetingYou;
  /** The written consultation shown in this meeting (PUT /api/meetings/:id/consultation), or null. */
  consultationId?: string | null;
}
