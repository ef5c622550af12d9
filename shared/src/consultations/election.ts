/**
 * Committee elections (业委会选举) of a written consultation: each candidate gets 同意/反对/弃权
 * from every household, counted like a yes/no/abstain ballot under the question's rule (Art. 278:
 * by owners and by area, with countBallot). Seats go to the candidates who pass, ordered by
 * approving area, then approving owners. A tie across the last seat is reported, never broken:
 * those seats stay open for the organiser to settle by the rules (a run-off, not a coin toss).
 */
import { z } from 'zod';
import { countBallot } from '../voting/count.ts';
import type { BallotOption, BallotResult, BallotRule, BallotSpec, CastVote, ElectorateSnapshot } from '../voting/schemas.ts';
import { YES_NO_ABSTAIN } from '../voting/schemas.ts';
import type { CandidateResult } from './schemas.ts';

/** An election answer: candidate id → 'yes' | 'no' | 'abstain' (a candidate left out is not answered). */
export type ElectionChoice = Record<string, (typeof YES_NO_ABSTAIN)[number]>;

/** The schema of a valid election answer on these candidates: unknown candidates are refused. */
export function electionChoiceSchema(candidates: readonly BallotOption[]): z.ZodType<ElectionChoice> {
  const ids = new Set(candidates.map((c) => c.id));
  return z.record(z.string(), z.enum(YES_NO_ABSTAIN, { error: 'each candidate: "yes", "no" or "abstain"' })).superRefine((rec, ctx) => {
    const keys = Object.keys(rec);
    if (keys.length === 0) ctx.addIssue({ code: 'custom', message: 'answer at least one candidate' });
    for (const k of keys) if (!ids.has(k)) ctx.addIssue({ code: 'custom', path: [k], message: `unknown candidate "${k}"` });
  }) as z.ZodType<ElectionChoice>;
}

/** One household's vote on the election: its weight and its answer per candidate. */
export interface ElectionVote {
  voterId: string;
  ownerKey?: string;
  areaCentiares?: number;
  choice: ElectionChoice;
}

export interface SeatRanking {
  /** Candidates elected, in seat order. */
  winners: string[];
  /** Candidates tied with each other across the last seat(s): none of them is seated. */
  tiedForLastSeat: string[];
}

interface Ranked {
  id: string;
  area: number;
  owners: number;
}

/**
 * Seats from the passing candidates (`ranked` holds only those), best first by approving area,
 * then approving owners. When the candidates at the boundary of the last seat share both figures,
 * the whole tied group is left out of the seats and reported (exactly: a group straddling the
 * boundary; a tie wholly inside the seats is harmless and kept in input order).
 */
export function allocateSeats(ranked: readonly Ranked[], seats: number): SeatRanking {
  const sorted = [...ranked].sort((a, b) => b.area - a.area || b.owners - a.owners);
  if (sorted.length <= seats) return { winners: sorted.map((r) => r.id), tiedForLastSeat: [] };
  const last = sorted[seats - 1]!;
  const next = sorted[seats]!;
  if (last.area !== next.area || last.owners !== next.owners)
    return { winners: sorted.slice(0, seats).map((r) => r.id), tiedForLastSeat: [] };
  const same = (r: Ranked) => r.area === last.area && r.owners === last.owners;
  return {
    winners: sorted.filter((r, i) => i < seats && !same(r)).map((r) => r.id),
    tiedForLastSeat: sorted.filter(same).map((r) => r.id),
  };
}

/** Per-choice owners (distinct owner keys) and area of one candidate's votes. */
function split(votes: readonly CastVote[], answer: string) {
  const owners = new Set<string>();
  let areaCentiares = 0;
  for (const v of votes) {
    if (v.choice !== answer) continue;
    owners.add(v.ownerKey ?? v.voterId);
    areaCentiares += v.areaCentiares ?? 0;
  }
  return { owners: owners.size, areaCentiares };
}

/**
 * Counts an election: each candidate as its own yes/no/abstain ballot (countBallot), then the
 * seats. `electorate` must carry ownerKey and area for Art. 278 rules.
 */
export function countElection(
  q: { rule: BallotRule; options: readonly BallotOption[]; seats: number },
  electorate: ElectorateSnapshot,
  votes: readonly ElectionVote[],
  opts: { closed: boolean; secret: boolean },
): { candidates: CandidateResult[]; perCandidate: BallotResult[]; winners: string[]; tiedForLastSeat: string[] } {
  const spec: BallotSpec = { kind: 'yes_no_abstain', options: [], rule: q.rule, electorate: { kind: 'households' }, secret: opts.secret };
  const weightOf = new Map(electorate.voters.map((v) => [v.voterId, v]));
  const perCandidate: BallotResult[] = [];
  const candidates: CandidateResult[] = [];
  const ranked: Ranked[] = [];
  for (const c of q.options) {
    const cv: CastVote[] = votes.flatMap((v) => {
      const choice = v.choice[c.id];
      if (choice === undefined) return [];
      const w = weightOf.get(v.voterId);
      return [{ voterId: v.voterId, choice, ownerKey: v.ownerKey ?? w?.ownerKey, areaCentiares: v.areaCentiares ?? w?.areaCentiares }];
    });
    const r = countBallot(spec, electorate, cv, { closed: opts.closed });
    perCandidate.push(r);
    const passed = opts.closed ? r.outcome.passed === true : r.outcome.wouldPass === true;
    const f = r.outcome.figures as Record<string, number>;
    const yes = split(cv, 'yes');
    candidates.push({
      id: c.id,
      label: c.label,
      passed: opts.closed ? passed : null,
      reason: r.outcome.reason,
      yes,
      no: split(cv, 'no'),
      abstain: split(cv, 'abstain'),
    });
    if (passed) ranked.push({ id: c.id, area: f.approvingAreaCentiares ?? yes.areaCentiares, owners: f.approvingOwners ?? yes.owners });
  }
  const seats = allocateSeats(ranked, q.seats);
  seats.winners.forEach((id, i) => {
    const cand = candidates.find((c) => c.id === id);
    if (cand) cand.seat = i + 1;
  });
  return { candidates, perCandidate, ...seats };
}
