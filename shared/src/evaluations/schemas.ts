/**
 * Evaluation rounds (评议): the party branch and the notables evaluate the property firm, the
 * owners' committee or a named service on several criteria, each scored 1–5 (issue 20, API.md
 * "Evaluations"). This file is the contract every package shares: request bodies (parsed with
 * these schemas at every boundary) and the shapes the API sends.
 */
import { z } from 'zod';
import { safeText } from '../common/text.ts';
import { IsoWithOffset } from '../consultations/schemas.ts';

/** draft → open (by hand or at opensAt) → closed (by hand or at closesAt). */
export const EVALUATION_STATUSES = ['draft', 'open', 'closed'] as const;
export const EvaluationStatus = z.enum(EVALUATION_STATUSES);
export type EvaluationStatus = z.infer<typeof EvaluationStatus>;

/** Who is evaluated. The firm and the committee are roles of the roster; a named service is not. */
export const EvaluationSubject = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('property_firm'), name: safeText({ min: 1, max: 80 }).optional() }),
  z.object({ kind: z.literal('owners_committee'), name: safeText({ min: 1, max: 80 }).optional() }),
  z.object({ kind: z.literal('named_service'), name: safeText({ min: 1, max: 80 }) }),
]);
export type EvaluationSubject = z.infer<typeof EvaluationSubject>;

/** Rounds on the same subject follow each other (the trend compares with the previous one). */
export function subjectKey(s: EvaluationSubject): string {
  return s.kind === 'named_service' ? `named_service:${s.name}` : s.kind;
}

/** One answer per household (the first recorded counts) or one per member (results by role). */
export const EvaluationElectorate = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('households') }),
  z.object({ kind: z.literal('members') }),
]);
export type EvaluationElectorate = z.infer<typeof EvaluationElectorate>;

export const CRITERIA_MAX = 12;
export const COMMENT_MAX = 500;
export const REPLY_MAX = 2000;

export const EvaluationCreate = z
  .object({
    title: safeText({ min: 1, max: 120 }),
    subject: EvaluationSubject,
    criteria: z
      .array(z.object({ title: safeText({ min: 1, max: 40 }) }))
      .min(1, 'at least one criterion')
      .max(CRITERIA_MAX, `at most ${CRITERIA_MAX} criteria`)
      .refine((cs) => new Set(cs.map((c) => c.title)).size === cs.length, 'criteria titles must differ'),
    electorate: EvaluationElectorate,
    opensAt: IsoWithOffset.optional(),
    closesAt: IsoWithOffset.optional(),
  })
  .refine((e) => e.opensAt === undefined || e.closesAt === undefined || e.closesAt > e.opensAt, {
    message: 'closesAt must be after opensAt',
    path: ['closesAt'],
  });
export type EvaluationCreate = z.infer<typeof EvaluationCreate>;

/** A score: 1 很不满意 … 5 很满意. */
export const Score = z.number().int('a whole number 1–5').min(1, '1 to 5').max(5, '1 to 5');

export const EvaluationResponse = z.object({
  /** criterion id → 1..5; every criterion of the round must be scored. */
  scores: z.record(z.string().max(16), Score),
  comment: safeText({ max: COMMENT_MAX, multiline: true }).optional(),
  idempotencyKey: z.string().min(8, 'at least 8 characters').max(128),
  /** Households rounds, for a member holding several households: which one answers (else the only one). */
  householdId: z.string().max(64).optional(),
});
export type EvaluationResponse = z.infer<typeof EvaluationResponse>;

/** A printed questionnaire typed in by staff: which household (by id or address), and its answers. */
export const EvaluationPaper = EvaluationResponse.extend({
  address: z
    .object({ building: z.string().trim().min(1).max(20), unit: z.string().trim().min(1).max(20), room: z.string().trim().min(1).max(20) })
    .optional(),
}).refine((p) => !!p.householdId !== !!p.address, { message: 'give householdId or address (one of them)', path: ['householdId'] });
export type EvaluationPaper = z.infer<typeof EvaluationPaper>;

export const EvaluationReply = z.object({ text: safeText({ min: 1, max: REPLY_MAX, multiline: true }) });
export type EvaluationReply = z.infer<typeof EvaluationReply>;

export interface EvaluationCriterion {
  id: string;
  title: string;
}

export interface Evaluation {
  id: string;
  communityId: string;
  title: string;
  subject: EvaluationSubject;
  criteria: EvaluationCriterion[];
  electorate: EvaluationElectorate;
  status: EvaluationStatus;
  opensAt?: string;
  closesAt?: string;
  createdAt: string;
  openedAt?: string;
  closedAt?: string;
}

export type EvaluationChannel = 'phone' | 'paper';

export interface EvaluationReceipt {
  receipt: string;
  channel: EvaluationChannel;
  repeated: boolean;
}

/** Per criterion: the exact mean ("4.33", null with no answers) and [n1..n5]; hidden while open. */
export interface CriterionResult {
  id: string;
  title: string;
  mean: string | null;
  distribution: [number, number, number, number, number] | null;
}

export interface RoleGroupResult {
  group: string;
  responses: number;
  criteria: { id: string; mean: string | null; distribution: [number, number, number, number, number] }[];
}

export interface EvaluationResult {
  evaluationId: string;
  status: EvaluationStatus;
  /** Answers counted (live while open). */
  responses: number;
  /** Who could answer: households of the roster, or members. */
  eligible: number;
  /** True while open: per-criterion figures are hidden until the round closes. */
  hidden: boolean;
  criteria: CriterionResult[];
  byRole?: RoleGroupResult[];
  previous?: {
    evaluationId: string;
    title: string;
    closedAt?: string;
    criteria: { id: string; title: string; mean: string | null; previousMean: string | null; delta: string | null }[];
  };
  comments?: string[];
  reply?: { text: string; at: string; by: string };
}
