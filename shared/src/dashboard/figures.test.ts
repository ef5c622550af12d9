import { describe, expect, it } from 'vitest';
import { chinaMonth, dashboardTotals, fillMonths, lastMonths } from './figures.ts';

describe('dashboard figures', () => {
  it('counts months in China time', () => {
    // 2026-11-30 16:00 UTC is already 1 December in China.
    expect(chinaMonth(Date.UTC(2026, 10, 30, 15, 59))).toBe('2026-11');
    expect(chinaMonth(Date.UTC(2026, 10, 30, 16, 0))).toBe('2026-12');
  });

  it('gives the last 12 months across a year boundary, oldest first', () => {
    const m = lastMonths(Date.UTC(2026, 1, 10));
    expect(m).toHaveLength(12);
    expect(m[0]).toBe('2025-03');
    expect(m.at(-1)).toBe('2026-02');
    expect(m).toContain('2025-12');
    expect(m).toContain('2026-01');
  });

  it('zero-fills missing months and metrics, drops months outside the range', () => {
    const rows = fillMonths(
      [
        { month: '2024-01', figures: { problems_raised: 9 } },
        { month: '2026-01', figures: { problems_raised: 2 } },
      ],
      ['problems_raised', 'meetings_held'],
      Date.UTC(2026, 1, 10),
    );
    expect(rows).toHaveLength(12);
    expect(rows.find((r) => r.month === '2026-01')!.figures).toEqual({ problems_raised: 2, meetings_held: 0 });
    expect(rows.find((r) => r.month === '2026-02')!.figures).toEqual({ problems_raised: 0, meetings_held: 0 });
    expect(rows.some((r) => r.month === '2024-01')).toBe(false);
  });

  it('totals every recorded month; turnout stays an exact fraction', () => {
    const t = dashboardTotals(
      [
        { figures: { meetings_held: 1, meeting_participants: 80, ballot_votes: 70, ballot_eligible: 120, problems_raised: 3 } },
        {
          figures: {
            meetings_held: 2,
            meeting_participants: 41,
            ballot_votes: 5,
            ballot_eligible: 9,
            problems_resolved: 2,
            consensus_items: 1,
            ballots_closed: 2,
          },
        },
      ],
      4,
    );
    expect(t).toEqual({
      meetingsHeld: 3,
      participants: 121,
      problemsRaised: 3,
      problemsResolved: 2,
      problemsOverdue: 4,
      consensusItems: 1,
      ballotsClosed: 2,
      turnoutPercent: { num: 75, den: 129 },
      projectsFunded: 0,
      projectsDone: 0,
    });
  });
});
