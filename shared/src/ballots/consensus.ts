/**
 * Consensus tracking (DOMAIN.md "consensus item"): the community's ledger of outcomes reached, and
 * the per-clause map of a convention. Schemas of what the API returns, and the pure rule that
 * gives a clause its state.
 */
import { z } from 'zod';

/** One outcome reached: a ballot that passed, or a consent decision with no block. */
export const ConsensusItem = z.object({
  id: z.string(),
  communityId: z.string(),
  kind: z.enum(['ballot', 'consent']),
  title: z.string(),
  /** The decided text: the clause text for a clause ballot, else the question as put. */
  text: z.string(),
  /** sha256 hex of the decided text (for a clause: the clause's textHash at opening). */
  textHash: z.string(),
  ballotId: z.string(),
  meetingId: z.string(),
  meetingTitle: z.string().optional(),
  conventionId: z.string().optional(),
  clauseId: z.string().optional(),
  /** Who decided: the electorate, and how many took part out of how many. */
  electorate: z.enum(['households', 'members']),
  voted: z.number().int(),
  eligible: z.number().int(),
  rule: z.string(),
  at: z.number().int(),
  /** The clause text changed between opening and closing: the facilitator must decide. */
  clauseChanged: z.boolean().optional(),
});
export type ConsensusItem = z.infer<typeof ConsensusItem>;

export const ConsensusList = z.object({ items: z.array(ConsensusItem) });
export type ConsensusList = z.infer<typeof ConsensusList>;

/** The last ballot on one clause, as the consensus map remembers it. */
export const ClauseBinding = z.object({
  clauseId: z.string(),
  conventionId: z.string(),
  communityId: z.string(),
  ballotId: z.string(),
  title: z.string(),
  /** Text hash of the clause when the ballot opened. */
  textHash: z.string().nullable(),
  status: z.enum(['voting', 'passed', 'failed']),
  at: z.number().int(),
  clauseChanged: z.boolean().optional(),
});
export type ClauseBinding = z.infer<typeof ClauseBinding>;

export const CLAUSE_CONSENSUS = ['not_voted', 'voting', 'passed', 'failed', 'changed_since_vote'] as const;
export const ClauseConsensus = z.enum(CLAUSE_CONSENSUS);
export type ClauseConsensus = z.infer<typeof ClauseConsensus>;

export const ConsensusMapEntry = z.object({
  clauseId: z.string(),
  number: z.union([z.number(), z.string()]).optional(),
  state: ClauseConsensus,
  /** The current text hash (null when the clause could not be read). */
  textHash: z.string().nullable(),
  ballot: ClauseBinding.nullable(),
});
export type ConsensusMapEntry = z.infer<typeof ConsensusMapEntry>;

export const ConsensusMap = z.object({ conventionId: z.string(), clauses: z.array(ConsensusMapEntry) });
export type ConsensusMap = z.infer<typeof ConsensusMap>;

/**
 * A clause's state: never balloted → not_voted; a decided ballot on a text that has changed
 * since → changed_since_vote (whatever the decision was, it was about another text); else the
 * decision, or `voting` while the ballot is open. `currentHash` null = unknown: trust the binding.
 */
export function clauseConsensus(binding: ClauseBinding | null, currentHash: string | null): ClauseConsensus {
  if (!binding) return 'not_voted';
  if (binding.status === 'voting') return 'voting';
  const changed = binding.clauseChanged === true || (currentHash !== null && binding.textHash !== null && currentHash !== binding.textHash);
  if (changed) return 'changed_since_vote';
  return binding.status;
}
