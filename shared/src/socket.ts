/**
 * The Socket.IO event maps, one for each direction, built from the features' event types.
 * Server: `Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>`;
 * client: `Socket<ServerToClientEvents, ClientToServerEvents>`. Types never replace validation:
 * every payload is parsed with its zod schema on arrival.
 */
import type { AckFn } from './common/errors.ts';
import type { Community, CommunityWatch } from './communities/schemas.ts';

/** Events a client sends, each with an ack (API.md "Socket.IO"). Features extend this map. */
export interface ClientToServerEvents {
  /** Round-trip check for the connection badge. */
  'session:ping': (payload: Record<string, never>, ack: AckFn<{ at: number }>) => void;
  'community:watch': (payload: CommunityWatch, ack: AckFn<{ community: Community }>) => void;
}

/** Events the server pushes to rooms. Features extend this map. */
export interface ServerToClientEvents {
  'session:expired': (payload: { reason: string }) => void;
  'community:updated': (payload: { community: Community }) => void;
}

export type InterServerEvents = Record<string, never>;

export interface SocketData {
  userId: string | null;
  /** Guest sessions are bound to one meeting. */
  meetingId?: string;
}
