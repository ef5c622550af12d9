/**
 * The community dashboard (GET /api/communities/:cid/dashboard): the figures the seed report
 * counts — meetings held, participants, problems raised / resolved / overdue, consensus items,
 * ballots and turnout — in total and per month (China time), plus the ledger as it stands now.
 */
import { z } from 'zod';

/** A fraction kept exact (turnout = votes cast / eligible voters over all closed ballots); den 0 = no ballots yet. */
export const DashboardRatio = z.object({ num: z.number().int().nonnegative(), den: z.number().int().nonnegative() });
export type DashboardRatio = z.infer<typeof DashboardRatio>;

export const DashboardTotals = z.object({
  meetingsHeld: z.number().int(),
  participants: z.number().int(),
  problemsRaised: z.number().int(),
  problemsResolved: z.number().int(),
  /** Open problems past their due date now (not a monthly counter). */
  problemsOverdue: z.number().int(),
  consensusItems: z.number().int(),
  ballotsClosed: z.number().int(),
  turnoutPercent: DashboardRatio,
  /** Micro-projects (民生微实事) funded by a budget's result, and those finished. */
  projectsFunded: z.number().int(),
  projectsDone: z.number().int(),
});
export type DashboardTotals = z.infer<typeof DashboardTotals>;

/** One month (`2026-11`, China time) with every counter the features record (snake_case metric → count). */
export const DashboardMonth = z.object({ month: z.string().regex(/^\d{4}-\d{2}$/), figures: z.record(z.string(), z.number().int()) });
export type DashboardMonth = z.infer<typeof DashboardMonth>;

export const Dashboard = z.object({
  /** All time: every month ever recorded. */
  totals: DashboardTotals,
  /** The last 12 months, oldest first, ending with the current one; months without figures are zeros. */
  months: z.array(DashboardMonth),
  current: z.object({ openProblems: z.number().int(), overdueProblems: z.number().int() }),
});
export type Dashboard = z.infer<typeof Dashboard>;
