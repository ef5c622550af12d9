/**
 * The problems ledger live: joins the community's room (`community:watch`) on every (re)connect
 * and hands each `problem:updated` to the page, so a status change appears without a reload.
 */
import type { ProblemUpdatedEvent } from '@linli/shared';
import type { LiveConnection } from '$lib/realtime/connection.svelte';
import type { ProblemView } from './ProblemCard.svelte';

/** Follows community `cid`'s ledger on `conn`; returns a function that stops listening. */
export function watchProblems(conn: LiveConnection, cid: string, onUpdated: (p: ProblemView) => void): () => void {
  const handler = (e: ProblemUpdatedEvent) => onUpdated(e.problem as ProblemView);
  const watch = () => conn.socket.emit('community:watch', { communityId: cid }, () => {});
  conn.socket.on('problem:updated', handler);
  conn.socket.on('connect', watch);
  if (conn.socket.connected) watch();
  return () => {
    conn.socket.off('problem:updated', handler);
    conn.socket.off('connect', watch);
  };
}

/** `list` with `p` put in its place (replaced if present, else first). */
export function upsertProblem(list: ProblemView[], p: ProblemView): ProblemView[] {
  const i = list.findIndex((x) => x.id === p.id);
  return i >= 0 ? list.toSpliced(i, 1, p) : [p, ...list];
}
