/**
 * From recorded votes to `countBallot`, the same way on the server and in the verifier, and the
 * replay of an audit log into the votes it records. Counting itself is the voting core's.
 */
import { advisoryByRole, tallyLines } from '../voting/advisory.ts';
import { countBallot } from '../voting/count.ts';
import type { BallotResult, BallotSpec, CastVote, Choice, ElectorateSnapshot } from '../voting/schemas.ts';
import type { AdvisoryTally } from './schemas.ts';

/** What the store holds: voter → choice (open ballots), or choices with no voter (secret ballots). */
export interface RecordedVotes {
  byVoter: Record<string, Choice>;
  anonymous: Choice[];
  /** Advisory votes of a households ballot: member → choice and roles. */
  advisory: Record<string, { choice: Choice; roles: string[] }>;
}

/**
 * The votes as `countBallot` takes them. A secret ballot keeps no voter beside a choice: its
 * choices get placeholder ids (the core does not look at voter ids of secret ballots; secret
 * ballots are members ballots, so no weight goes with a choice). Roles go with open votes only
 * (the advisory breakdown of a secret ballot would need the link it does not keep).
 */
export function castVotes(spec: BallotSpec, electorate: ElectorateSnapshot, recorded: RecordedVotes): CastVote[] {
  if (spec.secret) return recorded.anonymous.map((choice, i) => ({ voterId: `secret-${i + 1}`, choice }));
  const roles = new Map(electorate.voters.map((v) => [v.voterId, v.roles]));
  return Object.keys(recorded.byVoter)
    .sort()
    .map((voterId) => {
      const r = roles.get(voterId);
      return { voterId, choice: recorded.byVoter[voterId]!, ...(r ? { roles: r } : {}) };
    });
}

/** The ballot's result over what is recorded now (`closed`: the final one). */
export function tallyRecorded(spec: BallotSpec, electorate: ElectorateSnapshot, recorded: RecordedVotes, closed: boolean): BallotResult {
  return countBallot(spec, electorate, castVotes(spec, electorate, recorded), { closed });
}

/**
 * The advisory tally: on a households ballot the members' advisory votes, on a members ballot the
 * votes themselves; in total and by role.
 */
export function advisoryTally(spec: BallotSpec, electorate: ElectorateSnapshot, recorded: RecordedVotes): AdvisoryTally {
  const votes: CastVote[] =
    electorate.kind === 'households'
      ? Object.keys(recorded.advisory)
          .sort()
          .map((voterId) => ({ voterId, choice: recorded.advisory[voterId]!.choice, roles: recorded.advisory[voterId]!.roles }))
      : castVotes(spec, electorate, recorded);
  const total =
    advisoryByRole(
      votes.map((v) => ({ ...v, roles: ['all'] })),
      spec,
    ).all ?? tallyLines(spec);
  return { voted: votes.length, tally: total, byRole: advisoryByRole(votes, spec) };
}

/** What an audit log says happened, replayed in order. */
export interface AuditReplay {
  ballotId: string | null;
  spec: BallotSpec | null;
  electorate: ElectorateSnapshot | null;
  recorded: RecordedVotes;
  /** Accepted votes by entry type (a change counts as one more entry, not one more vote). */
  entries: Record<string, number>;
  closed: boolean;
  /** The result the server wrote after closing, if any. */
  stated: unknown;
  /** Secret ballots: vote entries that carry no choice (their choices are listed in the result entry). */
  sealedVotes: number;
  /** Things the log says that cannot both be true (each fails verification). */
  problems: string[];
}

/** One choice of a secret ballot as the result entry lists them: sorted by receipt, never by arrival. */
export interface SealedBallot {
  receipt: string;
  choice: Choice;
}

/** A secret ballot's choices in the order they are published: by receipt (random), so unrelated to arrival. */
export function sortSealed(ballots: SealedBallot[]): SealedBallot[] {
  return [...ballots].sort((x, y) => (x.receipt < y.receipt ? -1 : x.receipt > y.receipt ? 1 : 0));
}

interface VoteData {
  receipt: string;
  choice: Choice;
  voters?: { id: string }[];
  advisory?: { id: string; roles: string[] };
}

/**
 * Replays `opened`, vote entries, undone paper votes and `result`; later entries for a voter replace earlier ones
 * (changes). A secret ballot's vote entries carry no choice (a vote in arrival order beside the
 * list of who voted would link the two): its choices come from the `result` entry's `ballots`,
 * sorted by receipt, and there must be exactly one per vote entry.
 */
export function replayAudit(entries: readonly { type: string; ballotId: string; data: unknown }[]): AuditReplay {
  const r: AuditReplay = {
    ballotId: null,
    spec: null,
    electorate: null,
    recorded: { byVoter: {}, anonymous: [], advisory: {} },
    entries: {},
    closed: false,
    stated: undefined,
    sealedVotes: 0,
    problems: [],
  };
  let sealedList: SealedBallot[] | null = null;
  for (const e of entries) {
    r.ballotId ??= e.ballotId;
    r.entries[e.type] = (r.entries[e.type] ?? 0) + 1;
    const d = e.data as Record<string, unknown>;
    switch (e.type) {
      case 'opened':
        r.spec = d.spec as BallotSpec;
        r.electorate = d.electorate as ElectorateSnapshot;
        break;
      case 'vote':
      case 'paper_vote':
      case 'vote_changed': {
        if (r.closed) r.problems.push(`a ${e.type} entry comes after the ballot was closed`);
        const v = d as unknown as VoteData;
        if (v.choice === undefined && !v.voters) {
          r.sealedVotes++;
          break;
        }
        if (v.voters) for (const x of v.voters) r.recorded.byVoter[x.id] = v.choice;
        else r.recorded.anonymous.push(v.choice);
        if (v.advisory) r.recorded.advisory[v.advisory.id] = { choice: v.choice, roles: v.advisory.roles };
        break;
      }
      case 'paper_vote_undone': {
        // The person who entered a paper vote took it back while the ballot was open.
        const v = d as unknown as { voters?: { id: string }[] };
        for (const x of v.voters ?? []) delete r.recorded.byVoter[x.id];
        break;
      }
      case 'closed':
        r.closed = true;
        break;
      case 'result':
        if (!r.closed) r.problems.push('the result entry comes before the closing entry');
        r.stated = d.result;
        if (Array.isArray(d.ballots)) sealedList = d.ballots as SealedBallot[];
        break;
    }
  }
  if (r.sealedVotes > 0 || sealedList) {
    if (r.stated !== undefined && !sealedList) r.problems.push('the result entry of a secret ballot lists no ballots');
    const list = sealedList ?? [];
    // A log written before votes were sealed also lists its choices in the vote entries.
    const accepted = r.sealedVotes + r.recorded.anonymous.length;
    if (r.stated !== undefined && list.length !== accepted)
      r.problems.push(`${accepted} votes were accepted but the result entry lists ${list.length} ballots`);
    if (sealedList) r.recorded.anonymous = [];
    const sorted = sortSealed(list);
    if (sorted.some((b, i) => b.receipt !== list[i]!.receipt || (i > 0 && b.receipt === sorted[i - 1]!.receipt)))
      r.problems.push('the ballots of the result entry are not in receipt order, or a receipt repeats');
    r.recorded.anonymous.push(...list.map((b) => b.choice));
  }
  return r;
}
