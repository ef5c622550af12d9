/** Whose vote a phone is casting on a households ballot (`GET /api/ballots/:id/mine`). */
import type { MyBallotVoter } from '@linli/shared';

/** One household a person votes for: their own (`online`) or one held as proxy. */
export type ForVoter = MyBallotVoter;

/** Step by step only when the person holds a proxy: otherwise one vote counts for all their own households, as before. */
export function needsSteps(voters: readonly ForVoter[]): boolean {
  return voters.some((v) => v.via === 'proxy');
}
