/**
 * BallotSpec refuses bad ballots with a clear message; choiceSchemaFor accepts exactly the valid
 * choices of a ballot.
 */
import { describe, expect, it } from 'vitest';
import { BallotSpec, choiceSchemaFor, isValidChoice } from './schemas.ts';

const base = { electorate: { kind: 'members' }, secret: false };
const opts = (...ids: string[]) => ids.map((id) => ({ id, label: `Option ${id}` }));

function issues(input: unknown): string[] {
  const r = BallotSpec.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('BallotSpec', () => {
  it('accepts each kind with a fitting rule', () => {
    expect(issues({ ...base, kind: 'yes_no_abstain', rule: 'simple_majority' })).toEqual([]);
    expect(issues({ ...base, kind: 'consent', rule: 'consensus' })).toEqual([]);
    expect(issues({ ...base, kind: 'score', rule: 'two_thirds', denominator: 'eligible' })).toEqual([]);
    expect(issues({ ...base, kind: 'single', rule: 'simple_majority', options: opts('a', 'b') })).toEqual([]);
    expect(issues({ ...base, kind: 'multi', rule: 'simple_majority', options: opts('a', 'b', 'c'), maxPicks: 3 })).toEqual([]);
    expect(issues({ ...base, kind: 'ranked', rule: 'simple_majority', options: opts('a', 'b') })).toEqual([]);
    expect(issues({ kind: 'yes_no_abstain', rule: 'civil_code_278_major', electorate: { kind: 'households' }, secret: true })).toEqual([]);
  });
  it('options default to an empty list', () => {
    expect(BallotSpec.parse({ ...base, kind: 'yes_no_abstain', rule: 'unanimous' }).options).toEqual([]);
  });
  const bad: [string, unknown, string][] = [
    [
      'single with one option',
      { ...base, kind: 'single', rule: 'simple_majority', options: opts('a') },
      'options: a single ballot needs at least 2 options',
    ],
    ['ranked without options', { ...base, kind: 'ranked', rule: 'simple_majority' }, 'options: a ranked ballot needs at least 2 options'],
    [
      'duplicate option ids',
      { ...base, kind: 'multi', rule: 'simple_majority', options: opts('a', 'b', 'a') },
      'options.2.id: duplicate option id "a"',
    ],
    [
      'options on yes/no',
      { ...base, kind: 'yes_no_abstain', rule: 'simple_majority', options: opts('a', 'b') },
      'options: a yes_no_abstain ballot has fixed answers: give no options',
    ],
    [
      'maxPicks 0',
      { ...base, kind: 'multi', rule: 'simple_majority', options: opts('a', 'b'), maxPicks: 0 },
      'maxPicks: maxPicks must be between 1 and 2',
    ],
    [
      'maxPicks above the options',
      { ...base, kind: 'multi', rule: 'simple_majority', options: opts('a', 'b'), maxPicks: 3 },
      'maxPicks: maxPicks must be between 1 and 2',
    ],
    [
      'maxPicks on single',
      { ...base, kind: 'single', rule: 'simple_majority', options: opts('a', 'b'), maxPicks: 1 },
      'maxPicks: maxPicks is only for multi ballots',
    ],
    [
      'Art. 278 on members',
      { ...base, kind: 'yes_no_abstain', rule: 'civil_code_278_ordinary' },
      'electorate: Art. 278 rules count owners: the electorate must be households',
    ],
    [
      'Art. 278 on a single ballot',
      { ...base, electorate: { kind: 'households' }, kind: 'single', rule: 'civil_code_278_major', options: opts('a', 'b') },
      'kind: Art. 278 rules need a yes/no/abstain ballot',
    ],
    [
      'consensus on yes/no',
      { ...base, kind: 'yes_no_abstain', rule: 'consensus' },
      'rule: the consensus rule needs a consent ballot (agree / stand aside / block)',
    ],
    ['unknown kind', { ...base, kind: 'lottery', rule: 'simple_majority' }, 'kind:'],
    [
      'unknown role',
      { ...base, electorate: { kind: 'members', roles: ['king'] }, kind: 'consent', rule: 'consensus' },
      'electorate.roles.0:',
    ],
    [
      'option id with a space',
      {
        ...base,
        kind: 'single',
        rule: 'simple_majority',
        options: [
          { id: 'a b', label: 'x' },
          { id: 'c', label: 'y' },
        ],
      },
      'options.0.id: option id must be',
    ],
    [
      'empty label',
      {
        ...base,
        kind: 'single',
        rule: 'simple_majority',
        options: [
          { id: 'a', label: ' ' },
          { id: 'c', label: 'y' },
        ],
      },
      'options.0.label: option label is empty',
    ],
  ];
  it.each(bad)('refuses %s', (_name, input, message) => {
    const found = issues(input);
    expect(found.some((m) => m.startsWith(message))).toBe(true);
  });
});

describe('choiceSchemaFor', () => {
  const yn = BallotSpec.parse({ ...base, kind: 'yes_no_abstain', rule: 'simple_majority' });
  const consent = BallotSpec.parse({ ...base, kind: 'consent', rule: 'consensus' });
  const score = BallotSpec.parse({ ...base, kind: 'score', rule: 'simple_majority' });
  const single = BallotSpec.parse({ ...base, kind: 'single', rule: 'simple_majority', options: opts('a', 'b', 'c') });
  const multi = BallotSpec.parse({ ...base, kind: 'multi', rule: 'simple_majority', options: opts('a', 'b', 'c'), maxPicks: 2 });
  const ranked = BallotSpec.parse({ ...base, kind: 'ranked', rule: 'simple_majority', options: opts('a', 'b', 'c') });
  const table: [string, BallotSpec, unknown[], unknown[]][] = [
    ['yes/no/abstain', yn, ['yes', 'no', 'abstain'], ['YES', 'maybe', '', 1, ['yes'], null, 'agree']],
    ['consent', consent, ['agree', 'stand_aside', 'block'], ['yes', 'stand aside', 0, ['agree']]],
    ['score', score, [0, 1, 2, 3, 4, 5], [-1, 6, 2.5, '3', NaN, Infinity, [3], null]],
    ['single', single, ['a', 'b', 'c'], ['d', '', ['a'], 1, 'A', 'yes']],
    ['multi (max 2)', multi, [['a'], ['c', 'a'], ['b', 'c']], [[], ['a', 'b', 'c'], ['a', 'a'], ['d'], 'a', [1]]],
    ['ranked', ranked, [['a'], ['c', 'a'], ['b', 'c', 'a']], [[], ['a', 'b', 'a'], ['a', 'd'], 'a', ['a', 'b', 'c', 'a']]],
  ];
  it.each(table)('%s accepts exactly the valid choices', (_name, spec, good, badChoices) => {
    const schema = choiceSchemaFor(spec);
    for (const c of good) expect(schema.safeParse(c).success, JSON.stringify(c)).toBe(true);
    for (const c of badChoices) expect(isValidChoice(spec, c), JSON.stringify(c)).toBe(false);
  });
  it('says what is wrong', () => {
    expect(choiceSchemaFor(single).safeParse('z').error?.issues[0]?.message).toBe('unknown option "z"');
    expect(choiceSchemaFor(multi).safeParse(['a', 'b', 'c']).error?.issues[0]?.message).toBe('multi: at most 2 options');
    expect(choiceSchemaFor(ranked).safeParse(['a', 'a']).error?.issues[0]?.message).toBe('option "a" picked twice');
    expect(choiceSchemaFor(score).safeParse(7).error?.issues[0]?.message).toBe('a score is at most 5');
    expect(choiceSchemaFor(yn).safeParse('maybe').error?.issues[0]?.message).toBe('choose "yes", "no" or "abstain"');
  });
});
