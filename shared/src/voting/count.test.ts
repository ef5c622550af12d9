/**
 * countBallot on DOMAIN.md's public examples and hand-worked cases, kind by kind and rule by rule.
 */
import { describe, expect, it } from 'vitest';
import { countBallot } from './count.ts';
import { BallotSpec, type CastVote, type ElectorateSnapshot } from './schemas.ts';

/** n households of `area` m² each, one owner each: h1..hn. */
function households(n: number, areaM2 = 100): ElectorateSnapshot {
  return { kind: 'households', voters: Array.from({ length: n }, (_, i) => ({ voterId: `h${i + 1}`, areaCentiares: areaM2 * 100 })) };
}
/** Votes from "yes,no,…" for h1, h2, … ('-' = did not vote). */
function votes(...choices: string[]): CastVote[] {
  return choices.flatMap((c, i) => (c === '-' ? [] : [{ voterId: `h${i + 1}`, choice: c }]));
}
const spec278 = (rule: 'civil_code_278_ordinary' | 'civil_code_278_major'): BallotSpec =>
  BallotSpec.parse({ kind: 'yes_no_abstain', rule, electorate: { kind: 'households' }, secret: false });

describe('DOMAIN.md public examples (Art. 278)', () => {
  it('9 × 100 m², 6 yes 0 no 3 absent, ordinary: passes (quorum exactly 2/3, 6/6 approve)', () => {
    const r = countBallot(spec278('civil_code_278_ordinary'), households(9), votes('yes', 'yes', 'yes', 'yes', 'yes', 'yes'), { closed: true });
    expect(r.outcome).toMatchObject({ passed: true, reason: 'passed' });
    expect(r.turnout.owners).toEqual({ voted: 6, total: 9 });
    expect(r.turnout.areaCentiares).toEqual({ voted: 60000, total: 90000 });
  });
  it('9 × 100 m², 5 yes 0 no 4 absent, ordinary: fails, quorum 5/9 < 2/3', () => {
    const r = countBallot(spec278('civil_code_278_ordinary'), households(9), votes('yes', 'yes', 'yes', 'yes', 'yes'), { closed: true });
    expect(r.outcome).toMatchObject({ passed: false, reason: 'quorum_not_met' });
  });
  it('A 300 yes, B/C 100 no, D 100 absent, ordinary: fails on number (1/3) though area 300/500 > 1/2', () => {
    const el: ElectorateSnapshot = {
      kind: 'households',
      voters: [
        { voterId: 'h1', areaCentiares: 30000 },
        { voterId: 'h2', areaCentiares: 10000 },
        { voterId: 'h3', areaCentiares: 10000 },
        { voterId: 'h4', areaCentiares: 10000 },
      ],
    };
    const r = countBallot(spec278('civil_code_278_ordinary'), el, votes('yes', 'no', 'no'), { closed: true });
    expect(r.outcome).toMatchObject({ passed: false, reason: 'approval_number' });
    expect(r.outcome.figures).toMatchObject({ participatingOwners: 3, participatingAreaCentiares: 50000, approvingOwners: 1, approvingAreaCentiares: 30000 });
  });
  it('8 × 100 m², 6 yes 2 no, major: passes at exactly 3/4', () => {
    const r = countBallot(spec278('civil_code_278_major'), households(8), votes('yes', 'yes', 'yes', 'yes', 'yes', 'yes', 'no', 'no'), { closed: true });
    expect(r.outcome).toMatchObject({ passed: true, reason: 'passed' });
  });
  it('8 × 100 m², 5 yes 3 no, major: fails, 5/8 < 3/4', () => {
    const r = countBallot(spec278('civil_code_278_major'), households(8), votes('yes', 'yes', 'yes', 'yes', 'yes', 'no', 'no', 'no'), { closed: true });
    expect(r.outcome).toMatchObject({ passed: false, reason: 'approval_number_and_area' });
  });
});
