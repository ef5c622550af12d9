import { describe, expect, it } from 'vitest';
import { ballotFormStep, choiceOf, type BallotFormState } from './ballot-form';

const start: BallotFormState = { ballotId: 'b1', step: 'choose', picked: [], score: null, key: '' };
let n = 0;
const key = () => `key-${++n}-abcdefgh`;

describe('ballot form steps (no-JS voting)', () => {
  it('one press on a yes/no ballot goes to the confirmation with a fresh key', () => {
    const s = ballotFormStep({ kind: 'yes_no_abstain' }, start, { pick: 'yes' }, key);
    expect(s).toMatchObject({ step: 'confirm', picked: ['yes'] });
    expect(s.key.length).toBeGreaterThanOrEqual(8);
    expect(choiceOf({ kind: 'yes_no_abstain' }, s)).toBe('yes');
  });

  it('multi toggles picks up to maxPicks, then next confirms the list', () => {
    const b = { kind: 'multi', maxPicks: 2 } as const;
    let s = ballotFormStep(b, start, { pick: 'a' }, key);
    s = ballotFormStep(b, s, { pick: 'b' }, key);
    s = ballotFormStep(b, s, { pick: 'c' }, key);
    expect(s).toMatchObject({ step: 'choose', picked: ['a', 'b'] });
    s = ballotFormStep(b, s, { pick: 'a' }, key);
    expect(s.picked).toEqual(['b']);
    s = ballotFormStep(b, s, { next: true }, key);
    expect(s.step).toBe('confirm');
    expect(choiceOf(b, s)).toEqual(['b']);
  });

  it('next with nothing picked stays; change goes back and drops the key; scores outside 0..5 are ignored', () => {
    expect(ballotFormStep({ kind: 'multi' }, start, { next: true }, key).step).toBe('choose');
    const c = ballotFormStep({ kind: 'score' }, start, { score: 4 }, key);
    expect(choiceOf({ kind: 'score' }, c)).toBe(4);
    expect(ballotFormStep({ kind: 'score' }, c, { change: true }, key)).toMatchObject({ step: 'choose', key: '' });
    expect(ballotFormStep({ kind: 'score' }, start, { score: 9 }, key).step).toBe('choose');
  });
});
