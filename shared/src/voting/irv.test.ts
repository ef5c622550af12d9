/**
 * Instant-runoff, hand-worked: majorities, transfers, exhausted ballots and the stated tie rule
 * (fewest now → fewest in earlier rounds → later in option order; never elects by order).
 */
import { describe, expect, it } from 'vitest';
import { instantRunoff, pickElimination } from './irv.ts';

/** n copies of a ranking. */
const times = (n: number, ranking: string[]): string[][] => Array.from({ length: n }, () => ranking);
const counts = (r: ReturnType<typeof instantRunoff>) => r.rounds.map((x) => Object.fromEntries(x.counts.map((c) => [c.id, c.votes])));

describe('instantRunoff', () => {
  it('elects in round 1 with more than half of the first preferences', () => {
    const r = instantRunoff(['a', 'b', 'c'], [...times(3, ['a']), ['b'], ['c']]);
    expect(r.winner).toBe('a');
    expect(r.rounds).toHaveLength(1);
    expect(r.rounds[0]).toMatchObject({ continuing: 5, exhausted: 0, elected: 'a', eliminated: null });
  });
  it('exactly half of the continuing ballots is not a majority', () => {
    const r = instantRunoff(['a', 'b', 'c'], [...times(2, ['a']), ['b', 'a'], ['c', 'b']]);
    expect(r.rounds[0]!.elected).toBeNull();
    expect(r.rounds[0]!.eliminated).toBe('c');
  });
  it('transfers the eliminated option’s ballots to their next preference (4 a, 3 b, 2 c→b: b wins)', () => {
    const r = instantRunoff(['a', 'b', 'c'], [...times(4, ['a', 'b', 'c']), ...times(3, ['b', 'c', 'a']), ...times(2, ['c', 'b', 'a'])]);
    expect(counts(r)).toEqual([
      { a: 4, b: 3, c: 2 },
      { a: 4, b: 5 },
    ]);
    expect(r.rounds[0]).toMatchObject({ eliminated: 'c', tieBreak: 'none' });
    expect(r.winner).toBe('b');
  });
  it('exhausted ballots leave the denominator', () => {
    const r = instantRunoff(['a', 'b', 'c', 'd'], [...times(5, ['a']), ...times(4, ['b']), ...times(3, ['c']), ['d', 'c']]);
    expect(r.rounds.map((x) => [x.continuing, x.exhausted, x.eliminated, x.tieBreak])).toEqual([
      [13, 0, 'd', 'none'],
      [13, 0, 'c', 'earlier_rounds'],
      [9, 4, null, 'none'],
    ]);
    expect(r.winner).toBe('a');
  });
  it('tied for fewest now: the one with fewer votes in an earlier round goes (c had 3 to b’s 4 in round 1)', () => {
    const r = instantRunoff(['a', 'b', 'c', 'd'], [...times(5, ['a']), ...times(4, ['b']), ...times(3, ['c']), ['d', 'c']]);
    expect(counts(r)[1]).toEqual({ a: 5, b: 4, c: 4 });
    expect(r.rounds[1]!.eliminated).toBe('c');
  });
  it('tied in every round: the option listed later goes (option_order)', () => {
    const r = instantRunoff(['a', 'b', 'c'], [...times(3, ['a']), ...times(2, ['b']), ...times(2, ['c', 'b'])]);
    expect(r.rounds[0]).toMatchObject({ eliminated: 'c', tieBreak: 'option_order' });
    expect(r.winner).toBe('b');
  });
  it('the same ballots with b and c listed the other way round eliminate b, and a wins: the order is the stated last resort', () => {
    const r = instantRunoff(['a', 'c', 'b'], [...times(3, ['a']), ...times(2, ['b']), ...times(2, ['c', 'b'])]);
    expect(r.rounds[0]).toMatchObject({ eliminated: 'b', tieBreak: 'option_order' });
    expect(r.winner).toBe('a');
  });
  it('the last two equal in every round: a tie, no winner chosen by order', () => {
    const r = instantRunoff(['a', 'b'], [...times(2, ['a']), ...times(2, ['b'])]);
    expect(r).toMatchObject({ winner: null, tie: true });
    expect(r.rounds[0]).toMatchObject({ eliminated: null, elected: null });
  });
  it('the last two equal now but not earlier: the earlier rounds decide', () => {
    const r = instantRunoff(['a', 'b', 'c'], [...times(3, ['a']), ...times(2, ['b']), ['c', 'b']]);
    expect(counts(r)).toEqual([{ a: 3, b: 2, c: 1 }, { a: 3, b: 3 }, { a: 3 }]);
    expect(r.rounds[1]).toMatchObject({ eliminated: 'b', tieBreak: 'earlier_rounds' });
    expect(r.winner).toBe('a');
  });
  it('options without votes go one per round, later ones first; then a full tie of the last two', () => {
    const r = instantRunoff(['a', 'b', 'c', 'd', 'e'], [...times(2, ['a']), ...times(2, ['b']), ['c']]);
    expect(r.rounds.map((x) => x.eliminated)).toEqual(['e', 'd', 'c', null]);
    expect(r.rounds.map((x) => x.tieBreak)).toEqual(['option_order', 'none', 'none', 'none']);
    expect(r).toMatchObject({ winner: null, tie: true });
    expect(r.rounds[3]).toMatchObject({ continuing: 4, exhausted: 1 });
  });
  it('no ballots: one empty round, no winner, no tie', () => {
    const r = instantRunoff(['a', 'b'], []);
    expect(r).toMatchObject({ winner: null, tie: false });
    expect(r.rounds).toEqual([
      {
        round: 1,
        counts: [
          { id: 'a', votes: 0 },
          { id: 'b', votes: 0 },
        ],
        exhausted: 0,
        continuing: 0,
        eliminated: null,
        tieBreak: 'none',
        elected: null,
      },
    ]);
  });
  it('every ballot exhausted after eliminations: no winner', () => {
    // 1 a, 1 b, 1 c: c goes (order), then b and a tie in every round.
    const r = instantRunoff(['a', 'b', 'c'], [['a'], ['b'], ['c']]);
    expect(r.rounds.map((x) => x.eliminated)).toEqual(['c', null]);
    expect(r.tie).toBe(true);
  });
  it('a single remaining option with any ballot is elected', () => {
    const r = instantRunoff(['a', 'b', 'c'], [['c', 'a'], ['b', 'a'], ['a']]);
    expect(r.winner).toBe('a');
    expect(r.rounds.at(-1)!.elected).toBe('a');
  });
});

describe('pickElimination', () => {
  const m = (o: Record<string, number>) => new Map(Object.entries(o));
  it('fewest votes now', () =>
    expect(pickElimination(['a', 'b', 'c'], m({ a: 3, b: 1, c: 2 }), [m({ a: 3, b: 1, c: 2 })])).toEqual({ id: 'b', tieBreak: 'none' }));
  it('the first earlier round that separates decides', () =>
    expect(pickElimination(['a', 'b', 'c'], m({ b: 3, c: 3 }), [m({ a: 1, b: 2, c: 2 }), m({ b: 2, c: 3 }), m({ b: 3, c: 3 })])).toEqual({
      id: 'b',
      tieBreak: 'earlier_rounds',
    }));
  it('round 1 wins over later rounds', () =>
    expect(pickElimination(['a', 'b', 'c'], m({ b: 3, c: 3 }), [m({ a: 1, b: 1, c: 2 }), m({ b: 3, c: 2 }), m({ b: 3, c: 3 })])).toEqual({
      id: 'b',
      tieBreak: 'earlier_rounds',
    }));
  it('equal everywhere: the later option', () =>
    expect(pickElimination(['c', 'a', 'b'], m({ c: 1, a: 1, b: 1 }), [m({ c: 1, a: 1, b: 1 })])).toEqual({
      id: 'b',
      tieBreak: 'option_order',
    }));
});
