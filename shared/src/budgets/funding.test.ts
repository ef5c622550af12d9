/**
 * The funding rule and choice checks: worked examples, then properties over random budgets.
 *
 * Properties, stated precisely (lines in funding order, R_i = what was left when line i's turn came):
 *  1. 0 ≤ spentFen ≤ amountFen, and spentFen = Σ cost of funded lines.
 *  2. R_1 = amountFen, R_{i+1} = R_i − (cost_i if line i funded else 0).
 *  3. A line is funded iff it has votes and cost_i ≤ R_i; skipped_no_longer_fits iff votes > 0
 *     and cost_i > R_i. Hence no skipped project fits the final remainder (R only shrinks): the
 *     funded set cannot be extended by any chosen project.
 *  4. The order is votes desc, then cost asc, then proposal asc: for consecutive lines i, i+1,
 *     (votes_i, −cost_i, −seq_i) > (votes_{i+1}, −cost_{i+1}, −seq_{i+1}).
 *  5. Deterministic: the result does not depend on the order the projects are given in.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { choiceProblem, countSupport, fenToYuan, fundProjects, yuanToFen, type FundableProject } from './funding.ts';

const P = (id: string, costFen: number, seq: number): FundableProject => ({ id, costFen, seq });

describe('funding rule', () => {
  it('skips the most supported project that no longer fits and takes the next that does', () => {
    const projects = [P('a', 60_000_00, 1), P('b', 50_000_00, 2), P('c', 30_000_00, 3)];
    const votes = new Map([
      ['a', 9],
      ['b', 7],
      ['c', 5],
    ]);
    const r = fundProjects(100_000_00, projects, votes);
    expect(r.lines.map((l) => [l.id, l.reason])).toEqual([
      ['a', 'funded'],
      ['b', 'skipped_no_longer_fits'],
      ['c', 'funded'],
    ]);
    expect(r.spentFen).toBe(90_000_00);
    expect(r.lines[1]!.remainingBeforeFen).toBe(40_000_00);
  });

  it('breaks a tie by lower cost, then by earlier proposal', () => {
    const projects = [P('late_cheap', 100, 3), P('early_dear', 200, 1), P('early_cheap', 100, 2)];
    const votes = new Map([
      ['late_cheap', 4],
      ['early_dear', 4],
      ['early_cheap', 4],
    ]);
    expect(fundProjects(1000, projects, votes).lines.map((l) => l.id)).toEqual(['early_cheap', 'late_cheap', 'early_dear']);
    // Only room for one of the two equal ones: the earlier proposal wins.
    expect(
      fundProjects(100, projects, votes)
        .lines.filter((l) => l.funded)
        .map((l) => l.id),
    ).toEqual(['early_cheap']);
  });

  it('funds nothing nobody chose, even when it fits', () => {
    const r = fundProjects(1000, [P('x', 10, 1), P('y', 10, 2)], new Map([['x', 1]]));
    expect(r.lines.map((l) => l.reason)).toEqual(['funded', 'no_votes']);
    expect(r.spentFen).toBe(10);
  });

  it('counts a choice once per project', () => {
    expect([...countSupport([P('a', 1, 1), P('b', 1, 2)], [['a', 'a', 'b'], ['a'], ['zzz']])]).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
  });
});

describe('choice checks', () => {
  const accepted = new Map([
    ['a', { costFen: 600 }],
    ['b', { costFen: 500 }],
  ]);
  it('refuses over budget with the figures, duplicates, unknown projects and an empty choice', () => {
    expect(choiceProblem(['a', 'b'], accepted, 1000)).toEqual({ code: 'over_budget', totalFen: 1100, amountFen: 1000, overByFen: 100 });
    expect(choiceProblem(['a', 'a'], accepted, 5000)).toEqual({ code: 'duplicate', projectId: 'a' });
    expect(choiceProblem(['q'], accepted, 5000)).toEqual({ code: 'unknown_project', projectId: 'q' });
    expect(choiceProblem([], accepted, 5000)).toEqual({ code: 'empty' });
    expect(choiceProblem(['b'], accepted, 500)).toBeNull();
  });
});

describe('yuan and fen', () => {
  it('converts exactly both ways', () => {
    expect(fenToYuan(123456)).toBe('1234.56');
    expect(fenToYuan(5)).toBe('0.05');
    expect(fenToYuan(0)).toBe('0.00');
    expect(yuanToFen('1,234.5')).toBe(123450);
    expect(yuanToFen('￥800元')).toBe(80000);
    expect(yuanToFen('0.07')).toBe(7);
    expect(yuanToFen('1.234')).toBeNull();
    expect(yuanToFen('-1')).toBeNull();
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e12 }), (f) => yuanToFen(fenToYuan(f)) === f));
  });
});

const arbBudget = fc
  .array(fc.record({ costFen: fc.integer({ min: 1, max: 50_000 }), votes: fc.integer({ min: 0, max: 6 }) }), {
    minLength: 0,
    maxLength: 12,
  })
  .chain((ps) => fc.tuple(fc.constant(ps.map((p, i) => ({ id: `p${i}`, seq: i + 1, ...p }))), fc.integer({ min: 0, max: 200_000 })));

describe('funding rule properties', () => {
  it('holds properties 1–4', () => {
    fc.assert(
      fc.property(arbBudget, ([ps, amount]) => {
        const votes = new Map(ps.map((p) => [p.id, p.votes]));
        const byId = new Map(ps.map((p) => [p.id, p]));
        const { lines, spentFen } = fundProjects(amount, ps, votes);
        expect(lines).toHaveLength(ps.length);
        expect(spentFen).toBeGreaterThanOrEqual(0);
        expect(spentFen).toBeLessThanOrEqual(amount);
        expect(spentFen).toBe(lines.filter((l) => l.funded).reduce((s, l) => s + l.costFen, 0));
        let r = amount;
        for (const [i, l] of lines.entries()) {
          expect(l.remainingBeforeFen).toBe(r);
          if (l.votes === 0) expect(l.reason).toBe('no_votes');
          else expect(l.reason).toBe(l.costFen <= r ? 'funded' : 'skipped_no_longer_fits');
          if (l.funded) r -= l.costFen;
          const next = lines[i + 1];
          if (next) {
            const a = byId.get(l.id)!;
            const b = byId.get(next.id)!;
            expect(
              a.votes > b.votes || (a.votes === b.votes && (a.costFen < b.costFen || (a.costFen === b.costFen && a.seq < b.seq))),
            ).toBe(true);
          }
        }
        const left = amount - spentFen;
        for (const l of lines) if (l.reason === 'skipped_no_longer_fits') expect(l.costFen).toBeGreaterThan(left);
      }),
      { numRuns: 500 },
    );
  });

  it('gives the same result whatever order the projects come in (property 5)', () => {
    fc.assert(
      fc.property(arbBudget, fc.integer(), ([ps, amount], seed) => {
        const votes = new Map(ps.map((p) => [p.id, p.votes]));
        const shuffled = [...ps].sort((a, b) => ((a.seq * 7919 + seed) % 101) - ((b.seq * 7919 + seed) % 101));
        expect(fundProjects(amount, shuffled, votes)).toEqual(fundProjects(amount, ps, votes));
      }),
      { numRuns: 300 },
    );
  });
});
