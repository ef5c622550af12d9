/**
 * Live deliberation: after a change, the meeting room (`meeting:<id>`, joined with meeting:join)
 * gets `questions:updated` (visible questions in order, spotlight, settings) or
 * `wordcloud:updated` (the current word cloud's visible words). Coalesced per meeting and kind:
 * the first change goes out at once, later ones within 250 ms fold into one built at its end.
 */
import type { Logger } from '../logger.ts';
import { meetingRoom } from '../meetings/meetings.socket.ts';
import type { LinliIO } from '../realtime/socket.ts';
import type { DeliberationChange, DeliberationService } from './deliberation.service.ts';

export const DELIBERATION_GAP_MS = 250;

export class DeliberationBroadcaster {
  readonly #pending = new Map<string, { timer: NodeJS.Timeout | null; last: number; again: boolean; running: boolean }>();
  #stopped = false;

  constructor(
    private readonly io: LinliIO,
    private readonly service: DeliberationService,
    private readonly logger: Logger,
    private readonly gapMs = DELIBERATION_GAP_MS,
  ) {}

  schedule(c: DeliberationChange): void {
    if (this.#stopped) return;
    const key = `${c.kind}\n${c.meetingId}`;
    let e = this.#pending.get(key);
    if (!e) this.#pending.set(key, (e = { timer: null, last: 0, again: false, running: false }));
    if (e.running) {
      e.again = true;
      return;
    }
    if (e.timer) return;
    e.timer = setTimeout(() => void this.#send(key, c), Math.max(0, e.last + this.gapMs - Date.now()));
  }

  async #send(key: string, c: DeliberationChange): Promise<void> {
    const e = this.#pending.get(key)!;
    Object.assign(e, { timer: null, running: true, again: false, last: Date.now() });
    try {
      const room = this.io.to(meetingRoom(c.meetingId));
      if (c.kind === 'questions') {
        const [questions, s] = await Promise.all([this.service.questions(c.meetingId, null), this.service.settings(c.meetingId)]);
        room.emit('questions:updated', { meetingId: c.meetingId, questions, spotlightId: s.spotlight, settings: s.settings });
      } else {
        room.emit('wordcloud:updated', { meetingId: c.meetingId, wordcloud: await this.service.currentWordCloud(c.meetingId, null) });
      }
    } catch (err) {
      this.logger.warn({ err: (err as Error).message, meetingId: c.meetingId }, 'deliberation broadcast failed');
    } finally {
      e.running = false;
      if (e.again) this.schedule(c);
      else if (!e.timer) this.#pending.delete(key);
    }
  }

  stop(): void {
    this.#stopped = true;
    for (const e of this.#pending.values()) if (e.timer) clearTimeout(e.timer);
    this.#pending.clear();
  }
}
