/**
 * The problems ledger (问题清单): a problem residents raise, the party responsible for it, its
 * status from raised to resolved, and the raiser's rating. Times are epoch ms; `dueDate` is a
 * calendar day (YYYY-MM-DD) in China time.
 */
import { z } from 'zod';
import { safeText } from '../common/text.ts';
import { PROBLEM_PHOTO_TYPES } from './limits.ts';
import { Id } from '../common/ids.ts';

export const PROBLEM_STATUSES = ['raised', 'accepted', 'in_progress', 'resolved', 'rejected'] as const;
export const ProblemStatus = z.enum(PROBLEM_STATUSES);
export type ProblemStatus = z.infer<typeof ProblemStatus>;

/** Who answers for a problem once accepted. */
export const ResponsibleParty = z.enum(['property_firm', 'owners_committee', 'party_branch', 'building_leader']);
export type ResponsibleParty = z.infer<typeof ResponsibleParty>;

/** The three lists (三项清单): needs 需求清单, resources 资源清单, projects 项目清单. */
export const ProblemTag = z.enum(['need', 'resource', 'project']);
export type ProblemTag = z.infer<typeof ProblemTag>;

export { PROBLEM_PHOTO_MAX_BYTES, PROBLEM_PHOTO_TYPES } from './limits.ts';
export const ProblemPhotoType = z.enum(PROBLEM_PHOTO_TYPES);
export type ProblemPhotoType = z.infer<typeof ProblemPhotoType>;

/** A calendar day, checked to exist (no 2026-02-30). */
export const ProblemDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }, 'not a calendar date');
export type ProblemDate = z.infer<typeof ProblemDate>;

const Person = z.object({ userId: z.string(), name: z.string() });

/** One step of a problem's life: a status change (`from` null when raised), an assignment or a note. */
export const ProblemHistoryEntry = z.object({
  at: z.number(),
  by: Person,
  from: ProblemStatus.nullable(),
  to: ProblemStatus,
  note: z.string().optional(),
  /** Fields changed in this step besides the status (responsible, dueDate, tags, meetingId). */
  changes: z.record(z.string(), z.unknown()).optional(),
});
export type ProblemHistoryEntry = z.infer<typeof ProblemHistoryEntry>;

export const ProblemRating = z.object({
  stars: z.number().int().min(1).max(5),
  comment: z.string().optional(),
  at: z.number(),
});
export type ProblemRating = z.infer<typeof ProblemRating>;

/** A problem as stored. */
export const Problem = z.object({
  id: z.string(),
  communityId: z.string(),
  title: z.string(),
  description: z.string(),
  building: z.string().optional(),
  photo: z.object({ id: z.string(), mime: ProblemPhotoType }).optional(),
  raisedBy: Person,
  raisedAt: z.number(),
  status: ProblemStatus,
  responsible: ResponsibleParty.optional(),
  responsibleNote: z.string().optional(),
  dueDate: ProblemDate.optional(),
  meetingId: z.string().optional(),
  tags: z.array(ProblemTag),
  rating: ProblemRating.optional(),
  history: z.array(ProblemHistoryEntry),
});
export type Problem = z.infer<typeof Problem>;

/** A problem as the API sends it: the stored record plus `overdue` (computed when sent, China time). */
export const ProblemView = Problem.extend({ overdue: z.boolean() });
export type ProblemView = z.infer<typeof ProblemView>;

const tags = z
  .array(ProblemTag)
  .max(3)
  .transform((t) => [...new Set(t)]);

/** `POST /api/communities/:cid/problems`. The photo follows separately (`POST /api/problems/:id/photo`). */
export const ProblemCreate = z.object({
  title: safeText({ min: 1, max: 80 }),
  description: safeText({ max: 2000, multiline: true }).default(''),
  building: safeText({ min: 1, max: 40 }).optional(),
  tags: tags.default([]),
  /** Raised from a meeting's phone view: the meeting (same community) whose console should see it. */
  meetingId: Id.optional(),
});
export type ProblemCreate = z.infer<typeof ProblemCreate>;

/**
 * `PATCH /api/problems/:id` (problem.manage): a status change, an assignment (responsible party,
 * due date), tags, the meeting that took it up, and a note kept in the history. `null` clears.
 */
export const ProblemPatch = z
  .object({
    status: ProblemStatus,
    responsible: ResponsibleParty.nullable(),
    responsibleNote: safeText({ max: 200 }).nullable(),
    dueDate: ProblemDate.nullable(),
    note: safeText({ min: 1, max: 1000, multiline: true }),
    tags: tags,
    meetingId: Id.nullable(),
  })
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'nothing to change');
export type ProblemPatch = z.infer<typeof ProblemPatch>;

/** `POST /api/problems/:id/rating`: the raiser's verdict on the result. */
export const ProblemRate = z.object({
  stars: z.number().int().min(1).max(5),
  comment: safeText({ max: 500, multiline: true }).optional(),
});
export type ProblemRate = z.infer<typeof ProblemRate>;

const flag = z
  .enum(['1', '0', 'true', 'false'])
  .transform((v) => v === '1' || v === 'true')
  .optional();

/** `GET /api/communities/:cid/problems?status=&building=&tag=&overdue=1`. */
export const ProblemsQuery = z.object({
  status: ProblemStatus.optional(),
  building: z.string().trim().min(1).max(40).optional(),
  tag: ProblemTag.optional(),
  overdue: flag,
});
export type ProblemsQuery = z.infer<typeof ProblemsQuery>;

/** Server → community room: a problem was raised or changed. */
export const ProblemUpdatedEvent = z.object({ problem: ProblemView });
export type ProblemUpdatedEvent = z.infer<typeof ProblemUpdatedEvent>;
