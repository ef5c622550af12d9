/**
 * The Socket.IO event maps, one for each direction, built from the features' event types.
 * Server: `Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>`;
 * client: `Socket<ServerToClientEvents, ClientToServerEvents>`. Types never replace validation:
 * every payload is parsed with its zod schema on arrival.
 */
import type { ConsultationProgressEvent } from './consultations/schemas.ts';
import type { AckFn } from './common/errors.ts';
import type { Community, CommunityWatch } from './communities/schemas.ts';
import type * as Mt from './meetings/schemas.ts';
import type * as Bt from './ballots/schemas.ts';
import type { ProblemUpdatedEvent } from './problems/schemas.ts';
import type { OpinionMapEvent, OpinionStatementEvent } from './opinions/schemas.ts';
import type * as Cv from './conventions/schemas.ts';
import type * as Dl from './deliberation/schemas.ts';

/** Events a client sends, each with an ack (API.md "Socket.IO"). Features extend this map. */
export interface ClientToServerEvents {
  /** Round-trip check for the connection badge. */
  'session:ping': (payload: Record<string, unknown> | undefined, ack: AckFn<{ at: number }>) => void;
  'community:watch': (payload: CommunityWatch, ack: AckFn<{ community: Community }>) => void;
  /** Follow one convention's comments, suggestions and versions (room `convention:<id>`). */
  'convention:watch': (
    payload: Cv.ConventionWatch,
    ack: AckFn<{ comments: Cv.ConventionComment[]; suggestions: Cv.ConventionSuggestion[]; versions: Cv.ConventionVersion[] }>,
  ) => void;
  // Meetings: join/leave the room; the rest act on the joined meeting (or `meetingId`).
  'meeting:join': (payload: Mt.MeetingJoin, ack: AckFn<Mt.MeetingJoinAck>) => void;
  'meeting:leave': (payload: Mt.MeetingLeave, ack: AckFn) => void;
  'meeting:agenda_move': (payload: Mt.AgendaMove, ack: AckFn<{ version: number }>) => void;
  // Agenda editing during the meeting (facilitator); every change comes back as `meeting:state`.
  'meeting:agenda_add': (payload: Mt.AgendaAddEvent, ack: AckFn<{ version: number; itemId: string }>) => void;
  'meeting:agenda_edit': (payload: Mt.AgendaEditEvent, ack: AckFn<{ version: number }>) => void;
  'meeting:agenda_reorder': (payload: Mt.AgendaReorderEvent, ack: AckFn<{ version: number }>) => void;
  'meeting:agenda_delete': (payload: Mt.AgendaDeleteEvent, ack: AckFn<{ version: number }>) => void;
  'meeting:speaker_next': (payload: Mt.SpeakerNext, ack: AckFn<{ version: number }>) => void;
  'meeting:speaker_reorder': (payload: Mt.SpeakerReorder, ack: AckFn<{ version: number }>) => void;
  'meeting:speaker_lower': (payload: Mt.SpeakerLower, ack: AckFn<{ version: number }>) => void;
  'meeting:status': (payload: Mt.MeetingStatusChange, ack: AckFn<{ meeting: Mt.Meeting }>) => void;
  'meeting:hand': (payload: Mt.HandRaise, ack: AckFn<{ queuePosition: number | null }>) => void;
  'meeting:react': (payload: Mt.ReactionSet, ack: AckFn) => void;
  'motion:propose': (payload: Mt.MotionPropose, ack: AckFn<{ motionId: string }>) => void;
  'motion:second': (payload: Mt.MotionRef, ack: AckFn<{ version: number }>) => void;
  'motion:withdraw': (payload: Mt.MotionRef, ack: AckFn<{ version: number }>) => void;
  'motion:to_ballot': (payload: Mt.MotionRef, ack: AckFn<{ ballotId: string }>) => void;
  /** A vote; acked after Redis stored it. The same idempotencyKey again returns the same receipt. */
  'ballot:cast': (payload: Bt.BallotCast, ack: AckFn<Bt.BallotCastAck>) => void;
}

/** What a client event sends (its payload), from the map: the server's router and the web's emit both use it. */
export type EventPayload<E extends keyof ClientToServerEvents> = Parameters<ClientToServerEvents[E]>[0];
/** The data of a client event's ok ack, from the map. */
export type AckData<E extends keyof ClientToServerEvents> = Parameters<ClientToServerEvents[E]>[1] extends AckFn<infer T> ? T : never;

/** Events the server pushes to rooms. Features extend this map. */
export interface ServerToClientEvents {
  'session:expired': (payload: { reason: string }) => void;
  'community:updated': (payload: { community: Community }) => void;
  /** The whole meeting state after a change (presence changes coalesced, ≤ 4 per second). */
  'meeting:state': (payload: Mt.MeetingStateEvent) => void;
  'ballot:opened': (payload: Bt.BallotOpenedEvent) => void;
  /** A consultation's live progress and per-question figures (community room and a linked meeting's room), at most one per 500 ms across processes. */
  'consultation:progress': (payload: ConsultationProgressEvent) => void;
  /** Live result, at most one per 250 ms per ballot across processes, always one after the last vote. */
  'ballot:tally': (payload: Bt.BallotTallyEvent) => void;
  'ballot:closed': (payload: Bt.BallotClosedEvent) => void;
  'ballot:published': (payload: Bt.BallotOpenedEvent) => void;
  /** A proxy was named on a ballot: phones ask again whom they vote for (GET /api/ballots/:id/mine). */
  'ballot:proxy': (payload: Bt.BallotProxyEvent) => void;
  /** The facilitator must know: an administrator changed a member's households while the ballot is open. */
  'ballot:notice': (payload: Bt.BallotNoticeEvent) => void;
  /** A problem of the ledger was raised or changed (community room, after `community:watch`). */
  'problem:updated': (payload: ProblemUpdatedEvent) => void;
  /** An opinion round's map was recomputed (community room): fetch GET /api/opinions/:id/map. */
  'opinion:map': (payload: OpinionMapEvent) => void;
  /** A statement of an opinion round was written or moderated (community room): refetch the round. */
  'opinion:statement': (payload: OpinionStatementEvent) => void;
  /** A comment on a clause of a watched convention. */
  'convention:comment': (payload: Cv.ConventionCommentEvent) => void;
  /** A suggestion on a clause was made, accepted or rejected. */
  'convention:suggestion': (payload: Cv.ConventionSuggestionEvent) => void;
  /** A version of a watched convention was saved, adopted, or lost its adoption mark. */
  'convention:version': (payload: Cv.ConventionVersionEvent) => void;
  /** The meeting's visible questions, spotlight and settings after a change (coalesced, ≤ 4 per second). */
  'questions:updated': (payload: Dl.QuestionsUpdatedEvent) => void;
  /** The meeting's current word cloud (visible words) after an answer or moderation (coalesced). */
  'wordcloud:updated': (payload: Dl.WordCloudUpdatedEvent) => void;
}

export type InterServerEvents = Record<string, never>;

export interface SocketData {
  userId: string | null;
  /** Guest sessions are bound to one meeting. */
  meetingId?: string;
  /** The meeting room this socket joined (restored with connection-state recovery). */
  inMeeting?: string;
  /** The session it was opened with: signing out closes every socket of that session. */
  sid?: string;
}
