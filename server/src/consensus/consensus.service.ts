/**
 * The community's consensus ledger (共识) and the per-clause consensus map of a convention. Ballots
 * record here when they close; the conventions feature (when present) tells us the clauses and
 * their current text hashes through `provideClauses`.
 */
import { clauseConsensus, DomainError, type ClauseBinding, type ConsensusItem, type ConsensusMap } from '@linli/shared';
import type { StatsRepository } from '../dashboard/stats.repository.ts';
import type { ConsensusRepository } from './consensus.repository.ts';
import { Port } from '../common/port.ts';

/** The clauses of a convention as the conventions feature reads them from the live document. */
export interface ConventionClauses {
  communityId: string;
  title?: string;
  clauses: { id: string; number?: number | string; text: string; textHash: string }[];
}
/** Reads a convention's clauses (null: no such convention). */
export type ClauseReader = (conventionId: string) => Promise<ConventionClauses | null>;

export class ConsensusService {
  /** Registered by the conventions feature (server.ts). */
  readonly clauses = new Port<ClauseReader>('consensus.clauses');

  constructor(
    private readonly repo: ConsensusRepository,
    private readonly stats: StatsRepository,
  ) {}

  provideClauses(fn: ClauseReader): void {
    this.clauses.set(fn);
  }

  /** One clause as it reads now, or null (no such convention or clause). */
  async clause(
    conventionId: string,
    clauseId: string,
  ): Promise<{ communityId: string; text: string; textHash: string; number?: number | string } | null> {
    const conv = await this.clauses.get()(conventionId);
    const c = conv?.clauses.find((x) => x.id === clauseId);
    return conv && c
      ? { communityId: conv.communityId, text: c.text, textHash: c.textHash, ...(c.number !== undefined ? { number: c.number } : {}) }
      : null;
  }

  /** Adds an item once per ballot and counts it on the dashboard. */
  async record(item: ConsensusItem): Promise<boolean> {
    const added = await this.repo.add(item);
    if (added) await this.stats.add(item.communityId, 'consensus_items', 1, item.at);
    return added;
  }

  list(communityId: string): Promise<ConsensusItem[]> {
    return this.repo.list(communityId);
  }

  /** A ballot on a clause opened. */
  bindOpened(b: ClauseBinding): Promise<void> {
    return this.repo.setBinding(b);
  }

  /** A ballot on a clause closed with a decision. */
  settle(b: ClauseBinding): Promise<boolean> {
    return this.repo.settleBinding(b);
  }

  /**
   * Every clause of the convention with its state (a convention gone: the clauses that were
   * balloted, from their bindings).
   */
  async map(conventionId: string): Promise<{ communityId: string; map: ConsensusMap }> {
    const [conv, bindings] = await Promise.all([this.clauses.get()(conventionId), this.repo.bindings(conventionId)]);
    const communityId = conv?.communityId ?? bindings[0]?.communityId;
    if (!communityId) throw new DomainError('not_found', 'No such convention. 公约不存在。');
    const byClause = new Map(bindings.map((b) => [b.clauseId, b]));
    const clauses = conv
      ? conv.clauses.map((c) => {
          const b = byClause.get(c.id) ?? null;
          return {
            clauseId: c.id,
            ...(c.number !== undefined ? { number: c.number } : {}),
            state: clauseConsensus(b, c.textHash),
            textHash: c.textHash,
            ballot: b,
          };
        })
      : bindings.map((b) => ({ clauseId: b.clauseId, state: clauseConsensus(b, null), textHash: null, ballot: b }));
    return { communityId, map: { conventionId, clauses } };
  }
}
