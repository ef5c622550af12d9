/**
 * Live deliberation: after a change, the meeting room (`meeting:<id>`, joined with meeting:join)
 * gets `questions:updated` (visible questions in order, spotlight, settings) or
 * `wordcloud:updated` (the current word cloud's visible words). Coalesced per meeting and kind:
 * the first change goes out at once, later ones within 250 ms fold into one built at its end.
 */
import type { Logger } from '../logger.ts';
import { meetingRoom } from '../meetings/meetings.socket.ts';
import { Coalescer } from '../realtime/coalescer.ts';
import type { LinliIO } from '../realtime/socket.ts';
import type { DeliberationChange, DeliberationService } from './deliberation.service.ts';

export const DELIBERATION_GAP_MS = 250;

export class DeliberationBroadcaster {
  readonly #coalescer: Coalescer<DeliberationChange>;

  constructor(
    private readonly io: LinliIO,
    private readonly service: DeliberationService,
    private readonly logger: Logger,
    gapMs = DELIBERATION_GAP_MS,
  ) {
    this.#coalescer = new Coalescer<DeliberationChange>({ gapMs }, (c) => this.#send(c), {
      keyOf: (c) => `${c.kind}\n${c.meetingId}`,
      onError: (err, c) => this.logger.warn({ err: (err as Error).message, meetingId: c.meetingId }, 'deliberation broadcast failed'),
    });
  }

  schedule(c: DeliberationChange): void {
    this.#coalescer.schedule(c);
  }

  async #send(c: DeliberationChange): Promise<void> {
    const room = this.io.to(meetingRoom(c.meetingId));
    if (c.kind === 'questions') {
      const [questions, s] = await Promise.all([this.service.questions(c.meetingId, null), this.service.settings(c.meetingId)]);
      room.emit('questions:updated', { meetingId: c.meetingId, questions, spotlightId: s.spotlight, settings: s.settings });
    } else {
      room.emit('wordcloud:updated', { meetingId: c.meetingId, wordcloud: await this.service.currentWordCloud(c.meetingId, null) });
    }
  }

  stop(): void {
    this.#coalescer.stop();
  }
}
