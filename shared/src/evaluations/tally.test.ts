/** The evaluation count: exact means (half up, integers only), distributions, role groups, trend. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compareRounds, exactMean, meanDelta, meanOf, roleGroupsOf, tallyEvaluation, type ScoredResponse } from './tally.ts';
import { EvaluationCreate, EvaluationPaper, EvaluationResponse } from './schemas.ts';

const criteria = [
  { id: 'c1', title: '安保' },
  { id: 'c2', title: '保洁' },
];

describe('exact means', () => {
  it('rounds half up to two places', () => {
    expect(exactMean(13, 3)).toBe('4.33'); // 4.333…
    expect(exactMean(14, 3)).toBe('4.67'); // 4.666…
    expect(exactMean(9, 2)).toBe('4.50');
    expect(exactMean(1, 8)).toBe('0.13'); // 0.125 → half up
    expect(exactMean(5, 1)).toBe('5.00');
    expect(exactMean(0, 0)).toBeNull();
    expect(meanOf([1, 0, 0, 0, 2])).toBe('3.67'); // (1 + 10) / 3
  });

  it('equals the decimal mean of known scores rounded half up (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 400 }), (scores) => {
        const sum = scores.reduce((a, b) => a + b, 0);
        const n = scores.length;
        // Reference with BigInt long division: quotient of 100·sum/n, plus one when the remainder is ≥ half.
        let h = (BigInt(sum) * 100n) / BigInt(n);
        if (2n * ((BigInt(sum) * 100n) % BigInt(n)) >= BigInt(n)) h += 1n;
        expect(exactMean(sum, n)).toBe(`${h / 100n}.${String(h % 100n).padStart(2, '0')}`);
        const m = Number(exactMean(sum, n));
        expect(m).toBeGreaterThanOrEqual(1);
        expect(m).toBeLessThanOrEqual(5);
      }),
    );
  });

  it('has distributions that sum to the responses, per criterion and per group (property)', () => {
    const groups = fc.subarray(['residents', 'notables', 'party_branch', 'paper'], { minLength: 1 });
    const resp = fc.record({ scores: fc.record({ c1: fc.integer({ min: 1, max: 5 }), c2: fc.integer({ min: 1, max: 5 }) }), groups });
    fc.assert(
      fc.property(fc.array(resp, { maxLength: 200 }), (rs: ScoredResponse[]) => {
        const t = tallyEvaluation(criteria, rs);
        expect(t.responses).toBe(rs.length);
        for (const c of t.criteria) expect(c.distribution!.reduce((a, b) => a + b, 0)).toBe(rs.length);
        for (const g of t.byRole) {
          expect(g.responses).toBe(rs.filter((r) => r.groups.includes(g.group)).length);
          for (const c of g.criteria) expect(c.distribution.reduce((a, b) => a + b, 0)).toBe(g.responses);
        }
      }),
    );
  });
});

describe('tally and role groups', () => {
  it('counts known scores, and a member with several roles in each of their groups', () => {
    const rs: ScoredResponse[] = [
      { scores: { c1: 5, c2: 3 }, groups: roleGroupsOf(['owner']) },
      { scores: { c1: 4, c2: 3 }, groups: roleGroupsOf(['owner', 'notable']) },
      { scores: { c1: 4, c2: 1 }, groups: roleGroupsOf(['party_branch', 'resident']) },
    ];
    const t = tallyEvaluation(criteria, rs);
    expect(t.criteria).toEqual([
      { id: 'c1', title: '安保', mean: '4.33', distribution: [0, 0, 0, 2, 1] },
      { id: 'c2', title: '保洁', mean: '2.33', distribution: [1, 0, 2, 0, 0] },
    ]);
    expect(t.byRole.map((g) => [g.group, g.responses, g.criteria[0]!.mean])).toEqual([
      ['residents', 3, '4.33'],
      ['notables', 1, '4.00'],
      ['party_branch', 1, '4.00'],
    ]);
  });

  it('maps roles to groups', () => {
    expect(roleGroupsOf(['owner', 'resident', 'notable'])).toEqual(['residents', 'notables']);
    expect(roleGroupsOf(['facilitator', 'admin'])).toEqual(['staff']);
    expect(roleGroupsOf(['guest'])).toEqual([]);
  });
});

describe('trend', () => {
  it('gives exact deltas of the means by criterion title', () => {
    expect(meanDelta('4.33', '4.00')).toBe('+0.33');
    expect(meanDelta('3.80', '4.05')).toBe('-0.25');
    expect(meanDelta('3.00', '3.00')).toBe('0.00');
    expect(meanDelta(null, '3.00')).toBeNull();
    const cur = [
      { id: 'c1', title: '安保', mean: '4.33', distribution: null },
      { id: 'c2', title: '绿化', mean: '3.00', distribution: null },
    ];
    const prev = [{ id: 'c9', title: '安保', mean: '3.50', distribution: null }];
    expect(compareRounds(cur, prev)).toEqual([
      { id: 'c1', title: '安保', mean: '4.33', previousMean: '3.50', delta: '+0.83' },
      { id: 'c2', title: '绿化', mean: '3.00', previousMean: null, delta: null },
    ]);
  });
});

describe('schemas', () => {
  it('parses a round and refuses bad input', () => {
    const ok = EvaluationCreate.safeParse({
      title: '2026年物业评议',
      subject: { kind: 'property_firm' },
      criteria: [{ title: '安保' }],
      electorate: { kind: 'households' },
    });
    expect(ok.success).toBe(true);
    expect(
      EvaluationCreate.safeParse({
        title: 'x',
        subject: { kind: 'named_service' },
        criteria: [{ title: 'a' }],
        electorate: { kind: 'members' },
      }).success,
    ).toBe(false);
    expect(
      EvaluationCreate.safeParse({
        title: 'x',
        subject: { kind: 'property_firm' },
        criteria: [{ title: 'a' }, { title: 'a' }],
        electorate: { kind: 'members' },
      }).success,
    ).toBe(false);
    expect(
      EvaluationCreate.safeParse({ title: 'x', subject: { kind: 'property_firm' }, criteria: [], electorate: { kind: 'members' } }).success,
    ).toBe(false);
    expect(EvaluationResponse.safeParse({ scores: { c1: 6 }, idempotencyKey: 'abcdefgh' }).success).toBe(false);
    expect(EvaluationResponse.safeParse({ scores: { c1: 2.5 }, idempotencyKey: 'abcdefgh' }).success).toBe(false);
    expect(EvaluationResponse.safeParse({ scores: { c1: 3 }, comment: 'x'.repeat(501), idempotencyKey: 'abcdefgh' }).success).toBe(false);
    expect(EvaluationPaper.safeParse({ scores: { c1: 3 }, idempotencyKey: 'abcdefgh' }).success).toBe(false);
    expect(EvaluationPaper.safeParse({ scores: { c1: 3 }, householdId: 'h1', idempotencyKey: 'abcdefgh' }).success).toBe(true);
  });
});
