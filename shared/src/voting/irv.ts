/**
 * Instant-runoff counting of ranked ballots, with one stated, deterministic tie rule.
 *
 * Each round, every ballot counts for its most preferred option still continuing; a ballot whose
 * ranked options are all eliminated is exhausted. An option with more than half of the continuing
 * ballots (`2 * votes > continuing`) is elected. Otherwise one option is eliminated:
 *
 * 1. the option with the fewest votes this round;
 * 2. among equals, the one with the fewest votes in round 1, then in round 2, … up to the previous
 *    round (the first round that separates them decides) — tieBreak 'earlier_rounds';
 * 3. among options equal in every round so far, the one listed LATER in the ballot's options —
 *    tieBreak 'option_order'.
 *
 * Option order is only the last resort for choosing whom to eliminate, and it never elects: when
 * the last two options have equal votes now and in every earlier round, the count ends in a tie
 * (no winner) instead of eliminating one of them by their place in the list. Exactly one option is
 * eliminated per round (options with no votes too), so every step is visible in the rounds.
 */
import type { IrvRound } from './schemas.ts';

export interface IrvResult {
  rounds: IrvRound[];
  /** The elected option, or null (no ballots, or a tie between the last two). */
  winner: string | null;
  /** The count ended with the last two options equal in every round. */
  tie: boolean;
}

/**
 * Runs instant-runoff over `rankings` (each a list of distinct option ids, most preferred first;
 * unknown ids are skipped). `optionIds` fixes the option order used by the last tie rule.
 */
export function instantRunoff(optionIds: readonly string[], rankings: readonly (readonly string[])[]): IrvResult {
  const continuing = new Set(optionIds);
  const history: Map<string, number>[] = [];
  const rounds: IrvRound[] = [];
  for (let round = 1; ; round++) {
    const counts = new Map<string, number>();
    for (const id of optionIds) if (continuing.has(id)) counts.set(id, 0);
    let exhausted = 0;
    for (const ranking of rankings) {
      const top = ranking.find((id) => continuing.has(id));
      if (top === undefined) exhausted++;
      else counts.set(top, counts.get(top)! + 1);
    }
    history.push(counts);
    let total = 0;
    for (const n of counts.values()) total += n;
    const row = (over: Partial<IrvRound>): IrvRound => ({
      round,
      counts: [...counts].map(([id, votes]) => ({ id, votes })),
      exhausted,
      continuing: total,
      eliminated: null,
      tieBreak: 'none',
      elected: null,
      ...over,
    });
    if (total === 0) {
      rounds.push(row({}));
      return { rounds, winner: null, tie: false };
    }
    for (const [id, n] of counts) {
      if (2 * n > total) {
        rounds.push(row({ elected: id }));
        return { rounds, winner: id, tie: false };
      }
    }
    const { id, tieBreak } = pickElimination(optionIds, counts, history);
    if (tieBreak === 'option_order' && counts.size === 2) {
      // The last two are equal in every round: votes do not decide, and neither does option order.
      rounds.push(row({}));
      return { rounds, winner: null, tie: true };
    }
    rounds.push(row({ eliminated: id, tieBreak }));
    continuing.delete(id);
  }
}

/** The option to eliminate after this round, per the rule in the file comment. */
export function pickElimination(
  optionIds: readonly string[],
  counts: ReadonlyMap<string, number>,
  history: readonly ReadonlyMap<string, number>[],
): { id: string; tieBreak: IrvRound['tieBreak'] } {
  const fewest = Math.min(...counts.values());
  let tied = [...counts.keys()].filter((id) => counts.get(id) === fewest);
  if (tied.length === 1) return { id: tied[0]!, tieBreak: 'none' };
  // Earlier rounds: the last entry of `history` is this round, already compared.
  for (let r = 0; r < history.length - 1 && tied.length > 1; r++) {
    const past = history[r]!;
    const least = Math.min(...tied.map((id) => past.get(id) ?? 0));
    tied = tied.filter((id) => (past.get(id) ?? 0) === least);
  }
  if (tied.length === 1) return { id: tied[0]!, tieBreak: 'earlier_rounds' };
  const byOrder = [...tied].sort((a, b) => optionIds.indexOf(b) - optionIds.indexOf(a));
  return { id: byOrder[0]!, tieBreak: 'option_order' };
}
