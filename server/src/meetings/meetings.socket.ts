/**
 * Socket events of meetings: joining the room `meeting:<id>` (attendance recorded, whole state in
 * the ack), the facilitator's controls, hands, reactions and motions. Every change comes back to
 * the room as `meeting:state`, coalesced: at most one broadcast per 250 ms per meeting and process,
 * always one after the last change; attendance-only changes wait up to 1 s in a big room.
 */
import {
  AgendaAddEvent,
  AgendaDeleteEvent,
  AgendaEditEvent,
  AgendaMove,
  AgendaReorderEvent,
  DomainError,
  HandRaise,
  MeetingJoin,
  MeetingLeave,
  MeetingStatusChange,
  MotionPropose,
  MotionRef,
  ReactionSet,
  SpeakerLower,
  SpeakerNext,
  SpeakerReorder,
  queuePosition,
} from '@linli/shared';
import type { AuthService } from '../auth/auth.service.ts';
import type { Logger } from '../logger.ts';
import { Coalescer } from '../realtime/coalescer.ts';
import type { SocketRouter } from '../realtime/router.ts';
import type { LinliIO, LinliSocket } from '../realtime/socket.ts';
import type { MeetingAccess, MeetingsService } from './meetings.service.ts';
import type { MeetingsState } from './meetings.state.ts';

/** The Socket.IO room of one meeting (the ballots feature emits its events there too). */
export const meetingRoom = (meetingId: string) => `meeting:${meetingId}`;

/** Smallest gap between two broadcasts of one meeting from one process. */
export const BROADCAST_GAP_MS = 250;
/**
 * Attendance-only changes (people joining and leaving) wait longer in a big room: the gap grows by
 * this much per connection in the room here, up to PRESENCE_GAP_MAX_MS. A broadcast costs one write
 * per connection, so a burst of n joins cost n² writes at a fixed gap; now the writes per second stay
 * bounded (about 1,000 / PRESENCE_GAP_PER_SOCKET_MS) however many join. Other changes (agenda,
 * floor, motions) keep the short gap, and one arriving cuts a longer presence wait short.
 */
export const PRESENCE_GAP_PER_SOCKET_MS = 1;
export const PRESENCE_GAP_MAX_MS = 1_000;

export type BroadcastKind = 'state' | 'presence';

/**
 * Coalesces broadcasts per meeting: the first change goes out at once, later ones within the gap
 * are folded into one broadcast at its end, built from Redis at that moment (so it is the latest).
 */
export class MeetingBroadcaster {
  readonly #coalescer: Coalescer;

  constructor(
    private readonly io: LinliIO,
    private readonly state: MeetingsState,
    private readonly logger: Logger,
    private readonly gapMs = BROADCAST_GAP_MS,
    private readonly presenceGap: { perSocketMs: number; maxMs: number } = {
      perSocketMs: PRESENCE_GAP_PER_SOCKET_MS,
      maxMs: PRESENCE_GAP_MAX_MS,
    },
  ) {
    this.#coalescer = new Coalescer({ gapMs }, (meetingId) => this.#send(meetingId), {
      onError: (err, meetingId) => this.logger.warn({ err: (err as Error).message, meetingId }, 'meeting state broadcast failed'),
      // A big room remembers its last broadcast: a join right after it waits the gap. A small room
      // forgets it, so a facilitator's next step shows at once.
      holdAfterRunMs: (meetingId) => {
        const gap = this.#gap(meetingId, 'presence');
        return gap > this.gapMs ? gap : 0;
      },
      now: () => Date.now(),
    });
  }

  /** The gap before the next broadcast for a change of this kind. */
  #gap(meetingId: string, kind: BroadcastKind): number {
    if (kind === 'state') return this.gapMs;
    const here = this.io.sockets.adapter.rooms.get(meetingRoom(meetingId))?.size ?? 0;
    return Math.max(this.gapMs, Math.min(this.presenceGap.maxMs, here * this.presenceGap.perSocketMs));
  }

  schedule(meetingId: string, kind: BroadcastKind = 'state'): void {
    this.#coalescer.schedule(meetingId, { gapMs: this.#gap(meetingId, kind) });
  }

  async #send(meetingId: string): Promise<void> {
    this.state.invalidate(meetingId);
    const state = await this.state.snapshot(meetingId, { fresh: true });
    this.io.to(meetingRoom(meetingId)).emit('meeting:state', { state });
  }

  stop(): void {
    this.#coalescer.stop();
  }
}

const notJoined = () => new DomainError('bad_request', 'Join a meeting first (meeting:join). 请先进入会议。');

export function meetingsSocket(router: SocketRouter, auth: AuthService, meetings: MeetingsService, state: MeetingsState) {
  /** Who this socket is in the meeting it names (or joined); re-read each time (roles, status). */
  async function accessOf(socket: LinliSocket, meetingId?: string): Promise<MeetingAccess> {
    const mid = meetingId ?? socket.data.inMeeting;
    if (!mid) throw notJoined();
    const user = socket.data.userId ? await auth.getUser(socket.data.userId) : null;
    return meetings.access(user, { meetingId: socket.data.meetingId }, mid);
  }

  async function leave(socket: LinliSocket): Promise<void> {
    const mid = socket.data.inMeeting;
    if (!mid) return;
    socket.data.inMeeting = undefined;
    await socket.leave(meetingRoom(mid));
    await state.removePresence(mid, socket.id);
  }

  return (socket: LinliSocket) => {
    // A connection resumed by connection-state recovery is back in its room: mark it present again.
    if (socket.recovered && socket.data.inMeeting) {
      const mid = socket.data.inMeeting;
      void accessOf(socket, mid)
        .then((a) => state.addPresence(a, socket.id))
        .catch(() => socket.leave(meetingRoom(mid)));
    }
    socket.on('disconnect', () => {
      const mid = socket.data.inMeeting;
      if (mid) void state.removePresence(mid, socket.id).catch(() => {});
    });

    router.on(socket, 'meeting:join', MeetingJoin, async ({ meetingId }) => {
      const a = await meetings.accessRecent(socket.data.userId, { meetingId: socket.data.meetingId }, meetingId);
      if (socket.data.inMeeting && socket.data.inMeeting !== meetingId) await leave(socket);
      await socket.join(meetingRoom(meetingId));
      socket.data.inMeeting = meetingId;
      // Ballots and the linked consultation do not depend on presence: read them meanwhile.
      const others = Promise.all([meetings.ballotsFor(meetingId, a.user.id), meetings.consultationFor(meetingId)]);
      others.catch(() => {});
      await state.addPresence(a, socket.id);
      const st = await state.snapshot(meetingId);
      const [[ballots, consultationId], you] = await Promise.all([others, state.you(a, st)]);
      return { state: st, ballots, you, consultationId };
    });

    router.on(socket, 'meeting:leave', MeetingLeave, async () => {
      await leave(socket);
      return {};
    });

    const v = (s: { version: number }) => ({ version: s.version });

    router.on(socket, 'meeting:agenda_move', AgendaMove, async (p) =>
      v(await meetings.moveAgenda(await accessOf(socket, p.meetingId), p.itemId)),
    );
    router.on(socket, 'meeting:agenda_add', AgendaAddEvent, async (p) => {
      const { stored, itemId } = await meetings.addAgendaItem(await accessOf(socket, p.meetingId), p.item);
      return { version: stored.version, itemId };
    });
    router.on(socket, 'meeting:agenda_edit', AgendaEditEvent, async (p) =>
      v(await meetings.editAgendaItem(await accessOf(socket, p.meetingId), p.itemId, p.patch)),
    );
    router.on(socket, 'meeting:agenda_reorder', AgendaReorderEvent, async (p) =>
      v(await meetings.reorderAgenda(await accessOf(socket, p.meetingId), p.itemIds)),
    );
    router.on(socket, 'meeting:agenda_delete', AgendaDeleteEvent, async (p) =>
      v(await meetings.deleteAgendaItem(await accessOf(socket, p.meetingId), p.itemId)),
    );
    router.on(socket, 'meeting:speaker_next', SpeakerNext, async (p) =>
      v(await meetings.speakerNext(await accessOf(socket, p?.meetingId))),
    );
    router.on(socket, 'meeting:speaker_reorder', SpeakerReorder, async (p) =>
      v(await meetings.speakerReorder(await accessOf(socket, p.meetingId), p.userIds)),
    );
    router.on(socket, 'meeting:speaker_lower', SpeakerLower, async (p) =>
      v(await meetings.speakerLower(await accessOf(socket, p.meetingId), p.userId)),
    );
    router.on(socket, 'meeting:status', MeetingStatusChange, async (p) => ({
      meeting: await meetings.update(await accessOf(socket, p.meetingId), { status: p.status }),
    }));

    router.on(socket, 'meeting:hand', HandRaise, async (p) => {
      const a = await accessOf(socket, p.meetingId);
      const s = await meetings.hand(a, p.raised);
      return { queuePosition: queuePosition(s.live, a.user.id) };
    });
    router.on(socket, 'meeting:react', ReactionSet, async (p) => {
      await meetings.react(await accessOf(socket, p.meetingId), p.reaction);
      return {};
    });

    router.on(socket, 'motion:propose', MotionPropose, async (p) => meetings.propose(await accessOf(socket, p.meetingId), p.text));
    router.on(socket, 'motion:second', MotionRef, async (p) => v(await meetings.second(await accessOf(socket, p.meetingId), p.motionId)));
    router.on(socket, 'motion:withdraw', MotionRef, async (p) =>
      v(await meetings.withdraw(await accessOf(socket, p.meetingId), p.motionId)),
    );
    router.on(socket, 'motion:to_ballot', MotionRef, async (p) => meetings.toBallot(await accessOf(socket, p.meetingId), p.motionId));
  };
}
