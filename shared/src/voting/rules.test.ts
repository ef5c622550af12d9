/**
 * The non-Art. 278 rules, hand-worked, on yes/no/abstain, consent and score ballots: thresholds
 * exactly at the line, ties, zero voters, all abstaining, denominator cast vs eligible, and what is
 * still needed while open.
 */
import { describe, expect, it } from 'vitest';
import { countBallot } from './count.ts';
import { BallotSpec, type BallotRule, type CastVote, type ElectorateSnapshot } from './schemas.ts';

/** A members electorate of n people: m1..mn. */
function members(n: number): ElectorateSnapshot {
  return { kind: 'members', voters: Array.from({ length: n }, (_, i) => ({ voterId: `m${i + 1}` })) };
}
/** Votes from counts, given to m1, m2, … in order. */
function counted(groups: [string | number, number][]): CastVote[] {
  const out: CastVote[] = [];
  for (const [choice, n] of groups) for (let i = 0; i < n; i++) out.push({ voterId: `m${out.length + 1}`, choice });
  return out;
}
const spec = (kind: BallotSpec['kind'], rule: BallotRule, denominator: 'cast' | 'eligible' = 'cast'): BallotSpec =>
  BallotSpec.parse({ kind, rule, electorate: { kind: 'members' }, secret: false, denominator });

describe('yes / no / abstain (10 eligible members)', () => {
  const table: [BallotRule, 'cast' | 'eligible', number, number, number, boolean, string][] = [
    ['simple_majority', 'cast', 3, 2, 0, true, 'passed'],
    ['simple_majority', 'cast', 2, 2, 1, false, 'tie'],
    ['simple_majority', 'cast', 2, 3, 0, false, 'rejected'],
    ['simple_majority', 'cast', 0, 0, 0, false, 'no_votes'],
    ['simple_majority', 'cast', 0, 0, 4, false, 'all_abstained'],
    ['simple_majority', 'cast', 1, 0, 9, true, 'passed'],
    ['simple_majority', 'cast', 5, 4, 1, true, 'passed'],
    ['simple_majority', 'cast', 0, 1, 0, false, 'rejected'],
    ['simple_majority', 'eligible', 5, 0, 0, false, 'threshold_not_met'],
    ['simple_majority', 'eligible', 6, 0, 0, true, 'passed'],
    ['simple_majority', 'eligible', 6, 4, 0, true, 'passed'],
    ['simple_majority', 'eligible', 0, 0, 0, false, 'no_votes'],
    ['simple_majority', 'eligible', 4, 1, 5, false, 'threshold_not_met'],
    ['two_thirds', 'cast', 2, 1, 0, true, 'passed'],
    ['two_thirds', 'cast', 3, 2, 0, false, 'threshold_not_met'],
    ['two_thirds', 'cast', 4, 2, 4, true, 'passed'],
    ['two_thirds', 'cast', 0, 0, 3, false, 'all_abstained'],
    ['two_thirds', 'cast', 1, 0, 0, true, 'passed'],
    ['two_thirds', 'cast', 6, 4, 0, false, 'threshold_not_met'],
    ['two_thirds', 'cast', 7, 3, 0, true, 'passed'],
    ['two_thirds', 'eligible', 6, 0, 0, false, 'threshold_not_met'],
    ['two_thirds', 'eligible', 7, 0, 0, true, 'passed'],
    ['two_thirds', 'eligible', 7, 3, 0, true, 'passed'],
    ['three_quarters', 'cast', 3, 1, 0, true, 'passed'],
    ['three_quarters', 'cast', 5, 2, 0, false, 'threshold_not_met'],
    ['three_quarters', 'cast', 6, 2, 2, true, 'passed'],
    ['three_quarters', 'cast', 8, 2, 0, true, 'passed'],
    ['three_quarters', 'cast', 0, 0, 0, false, 'no_votes'],
    ['three_quarters', 'eligible', 7, 0, 0, false, 'threshold_not_met'],
    ['three_quarters', 'eligible', 8, 0, 0, true, 'passed'],
    ['unanimous', 'cast', 5, 0, 0, true, 'passed'],
    ['unanimous', 'cast', 5, 1, 0, false, 'not_unanimous'],
    ['unanimous', 'cast', 5, 0, 3, true, 'passed'],
    ['unanimous', 'cast', 0, 0, 2, false, 'all_abstained'],
    ['unanimous', 'eligible', 9, 0, 0, false, 'not_unanimous'],
    ['unanimous', 'eligible', 10, 0, 0, true, 'passed'],
  ];
  it.each(table)('%s (%s): %i yes %i no %i abstain → %s %s', (rule, denominator, yes, no, abstain, passed, reason) => {
    const r = countBallot(
      spec('yes_no_abstain', rule, denominator),
      members(10),
      counted([
        ['yes', yes],
        ['no', no],
        ['abstain', abstain],
      ]),
      { closed: true },
    );
    expect(r.outcome.passed).toBe(passed);
    expect(r.outcome.reason).toBe(reason);
    expect(r.tally.options.map((o) => [o.id, o.votes])).toEqual([
      ['yes', yes],
      ['no', no],
      ['abstain', abstain],
    ]);
    expect(r.turnout).toEqual({ voted: yes + no + abstain, eligible: 10 });
  });

  it('an empty electorate with denominator eligible fails: no_electorate (secret votes cannot be matched)', () => {
    const s = BallotSpec.parse({
      kind: 'yes_no_abstain',
      rule: 'simple_majority',
      electorate: { kind: 'members' },
      secret: true,
      denominator: 'eligible',
    });
    expect(countBallot(s, members(0), counted([['yes', 1]]), { closed: true }).outcome.reason).toBe('no_electorate');
  });
});

describe('consent', () => {
  const table: [BallotRule, number, number, number, boolean, string][] = [
    ['consensus', 5, 0, 0, true, 'passed'],
    ['consensus', 5, 2, 0, true, 'passed'],
    ['consensus', 5, 2, 1, false, 'blocked'],
    ['consensus', 0, 3, 0, false, 'no_support'],
    ['consensus', 0, 0, 0, false, 'no_votes'],
    ['consensus', 0, 0, 1, false, 'blocked'],
    ['consensus', 1, 8, 0, true, 'passed'],
    ['simple_majority', 3, 5, 1, true, 'passed'],
    ['simple_majority', 1, 5, 1, false, 'tie'],
  ];
  it.each(table)('%s: %i agree %i stand aside %i block → %s %s', (rule, agree, aside, block, passed, reason) => {
    const r = countBallot(
      spec('consent', rule),
      members(10),
      counted([
        ['agree', agree],
        ['stand_aside', aside],
        ['block', block],
      ]),
      { closed: true },
    );
    expect(r.outcome).toMatchObject({ passed, reason });
    expect(r.tally.blocks).toBe(block);
    expect(r.tally.standAsides).toBe(aside);
    expect(r.tally.options.map((o) => o.id)).toEqual(['agree', 'stand_aside', 'block']);
  });
});

describe('score 0–5 (3–5 supports, 0–2 opposes)', () => {
  const table: [BallotRule, number[], boolean, string, number, number][] = [
    ['simple_majority', [5, 4, 3, 0], true, 'passed', 12, 4],
    ['simple_majority', [2, 2, 3], false, 'rejected', 7, 3],
    ['simple_majority', [3, 2], false, 'tie', 5, 2],
    ['two_thirds', [5, 5, 1], true, 'passed', 11, 3],
    ['two_thirds', [5, 1, 1], false, 'threshold_not_met', 7, 3],
    ['simple_majority', [], false, 'no_votes', 0, 0],
    ['unanimous', [0, 0, 0], false, 'not_unanimous', 0, 3],
    ['unanimous', [3, 3, 3], true, 'passed', 9, 3],
    ['three_quarters', [5, 4, 3, 2], true, 'passed', 14, 4],
  ];
  it.each(table)('%s on %j → %s %s, average %i/%i', (rule, scores, passed, reason, num, den) => {
    const r = countBallot(spec('score', rule), members(10), counted(scores.map((s) => [s, 1])), { closed: true });
    expect(r.outcome).toMatchObject({ passed, reason });
    expect(r.tally.average).toEqual({ num, den });
    expect(r.tally.options.map((o) => o.id)).toEqual(['0', '1', '2', '3', '4', '5']);
    expect(r.tally.options.reduce((s, o) => s + o.votes, 0)).toBe(scores.length);
  });
  it('a score of 2.5, 6 or "5" is not counted', () => {
    const r = countBallot(
      spec('score', 'simple_majority'),
      members(10),
      [
        { voterId: 'm1', choice: 2.5 },
        { voterId: 'm2', choice: 6 },
        { voterId: 'm3', choice: '5' },
        { voterId: 'm4', choice: 4 },
      ],
      { closed: true },
    );
    expect(r.tally.average).toEqual({ num: 4, den: 1 });
    expect(r.outcome.figures.invalid).toBe(3);
  });
});

describe('while open: passed null, votes still needed', () => {
  it('simple majority 3 yes 5 no of 20: 3 more yes to pass, already failing', () => {
    const r = countBallot(
      spec('yes_no_abstain', 'simple_majority'),
      members(20),
      counted([
        ['yes', 3],
        ['no', 5],
      ]),
    );
    expect(r.outcome).toMatchObject({ passed: null, wouldPass: false, reason: 'rejected' });
    expect(r.outcome.needed?.pass).toMatchObject({ votes: 3, possible: true });
    expect(r.outcome.needed?.fail).toMatchObject({ votes: 0, possible: true });
  });
  it('two thirds 4 yes 1 no of 10: passing; 2 more no would defeat it', () => {
    const r = countBallot(
      spec('yes_no_abstain', 'two_thirds'),
      members(10),
      counted([
        ['yes', 4],
        ['no', 1],
      ]),
    );
    expect(r.outcome).toMatchObject({ passed: null, wouldPass: true, reason: 'passed' });
    expect(r.outcome.needed?.fail).toMatchObject({ votes: 2, possible: true });
  });
  it('two thirds of eligible: 7 of 10 needed, 4 yes so far, no votes cannot defeat a pass', () => {
    const r = countBallot(
      spec('yes_no_abstain', 'two_thirds', 'eligible'),
      members(10),
      counted([
        ['yes', 4],
        ['no', 1],
      ]),
    );
    expect(r.outcome.needed?.pass).toMatchObject({ votes: 3, possible: true });
    const done = countBallot(spec('yes_no_abstain', 'two_thirds', 'eligible'), members(10), counted([['yes', 7]]));
    expect(done.outcome.needed?.fail).toEqual({ owners: 0, areaCentiares: 0, possible: false });
  });
  it('3/4 with 1 yes 3 no of 5: 8 more yes would be needed but only 1 voter is left', () => {
    const r = countBallot(
      spec('yes_no_abstain', 'three_quarters'),
      members(5),
      counted([
        ['yes', 1],
        ['no', 3],
      ]),
    );
    expect(r.outcome.needed?.pass).toMatchObject({ votes: 8, possible: false });
  });
  it('unanimous with one no, consensus with one block: no number of votes passes it', () => {
    const u = countBallot(
      spec('yes_no_abstain', 'unanimous'),
      members(10),
      counted([
        ['yes', 3],
        ['no', 1],
      ]),
    );
    expect(u.outcome.needed?.pass).toEqual({ owners: 0, areaCentiares: 0, possible: false });
    const c = countBallot(
      spec('consent', 'consensus'),
      members(10),
      counted([
        ['agree', 3],
        ['block', 1],
      ]),
    );
    expect(c.outcome.needed?.pass).toEqual({ owners: 0, areaCentiares: 0, possible: false });
  });
  it('nobody voted: one yes would pass a simple majority, one block defeats consensus', () => {
    const r = countBallot(spec('yes_no_abstain', 'simple_majority'), members(3), []);
    expect(r.outcome).toMatchObject({ reason: 'no_votes', wouldPass: false });
    expect(r.outcome.needed?.pass).toMatchObject({ votes: 1, possible: true });
    const c = countBallot(spec('consent', 'consensus'), members(3), counted([['agree', 2]]));
    expect(c.outcome.needed?.fail).toMatchObject({ votes: 1, possible: true });
  });
  it('closed results carry no needed', () => {
    const r = countBallot(spec('yes_no_abstain', 'simple_majority'), members(3), counted([['yes', 2]]), { closed: true });
    expect(r.outcome.needed).toBeUndefined();
    expect(r.outcome.wouldPass).toBeUndefined();
  });
});
