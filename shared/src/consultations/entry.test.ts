/** Double entry of papers: comparing two readings and the steps a paper goes through. */
import { describe, expect, it } from 'vitest';
import { countDelta, differingQuestions, entryStep, resolveRefusal, sameAnswers } from './entry.ts';

const questions = [
  { id: 'q1', kind: 'yes_no_abstain' },
  { id: 'q2', kind: 'multi' },
  { id: 'q3', kind: 'ranked' },
];

describe('comparing two readings of one paper', () => {
  it('agrees when every answer is the same, whatever the key order or the order of multi-choice picks', () => {
    expect(sameAnswers({ q1: 'yes', q2: ['a', 'b'] }, { q2: ['b', 'a'], q1: 'yes' }, questions)).toBe(true);
  });
  it('reads an election paper the same whatever order the candidates were entered in', () => {
    const qs = [{ id: 'e', kind: 'election' }];
    expect(sameAnswers({ e: { c1: 'yes', c2: 'no' } } as never, { e: { c2: 'no', c1: 'yes' } } as never, qs)).toBe(true);
    expect(differingQuestions({ e: { c1: 'yes', c2: 'no' } } as never, { e: { c1: 'yes', c2: 'abstain' } } as never, qs)).toEqual(['e']);
  });
  it('names each question read differently, a ranking in another order, and a question left blank by one reader', () => {
    expect(differingQuestions({ q1: 'yes', q3: ['a', 'b'] }, { q1: 'no', q3: ['b', 'a'], q2: ['a'] }, questions)).toEqual([
      'q1',
      'q2',
      'q3',
    ]);
    expect(sameAnswers({ q1: 'yes' }, { q1: 'yes', q2: ['a'] }, questions)).toBe(false);
  });
  it('treats a question id not on the paper as a difference too', () => {
    expect(differingQuestions({ q1: 'yes' }, { q1: 'yes', zz: 'yes' }, questions)).toEqual(['zz']);
  });
});

describe('the steps of a paper', () => {
  it('first entry, then a second by someone else: same → count, different → held with the differing questions', () => {
    expect(entryStep(null, 'u1', { q1: 'yes' }, questions)).toEqual({ kind: 'first' });
    const stored = { state: 'awaiting_second' as const, entries: [{ by: 'u1', answers: { q1: 'yes' } }] };
    expect(entryStep(stored, 'u2', { q1: 'yes' }, questions)).toEqual({ kind: 'second_same' });
    expect(entryStep(stored, 'u2', { q1: 'no' }, questions)).toEqual({ kind: 'second_different', differing: ['q1'] });
  });
  it('refuses the same person entering twice, and any entry once the paper is settled or held', () => {
    const stored = { state: 'awaiting_second' as const, entries: [{ by: 'u1', answers: { q1: 'yes' } }] };
    expect(entryStep(stored, 'u1', { q1: 'yes' }, questions)).toEqual({ kind: 'same_person' });
    for (const state of ['counted', 'mismatch', 'refused'] as const) {
      expect(entryStep({ ...stored, state }, 'u3', { q1: 'yes' }, questions)).toEqual({ kind: 'already_settled', state });
    }
  });
  it('lets only a third person resolve a held paper', () => {
    const held = {
      state: 'mismatch' as const,
      entries: [
        { by: 'u1', answers: {} },
        { by: 'u2', answers: {} },
      ],
    };
    expect(resolveRefusal(held, 'u1')).toBe('entered_it');
    expect(resolveRefusal(held, 'u2')).toBe('entered_it');
    expect(resolveRefusal(held, 'u3')).toBeNull();
    expect(resolveRefusal({ ...held, state: 'counted' }, 'u3')).toBe('not_mismatch');
    expect(resolveRefusal(null, 'u3')).toBe('not_found');
  });
  it('moves the progress counters with the state', () => {
    expect(countDelta(null, 'awaiting_second')).toEqual({ awaiting: 1, mismatch: 0 });
    expect(countDelta('awaiting_second', 'mismatch')).toEqual({ awaiting: -1, mismatch: 1 });
    expect(countDelta('mismatch', 'counted')).toEqual({ awaiting: 0, mismatch: -1 });
    expect(countDelta('awaiting_second', 'refused')).toEqual({ awaiting: -1, mismatch: 0 });
  });
});
