import { describe, expect, it } from 'vitest';
import { answersToSend, isAnswered } from './consultation-view';

const election = {
  id: 'e',
  kind: 'election' as const,
  options: [
    { id: 'c1', label: 'A' },
    { id: 'c2', label: 'B' },
  ],
};
const yesNo = { id: 'y', kind: 'yes_no_abstain' as const };
const multi = { id: 'm', kind: 'multi' as const, options: [{ id: 'o1', label: 'x' }] };

describe('the resident ballot paper', () => {
  it('an election counts as answered only when every candidate has a choice', () => {
    expect(isAnswered(election, { c1: 'yes' })).toBe(false);
    expect(isAnswered(election, { c1: 'yes', c2: 'abstain' })).toBe(true);
  });
  it('only answered questions are sent (a question left out is not taken part in)', () => {
    expect(answersToSend([election, yesNo, multi], { e: { c1: 'no' }, y: 'yes', m: [] })).toEqual({ y: 'yes' });
    expect(answersToSend([election, yesNo, multi], { e: { c1: 'no', c2: 'yes' }, m: ['o1'] })).toEqual({
      e: { c1: 'no', c2: 'yes' },
      m: ['o1'],
    });
  });
});
