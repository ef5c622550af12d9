/**
 * Ballots on Socket.IO: `ballot:cast` (ack after Redis answered), and the events sent to the
 * meeting's room: `ballot:opened`, `ballot:tally` (coalesced), `ballot:closed`, `ballot:published`.
 */
import { BallotCast, type Ballot } from '@linli/shared';
import type { AuthService } from '../auth/auth.service.ts';
import type { Logger } from '../logger.ts';
import { meetingRoom } from '../meetings/meetings.socket.ts';
import type { SocketRouter } from '../realtime/router.ts';
import type { LinliIO, LinliSocket } from '../realtime/socket.ts';
import type { BallotsCasting } from './ballots.cast.ts';
import type { BallotEvent, BallotsService } from './ballots.service.ts';

/** Smallest gap between two tally broadcasts of one ballot, across all processes. */
export const TALLY_GAP_MS = 250;

/**
 * Coalesces `ballot:tally` per ballot across every process: a broadcast needs the ballot's gate in
 * Redis (SET NX PX 250), so all processes together send at most one per gap. A process that
 * accepted a vote and finds the gate taken tries again when it expires, and each broadcast counts
 * what Redis holds at that moment: the last one after the last vote carries the final tally.
 */
export class TallyBroadcaster {
  readonly #pending = new Map<string, { timer: NodeJS.Timeout | null; dirty: boolean; running: boolean }>();
  #stopped = false;

  constructor(
    private readonly io: LinliIO,
    private readonly ballots: BallotsService,
    private readonly logger: Logger,
    private readonly gapMs = TALLY_GAP_MS,
  ) {}

  schedule(ballotId: string): void {
    if (this.#stopped) return;
    let e = this.#pending.get(ballotId);
    if (!e) this.#pending.set(ballotId, (e = { timer: null, dirty: false, running: false }));
    e.dirty = true;
    if (e.timer || e.running) return;
    e.timer = setTimeout(() => void this.#attempt(ballotId), 0);
  }

  async #attempt(ballotId: string): Promise<void> {
    const e = this.#pending.get(ballotId);
    if (!e || this.#stopped) return;
    e.timer = null;
    e.running = true;
    try {
      const gate = await this.ballots.repo.takeGate(ballotId, this.gapMs);
      if (!gate.taken) {
        e.timer = setTimeout(() => void this.#attempt(ballotId), gate.waitMs + 1);
        return;
      }
      // Cleared before reading: a vote acknowledged after this read marks the ballot again.
      e.dirty = false;
      const ballot = await this.ballots.require(ballotId);
      const result = await this.ballots.result(ballot, { fresh: true });
      this.io.to(meetingRoom(ballot.meetingId)).emit('ballot:tally', { ballotId, result });
    } catch (err) {
      this.logger.warn({ err: (err as Error).message, ballotId }, 'tally broadcast failed');
      e.timer = setTimeout(() => void this.#attempt(ballotId), this.gapMs);
      return;
    } finally {
      e.running = false;
    }
    if (e.dirty && !e.timer) e.timer = setTimeout(() => void this.#attempt(ballotId), 0);
    else if (!e.dirty && !e.timer) this.#pending.delete(ballotId);
  }

  stop(): void {
    this.#stopped = true;
    for (const e of this.#pending.values()) if (e.timer) clearTimeout(e.timer);
    this.#pending.clear();
  }
}

/** Sends the life-cycle events of ballots to their meeting's room. */
export function broadcastBallotEvents(io: LinliIO, tally: TallyBroadcaster) {
  const room = (b: Ballot) => io.to(meetingRoom(b.meetingId));
  return (e: BallotEvent) => {
    switch (e.type) {
      case 'opened':
        room(e.ballot).emit('ballot:opened', { ballot: e.ballot });
        // The live count (or, hidden until close, the turnout only) follows at once, not at the first vote.
        tally.schedule(e.ballot.id);
        break;
      case 'voted':
        tally.schedule(e.ballot.id);
        break;
      case 'closed':
        room(e.ballot).emit('ballot:closed', { ballotId: e.ballot.id, ballot: e.ballot, result: e.result });
        break;
      case 'published':
        room(e.ballot).emit('ballot:published', { ballot: e.ballot });
        break;
      case 'proxy':
        room(e.ballot).emit('ballot:proxy', { ballotId: e.ballot.id });
        break;
      case 'notice':
        room(e.ballot).emit('ballot:notice', e.notice);
        break;
    }
  };
}

export function ballotsSocket(router: SocketRouter, auth: AuthService, ballots: BallotsService, casting: BallotsCasting) {
  return (socket: LinliSocket) => {
    router.on(socket, 'ballot:cast', BallotCast, async (p) => {
      const user = socket.data.userId ? await auth.getUser(socket.data.userId) : null;
      const { ballot, a } = await ballots.access(user, { meetingId: socket.data.meetingId }, p.ballotId);
      const out = await casting.castOnline(a, ballot, p);
      return { receipt: out.receipt, voters: out.voters, repeated: out.repeated, ...(out.changed ? { changed: true } : {}) };
    });
  };
}
