/**
 * `consultation:progress` to the community's room and to a linked meeting's room, coalesced like
 * the ballots' tally: a broadcast needs the consultation's gate in Redis (SET NX PX), so all
 * processes together send at most one per gap; a change seen while the gate is taken is sent when
 * it expires, so the last broadcast after the last answer carries the final figures.
 */
import type { Logger } from '../logger.ts';
import { communityRoom } from '../communities/communities.socket.ts';
import { meetingRoom } from '../meetings/meetings.socket.ts';
import { Coalescer, type CoalescedRun } from '../realtime/coalescer.ts';
import type { LinliIO } from '../realtime/socket.ts';
import type { ConsultationsService } from './consultations.service.ts';

export const PROGRESS_GAP_MS = 500;

export class ProgressBroadcaster {
  readonly #coalescer: Coalescer;

  constructor(
    private readonly io: LinliIO,
    private readonly service: ConsultationsService,
    private readonly logger: Logger,
    private readonly gapMs = PROGRESS_GAP_MS,
  ) {
    this.#coalescer = new Coalescer({ retryOnErrorMs: gapMs }, (id) => this.#broadcast(id), {
      onError: (err, id) => this.logger.warn({ err: (err as Error).message, consultationId: id }, 'consultation progress broadcast failed'),
    });
  }

  schedule(id: string): void {
    this.#coalescer.schedule(id);
  }

  async #broadcast(id: string): Promise<CoalescedRun> {
    if (!(await this.service.repo.gate(id, this.gapMs))) return { retryInMs: this.gapMs };
    const c = await this.service.load(id);
    const [progress, result] = await Promise.all([this.service.progress(c), this.service.result(c)]);
    const payload = { consultationId: id, status: c.status as 'open', progress, questions: result.questions };
    this.io.to(communityRoom(c.stored.communityId)).emit('consultation:progress', payload);
    if (c.stored.meetingId) this.io.to(meetingRoom(c.stored.meetingId)).emit('consultation:progress', payload);
  }

  stop(): void {
    this.#coalescer.stop();
  }
}
