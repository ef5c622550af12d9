/**
 * Written consultations (书面征求意见 / 表决): one ballot paper per household with several questions,
 * open for days, answered by phone, on paper or in the hall, closed by the clock (DOMAIN.md
 * "Written consultation", API.md "Consultations"). This file is the contract every package shares:
 * request bodies (parsed with these schemas at every boundary) and the shapes the API sends.
 */
import { z } from 'zod';
import type { ChainHead } from '../ballots/audit.ts';
import { safeText } from '../common/text.ts';
import { ClauseRef } from '../meetings/schemas.ts';
import { BallotKind, BallotOption, BallotRule, OPTIONS_MAX, type BallotResult, type Choice } from '../voting/schemas.ts';

const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be an id');

/** The zone every consultation's times are shown in (Asia/Shanghai, UTC+8, no daylight saving). */
export const CONSULTATION_TIME_ZONE = 'Asia/Shanghai';
const SHANGHAI_OFFSET_MS = 8 * 3600_000;

/** ms since the epoch → "2026-12-20T18:00:00.000+08:00" (how the API sends every consultation time). */
export function toShanghaiIso(ms: number): string {
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().replace('Z', '+08:00');
}

/** An ISO time with an explicit offset ("…+08:00" or "…Z"); a time without one is refused (whose clock?). */
export const IsoWithOffset = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/,
    'an ISO time with its offset, e.g. 2026-12-20T18:00:00+08:00',
  )
  .transform((s, ctx) => {
    const ms = Date.parse(s);
    if (!Number.isFinite(ms)) {
      ctx.addIssue({ code: 'custom', message: 'not a real time' });
      return z.NEVER;
    }
    return ms;
  });

export const CONSULTATION_STATUSES = ['scheduled', 'open', 'closed', 'published'] as const;
/** scheduled → open (at opensAt, by itself) → closed (at closesAt, by itself) → published (公示). */
export const ConsultationStatus = z.enum(CONSULTATION_STATUSES);
export type ConsultationStatus = z.infer<typeof ConsultationStatus>;

/** How an answer arrived. One household answers once, by whichever channel comes first. */
export const ResponseChannel = z.enum(['phone', 'paper', 'hall']);
export type ResponseChannel = z.infer<typeof ResponseChannel>;

/** Who organises it (shown on the notice and the papers). */
export const ORGANISER_KINDS = ['owners_committee', 'residents_committee', 'property_firm', 'party_branch', 'other'] as const;
export const Organiser = z.object({
  kind: z.enum(ORGANISER_KINDS),
  /** As printed: "阳光花园业主委员会". */
  name: safeText({ min: 1, max: 80 }),
});
export type Organiser = z.infer<typeof Organiser>;

/** A convention version bound to a question: adopting it (or one clause of it) if the question passes. */
export const VersionRef = z.object({ conventionId: id, versionId: id });
export type VersionRef = z.infer<typeof VersionRef>;

/**
 * A question's kind: any ballot kind, or `election` (业委会选举): every candidate (an option) gets
 * 同意/反对/弃权, counted by owners and by area under the question's Art. 278 rule; the seats go to
 * the candidates who pass, ordered by approving area, then approving owners (see election.ts).
 * A choose-up-to-N election is kind `multi` with `maxPicks`.
 */
export const QuestionKind = z.enum([...BallotKind.options, 'election']);
export type QuestionKind = z.infer<typeof QuestionKind>;

export const MAX_QUESTIONS = 20;

/** One question (事项) of the ballot paper, as the organiser writes it. */
export const QuestionInput = z.object({
  title: safeText({ min: 1, max: 300 }),
  description: safeText({ max: 4000, multiline: true }).optional(),
  kind: QuestionKind,
  rule: BallotRule,
  /** single / multi / ranked: the options; election: the candidates. */
  options: z.array(BallotOption).max(OPTIONS_MAX).optional(),
  maxPicks: z.number().int().optional(),
  /** election: seats to fill. */
  seats: z.number().int().min(1).max(50).optional(),
  /** One clause put to the vote (its textHash is bound at opening). With versionRef: that version's text of it. */
  clauseRef: ClauseRef.optional(),
  /** "Adopt version X" (or, with clauseRef, the clause as in that version); a pass adopts it. */
  versionRef: VersionRef.optional(),
});
export type QuestionInput = z.infer<typeof QuestionInput>;

/** Something attached to the notice: a convention version, a candidate list, a document link. */
export const Attachment = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('convention_version'), conventionId: id, versionId: id, title: safeText({ max: 120 }).optional() }),
  z.object({
    kind: z.literal('link'),
    title: safeText({ min: 1, max: 120 }),
    url: z
      .string()
      .url()
      .max(500)
      .regex(/^https?:\/\//, 'an http(s) address'),
  }),
]);
export type Attachment = z.infer<typeof Attachment>;

/** `POST /api/communities/:cid/consultations`. opensAt may be in the past (opens at once); closesAt must be after it. */
export const ConsultationCreate = z
  .object({
    title: safeText({ min: 1, max: 200 }),
    notice: safeText({ min: 1, max: 20000, multiline: true }),
    organiser: Organiser.optional(),
    opensAt: IsoWithOffset,
    closesAt: IsoWithOffset,
    /** Secret (不记名): no choice is linked to a household, tallies stay hidden until close. Default false. */
    secret: z.boolean().optional(),
    questions: z.array(QuestionInput).min(1).max(MAX_QUESTIONS),
    attachments: z.array(Attachment).max(20).optional(),
  })
  .refine((c) => c.closesAt > c.opensAt, { message: 'closesAt must be after opensAt', path: ['closesAt'] });
export type ConsultationCreate = z.infer<typeof ConsultationCreate>;

/** A question as sent: its id, what was asked, and (after opening) the clause text hash it is bound to. */
export interface Question {
  id: string;
  title: string;
  description?: string;
  kind: QuestionKind;
  rule: BallotRule;
  options?: BallotOption[];
  maxPicks?: number;
  seats?: number;
  clauseRef?: ClauseRef;
  versionRef?: VersionRef;
  /** Bound at opening: the clause's (or the whole version's) text hash the answers approve. */
  textHash?: string;
}

/** A deadline extension (投票延期): only before the deadline, with a reason; in the chain and on the notice. */
export interface Extension {
  from: string;
  to: string;
  reason: string;
  at: string;
  by: string;
}

/** A consultation as sent. Times are ISO strings in Asia/Shanghai (toShanghaiIso). */
export interface Consultation {
  id: string;
  communityId: string;
  /** The 4-symbol code every paper code of this consultation starts with. */
  code: string;
  title: string;
  notice: string;
  organiser?: Organiser;
  status: ConsultationStatus;
  opensAt: string;
  closesAt: string;
  timeZone: typeof CONSULTATION_TIME_ZONE;
  secret: boolean;
  questions: Question[];
  attachments: Attachment[];
  extensions: Extension[];
  /** The live meeting that shows it in the hall (hall answers count here), if any. */
  meetingId?: string;
  createdAt: string;
  createdBy: string;
  openedAt?: string;
  closedAt?: string;
  publishedAt?: string;
  objectionDays?: number;
  objectionEndsAt?: string;
  /** Households in the electorate frozen at opening. */
  eligibleCount?: number;
  /** Closed and published: the audit chain's head at the result entry. */
  head?: ChainHead;
}

/** `POST /api/consultations/:id/extend`: a later deadline, before the current one passes. */
export const ExtendRequest = z.object({ closesAt: IsoWithOffset, reason: safeText({ min: 2, max: 500 }) });
export type ExtendRequest = z.infer<typeof ExtendRequest>;

/** Answers keyed by question id. A question left out is not answered (that household does not take part in it). */
export const Answers = z.record(id, z.unknown()).refine((a) => Object.keys(a).length > 0, 'answer at least one question');
export type Answers = Record<string, Choice>;

/** `POST /api/consultations/:id/responses`: a household member's phone (or a phone in the hall). */
export const ResponseRequest = z.object({
  answers: Answers,
  idempotencyKey: z.string().min(8, 'at least 8 characters').max(128),
  /** An owner of several households answers for one of them. */
  householdId: id.optional(),
});
export type ResponseRequest = z.infer<typeof ResponseRequest>;

/** What a response or a counted paper returns: one receipt for the whole paper. */
export interface ResponseAck {
  receipt: string;
  householdId: string;
  channel: ResponseChannel;
  /** A retry with the same key: nothing changed. */
  repeated: boolean;
}

/** `POST /api/consultations/:id/paper-entries`: one person's entry of a returned paper. */
export const PaperEntryRequest = z.object({
  /** Typed or scanned (parsePaperCode reads either). */
  paperCode: z.string().min(9).max(300),
  answers: Answers,
  idempotencyKey: z.string().min(8).max(128),
});
export type PaperEntryRequest = z.infer<typeof PaperEntryRequest>;

/**
 * Double entry (双人录入): a paper counts when two different people entered the same answers.
 * awaiting_second → counted, or → mismatch (held for review, counts nothing) → counted once a
 * reviewer (a third person, `consultation.review_papers`) settles it from the paper itself.
 */
export const PAPER_ENTRY_STATES = ['awaiting_second', 'mismatch', 'counted', 'refused'] as const;
export type PaperEntryState = (typeof PAPER_ENTRY_STATES)[number];
export interface PaperEntryView {
  paperCode: string;
  householdId: string;
  address: string;
  state: PaperEntryState;
  /** The entries so far (who and what), for a reviewer: only to roles that enter papers. */
  entries: { by: string; byName: string; at: string; answers: Answers }[];
  receipt?: string;
  /** refused: why (already answered by phone…), in plain words. */
  reason?: string;
}

/** `POST /api/consultations/:id/paper-entries/:paperCode/resolve`: the reviewer's reading of the paper. */
export const PaperResolveRequest = z.object({ answers: Answers, note: safeText({ max: 500 }).optional() });
export type PaperResolveRequest = z.infer<typeof PaperResolveRequest>;

/** `POST /api/consultations/:id/doors/:householdId`: a building leader marks a paper handed out / collected. */
export const DoorMark = z.object({ handedOut: z.boolean().optional(), collected: z.boolean().optional() });
export type DoorMark = z.infer<typeof DoorMark>;

/** One household on a building leader's list (`GET /api/consultations/:id/doors?building=`). */
export interface DoorRow {
  householdId: string;
  address: string;
  building: string;
  unit: string;
  room: string;
  areaCentiares: number;
  owner: string;
  /** Only to roles that may see phone numbers. */
  phone?: string;
  paperCode: string;
  responded: boolean;
  channel?: ResponseChannel;
  handedOut: boolean;
  collected: boolean;
}

/** Turnout of one group of households (a building, a unit or a floor). */
export interface TurnoutCell {
  key: string;
  building: string;
  unit?: string;
  floor?: string;
  eligible: number;
  responded: number;
  areaCentiares: { eligible: number; responded: number };
}

/** Live progress while it runs (and the same after close). */
export interface ConsultationProgress {
  households: { eligible: number; responded: number };
  areaCentiares: { eligible: number; responded: number };
  byChannel: Record<ResponseChannel, number>;
  /** Answers per hour (Asia/Shanghai), oldest first. */
  overTime: { hour: string; count: number }[];
  byBuilding: TurnoutCell[];
  byUnit: TurnoutCell[];
  byFloor: TurnoutCell[];
  /** Papers entered once, waiting for the second entry; mismatches waiting for review. */
  papers: { awaitingSecond: number; mismatches: number };
}

/** One question's result: a ballot's result shape, plus an election's seats. */
export interface QuestionResult {
  id: string;
  title: string;
  kind: QuestionKind;
  rule: BallotRule;
  tally: BallotResult['tally'];
  turnout: BallotResult['turnout'];
  outcome: BallotResult['outcome'];
  /** Counts withheld until close (secret): only turnout is shown. */
  hidden?: boolean;
  /** election / single / multi / ranked: the winners (elections: in seat order). */
  winners?: string[];
  /** election: each candidate's own Art. 278 result, in option order. */
  candidates?: CandidateResult[];
  /** election: candidates tied for the last seat(s), left for the organiser to settle (no coin toss). */
  tiedForLastSeat?: string[];
}

export interface CandidateResult {
  id: string;
  label: string;
  passed: boolean | null;
  reason: string;
  yes: { owners: number; areaCentiares: number };
  no: { owners: number; areaCentiares: number };
  abstain: { owners: number; areaCentiares: number };
  /** Seat number (1-based) when elected. */
  seat?: number;
}

/** `GET /api/consultations/:id/result`. */
export interface ConsultationResult {
  consultationId: string;
  status: ConsultationStatus;
  questions: QuestionResult[];
  final: boolean;
  objectionEndsAt?: string;
  head?: ChainHead;
}

/** `GET /api/consultations/:id`. */
export interface ConsultationView {
  consultation: Consultation;
  progress: ConsultationProgress;
  /** The caller's households and whether each has answered (phones read it after every reconnect). */
  mine?: { householdId: string; address: string; responded: boolean; channel?: ResponseChannel; receipt?: string }[];
}

/** `POST /api/consultations/:id/publish`. */
export const ConsultationPublish = z.object({ objectionDays: z.number().int().min(0).max(90) });
export type ConsultationPublish = z.infer<typeof ConsultationPublish>;

/** `PUT /api/meetings/:id/consultation`: show a consultation in a live meeting (hall answers count in it). */
export const MeetingConsultationLink = z.object({ consultationId: id.nullable() });
export type MeetingConsultationLink = z.infer<typeof MeetingConsultationLink>;

/** `consultation:progress` (Socket.IO, rooms of the community and of a linked meeting). */
export interface ConsultationProgressEvent {
  consultationId: string;
  status: ConsultationStatus;
  progress: ConsultationProgress;
  /** Per-question results as of now (hidden for secret consultations while open). */
  questions: QuestionResult[];
}
