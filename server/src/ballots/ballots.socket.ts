/**
 * Ballots on Socket.IO: `ballot:cast` (ack after Redis answered), and the events sent to the
 * meeting's room: `ballot:opened`, `ballot:tally` (coalesced), `ballot:closed`, `ballot:published`.
 */
import { BallotCast, type Ballot } from '@linli/shared';
import type { Logger } from '../logger.ts';
import { meetingRoom } from '../meetings/meetings.socket.ts';
import { Coalescer, type CoalescedRun } from '../realtime/coalescer.ts';
import type { SocketRouter } from '../realtime/router.ts';
import type { LinliIO, LinliSocket } from '../realtime/socket.ts';
import type { BallotsCasting } from './ballots.cast.ts';
import type { BallotEvent, BallotsService } from './ballots.service.ts';

/** Smallest gap between two tally broadcasts of one ballot, across all processes. */
export const TALLY_GAP_MS = 150;
/** A tally goes out this long after the last vote a process accepted… */
export const TALLY_QUIET_MS = 30;
/** …or, while votes keep coming, this long after the first vote it has not yet broadcast. */
export const TALLY_MAX_WAIT_MS = 500;

/**
 * Coalesces `ballot:tally` per ballot. Each process waits for a pause in the votes it accepted
 * (TALLY_QUIET_MS), or at most TALLY_MAX_WAIT_MS during a storm, so a storm of 2,000 votes sends
 * a few tallies, not thousands, and the one after the last vote goes out at once. Across processes
 * a broadcast needs the ballot's gate in Redis (SET NX PX TALLY_GAP_MS): two broadcasts of a
 * ballot are never closer than the gap, so an older count never overtakes a newer one. Each
 * broadcast counts what Redis holds when it is read: the last one carries every vote.
 */
export class TallyBroadcaster {
  readonly #coalescer: Coalescer;

  constructor(
    private readonly io: LinliIO,
    private readonly ballots: BallotsService,
    private readonly logger: Logger,
    private readonly gapMs = TALLY_GAP_MS,
    quietMs = TALLY_QUIET_MS,
    maxWaitMs = TALLY_MAX_WAIT_MS,
  ) {
    this.#coalescer = new Coalescer({ quietMs, maxWaitMs, retryOnErrorMs: gapMs }, (ballotId) => this.#broadcast(ballotId), {
      onError: (err, ballotId) => this.logger.warn({ err: (err as Error).message, ballotId }, 'tally broadcast failed'),
    });
  }

  schedule(ballotId: string): void {
    this.#coalescer.schedule(ballotId);
  }

  async #broadcast(ballotId: string): Promise<CoalescedRun> {
    const gate = await this.ballots.repo.takeGate(ballotId, this.gapMs);
    if (!gate.taken) return { retryInMs: gate.waitMs + 1 };
    const ballot = await this.ballots.require(ballotId);
    const result = await this.ballots.result(ballot, { fresh: true });
    this.io.to(meetingRoom(ballot.meetingId)).emit('ballot:tally', { ballotId, result });
  }

  stop(): void {
    this.#coalescer.stop();
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

export function ballotsSocket(router: SocketRouter, casting: BallotsCasting) {
  return (socket: LinliSocket) => {
    router.on(socket, 'ballot:cast', BallotCast, async (p) => {
      const { ballot, a } = await casting.castAccess(socket.data.userId, { meetingId: socket.data.meetingId }, p.ballotId);
      const out = await casting.castOnline(a, ballot, p);
      return { receipt: out.receipt, voters: out.voters, repeated: out.repeated, ...(out.changed ? { changed: true } : {}) };
    });
  };
}
