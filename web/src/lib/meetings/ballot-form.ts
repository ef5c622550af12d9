/**
 * The ballot card's steps as plain data, so the server can walk them for a phone whose scripts
 * have not arrived (or never will): the form posts what was pressed and what was picked so far.
 */
import type { Choice } from '@linli/shared';
import type { LiveBallot } from './meeting-live.svelte';

/** Where a card is, as the server-rendered form carries it (hidden inputs) and the action returns it. */
export interface BallotFormState {
  ballotId: string;
  step: 'choose' | 'confirm' | 'done';
  picked: string[];
  score: number | null;
  /** The idempotency key of the vote being confirmed: a resubmitted form is counted once. */
  key: string;
  receipt?: string;
  error?: string;
}

/** Several choices (multi, ranked) or one. */
export const isMulti = (b: Pick<LiveBallot, 'kind'>) => b.kind === 'multi' || b.kind === 'ranked';

/** The choice the API takes: a score, a list (multi, ranked: in the order picked) or one id; null before one is made. */
export function choiceOf(b: Pick<LiveBallot, 'kind'>, s: Pick<BallotFormState, 'picked' | 'score'>): Choice | null {
  return b.kind === 'score' ? s.score : isMulti(b) ? s.picked : (s.picked[0] ?? null);
}

/** One press on the card: pick (toggle for multi), a score, next (multi → confirm), change (back). */
export function ballotFormStep(
  b: Pick<LiveBallot, 'kind' | 'maxPicks'>,
  s: BallotFormState,
  press: { pick?: string; score?: number; next?: boolean; change?: boolean },
  newKey: () => string,
): BallotFormState {
  const confirm = (picked: string[], score: number | null): BallotFormState => ({
    ...s,
    picked,
    score,
    step: 'confirm',
    key: newKey(),
    error: undefined,
  });
  if (press.change) return { ...s, step: 'choose', key: '', error: undefined };
  if (b.kind === 'score' && press.score !== undefined && Number.isInteger(press.score) && press.score >= 0 && press.score <= 5)
    return confirm([], press.score);
  if (press.pick !== undefined && !isMulti(b)) return confirm([press.pick], null);
  if (press.pick !== undefined) {
    const has = s.picked.includes(press.pick);
    const room = !b.maxPicks || s.picked.length < b.maxPicks || b.kind === 'ranked';
    const picked = has ? s.picked.filter((x) => x !== press.pick) : room ? [...s.picked, press.pick] : s.picked;
    return { ...s, picked, step: 'choose', key: '' };
  }
  if (press.next && isMulti(b) && s.picked.length > 0) return confirm(s.picked, null);
  return { ...s, step: 'choose', key: '' };
}
