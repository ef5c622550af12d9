/**
 * Ballots over the ballot's own options: single, multi and ranked. Exact integers; the rule's
 * threshold applies to one option's votes against `whole` = the ballots counted (denominator
 * 'cast') or all eligible voters ('eligible'):
 *
 * - simple_majority: 2·votes > whole (more than half; plurality alone is not a majority);
 * - two_thirds: 3·votes ≥ 2·whole; three_quarters: 4·votes ≥ 3·whole (exactly at the line passes);
 * - unanimous: votes = whole.
 *
 * single: the option with the most votes wins if it meets the threshold. Two or more options
 *   sharing the most votes: fails 'tie' (no option can then have a majority of the ballots).
 * multi: every option meeting the threshold (against the number of ballots, each ballot picking up
 *   to maxPicks) is elected, most votes first, at most maxPicks of them. If the last seat falls
 *   between options with equal votes, the ballot fails 'tie': the options above the cut are in
 *   `winners`, the tied ones in figures.tiedAtCut. No option elected: 'threshold_not_met'.
 * ranked: instant-runoff (irv.ts); the threshold is checked on the round that elects, against the
 *   ballots still continuing in that round ('cast') or all eligible ('eligible'). A tie between the
 *   last two fails 'tie'. tally.options holds first preferences.
 * No valid ballot: fails 'no_votes'.
 *
 * While open, single ballots say how many more votes the leading option needs (`needed.pass`,
 * every newcomer voting for it) and how many votes for its strongest rival would stop it
 * (`needed.fail`: the leader no longer wins). Multi and ranked ballots give no `needed`: it depends on which options the
 * newcomers pick.
 */
import type { BallotResult, BallotSpec, CastVote, TallyOption } from './schemas.ts';
import { instantRunoff } from './irv.ts';
import { smallestK, type RuleContext } from './rules.ts';

/** Does `votes` out of `whole` meet the rule (see the file comment)? `whole` 0 never does. */
export function meetsThreshold(rule: RuleContext['rule'], votes: number, whole: number): boolean {
  if (whole <= 0) return false;
  switch (rule) {
    case 'two_thirds':
      return 3 * votes >= 2 * whole;
    case 'three_quarters':
      return 4 * votes >= 3 * whole;
    case 'unanimous':
      return votes === whole;
    default:
      return 2 * votes > whole;
  }
}

export interface OptionsCount {
  tally: BallotResult['tally'];
  passed: boolean;
  reason: string;
  winners: string[];
  figures: Record<string, number | string>;
  needed?: NonNullable<BallotResult['outcome']['needed']>;
}

function zeroTally(spec: BallotSpec): TallyOption[] {
  return spec.options.map((o) => ({ id: o.id, label: o.label, votes: 0 }));
}

function decideSingle(ctx: RuleContext, counts: readonly number[], ballots: number): { passed: boolean; reason: string; leader: number } {
  let leader = 0;
  counts.forEach((n, i) => {
    if (n > counts[leader]!) leader = i;
  });
  if (ballots === 0) return { passed: false, reason: 'no_votes', leader };
  const top = counts[leader]!;
  if (counts.filter((n) => n === top).length > 1) return { passed: false, reason: 'tie', leader };
  const whole = ctx.denominator === 'eligible' ? ctx.eligible : ballots;
  return meetsThreshold(ctx.rule, top, whole)
    ? { passed: true, reason: 'passed', leader }
    : { passed: false, reason: 'threshold_not_met', leader };
}

function countSingle(spec: BallotSpec, ctx: RuleContext, votes: readonly CastVote[], remaining: number): OptionsCount {
  const options = zeroTally(spec);
  const index = new Map(spec.options.map((o, i) => [o.id, i]));
  for (const v of votes) options[index.get(v.choice as string)!]!.votes++;
  const counts = options.map((o) => o.votes);
  const ballots = votes.length;
  const d = decideSingle(ctx, counts, ballots);
  const leaderId = options[d.leader]!.id;
  // Needed: newcomers all for the leader (to pass) or all for its strongest rival (to fail).
  const bound = Math.max(remaining, 4 * ballots + 2 * ctx.eligible + 2);
  const withVotes = (i: number, k: number) => counts.map((n, j) => (j === i ? n + k : n));
  const passK = smallestK(bound, (k) => {
    const r = decideSingle(ctx, withVotes(d.leader, k), ballots + k);
    return r.passed && r.leader === d.leader;
  });
  let rival = d.leader === 0 ? 1 : 0;
  counts.forEach((n, i) => {
    if (i !== d.leader && n > counts[rival]!) rival = i;
  });
  const failK = d.passed
    ? smallestK(bound, (k) => {
        const r = decideSingle(ctx, withVotes(rival, k), ballots + k);
        return !(r.passed && r.leader === d.leader);
      })
    : 0;
  const entry = (k: number | null) =>
    k === null ? { owners: 0, areaCentiares: 0, possible: false } : { owners: 0, areaCentiares: 0, votes: k, possible: k <= remaining };
  return {
    tally: { options },
    passed: d.passed,
    reason: d.reason,
    winners: d.passed ? [leaderId] : [],
    figures: { ballots, eligible: ctx.eligible, leader: leaderId, leaderVotes: counts[d.leader]! },
    needed: { pass: entry(passK), fail: entry(failK) },
  };
}

function countMulti(spec: BallotSpec, ctx: RuleContext, votes: readonly CastVote[]): OptionsCount {
  const options = zeroTally(spec);
  const index = new Map(spec.options.map((o, i) => [o.id, i]));
  for (const v of votes) for (const id of v.choice as string[]) options[index.get(id)!]!.votes++;
  const ballots = votes.length;
  const seats = spec.maxPicks ?? spec.options.length;
  const figures: Record<string, number | string> = { ballots, eligible: ctx.eligible, seats };
  const base = { tally: { options }, figures };
  if (ballots === 0) return { ...base, passed: false, reason: 'no_votes', winners: [] };
  const whole = ctx.denominator === 'eligible' ? ctx.eligible : ballots;
  // Most votes first; equal votes keep option order (only for display: equals at the cut tie).
  const elected = options.filter((o) => meetsThreshold(ctx.rule, o.votes, whole)).sort((a, b) => b.votes - a.votes);
  figures.elected = elected.length;
  if (elected.length === 0) return { ...base, passed: false, reason: 'threshold_not_met', winners: [] };
  if (elected.length <= seats) return { ...base, passed: true, reason: 'passed', winners: elected.map((o) => o.id) };
  const cut = elected[seats - 1]!.votes;
  if (elected[seats]!.votes < cut) return { ...base, passed: true, reason: 'passed', winners: elected.slice(0, seats).map((o) => o.id) };
  figures.tiedAtCut = elected
    .filter((o) => o.votes === cut)
    .map((o) => o.id)
    .join(',');
  return { ...base, passed: false, reason: 'tie', winners: elected.filter((o) => o.votes > cut).map((o) => o.id) };
}

function countRanked(spec: BallotSpec, ctx: RuleContext, votes: readonly CastVote[]): OptionsCount {
  const ids = spec.options.map((o) => o.id);
  const irv = instantRunoff(
    ids,
    votes.map((v) => v.choice as string[]),
  );
  const first = irv.rounds[0]!;
  const firstCounts = new Map(first.counts.map((c) => [c.id, c.votes]));
  const options = spec.options.map((o) => ({ id: o.id, label: o.label, votes: firstCounts.get(o.id) ?? 0 }));
  const last = irv.rounds[irv.rounds.length - 1]!;
  const figures: Record<string, number | string> = {
    ballots: votes.length,
    eligible: ctx.eligible,
    rounds: irv.rounds.length,
    exhausted: last.exhausted,
  };
  const base = { tally: { options, rounds: irv.rounds }, figures };
  if (votes.length === 0) return { ...base, passed: false, reason: 'no_votes', winners: [] };
  if (irv.winner === null) return { ...base, passed: false, reason: 'tie', winners: [] };
  const winnerVotes = last.counts.find((c) => c.id === irv.winner)!.votes;
  figures.winner = irv.winner;
  figures.winnerVotes = winnerVotes;
  figures.continuing = last.continuing;
  const whole = ctx.denominator === 'eligible' ? ctx.eligible : last.continuing;
  if (!meetsThreshold(ctx.rule, winnerVotes, whole)) return { ...base, passed: false, reason: 'threshold_not_met', winners: [] };
  return { ...base, passed: true, reason: 'passed', winners: [irv.winner] };
}

/** Counts a single, multi or ranked ballot from valid votes (see the file comment). */
export function countOptions(spec: BallotSpec, ctx: RuleContext, votes: readonly CastVote[], remaining: number): OptionsCount {
  if (spec.kind === 'single') return countSingle(spec, ctx, votes, remaining);
  if (spec.kind === 'multi') return countMulti(spec, ctx, votes);
  return countRanked(spec, ctx, votes);
}
