/**
 * Opens and closes consultations by themselves. Every process polls the shared queue
 * `consultations:due` (a zset by ms); the Lua scripts decide, so a consultation opens and closes
 * exactly once however many processes race. A process that was down at the deadline finds the
 * entry still due on start (entries leave the queue only once the work is done, result included).
 * Answers never depend on this: record.lua refuses anything at or after the deadline by Redis TIME.
 */
import type { Logger } from '../logger.ts';
import type { ConsultationsService } from './consultations.service.ts';

export class ConsultationScheduler {
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;

  constructor(
    private readonly service: ConsultationsService,
    private readonly logger: Logger,
    private readonly everyMs = 250,
  ) {}

  start(): void {
    if (this.#timer) return;
    const loop = () => {
      this.#running = this.tick()
        .catch((err) => this.logger.error({ err }, 'consultation scheduler tick failed'))
        .finally(() => {
          this.#running = null;
          if (this.#timer) this.#timer = setTimeout(loop, this.everyMs);
        });
    };
    this.#timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running;
  }

  /** One pass over whatever is due now. */
  async tick(): Promise<void> {
    const repo = this.service.repo;
    for (const member of await repo.due(Date.now())) {
      const [what, id] = member.split(':') as ['open' | 'close', string];
      try {
        const done = what === 'open' ? await this.service.openIfDue(id) : await this.service.closeIfDue(id);
        if (done) await repo.unschedule(member);
      } catch (err) {
        if ((err as { code?: string }).code === 'not_found') await repo.unschedule(member);
        else this.logger.error({ err, consultationId: id, what }, 'consultation schedule step failed');
      }
    }
  }
}
