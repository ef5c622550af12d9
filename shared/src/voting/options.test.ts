/**
 * Single, multi and ranked ballots through countBallot, hand-worked; the advisory tally by role.
 */
import { describe, expect, it } from 'vitest';
import { countBallot } from './count.ts';
import { advisoryByRole, NO_ROLE } from './advisory.ts';
import { BallotSpec, type BallotRule, type CastVote, type Choice, type ElectorateSnapshot } from './schemas.ts';

function members(n: number): ElectorateSnapshot {
  return { kind: 'members', voters: Array.from({ length: n }, (_, i) => ({ voterId: `m${i + 1}` })) };
}
/** One vote per choice, from m1, m2, … */
function ballots(...choices: Choice[]): CastVote[] {
  return choices.map((choice, i) => ({ voterId: `m${i + 1}`, choice }));
}
const opts = (...ids: string[]) => ids.map((id) => ({ id, label: id.toUpperCase() }));
function spec(kind: 'single' | 'multi' | 'ranked', rule: BallotRule, ids: string[], extra: Partial<BallotSpec> = {}): BallotSpec {
  return BallotSpec.parse({ kind, rule, options: opts(...ids), electorate: { kind: 'members' }, secret: false, ...extra });
}
const closed = { closed: true };

describe('single', () => {
  const abc = ['a', 'b', 'c'];
  const table: [BallotRule, 'cast' | 'eligible', string[], boolean, string, string[]][] = [
    ['simple_majority', 'cast', ['a', 'a', 'b'], true, 'passed', ['a']],
    ['simple_majority', 'cast', ['a', 'b', 'c'], false, 'tie', []],
    ['simple_majority', 'cast', ['a', 'a', 'b', 'c'], false, 'threshold_not_met', []],
    ['simple_majority', 'cast', ['a', 'a', 'b', 'b'], false, 'tie', []],
    ['simple_majority', 'cast', ['c'], true, 'passed', ['c']],
    ['simple_majority', 'cast', [], false, 'no_votes', []],
    ['two_thirds', 'cast', ['a', 'a', 'a', 'b'], true, 'passed', ['a']],
    ['two_thirds', 'cast', ['b', 'b', 'a'], true, 'passed', ['b']],
    ['two_thirds', 'cast', ['b', 'b', 'a', 'c', 'b'], false, 'threshold_not_met', []],
    ['three_quarters', 'cast', ['a', 'a', 'a', 'b'], true, 'passed', ['a']],
    ['three_quarters', 'cast', ['a', 'a', 'b'], false, 'threshold_not_met', []],
    ['unanimous', 'cast', ['a', 'a', 'a'], true, 'passed', ['a']],
    ['unanimous', 'cast', ['a', 'a', 'b'], false, 'threshold_not_met', []],
    ['simple_majority', 'eligible', ['a', 'a', 'a', 'a', 'a'], false, 'threshold_not_met', []],
    ['simple_majority', 'eligible', ['a', 'a', 'a', 'a', 'a', 'a'], true, 'passed', ['a']],
  ];
  it.each(table)('%s (%s) on %j → %s %s', (rule, denominator, choices, passed, reason, winners) => {
    const r = countBallot(spec('single', rule, abc, { denominator }), members(10), ballots(...choices), closed);
    expect(r.outcome).toMatchObject({ passed, reason, winners });
    expect(r.tally.options.map((o) => o.votes)).toEqual(abc.map((id) => choices.filter((c) => c === id).length));
  });
  it('labels come from the ballot', () => {
    const r = countBallot(spec('single', 'simple_majority', abc), members(3), ballots('a'), closed);
    expect(r.tally.options.map((o) => o.label)).toEqual(['A', 'B', 'C']);
  });
  it('while open, a 2 b 2 (a tie): one more vote for a passes it (3 of 5)', () => {
    const r = countBallot(spec('single', 'simple_majority', abc), members(10), ballots('a', 'a', 'b', 'b'));
    expect(r.outcome).toMatchObject({ passed: null, wouldPass: false, reason: 'tie' });
    expect(r.outcome.needed?.pass).toMatchObject({ votes: 1, possible: true });
  });
  it('while open and passing (a 3, b 1): 2 votes for b would stop a', () => {
    const r = countBallot(spec('single', 'simple_majority', abc), members(10), ballots('a', 'a', 'a', 'b'));
    expect(r.outcome).toMatchObject({ wouldPass: true, winners: ['a'] });
    expect(r.outcome.needed?.fail).toMatchObject({ votes: 2, possible: true });
  });
  it('an unknown option is not counted', () => {
    const r = countBallot(spec('single', 'simple_majority', abc), members(10), ballots('a', 'z', ['a']), closed);
    expect(r.outcome.figures.invalid).toBe(2);
    expect(r.turnout.voted).toBe(1);
  });
});

describe('multi (each option against the number of ballots)', () => {
  const abcd = ['a', 'b', 'c', 'd'];
  it('a on 3 of 4 ballots is elected, b on 2 of 4 is not', () => {
    const r = countBallot(
      spec('multi', 'simple_majority', abcd, { maxPicks: 2 }),
      members(10),
      ballots(['a', 'b'], ['a', 'c'], ['a'], ['b']),
      closed,
    );
    expect(r.tally.options.map((o) => o.votes)).toEqual([3, 2, 1, 0]);
    expect(r.outcome).toMatchObject({ passed: true, reason: 'passed', winners: ['a'] });
  });
  it('two elected for two seats', () => {
    const r = countBallot(
      spec('multi', 'simple_majority', abcd, { maxPicks: 2 }),
      members(10),
      ballots(['a', 'b'], ['a', 'b'], ['c']),
      closed,
    );
    expect(r.outcome.winners).toEqual(['a', 'b']);
  });
  it('most votes first, cut at maxPicks', () => {
    const r = countBallot(
      spec('multi', 'simple_majority', ['a', 'b', 'c', 'd', 'e'], { maxPicks: 2 }),
      members(10),
      ballots(['b', 'c'], ['c', 'a'], ['c', 'b'], ['a', 'b'], ['c', 'b']),
      closed,
    );
    // a 2, b 4, c 4: b and c elected, a (2 of 5) not.
    expect(r.outcome.winners).toEqual(['b', 'c']);
    expect(r.outcome.figures).toMatchObject({ ballots: 5, seats: 2, elected: 2 });
  });
  it('a tie at the last seat fails "tie", the option above the cut is listed', () => {
    const r = countBallot(
      spec('multi', 'simple_majority', ['a', 'b', 'c', 'd', 'e'], { maxPicks: 2 }),
      members(10),
      ballots(['a', 'b'], ['a', 'c'], ['a', 'b'], ['a', 'c'], ['b', 'c']),
      closed,
    );
    expect(r.outcome).toMatchObject({ passed: false, reason: 'tie', winners: ['a'] });
    expect(r.outcome.figures.tiedAtCut).toBe('b,c');
  });
  it('three tied for two seats, nobody above: tie with no winner', () => {
    const r = countBallot(
      spec('multi', 'simple_majority', abcd, { maxPicks: 2 }),
      members(10),
      ballots(['a', 'b'], ['a', 'c'], ['b', 'c']),
      closed,
    );
    expect(r.outcome).toMatchObject({ passed: false, reason: 'tie', winners: [] });
    expect(r.outcome.figures.tiedAtCut).toBe('a,b,c');
  });
  it('nobody on more than half of the ballots: threshold_not_met', () => {
    const r = countBallot(spec('multi', 'simple_majority', abcd), members(10), ballots(['a'], ['b'], ['c'], ['d']), closed);
    expect(r.outcome).toMatchObject({ passed: false, reason: 'threshold_not_met', winners: [] });
  });
  it('two thirds of ballots: 2 of 3 is enough, exactly', () => {
    const r = countBallot(spec('multi', 'two_thirds', abcd, { maxPicks: 3 }), members(10), ballots(['a', 'b'], ['a', 'c'], ['d']), closed);
    expect(r.outcome.winners).toEqual(['a']);
  });
  it('more picks than maxPicks, or the same option twice, are not counted', () => {
    const r = countBallot(
      spec('multi', 'simple_majority', abcd, { maxPicks: 2 }),
      members(10),
      ballots(['a', 'b', 'c'], ['a', 'a'], [], ['d']),
      closed,
    );
    expect(r.outcome.figures.invalid).toBe(3);
    expect(r.outcome.winners).toEqual(['d']);
  });
  it('no ballots: no_votes', () => {
    expect(countBallot(spec('multi', 'simple_majority', abcd), members(10), [], closed).outcome.reason).toBe('no_votes');
  });
});

describe('ranked (instant-runoff through countBallot)', () => {
  const abc = ['a', 'b', 'c'];
  const classic = (): CastVote[] =>
    ballots(
      ...[...Array(4)].map(() => ['a', 'b', 'c']),
      ...[...Array(3)].map(() => ['b', 'c', 'a']),
      ...[...Array(2)].map(() => ['c', 'b', 'a']),
    );
  it('b wins after c is eliminated; the tally shows first preferences and every round', () => {
    const r = countBallot(spec('ranked', 'simple_majority', abc), members(20), classic(), closed);
    expect(r.tally.options.map((o) => o.votes)).toEqual([4, 3, 2]);
    expect(r.tally.rounds).toHaveLength(2);
    expect(r.outcome).toMatchObject({ passed: true, winners: ['b'] });
    expect(r.outcome.figures).toMatchObject({ winner: 'b', winnerVotes: 5, continuing: 9, rounds: 2 });
  });
  it('two thirds: b’s 5 of 9 in the electing round is not enough', () => {
    const r = countBallot(spec('ranked', 'two_thirds', abc), members(20), classic(), closed);
    expect(r.outcome).toMatchObject({ passed: false, reason: 'threshold_not_met', winners: [] });
  });
  it('simple majority of all 20 eligible: 5 is not enough', () => {
    const r = countBallot(spec('ranked', 'simple_majority', abc, { denominator: 'eligible' }), members(20), classic(), closed);
    expect(r.outcome.reason).toBe('threshold_not_met');
  });
  it('the last two equal in every round: tie', () => {
    const r = countBallot(spec('ranked', 'simple_majority', abc), members(20), ballots(['a', 'c'], ['b']), closed);
    expect(r.outcome).toMatchObject({ passed: false, reason: 'tie' });
  });
  it('partial rankings count; a ranking naming an option twice does not', () => {
    const r = countBallot(
      spec('ranked', 'simple_majority', abc),
      members(20),
      ballots(['a'], ['a', 'a'], ['b', 'a'], ['a', 'b', 'c']),
      closed,
    );
    expect(r.outcome.figures.invalid).toBe(1);
    expect(r.outcome).toMatchObject({ passed: true, winners: ['a'] });
  });
  it('no ballots: no_votes', () => {
    const r = countBallot(spec('ranked', 'simple_majority', abc), members(20), [], closed);
    expect(r.outcome.reason).toBe('no_votes');
  });
  it('open: winners as if closed now, no needed', () => {
    const r = countBallot(spec('ranked', 'simple_majority', abc), members(20), classic());
    expect(r.outcome).toMatchObject({ passed: null, wouldPass: true, winners: ['b'] });
    expect(r.outcome.needed).toBeUndefined();
  });
});

describe('advisoryByRole', () => {
  const yn = BallotSpec.parse({ kind: 'yes_no_abstain', rule: 'simple_majority', electorate: { kind: 'members' }, secret: false });
  it('breaks the votes down by role; several roles count in each; no role under "none"', () => {
    const byRole = advisoryByRole(
      [
        { voterId: '1', choice: 'yes', roles: ['owner'] },
        { voterId: '2', choice: 'no', roles: ['owner', 'owners_committee'] },
        { voterId: '3', choice: 'yes', roles: ['resident'] },
        { voterId: '4', choice: 'abstain', roles: ['resident'] },
        { voterId: '5', choice: 'yes' },
        { voterId: '6', choice: 'bogus', roles: ['resident'] },
      ],
      yn,
    );
    const flat = Object.fromEntries(Object.entries(byRole).map(([role, lines]) => [role, lines.map((l) => l.votes)]));
    expect(flat).toEqual({ [NO_ROLE]: [1, 0, 0], owner: [1, 1, 0], owners_committee: [0, 1, 0], resident: [1, 0, 1] });
    expect(Object.keys(byRole)).toEqual(['none', 'owner', 'owners_committee', 'resident']);
  });
  it('multi counts every pick, ranked the first preference, score one line per score', () => {
    const multi = spec('multi', 'simple_majority', ['a', 'b', 'c']);
    expect(advisoryByRole([{ voterId: '1', choice: ['a', 'c'], roles: ['owner'] }], multi).owner!.map((l) => l.votes)).toEqual([1, 0, 1]);
    const ranked = spec('ranked', 'simple_majority', ['a', 'b', 'c']);
    expect(advisoryByRole([{ voterId: '1', choice: ['b', 'a'], roles: ['owner'] }], ranked).owner!.map((l) => l.votes)).toEqual([0, 1, 0]);
    const score = BallotSpec.parse({ kind: 'score', rule: 'simple_majority', electorate: { kind: 'members' }, secret: false });
    expect(advisoryByRole([{ voterId: '1', choice: 4, roles: ['resident'] }], score).resident!.map((l) => l.votes)).toEqual([
      0, 0, 0, 0, 1, 0,
    ]);
  });
  it('no votes: no roles', () => expect(advisoryByRole([], yn)).toEqual({}));
});
