/**
 * `consultation:progress` to the community's room and to a linked meeting's room, coalesced like
 * the ballots' tally: a broadcast needs the consultation's gate in Redis (SET NX PX), so all
 * processes together send at most one per gap; a change seen while the gate is taken is sent when
 * it expires, so the last broadcast after the last answer carries the final figures.
 */
import type { Logger } from '../logger.ts';
import { communityRoom } from '../communities/communities.socket.ts';
import { meetingRoom } from '../meetings/meetings.socket.ts';
import type { LinliIO } from '../realtime/socket.ts';
import type { ConsultationsService } from './consultations.service.ts';

export const PROGRESS_GAP_MS = 500;

export class ProgressBroadcaster {
  readonly #pending = new Map<string, { timer: NodeJS.Timeout | null; dirty: boolean; running: boolean }>();
  #stopped = false;

  constructor(
    private readonly io: LinliIO,
    private readonly service: ConsultationsService,
    private readonly logger: Logger,
    private readonly gapMs = PROGRESS_GAP_MS,
  ) {}

  schedule(id: string): void {
    if (this.#stopped) return;
    let e = this.#pending.get(id);
    if (!e) this.#pending.set(id, (e = { timer: null, dirty: false, running: false }));
    e.dirty = true;
    if (e.timer || e.running) return;
    e.timer = setTimeout(() => void this.#attempt(id), 0);
  }

  async #attempt(id: string): Promise<void> {
    const e = this.#pending.get(id);
    if (!e || this.#stopped) return;
    e.timer = null;
    e.running = true;
    try {
      if (!(await this.service.repo.gate(id, this.gapMs))) {
        e.timer = setTimeout(() => void this.#attempt(id), this.gapMs);
        return;
      }
      e.dirty = false;
      const c = await this.service.load(id);
      const [progress, result] = await Promise.all([this.service.progress(c), this.service.result(c)]);
      const payload = { consultationId: id, status: c.status as 'open', progress, questions: result.questions };
      this.io.to(communityRoom(c.stored.communityId)).emit('consultation:progress', payload);
      if (c.stored.meetingId) this.io.to(meetingRoom(c.stored.meetingId)).emit('consultation:progress', payload);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message, consultationId: id }, 'consultation progress broadcast failed');
      e.timer = setTimeout(() => void this.#attempt(id), this.gapMs);
      return;
    } finally {
      e.running = false;
    }
    if (e.dirty && !e.timer) e.timer = setTimeout(() => void this.#attempt(id), 0);
    else if (!e.dirty && !e.timer) this.#pending.delete(id);
  }

  stop(): void {
    this.#stopped = true;
    for (const e of this.#pending.values()) if (e.timer) clearTimeout(e.timer);
    this.#pending.clear();
  }
}
