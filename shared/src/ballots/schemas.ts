/**
 * Ballots (表决) as the API sends them, and every request payload of the ballot endpoints and the
 * `ballot:cast` event (API.md "Meetings and ballots"). The question itself (kind, options, rule,
 * electorate, secrecy) is a `BallotSpec` from the voting core; counting is `countBallot`.
 */
import { z } from 'zod';
import { VoteReason } from '../deliberation/schemas.ts';
import type { ChainHead } from './audit.ts';
import { safeText } from '../common/text.ts';
import { ClauseRef } from '../meetings/schemas.ts';
import { BallotSpec, type BallotResult, type Choice, type TallyOption } from '../voting/schemas.ts';

const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be an id');

export const BALLOT_STATUSES = ['draft', 'open', 'closed', 'published'] as const;
/** draft → open → closed → published (公示: final once the objection period has passed). */
export const BallotStatus = z.enum(BALLOT_STATUSES);
export type BallotStatus = z.infer<typeof BallotStatus>;

/** Channels a vote arrives by: the voter's own phone, a proxy holder's phone, or paper / hands in the hall. */
export const VoteChannel = z.enum(['online', 'proxy', 'paper']);
export type VoteChannel = z.infer<typeof VoteChannel>;

/** Largest objection period (公示期) in days. */
export const MAX_OBJECTION_DAYS = 90;

/**
 * `POST /api/meetings/:id/ballots`: the title and the clause bound (if any). The same body is
 * parsed again with `BallotSpec` for the question (kind, options, rule, electorate, secret, …).
 */
export const BallotCreate = z.object({
  title: safeText({ min: 1, max: 300 }),
  description: safeText({ max: 4000, multiline: true }).optional(),
  clauseRef: ClauseRef.optional(),
  /**
   * Count an advisory tally beside the binding one, broken down by role. On a households ballot
   * every member (tenants, property firm, branch…) may then cast an advisory vote, and an owner's
   * vote counts in both; on a members ballot it is the same votes by role. Not for secret ballots.
   */
  advisory: z.boolean().optional(),
});
export type BallotCreate = z.infer<typeof BallotCreate>;

/** A ballot as sent: the spec's fields at the top level, then its life cycle. */
export type Ballot = BallotSpec & {
  id: string;
  meetingId: string;
  communityId: string;
  title: string;
  description?: string;
  status: BallotStatus;
  clauseRef?: ClauseRef;
  /** Text hash and text of the bound clause, recorded at opening. */
  clauseHash?: string;
  clauseText?: string;
  /** The motion this ballot came from. */
  motionId?: string;
  /** An advisory tally by role is counted beside the binding one (see BallotCreate). */
  advisory?: boolean;
  createdAt: number;
  createdBy: string;
  openedAt?: number;
  closedAt?: number;
  publishedAt?: number;
  objectionDays?: number;
  /** End of the objection period: the result is final from then on. */
  objectionEndsAt?: number;
  /** Size of the electorate frozen at opening. */
  eligibleCount?: number;
};

/** `POST /api/ballots/:id/votes` and the body of `ballot:cast` (with `ballotId`). */
export const VoteRequest = z.object({
  choice: z.unknown(),
  /** Chosen by the client, kept until the receipt arrives: a retry with it is counted once. */
  idempotencyKey: z.string().min(8, 'at least 8 characters').max(128),
  /** An owner of several households (or a proxy holder) voting for one of them only. */
  householdId: id.optional(),
  /** A one-line reason shown with the result, grouped by choice (open ballots only; refused on secret ones). */
  reason: VoteReason.optional(),
});
export type VoteRequest = z.infer<typeof VoteRequest>;

export const BallotCast = VoteRequest.extend({ ballotId: id });
export type BallotCast = z.infer<typeof BallotCast>;

/** `POST /api/ballots/:id/paper-votes`: a vote cast on paper or by show of hands. */
export const PaperVoteRequest = z
  .object({
    householdId: id.optional(),
    memberId: id.optional(),
    choice: z.unknown(),
    idempotencyKey: z.string().min(8, 'at least 8 characters').max(128),
  })
  .refine((p) => (p.householdId === undefined) !== (p.memberId === undefined), {
    message: 'give householdId or memberId (one of them)',
    path: ['householdId'],
  });
export type PaperVoteRequest = z.infer<typeof PaperVoteRequest>;

/**
 * `POST /api/ballots/:id/paper-votes/undo`: takes back a paper vote entered by mistake (the
 * receipt its entry answered), by the person who entered it, while the ballot is open.
 */
export const PaperVoteUndo = z.object({ receipt: z.string().trim().min(4).max(32) });
export type PaperVoteUndo = z.infer<typeof PaperVoteUndo>;

/** `POST /api/ballots/:id/proxies`: the household's owner names a proxy (委托投票). */
export const ProxyRequest = z.object({ householdId: id, proxyUserId: id });
export type ProxyRequest = z.infer<typeof ProxyRequest>;

/**
 * `GET /api/ballots/:id/mine`: the households the signed-in person may vote for on a households
 * ballot (their own as owner, and those they hold as proxy), each with whether it has voted. A
 * proxy holder's phone casts one household at a time (`householdId` in the vote).
 */
export interface MyBallotVoter {
  householdId: string;
  address: string;
  /** The owner's name as on the roster (the proxy holder reads whose vote they cast). */
  owner: string;
  via: 'online' | 'proxy';
  voted: boolean;
}

/**
 * The caller's own standing on a ballot (`GET /api/ballots/:id/mine`, field `you`): may they vote
 * here, have they (or their household, by any channel), and, where the server may say it, the
 * receipt and the recorded choice. A phone reads it after every reconnect: it shows the receipt of
 * a vote whose answer it missed, and never offers a vote it cannot cast.
 */
export interface MyBallotStanding {
  eligible: boolean;
  voted: boolean;
  via?: 'online' | 'proxy' | 'paper';
  receipt?: string;
  choice?: Choice;
}

/** `GET /api/ballots/:id/mine?key=`: the idempotency key of the phone's own vote (opens its receipt, secret ballots too). */
export const MineQuery = z.object({ key: z.string().min(8).max(128).optional() });
export type MineQuery = z.infer<typeof MineQuery>;

/** `POST /api/ballots/:id/publish`. */
export const PublishRequest = z.object({ objectionDays: z.number().int().min(0).max(MAX_OBJECTION_DAYS) });
export type PublishRequest = z.infer<typeof PublishRequest>;

/** `GET /api/ballots/:id/audit?format=json|jsonl`. */
export const AuditQuery = z.object({ format: z.enum(['json', 'jsonl']).default('jsonl') });
export type AuditQuery = z.infer<typeof AuditQuery>;

/** A meeting's ballot with its live result, as the `meeting:join` ack and the meeting's pages carry it. */
export type MeetingBallot = Ballot & { result: BallotResultView };

/** `GET /api/ballots/:id/result`: `countBallot`'s result plus the ballot's life cycle. */
export type BallotResultView = BallotResult & {
  ballotId: string;
  status: BallotStatus;
  /** Counts withheld until close (the ballot says so): only turnout is shown. */
  hidden?: boolean;
  /** The advisory tally (all members who took part) and its breakdown by role, beside the binding one. */
  advisory?: AdvisoryTally;
  /** The bound clause's text changed after opening: the facilitator decides what stands. */
  clauseChanged?: boolean;
  /** Published and the objection period is over. */
  final: boolean;
  objectionEndsAt?: number;
  /**
   * Closed and published ballots: the audit chain's head at the result entry (its hash and the
   * number of entries up to it). `npm run verify -- <log> --head <hash>:<length>` fails on a log
   * that is shorter or differs.
   */
  head?: ChainHead;
};

/** `ballot:cast` ack data (and the body of `POST …/votes`). */
export interface BallotCastAck {
  receipt: string;
  /** The voters the vote counts for (households, or the member). */
  voters: string[];
  /** A retry with the same key: nothing changed. */
  repeated: boolean;
  changed?: boolean;
}

/** The advisory tally: never decides anything. */
export interface AdvisoryTally {
  voted: number;
  tally: TallyOption[];
  /** Role → tally of the votes of holders of that role (a member with two roles counts in both). */
  byRole: Record<string, TallyOption[]>;
}

/** `ballot:tally` and `ballot:closed`. */
export interface BallotTallyEvent {
  ballotId: string;
  result: BallotResultView;
}
export interface BallotClosedEvent {
  ballotId: string;
  ballot: Ballot;
  result: BallotResultView;
}
export interface BallotOpenedEvent {
  ballot: Ballot;
}
/** `ballot:proxy`: only which ballot (who holds whose proxy is not broadcast). */
export interface BallotProxyEvent {
  ballotId: string;
}

/**
 * `ballot:notice`: something the facilitator must know happened while the ballot is open. Today
 * `holdings_changed`: an administrator changed which households a member holds; the details are
 * entry `seq` of the ballot's audit chain (no names are broadcast).
 */
export interface BallotNoticeEvent {
  ballotId: string;
  kind: 'holdings_changed';
  seq: number;
  at: number;
}

/** One row of the published record. Open ballots: who (address or name) and what; secret: receipt and choice only. */
export interface RecordRow {
  receipt: string;
  choice: unknown;
  via?: VoteChannel;
  voters?: { label: string }[];
  /** Replaced by a later vote of the same voter (allowChange): not counted. */
  supersededBy?: string;
  /** Also (or only) an advisory vote of a member. */
  advisory?: boolean;
}
