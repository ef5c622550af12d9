/**
 * The community dashboard: the monthly counters features record into StatsRepository, plus the
 * problems ledger as it stands now (open and overdue problems are a state, not a monthly count).
 */
import { dashboardTotals, fillMonths, type Dashboard } from '@linli/shared';
import { STAT_METRICS, type StatsRepository } from './stats.repository.ts';

/** Open and overdue problems of a community now (the problems feature answers). */
export type LedgerNow = (cid: string) => Promise<{ openProblems: number; overdueProblems: number }>;

export class DashboardService {
  constructor(
    private readonly stats: StatsRepository,
    private readonly ledger: LedgerNow,
    private readonly now: () => number = Date.now,
  ) {}

  /** Totals of all time, the last 12 months (zero-filled, China time), and the ledger now. */
  async figures(cid: string): Promise<Dashboard> {
    const [recorded, current] = await Promise.all([this.stats.byMonth(cid), this.ledger(cid)]);
    return {
      totals: dashboardTotals(recorded, current.overdueProblems),
      months: fillMonths(recorded, STAT_METRICS, this.now()),
      current,
    };
  }
}
