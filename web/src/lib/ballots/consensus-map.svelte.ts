/**
 * A convention's per-clause consensus map (GET /api/conventions/:id/consensus-map), shared by
 * every badge of one page: one request per convention, refreshed while any badge shows it (a
 * ballot may close, or a clause be edited after its vote, while the page is open).
 */
import type { ClauseConsensus, ConsensusMap } from '@linli/shared';
import { api } from '$lib/api';

const REFRESH_MS = 15_000;

class MapEntry {
  states = $state<Record<string, ClauseConsensus>>({});
  users = 0;
  timer: ReturnType<typeof setInterval> | null = null;

  constructor(readonly conventionId: string) {}

  async load(): Promise<void> {
    const map = await api<ConsensusMap>('GET', `/conventions/${this.conventionId}/consensus-map`).catch(() => null);
    if (map) this.states = Object.fromEntries(map.clauses.map((c) => [c.clauseId, c.state]));
  }
}

// A module-level cache of shared loaders, not state a component renders: a plain Map is right.
// eslint-disable-next-line svelte/prefer-svelte-reactivity
const entries = new Map<string, MapEntry>();

/** The map of `conventionId`, loaded and kept fresh until every user has released it. */
export function acquireConsensusMap(conventionId: string): MapEntry {
  let e = entries.get(conventionId);
  if (!e) entries.set(conventionId, (e = new MapEntry(conventionId)));
  if (e.users++ === 0) {
    void e.load();
    e.timer = setInterval(() => void e!.load(), REFRESH_MS);
  }
  return e;
}

export function releaseConsensusMap(conventionId: string): void {
  const e = entries.get(conventionId);
  if (!e || --e.users > 0) return;
  if (e.timer) clearInterval(e.timer);
  entries.delete(conventionId);
}
