/**
 * An opinion round live: joins the community's room (`community:watch`) on every (re)connect and
 * calls back on each `opinion:map` and `opinion:statement` of this round, so the page refetches its own view.
 */
import type { OpinionMapEvent, OpinionStatementEvent } from '@linli/shared';
import type { LiveConnection } from '$lib/realtime/connection.svelte';

/**
 * Follows round `opinionId` of community `cid` on `conn`: `onMap` for a recomputed map, `onStatement`
 * for a statement written or moderated. Returns a function that stops listening.
 */
export function watchOpinion(
  conn: LiveConnection,
  cid: string,
  opinionId: string,
  on: { onMap: (e: OpinionMapEvent) => void; onStatement: (e: OpinionStatementEvent) => void },
): () => void {
  const mapHandler = (e: OpinionMapEvent) => {
    if (e.opinionId === opinionId) on.onMap(e);
  };
  const statementHandler = (e: OpinionStatementEvent) => {
    if (e.opinionId === opinionId) on.onStatement(e);
  };
  const watch = () => conn.socket.emit('community:watch', { communityId: cid }, () => {});
  conn.socket.on('opinion:map', mapHandler);
  conn.socket.on('opinion:statement', statementHandler);
  conn.socket.on('connect', watch);
  if (conn.socket.connected) watch();
  return () => {
    conn.socket.off('opinion:map', mapHandler);
    conn.socket.off('opinion:statement', statementHandler);
    conn.socket.off('connect', watch);
  };
}
