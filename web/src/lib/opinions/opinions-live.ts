/**
 * An opinion round live: joins the community's room (`community:watch`) on every (re)connect and
 * calls back on each `opinion:map` of this round, so the page refetches its own view of the map.
 */
import type { OpinionMapEvent } from '@linli/shared';
import type { LiveConnection } from '$lib/realtime/connection.svelte';

/** Follows round `opinionId` of community `cid` on `conn`; returns a function that stops listening. */
export function watchOpinion(conn: LiveConnection, cid: string, opinionId: string, onMap: (e: OpinionMapEvent) => void): () => void {
  const handler = (e: OpinionMapEvent) => {
    if (e.opinionId === opinionId) onMap(e);
  };
  const watch = () => conn.socket.emit('community:watch', { communityId: cid }, () => {});
  conn.socket.on('opinion:map', handler);
  conn.socket.on('connect', watch);
  if (conn.socket.connected) watch();
  return () => {
    conn.socket.off('opinion:map', handler);
    conn.socket.off('connect', watch);
  };
}
