/**
 * Monthly counters of a community, for the dashboard (DOMAIN.md: meetings held, participants,
 * problems raised / resolved, consensus items, ballots and turnout). Features record figures as
 * they happen; the dashboard only reads. One hash per community and month keeps reads O(months).
 */
import type { Redis } from '../redis/connection.ts';

/** The figures the dashboard shows. Features add one when they count something new. */
export const STAT_METRICS = [
  'meetings_held',
  'meeting_participants',
  'problems_raised',
  'problems_resolved',
  'consensus_items',
  'ballots_closed',
  'ballot_votes',
  'ballot_eligible',
  /** Micro-projects (民生微实事) funded by a budget's result, and those reported done. */
  'projects_funded',
  'projects_done',
] as const;
export type StatMetric = (typeof STAT_METRICS)[number];

/** `2026-11` in China time (the compound's calendar, whatever the server's zone). */
export function statMonth(at: number = Date.now()): string {
  return new Date(at + 8 * 3600_000).toISOString().slice(0, 7);
}

const monthsKey = (cid: string) => `stats:{${cid}}:months`;
const monthKey = (cid: string, month: string) => `stats:{${cid}}:${month}`;

export class StatsRepository {
  constructor(private readonly redis: Redis) {}

  /** Adds `delta` to a metric for the month of `at`. Use inside the feature's own write when it must be atomic. */
  async add(communityId: string, metric: StatMetric, delta = 1, at: number = Date.now()): Promise<void> {
    await this.addAll(communityId, { [metric]: delta }, at);
  }

  /** Adds several figures of one event (a ballot closed: it, its votes, its electorate) in one atomic write. */
  async addAll(communityId: string, deltas: Partial<Record<StatMetric, number>>, at: number = Date.now()): Promise<void> {
    const month = statMonth(at);
    const tx = this.redis.multi();
    for (const [metric, delta] of Object.entries(deltas)) if (delta) tx.hincrby(monthKey(communityId, month), metric, delta);
    await tx.sadd(monthsKey(communityId), month).exec();
  }

  /**
   * The keys `add()` would write for `at`, for a feature that counts inside its own MULTI or Lua
   * script (so the figure and the change it counts are written together or not at all):
   * `HINCRBY monthKey metric delta` and `SADD monthsKey month`.
   */
  keysFor(communityId: string, at: number = Date.now()): { monthKey: string; monthsKey: string; month: string } {
    const month = statMonth(at);
    return { monthKey: monthKey(communityId, month), monthsKey: monthsKey(communityId), month };
  }

  /** Every month with figures, oldest first, each metric present (0 when never recorded). */
  async byMonth(communityId: string): Promise<{ month: string; figures: Record<StatMetric, number> }[]> {
    const months = (await this.redis.smembers(monthsKey(communityId))).sort();
    const pipe = this.redis.pipeline();
    for (const m of months) pipe.hgetall(monthKey(communityId, m));
    const rows = (await pipe.exec()) ?? [];
    return months.map((month, i) => {
      const raw = (rows[i]?.[1] ?? {}) as Record<string, string>;
      const figures = Object.fromEntries(STAT_METRICS.map((k) => [k, Number(raw[k] ?? 0)])) as Record<StatMetric, number>;
      return { month, figures };
    });
  }
}
