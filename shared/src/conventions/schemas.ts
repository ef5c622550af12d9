/**
 * Conventions (邻里公约): the record, its clauses as read from the live document, named versions,
 * diffs, comments and suggestions. The live Y.Doc's shape (API.md): map `meta` {title}, array
 * `clauses` of Y.Map {id, body: Y.XmlFragment}.
 */
import { z } from 'zod';
import { safeText } from '../common/text.ts';

/** The live document of a convention is `/yjs/conv-<conventionId>`. */
export const CONVENTION_DOC_PREFIX = 'conv-';
export const conventionDocName = (conventionId: string) => `${CONVENTION_DOC_PREFIX}${conventionId}`;
/** The convention id of a document name, or null when the name is not a convention's. */
export function conventionIdOfDoc(docName: string): string | null {
  const m = /^conv-([A-Za-z0-9_-]{1,64})$/.exec(docName);
  return m ? m[1]! : null;
}

const Title = safeText({ min: 1, max: 120 });

export const ConventionCreate = z.object({ title: Title });
export type ConventionCreate = z.infer<typeof ConventionCreate>;

export const Convention = z.object({
  id: z.string(),
  docName: z.string(),
  title: z.string(),
  communityId: z.string(),
  createdAt: z.number(),
  createdBy: z.string().optional(),
  /** The version a vote approved, if any. */
  adoptedVersionId: z.string().optional(),
});
export type Convention = z.infer<typeof Convention>;

/** One clause as read from the live document. `number` is its 1-based position. */
export const Clause = z.object({
  id: z.string(),
  number: z.number().int().positive(),
  text: z.string(),
  textHash: z.string(),
});
export type Clause = z.infer<typeof Clause>;

export const VersionCreate = z.object({ name: safeText({ min: 1, max: 40 }) });
export type VersionCreate = z.infer<typeof VersionCreate>;

/** A passed ballot (or consent decision) that approved one clause's text of a version. */
export const AdoptionBallot = z.object({
  ballotId: z.string(),
  meetingId: z.string(),
  title: z.string(),
  clauseId: z.string(),
  /** The clause's number in the version. */
  number: z.number().int().positive().optional(),
  /** The clause's textHash when the ballot opened: equal to the version's text of that clause. */
  textHash: z.string(),
  /** When the ballot closed with its decision. */
  decidedAt: z.number(),
});
export type AdoptionBallot = z.infer<typeof AdoptionBallot>;

/**
 * The record of an adoption: every clause of the version with text was approved by a passed
 * ballot whose clause text hash at opening equals the version's text of that clause.
 */
export const VersionAdoption = z.object({
  at: z.number(),
  by: z.string(),
  ballots: z.array(AdoptionBallot).min(1),
});
export type VersionAdoption = z.infer<typeof VersionAdoption>;

export const ConventionVersion = z.object({
  id: z.string(),
  conventionId: z.string(),
  name: z.string(),
  createdAt: z.number(),
  createdBy: z.string(),
  clauseCount: z.number().int().nonnegative(),
  adopted: z.boolean().optional(),
  adoptedAt: z.number().optional(),
  /** Why it is adopted: the passed ballots that approved its text (set with `adopted`). */
  adoption: VersionAdoption.optional(),
});
export type ConventionVersion = z.infer<typeof ConventionVersion>;

/**
 * `POST /api/conventions/:id/versions/:vid/adopt`. With `ballotId`, that ballot must be one of the
 * ballots that approved the version (the person recording says which vote they mean); without
 * it, the server finds the approving ballots in the community's consensus ledger.
 */
export const VersionAdopt = z.object({
  ballotId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .optional(),
});
export type VersionAdopt = z.infer<typeof VersionAdopt>;

/** `GET /api/conventions/:id/versions/:vid/approvals`: what adopting the version would record. */
export const VersionApprovals = z.object({
  version: ConventionVersion,
  ballots: z.array(AdoptionBallot),
  /** Numbers of the version's clauses that no passed ballot approved (adoption is refused). */
  missing: z.array(z.number().int().positive()),
});
export type VersionApprovals = z.infer<typeof VersionApprovals>;

/** The page of a ballot's published result (the link an adoption note gives). */
export const ballotResultPath = (meetingId: string, ballotId: string) => `/m/${meetingId}/result/${ballotId}`;

/** `from` / `to` of a diff: a version id, or `live` (also accepted: `current`) for the document now. */
export const DiffQuery = z.object({
  from: z.string().min(1).max(64),
  to: z.string().min(1).max(64).default('live'),
});
export type DiffQuery = z.infer<typeof DiffQuery>;

export const DiffPart = z.object({ value: z.string(), added: z.boolean(), removed: z.boolean() });
export type DiffPart = z.infer<typeof DiffPart>;

export const CLAUSE_DIFF_STATUS = ['added', 'removed', 'changed', 'same'] as const;
export const ClauseDiff = z.object({
  clauseId: z.string(),
  /** Position in `to` (or in `from` for a removed clause). */
  number: z.number().int().positive(),
  status: z.enum(CLAUSE_DIFF_STATUS),
  parts: z.array(DiffPart),
});
export type ClauseDiff = z.infer<typeof ClauseDiff>;

export const ExportQuery = z.object({ format: z.enum(['md', 'docx']).default('md') });
export type ExportQuery = z.infer<typeof ExportQuery>;

const ClauseId = z.string().min(1).max(64);
const Text = safeText({ min: 1, max: 4000, multiline: true });

export const CommentCreate = z.object({
  clauseId: ClauseId,
  text: safeText({ min: 1, max: 2000, multiline: true }),
  /** The passage commented on, as the commenter selected it (an anchor that survives edits as text). */
  quote: safeText({ max: 500, multiline: true }).optional(),
  /** Replying to another comment of the same clause. */
  replyTo: z.string().max(64).optional(),
});
export type CommentCreate = z.infer<typeof CommentCreate>;

export const ConventionComment = z.object({
  id: z.string(),
  conventionId: z.string(),
  clauseId: z.string(),
  text: z.string(),
  quote: z.string().optional(),
  replyTo: z.string().optional(),
  authorId: z.string(),
  authorName: z.string(),
  createdAt: z.number(),
});
export type ConventionComment = z.infer<typeof ConventionComment>;

export const SuggestionCreate = z.object({
  clauseId: ClauseId,
  /** The proposed replacement text of the whole clause. */
  text: Text,
  reason: safeText({ max: 500, multiline: true }).default(''),
});
export type SuggestionCreate = z.infer<typeof SuggestionCreate>;

export const SUGGESTION_STATUS = ['open', 'accepted', 'rejected'] as const;
export const SuggestionStatus = z.enum(SUGGESTION_STATUS);
export type SuggestionStatus = z.infer<typeof SuggestionStatus>;

export const ConventionSuggestion = z.object({
  id: z.string(),
  conventionId: z.string(),
  clauseId: z.string(),
  text: z.string(),
  reason: z.string(),
  /** The clause text when the suggestion was made (the diff is shown against it). */
  baseText: z.string(),
  /** Character-level diff from `baseText` to `text`. */
  parts: z.array(DiffPart),
  status: SuggestionStatus,
  authorId: z.string(),
  authorName: z.string(),
  createdAt: z.number(),
  decidedBy: z.string().optional(),
  decidedAt: z.number().optional(),
});
export type ConventionSuggestion = z.infer<typeof ConventionSuggestion>;

/** `convention:watch` — live comments and suggestions of one convention. */
export const ConventionWatch = z.object({ conventionId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) });
export type ConventionWatch = z.infer<typeof ConventionWatch>;

export interface ConventionCommentEvent {
  conventionId: string;
  comment: ConventionComment;
}
/** A version saved, or its adoption mark set or cleared (everyone watching the convention). */
export interface ConventionVersionEvent {
  conventionId: string;
  version: ConventionVersion;
}
export interface ConventionSuggestionEvent {
  conventionId: string;
  suggestion: ConventionSuggestion;
}
