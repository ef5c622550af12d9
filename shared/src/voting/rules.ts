/**
 * The non-Art. 278 rules on a for / against / neutral count, exact integers only (DOMAIN.md
 * "Counting rules"). Decisions documented here, one place:
 *
 * - simple_majority: for > against; abstentions recorded, not counted. A tie fails ('tie'). With
 *   denominator 'eligible': 2·for > eligible (exactly half fails).
 * - two_thirds / three_quarters: 3·for ≥ 2·(for+against) / 4·for ≥ 3·(for+against): exactly at the
 *   threshold passes. With 'eligible', the same against all eligible voters.
 * - unanimous: at least one for and no against (abstentions do not break unanimity: they are not
 *   valid votes for or against). With 'eligible': every eligible voter voted for.
 * - consensus (consent ballots): no block and at least one agree; stand-asides are recorded. All
 *   stand aside: fails 'no_support' (nobody carries the decision).
 * - nobody voted: fails 'no_votes'; only abstentions (stand-asides): fails 'all_abstained'
 *   ('no_support' for consensus); an empty electorate with 'eligible': fails 'no_electorate'.
 */
import type { BallotRule, BallotResult } from './schemas.ts';

/** Votes for, against and neutral (abstain / stand aside) of one ballot. */
export interface Binary {
  for: number;
  against: number;
  neutral: number;
}

export interface RuleContext {
  rule: BallotRule;
  denominator: 'cast' | 'eligible';
  /** Voters in the frozen electorate. */
  eligible: number;
}

/** The decision on a count and its machine reason (see the file comment). */
export function decideBinary(ctx: RuleContext, b: Binary): { passed: boolean; reason: string } {
  const valid = b.for + b.against;
  const cast = valid + b.neutral;
  if (cast === 0) return { passed: false, reason: 'no_votes' };
  if (ctx.rule === 'consensus') {
    if (b.against > 0) return { passed: false, reason: 'blocked' };
    if (b.for === 0) return { passed: false, reason: 'no_support' };
    return { passed: true, reason: 'passed' };
  }
  const byEligible = ctx.denominator === 'eligible';
  if (byEligible && ctx.eligible === 0) return { passed: false, reason: 'no_electorate' };
  if (!byEligible && valid === 0) return { passed: false, reason: 'all_abstained' };
  const whole = byEligible ? ctx.eligible : valid;
  const ok = (pass: boolean, failReason: string) => (pass ? { passed: true, reason: 'passed' } : { passed: false, reason: failReason });
  switch (ctx.rule) {
    case 'simple_majority':
      if (!byEligible) return b.for === b.against ? { passed: false, reason: 'tie' } : ok(b.for > b.against, 'rejected');
      return ok(2 * b.for > whole, 'threshold_not_met');
    case 'two_thirds':
      return ok(3 * b.for >= 2 * whole, 'threshold_not_met');
    case 'three_quarters':
      return ok(4 * b.for >= 3 * whole, 'threshold_not_met');
    case 'unanimous':
      return byEligible ? ok(b.for >= whole, 'not_unanimous') : ok(b.for > 0 && b.against === 0, 'not_unanimous');
    default:
      // Art. 278 rules are counted in art278.ts; reaching here is a programming error.
      throw new Error(`rule ${ctx.rule} is not a for/against rule`);
  }
}

/** The threshold of a rule as text for the figures ('>1/2', '≥2/3', …). */
export function thresholdText(ctx: RuleContext): string {
  switch (ctx.rule) {
    case 'simple_majority':
      return ctx.denominator === 'eligible' ? '>1/2 of eligible' : 'for > against';
    case 'two_thirds':
      return ctx.denominator === 'eligible' ? '≥2/3 of eligible' : '≥2/3 of for+against';
    case 'three_quarters':
      return ctx.denominator === 'eligible' ? '≥3/4 of eligible' : '≥3/4 of for+against';
    case 'unanimous':
      return ctx.denominator === 'eligible' ? 'all eligible for' : 'no against';
    case 'consensus':
      return 'no block';
    case 'civil_code_278_ordinary':
      return '>1/2 of participating owners and area; participation ≥2/3';
    case 'civil_code_278_major':
      return '≥3/4 of participating owners and area; participation ≥2/3';
  }
}

/**
 * Smallest k in 0..limit with `test(k)` true, for a test that is monotone in k (once true, stays
 * true), or null. Binary search: O(log limit) decisions.
 */
export function smallestK(limit: number, test: (k: number) => boolean): number | null {
  if (!test(limit)) return null;
  let lo = 0;
  let hi = limit;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (test(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * While open: votes still needed to pass (every newcomer votes for) and to fail (every newcomer
 * votes against), out of `remaining` voters who have not voted. `votes` is the smallest number that
 * would do it; when even every remaining voter would not, `possible` is false and `votes` is the
 * number needed were the electorate larger (omitted when no number of votes would do: a block,
 * an against under unanimity).
 */
export function neededBinary(ctx: RuleContext, b: Binary, remaining: number): NonNullable<BallotResult['outcome']['needed']> {
  // Any finite need is below this bound: k for 3/4 is at most 3·against + 1, for eligible at most eligible + 1.
  const bound = Math.max(remaining, 4 * (b.for + b.against + b.neutral) + 2 * ctx.eligible + 2);
  const passK = smallestK(bound, (k) => decideBinary(ctx, { ...b, for: b.for + k }).passed);
  const failK = smallestK(bound, (k) => !decideBinary(ctx, { ...b, against: b.against + k }).passed);
  const entry = (k: number | null) =>
    k === null ? { owners: 0, areaCentiares: 0, possible: false } : { owners: 0, areaCentiares: 0, votes: k, possible: k <= remaining };
  return { pass: entry(passK), fail: entry(failK) };
}
