/**
 * `ballot:published` for the pages that show results: the meeting's live state keeps a ballot as
 * `closed` until the next join, so the components that offer the published result follow the
 * event themselves (a reconnect's join brings the exact status anyway).
 */
import type { BallotOpenedEvent } from '@linli/shared';
import type { MeetingLive } from '$lib/meetings/meeting-live.svelte';

/** Applies each published ballot to `live.ballots` (only `ballotId` when given); returns the unsubscribe. */
export function followPublished(live: MeetingLive, ballotId?: string): () => void {
  const fn = (p: BallotOpenedEvent) => {
    if (ballotId && p.ballot.id !== ballotId) return;
    const b = live.ballots.find((x) => x.id === p.ballot.id);
    if (b) Object.assign(b, p.ballot);
  };
  live.conn.socket.on('ballot:published', fn);
  return () => void live.conn.socket.off('ballot:published', fn);
}
