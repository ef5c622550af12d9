/**
 * Opinion rounds (意见地图, in the manner of Pol.is): participants write short statements and answer
 * others' with agree / disagree / pass; the map groups participants by how they answered. These are
 * the payloads crossing the HTTP and Socket.IO boundary.
 */
import { z } from 'zod';
import { safeText } from '../common/text.ts';
import { Id } from '../common/ids.ts';

export const OpinionCreate = z.object({
  title: safeText({ min: 1, max: 200 }),
  meetingId: Id.optional(),
  /** Statements of participants wait for a moderator (default true); false: they appear at once. */
  moderated: z.boolean().optional(),
});
export type OpinionCreate = z.infer<typeof OpinionCreate>;

export const OPINION_STATUSES = ['open', 'closed'] as const;
export const OpinionPatch = z.object({ status: z.enum(OPINION_STATUSES) });
export type OpinionPatch = z.infer<typeof OpinionPatch>;

export interface Opinion {
  id: string;
  communityId: string;
  title: string;
  meetingId?: string;
  moderated: boolean;
  status: (typeof OPINION_STATUSES)[number];
  createdAt: number;
  createdBy: string;
}

export const StatementCreate = z.object({ text: safeText({ min: 2, max: 140 }) });
export type StatementCreate = z.infer<typeof StatementCreate>;

export const STATEMENT_STATUSES = ['pending', 'accepted', 'rejected'] as const;
export type StatementStatus = (typeof STATEMENT_STATUSES)[number];
export const StatementModerate = z.object({ status: z.enum(['accepted', 'rejected']) });
export type StatementModerate = z.infer<typeof StatementModerate>;

/** Where a consensus statement went: a ballot or a convention clause suggestion. */
export interface StatementPromotion {
  to: 'ballot' | 'suggestion';
  ballotId?: string;
  meetingId?: string;
  suggestionId?: string;
  conventionId?: string;
  clauseId?: string;
  at: number;
  by: string;
}

export interface Statement {
  id: string;
  opinionId: string;
  text: string;
  status: StatementStatus;
  /** Left out for other members: statements are anonymous (moderators and the author see it). */
  authorId: string;
  createdAt: number;
  /** Order of acceptance (the order statements are shown in). */
  seq?: number;
  promoted?: StatementPromotion[];
}

export const OPINION_VOTES = ['agree', 'disagree', 'pass'] as const;
export const OpinionVoteValue = z.enum(OPINION_VOTES);
export type OpinionVoteValue = z.infer<typeof OpinionVoteValue>;
export const OpinionVote = z.object({ statementId: Id, vote: OpinionVoteValue });
export type OpinionVote = z.infer<typeof OpinionVote>;

export const StatementPromote = z.discriminatedUnion('to', [
  z.object({ to: z.literal('ballot'), meetingId: Id }),
  z.object({
    to: z.literal('suggestion'),
    conventionId: Id,
    clauseId: z.string().min(1).max(64),
    /** The clause's new text; the statement's text when left out. */
    text: safeText({ min: 1, max: 4000, multiline: true }).optional(),
  }),
]);
export type StatementPromote = z.infer<typeof StatementPromote>;

/** The link kept from a ballot or suggestion back to the statement it came from. */
export interface OpinionSource {
  opinionId: string;
  statementId: string;
}

/** How the roles are grouped in the per-role breakdown (owners, tenants/residents, staff, others). */
export const OPINION_ROLE_GROUPS = ['owner', 'resident', 'staff', 'other'] as const;
export type OpinionRoleGroup = (typeof OPINION_ROLE_GROUPS)[number];

export interface VoteCounts {
  agree: number;
  disagree: number;
  pass: number;
}

/** `opinion:map` to the community room: the map of a round changed (fetch GET /map for your view). */
export interface OpinionMapEvent {
  opinionId: string;
  rev: number;
  participants: number;
  groups: number;
}

/** `opinion:statement` to the community room: a statement was written or moderated (no text: pending ones are not public). */
export interface OpinionStatementEvent {
  opinionId: string;
  statementId: string;
  status: StatementStatus;
}

/** The map as GET /api/opinions/:id/map answers it (see docs/API.md): the server builds it, the pages draw it. */
export interface OpinionMapView {
  opinionId: string;
  rev: number;
  participants: number;
  clustered: number;
  minVotes: number;
  you: { votes: number; placed: boolean; group: number | null };
  groups: { id: number; size: number; members: string[]; representative: string[] }[];
  consensus: string[];
  divisive: string[];
  points: { x: number; y: number; group: number; you?: true }[];
  statements: { id: string; text: string; total: VoteCounts; groups: VoteCounts[]; byRole: Record<OpinionRoleGroup, VoteCounts> }[];
  byRole: Record<string, Record<OpinionRoleGroup, VoteCounts>>;
}
