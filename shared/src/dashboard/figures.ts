/** Pure arithmetic of the dashboard: month ranges in China time, zero-filling and totals. */
import type { DashboardMonth, DashboardTotals } from './schemas.ts';

/** `2026-11` for epoch ms `at`, in China time (UTC+8, no daylight saving). */
export function chinaMonth(at: number): string {
  return new Date(at + 8 * 3600_000).toISOString().slice(0, 7);
}

/** The `count` months ending with the one of `now` (China time), oldest first. */
export function lastMonths(now: number, count = 12): string[] {
  const [y, m] = chinaMonth(now).split('-').map(Number) as [number, number];
  const out: string[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const total = y * 12 + (m - 1) - i;
    out.push(`${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}`);
  }
  return out;
}

/**
 * The last `count` months of `recorded` (any order), each with every metric in `metrics`
 * (0 where nothing was recorded). Figures of months outside the range are left out here;
 * totals count them.
 */
export function fillMonths(
  recorded: readonly { month: string; figures: Readonly<Record<string, number>> }[],
  metrics: readonly string[],
  now: number,
  count = 12,
): DashboardMonth[] {
  const byMonth = new Map(recorded.map((r) => [r.month, r.figures]));
  return lastMonths(now, count).map((month) => {
    const f = byMonth.get(month) ?? {};
    return { month, figures: Object.fromEntries(metrics.map((k) => [k, f[k] ?? 0])) };
  });
}

/** All-time totals from every recorded month, plus the overdue count of the ledger now. */
export function dashboardTotals(recorded: readonly { figures: Readonly<Record<string, number>> }[], overdueNow: number): DashboardTotals {
  const sum = (k: string) => recorded.reduce((s, r) => s + (r.figures[k] ?? 0), 0);
  return {
    meetingsHeld: sum('meetings_held'),
    participants: sum('meeting_participants'),
    problemsRaised: sum('problems_raised'),
    problemsResolved: sum('problems_resolved'),
    problemsOverdue: overdueNow,
    consensusItems: sum('consensus_items'),
    ballotsClosed: sum('ballots_closed'),
    turnoutPercent: { num: sum('ballot_votes'), den: sum('ballot_eligible') },
    projectsFunded: sum('projects_funded'),
    projectsDone: sum('projects_done'),
  };
}
