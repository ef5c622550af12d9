/**
 * Micro-project budgets (民生微实事) and the three lists (三项清单): what crosses the API. A budget
 * holds an amount in integer fen (分, 1/100 yuan); residents propose projects with a cost in fen;
 * the compound chooses projects whose total cost fits; the result funds them in order of support.
 * Funded projects are followed to done with dated updates and rated by residents.
 */
import { z } from 'zod';
import { safeText } from '../common/text.ts';
import { Id } from '../common/ids.ts';

/** Fen (分): whole, non-negative, below 2^53 so sums of a few hundred stay exact. */
const Fen = z.number().int('whole fen (分)').nonnegative().max(1e13);

export const BudgetElectorate = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('households') }),
  z.object({ kind: z.literal('members') }),
]);
export type BudgetElectorate = z.infer<typeof BudgetElectorate>;

export const BUDGET_STATUSES = ['draft', 'open', 'closed'] as const;
export type BudgetStatus = (typeof BUDGET_STATUSES)[number];

/** Epoch ms or an ISO time with its zone. */
const Time = z.union([z.number().int().positive(), z.iso.datetime({ offset: true }).transform((s) => Date.parse(s))]);

/** `POST /api/communities/:cid/budgets` (budget.manage). */
export const BudgetCreate = z
  .object({
    title: safeText({ min: 1, max: 80 }),
    amountFen: Fen.min(1, 'a budget of at least 1 fen'),
    electorate: BudgetElectorate,
    opensAt: Time.optional(),
    closesAt: Time.optional(),
  })
  .refine((b) => b.opensAt === undefined || b.closesAt === undefined || b.opensAt < b.closesAt, {
    message: 'closesAt must be after opensAt',
    path: ['closesAt'],
  });
export type BudgetCreate = z.infer<typeof BudgetCreate>;

/** `POST /api/budgets/:id/projects` (budget.propose): needIds / resourceIds are problems-ledger items tagged need / resource. */
export const ProjectCreate = z.object({
  title: safeText({ min: 1, max: 80 }),
  description: safeText({ max: 2000, multiline: true }).default(''),
  costFen: Fen.min(1, 'a cost of at least 1 fen'),
  needIds: z
    .array(Id)
    .max(20)
    .default([])
    .transform((a) => [...new Set(a)]),
  resourceIds: z
    .array(Id)
    .max(20)
    .default([])
    .transform((a) => [...new Set(a)]),
});
export type ProjectCreate = z.infer<typeof ProjectCreate>;

/** `POST /api/budgets/:id/votes` (budget.vote). `householdId` only when one holds several households. */
export const BudgetVote = z.object({
  projectIds: z.array(Id).max(200),
  idempotencyKey: z.string().min(8).max(100),
  householdId: Id.optional(),
});
export type BudgetVote = z.infer<typeof BudgetVote>;

/** `POST /api/budgets/:id/paper` (budget.manage): a paper choice entered by staff, for a household or a numbered paper. */
export const BudgetPaperChoice = z
  .object({
    householdId: Id.optional(),
    /** The number written on a paper of a members budget (one paper, one choice). */
    paperRef: z
      .string()
      .trim()
      .min(1)
      .max(40)
      .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ or -')
      .optional(),
    projectIds: z.array(Id).max(200),
    idempotencyKey: z.string().min(8).max(100),
  })
  .refine((p) => (p.householdId === undefined) !== (p.paperRef === undefined), {
    message: 'give householdId or paperRef (one of them)',
    path: ['householdId'],
  });
export type BudgetPaperChoice = z.infer<typeof BudgetPaperChoice>;

export const PROJECT_STATUSES = ['proposed', 'accepted', 'rejected', 'selected', 'in_progress', 'done'] as const;
export const ProjectStatus = z.enum(PROJECT_STATUSES);
export type ProjectStatus = z.infer<typeof ProjectStatus>;

/** `POST /api/projects/:id/updates` (budget.manage): a dated note on a funded project, moving it on if `status` is given. */
export const ProjectUpdateCreate = z.object({
  text: safeText({ min: 1, max: 1000, multiline: true }),
  status: z.enum(['in_progress', 'done']).optional(),
});
export type ProjectUpdateCreate = z.infer<typeof ProjectUpdateCreate>;

/** `POST /api/projects/:id/rating` (evaluation.answer), once per member, when the project is done. */
export const ProjectRate = z.object({ stars: z.number().int().min(1).max(5) });
export type ProjectRate = z.infer<typeof ProjectRate>;

/** `POST /api/projects/:id/reject` (budget.manage): an optional reason shown to the proposer. */
export const ProjectReject = z.object({ reason: safeText({ max: 300 }).optional() });
export type ProjectReject = z.infer<typeof ProjectReject>;

const Person = z.object({ userId: z.string(), name: z.string() });

export const ProjectUpdate = z.object({ at: z.number(), text: z.string(), status: ProjectStatus, by: Person });
export type ProjectUpdate = z.infer<typeof ProjectUpdate>;

/** A project as stored and sent. `seq` is the order of proposal (1, 2, …): the last tie-break. */
export const Project = z.object({
  id: z.string(),
  budgetId: z.string(),
  communityId: z.string(),
  seq: z.number().int().positive(),
  title: z.string(),
  description: z.string(),
  costFen: z.number().int(),
  needIds: z.array(z.string()),
  resourceIds: z.array(z.string()),
  status: ProjectStatus,
  proposedBy: Person,
  proposedAt: z.number(),
  rejectReason: z.string().optional(),
  updates: z.array(ProjectUpdate),
});
export type Project = z.infer<typeof Project>;

/** A budget as sent (times in epoch ms). */
export const Budget = z.object({
  id: z.string(),
  communityId: z.string(),
  title: z.string(),
  amountFen: z.number().int(),
  electorate: BudgetElectorate,
  status: z.enum(BUDGET_STATUSES),
  opensAt: z.number().optional(),
  closesAt: z.number().optional(),
  createdAt: z.number(),
  createdBy: z.string(),
  openedAt: z.number().optional(),
  closedAt: z.number().optional(),
});
export type Budget = z.infer<typeof Budget>;

export const FUNDING_REASONS = ['funded', 'skipped_no_longer_fits', 'no_votes'] as const;
export type FundingReason = (typeof FUNDING_REASONS)[number];

/** One project in a result, in funding order (rank 1 = most supported). */
export interface FundingLine {
  id: string;
  rank: number;
  votes: number;
  costFen: number;
  funded: boolean;
  reason: FundingReason;
  /** What was left to spend when this project's turn came. */
  remainingBeforeFen: number;
}

/** `GET /api/budgets/:id/result`. */
export interface BudgetResult {
  budgetId: string;
  amountFen: number;
  spentFen: number;
  remainingFen: number;
  /** Choices counted (one per household or member). */
  choices: number;
  final: boolean;
  rule: { id: 'greedy_skip'; zh: string; en: string };
  projects: FundingLine[];
  /** The audit chain head after the result entry (`<length>:<hash>` as stored), once final. */
  chainHead?: string;
  /** The same head as `npm run verify` reads it from a result URL. */
  head?: { hash: string; length: number };
}

/** One line of the three lists: a ledger item (need / resource) or a project, linked both ways. */
export interface ListNeedOrResource {
  id: string;
  title: string;
  status: string;
  building?: string;
  /** Projects that answer this need / use this resource. */
  projects: { id: string; title: string; status: ProjectStatus }[];
}
export interface ListProject {
  id: string;
  budgetId: string;
  budgetTitle: string;
  title: string;
  costFen: number;
  status: ProjectStatus;
  needs: { id: string; title: string }[];
  resources: { id: string; title: string }[];
  /** Ledger items tagged `project` stand in the list too (no budget). */
  source: 'budget' | 'ledger';
}
/** `GET /api/communities/:cid/lists`. */
export interface ThreeLists {
  needs: ListNeedOrResource[];
  resources: ListNeedOrResource[];
  projects: ListProject[];
}
