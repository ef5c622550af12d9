/**
 * countBallot on DOMAIN.md's public examples and hand-worked Art. 278 cases (owners by number AND by
 * area, one owner with several units, the developer's unsold units, split owners, secret weights,
 * what is still needed while open). Other kinds and rules: rules.test.ts, options.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { countBallot } from './count.ts';
import { BallotSpec, type CastVote, type ElectorateSnapshot, type ElectorateVoter } from './schemas.ts';

/** n households of `areaM2` m² each, one owner each: h1..hn. */
function households(n: number, areaM2 = 100): ElectorateSnapshot {
  return { kind: 'households', voters: Array.from({ length: n }, (_, i) => ({ voterId: `h${i + 1}`, areaCentiares: areaM2 * 100 })) };
}
/** Electorate from [voterId, m², ownerKey?]. */
function roster(...rows: [string, number, string?][]): ElectorateSnapshot {
  return {
    kind: 'households',
    voters: rows.map(([voterId, m2, ownerKey]): ElectorateVoter => ({
      voterId,
      areaCentiares: m2 * 100,
      ...(ownerKey ? { ownerKey } : {}),
    })),
  };
}
/** Votes for h1, h2, … in order ('-' = did not vote). */
function votes(...choices: string[]): CastVote[] {
  return choices.flatMap((c, i) => (c === '-' ? [] : [{ voterId: `h${i + 1}`, choice: c }]));
}
/** Votes from [voterId, choice] pairs. */
function cast(...pairs: [string, string][]): CastVote[] {
  return pairs.map(([voterId, choice]) => ({ voterId, choice }));
}
type Rule278 = 'civil_code_278_ordinary' | 'civil_code_278_major';
const spec278 = (rule: Rule278, secret = false): BallotSpec =>
  BallotSpec.parse({ kind: 'yes_no_abstain', rule, electorate: { kind: 'households' }, secret });
const ordinary = spec278('civil_code_278_ordinary');
const major = spec278('civil_code_278_major');
const closed = { closed: true };

describe('DOMAIN.md public examples (Art. 278)', () => {
  it('9 × 100 m², 6 yes 0 no 3 absent, ordinary: passes (quorum exactly 2/3, 6/6 approve)', () => {
    const r = countBallot(ordinary, households(9), votes('yes', 'yes', 'yes', 'yes', 'yes', 'yes'), closed);
    expect(r.outcome).toMatchObject({ passed: true, reason: 'passed' });
    expect(r.turnout).toEqual({ voted: 6, eligible: 9, owners: { voted: 6, total: 9 }, areaCentiares: { voted: 60000, total: 90000 } });
    expect(r.tally.options[0]).toEqual({ id: 'yes', label: 'Yes', votes: 6, owners: 6, areaCentiares: 60000 });
  });
  it('9 × 100 m², 5 yes 0 no 4 absent, ordinary: fails, quorum 5/9 < 2/3', () => {
    const r = countBallot(ordinary, households(9), votes('yes', 'yes', 'yes', 'yes', 'yes'), closed);
    expect(r.outcome).toMatchObject({ passed: false, reason: 'quorum_not_met' });
  });
  it('A 300 yes, B/C 100 no, D 100 absent, ordinary: fails on number (1/3) though area 300/500 > 1/2', () => {
    const r = countBallot(ordinary, roster(['h1', 300], ['h2', 100], ['h3', 100], ['h4', 100]), votes('yes', 'no', 'no'), closed);
    expect(r.outcome).toMatchObject({ passed: false, reason: 'approval_number' });
    expect(r.outcome.figures).toMatchObject({
      totalOwners: 4,
      totalAreaCentiares: 60000,
      participatingOwners: 3,
      participatingAreaCentiares: 50000,
      approvingOwners: 1,
      approvingAreaCentiares: 30000,
    });
  });
  it('8 × 100 m², 6 yes 2 no, major: passes at exactly 3/4 of number and area', () => {
    const r = countBallot(major, households(8), votes('yes', 'yes', 'yes', 'yes', 'yes', 'yes', 'no', 'no'), closed);
    expect(r.outcome).toMatchObject({ passed: true, reason: 'passed' });
  });
  it('8 × 100 m², 5 yes 3 no, major: fails, 5/8 < 3/4 (number and area)', () => {
    const r = countBallot(major, households(8), votes('yes', 'yes', 'yes', 'yes', 'yes', 'no', 'no', 'no'), closed);
    expect(r.outcome).toMatchObject({ passed: false, reason: 'approval_number_and_area' });
  });
});

describe('Art. 278 hand-worked (closed)', () => {
  const table: [string, Rule278, ElectorateSnapshot, CastVote[], boolean, string][] = [
    ['nobody votes', 'civil_code_278_ordinary', households(9), [], false, 'no_votes'],
    ['empty roster', 'civil_code_278_ordinary', { kind: 'households', voters: [] }, [], false, 'no_votes'],
    [
      '6 of 9 all abstain: quorum met, nobody approves',
      'civil_code_278_ordinary',
      households(9),
      votes('abstain', 'abstain', 'abstain', 'abstain', 'abstain', 'abstain'),
      false,
      'approval_number_and_area',
    ],
    [
      'abstention takes part: 5 yes + 1 abstain of 9 pass',
      'civil_code_278_ordinary',
      households(9),
      votes('yes', 'yes', 'yes', 'yes', 'yes', 'abstain'),
      true,
      'passed',
    ],
    [
      'abstentions dilute approval: 3 yes 3 abstain of 9 (3/6 is not > 1/2)',
      'civil_code_278_ordinary',
      households(9),
      votes('yes', 'yes', 'yes', 'abstain', 'abstain', 'abstain'),
      false,
      'approval_number_and_area',
    ],
    [
      '4 yes 2 no of 9: > 1/2 passes ordinary',
      'civil_code_278_ordinary',
      households(9),
      votes('yes', 'yes', 'yes', 'yes', 'no', 'no'),
      true,
      'passed',
    ],
    [
      '3 yes 3 no of 9: exactly half fails ordinary',
      'civil_code_278_ordinary',
      households(9),
      votes('yes', 'yes', 'yes', 'no', 'no', 'no'),
      false,
      'approval_number_and_area',
    ],
    [
      '4 yes 2 no of 9 fails major (4/6 < 3/4)',
      'civil_code_278_major',
      households(9),
      votes('yes', 'yes', 'yes', 'yes', 'no', 'no'),
      false,
      'approval_number_and_area',
    ],
    [
      'area only: big no-owner 500, three yes of 100',
      'civil_code_278_ordinary',
      roster(['h1', 500], ['h2', 100], ['h3', 100], ['h4', 100], ['h5', 100]),
      votes('no', 'yes', 'yes', 'yes'),
      false,
      'approval_area',
    ],
    [
      'area exactly half fails ordinary: 100+100 yes, 200 no',
      'civil_code_278_ordinary',
      roster(['h1', 100], ['h2', 100], ['h3', 200]),
      votes('yes', 'yes', 'no'),
      false,
      'approval_area',
    ],
    [
      'major area 400/600 < 3/4 though number 4/5 ≥ 3/4',
      'civil_code_278_major',
      roster(['h1', 200], ['h2', 100], ['h3', 100], ['h4', 100], ['h5', 100]),
      votes('no', 'yes', 'yes', 'yes', 'yes'),
      false,
      'approval_area',
    ],
    [
      'major area exactly 3/4: 300 yes of 400, number 3/4',
      'civil_code_278_major',
      roster(['h1', 100], ['h2', 100], ['h3', 100], ['h4', 100]),
      votes('yes', 'yes', 'yes', 'no'),
      true,
      'passed',
    ],
    [
      'quorum met by number, not by area (big absent owner)',
      'civil_code_278_ordinary',
      roster(['h1', 100], ['h2', 100], ['h3', 1000]),
      votes('yes', 'yes'),
      false,
      'quorum_not_met',
    ],
    [
      'quorum met by area, not by number (one big owner votes)',
      'civil_code_278_ordinary',
      roster(['h1', 1000], ['h2', 100], ['h3', 100]),
      votes('yes'),
      false,
      'quorum_not_met',
    ],
    [
      'area exactly 2/3 and number exactly 2/3 reach quorum',
      'civil_code_278_ordinary',
      roster(['h1', 150], ['h2', 50], ['h3', 100]),
      votes('yes', 'yes'),
      true,
      'passed',
    ],
    [
      'area one centiare short of 2/3 fails quorum',
      'civil_code_278_ordinary',
      {
        kind: 'households',
        voters: [
          { voterId: 'h1', areaCentiares: 14999 },
          { voterId: 'h2', areaCentiares: 5000 },
          { voterId: 'h3', areaCentiares: 10001 },
        ],
      },
      votes('yes', 'yes'),
      false,
      'quorum_not_met',
    ],
    [
      'no registered areas: cannot approve by area',
      'civil_code_278_ordinary',
      { kind: 'households', voters: [{ voterId: 'h1' }, { voterId: 'h2' }] },
      votes('yes', 'yes'),
      false,
      'approval_area',
    ],
  ];
  it.each(table)('%s', (_name, rule, el, vs, passed, reason) => {
    const r = countBallot(spec278(rule), el, vs, closed);
    expect(r.outcome.passed).toBe(passed);
    expect(r.outcome.reason).toBe(reason);
  });

  it('one owner with three units counts once by number, all three areas add (voting through one unit)', () => {
    const el = roster(['x1', 100, 'X'], ['x2', 100, 'X'], ['x3', 100, 'X'], ['b', 100], ['c', 100], ['d', 100]);
    const r = countBallot(ordinary, el, cast(['x1', 'yes'], ['b', 'no'], ['c', 'no']), closed);
    expect(r.turnout.owners).toEqual({ voted: 3, total: 4 });
    expect(r.turnout.areaCentiares).toEqual({ voted: 50000, total: 60000 });
    expect(r.tally.options[0]).toMatchObject({ id: 'yes', votes: 1, owners: 1, areaCentiares: 30000 });
    expect(r.outcome).toMatchObject({ passed: false, reason: 'approval_number' });
  });
  it('the same owner voting through each of their units still counts once', () => {
    const el = roster(['x1', 100, 'X'], ['x2', 100, 'X'], ['x3', 100, 'X'], ['b', 100], ['c', 100], ['d', 100]);
    const r = countBallot(ordinary, el, cast(['x1', 'yes'], ['x2', 'yes'], ['x3', 'yes'], ['b', 'no'], ['c', 'no']), closed);
    expect(r.tally.options[0]).toMatchObject({ votes: 3, owners: 1, areaCentiares: 30000 });
    expect(r.outcome.figures).toMatchObject({ participatingOwners: 3, approvingOwners: 1 });
    expect(r.outcome.reason).toBe('approval_number');
  });
  it("the developer's ten unsold units are one owner: 1,100 of 1,300 m² approve but 2 of 4 owners do not pass", () => {
    const el = roster(
      ...Array.from({ length: 10 }, (_, i): [string, number, string] => [`dev${i}`, 100, 'developer']),
      ['o1', 100],
      ['o2', 100],
      ['o3', 100],
      ['o4', 100],
      ['o5', 100],
    );
    const r = countBallot(ordinary, el, cast(['dev0', 'yes'], ['o1', 'yes'], ['o2', 'no'], ['o3', 'no']), closed);
    expect(r.turnout.owners).toEqual({ voted: 4, total: 6 });
    expect(r.outcome.figures).toMatchObject({ participatingAreaCentiares: 130000, approvingAreaCentiares: 110000, approvingOwners: 2 });
    expect(r.outcome).toMatchObject({ passed: false, reason: 'approval_number' });
  });
  it('an owner whose units vote differently takes part but approves nothing by number; areas follow each unit', () => {
    const el = roster(['x1', 100, 'X'], ['x2', 100, 'X'], ['b', 100], ['c', 100]);
    const r = countBallot(ordinary, el, cast(['x1', 'yes'], ['x2', 'no'], ['b', 'yes']), closed);
    expect(r.outcome.figures).toMatchObject({
      splitOwners: 1,
      participatingOwners: 2,
      approvingOwners: 1,
      approvingAreaCentiares: 20000,
      participatingAreaCentiares: 30000,
    });
    expect(r.tally.options.map((o) => [o.id, o.owners, o.areaCentiares])).toEqual([
      ['yes', 1, 20000],
      ['no', 0, 10000],
      ['abstain', 0, 0],
    ]);
    expect(r.outcome.reason).toBe('approval_number');
  });
  it("a split owner's units that did not vote take part as abstention area", () => {
    const el = roster(['x1', 100, 'X'], ['x2', 100, 'X'], ['x3', 50, 'X'], ['b', 100]);
    const r = countBallot(ordinary, el, cast(['x1', 'yes'], ['x2', 'no'], ['b', 'yes']), closed);
    expect(r.tally.options.map((o) => o.areaCentiares)).toEqual([20000, 10000, 5000]);
    expect(r.turnout.areaCentiares).toEqual({ voted: 35000, total: 35000 });
  });
  it('votes from outside the snapshot, invalid choices and conflicting duplicates are set aside and shown', () => {
    const vs = [
      ...votes('yes', 'yes', 'yes', 'yes', 'yes', 'yes'),
      { voterId: 'stranger', choice: 'yes' },
      { voterId: 'h7', choice: 'maybe' },
      { voterId: 'h8', choice: 'yes' },
      { voterId: 'h8', choice: 'no' },
      { voterId: 'h1', choice: 'yes' },
    ];
    const r = countBallot(ordinary, households(9), vs, closed);
    expect(r.outcome.figures).toMatchObject({ notEligible: 1, invalid: 1, conflicting: 2, participatingOwners: 6 });
    expect(r.turnout.voted).toBe(6);
    expect(r.outcome.passed).toBe(true);
  });
  it('secret ballots count the weight kept with each choice, never the voter id', () => {
    const secret = spec278('civil_code_278_ordinary', true);
    const vs: CastVote[] = [
      { voterId: 'R1', choice: 'yes', ownerKey: 'p1', areaCentiares: 30000 },
      { voterId: 'R2', choice: 'no', ownerKey: 'p2', areaCentiares: 10000 },
      { voterId: 'R3', choice: 'no', ownerKey: 'p3', areaCentiares: 10000 },
      { voterId: 'R4', choice: 'yes' },
    ];
    const r = countBallot(secret, roster(['h1', 300], ['h2', 100], ['h3', 100], ['h4', 100]), vs, closed);
    expect(r.outcome.figures).toMatchObject({
      participatingOwners: 3,
      participatingAreaCentiares: 50000,
      approvingOwners: 1,
      unweighted: 1,
    });
    expect(r.outcome.reason).toBe('approval_number');
  });
});

describe('Art. 278 while open: passed null, what is still needed', () => {
  it('9 × 100, 5 yes: one more owner and 100 m² reach quorum and pass; nothing needed to fail', () => {
    const r = countBallot(ordinary, households(9), votes('yes', 'yes', 'yes', 'yes', 'yes'));
    expect(r.outcome.passed).toBeNull();
    expect(r.outcome.wouldPass).toBe(false);
    expect(r.outcome.reason).toBe('quorum_not_met');
    expect(r.outcome.needed).toEqual({
      quorum: { owners: 1, areaCentiares: 10000, possible: true },
      pass: { owners: 1, areaCentiares: 10000, possible: true },
      fail: { owners: 0, areaCentiares: 0, possible: true },
    });
  });
  it('9 × 100, 6 yes: passing, and the 3 absent owners can no longer defeat it', () => {
    const r = countBallot(ordinary, households(9), votes('yes', 'yes', 'yes', 'yes', 'yes', 'yes'));
    expect(r.outcome).toMatchObject({ passed: null, wouldPass: true, reason: 'passed' });
    expect(r.outcome.needed?.fail).toEqual({ owners: 6, areaCentiares: 60000, possible: false });
  });
  it('9 × 100, 4 yes 2 no: 2 owners voting no would defeat it (4/8 is not > 1/2)', () => {
    const r = countBallot(ordinary, households(9), votes('yes', 'yes', 'yes', 'yes', 'no', 'no'));
    expect(r.outcome.needed?.fail).toEqual({ owners: 2, areaCentiares: 20000, possible: true });
  });
  it('DOMAIN example 3 still open: passing needs 2 more owners but only D is left', () => {
    const r = countBallot(ordinary, roster(['h1', 300], ['h2', 100], ['h3', 100], ['h4', 100]), votes('yes', 'no', 'no'));
    expect(r.outcome.needed?.pass).toEqual({ owners: 2, areaCentiares: 0, possible: false });
  });
  it('nobody has voted yet: the whole 2/3 is needed', () => {
    const r = countBallot(major, households(10, 90), []);
    expect(r.outcome.reason).toBe('no_votes');
    expect(r.outcome.needed?.quorum).toEqual({ owners: 7, areaCentiares: 60000, possible: true });
    expect(r.outcome.needed?.pass).toEqual({ owners: 7, areaCentiares: 60000, possible: true });
  });
  it('major, 8 × 100, 5 yes 3 no: 4 more yes owners and 400 m² would pass it, but none is left', () => {
    const r = countBallot(major, households(8), votes('yes', 'yes', 'yes', 'yes', 'yes', 'no', 'no', 'no'));
    expect(r.outcome.needed?.pass).toEqual({ owners: 4, areaCentiares: 40000, possible: false });
  });
});
