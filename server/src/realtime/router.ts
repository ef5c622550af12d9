/**
 * One way to handle a socket event: parse the payload with its zod schema, run the handler, ack
 * `{ok:true, ...data}` or `{ok:false, error}`. Domain errors go to the client; the rest is logged
 * and masked. A per-socket token bucket stops a client flooding events.
 */
import type { Socket } from 'socket.io';
import type { z } from 'zod';
import { DomainError, validationError, type AckData, type ClientToServerEvents, type ErrorBody, type EventPayload } from '@linli/shared';
import type { Logger } from '../logger.ts';
import { isRedisUnavailable } from '../http/errors.ts';

type AnySocket = Socket<any, any, any, any>;

export interface RouterOptions {
  logger: Logger;
  /** Events per second a socket may send (burst = 2 × rate). */
  ratePerSecond?: number;
}

export function toErrorBody(err: unknown, logger: Logger, event: string): ErrorBody {
  if (err instanceof DomainError) return err.toBody();
  if (isRedisUnavailable(err))
    return { code: 'unavailable', message: 'The data store is unavailable; nothing was saved. Try again shortly.' };
  logger.error({ err, event }, 'unexpected error in socket handler');
  return { code: 'internal', message: 'Internal error.' };
}

export class SocketRouter {
  readonly #tokens = new WeakMap<AnySocket, { tokens: number; at: number }>();
  constructor(private readonly opts: RouterOptions) {}

  #allow(socket: AnySocket): boolean {
    const rate = this.opts.ratePerSecond ?? 20;
    const now = Date.now();
    const b = this.#tokens.get(socket) ?? { tokens: rate * 2, at: now };
    b.tokens = Math.min(rate * 2, b.tokens + ((now - b.at) / 1000) * rate);
    b.at = now;
    this.#tokens.set(socket, b);
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /**
   * Registers `event` on `socket`: schema → handler → ack. Typed by the shared event map
   * (shared/src/socket.ts): the event must be one of it, the schema must parse into that event's
   * payload type, and the handler must resolve with that event's ack data.
   */
  on<E extends keyof ClientToServerEvents, S extends z.ZodType<EventPayload<E>, any>>(
    socket: AnySocket,
    event: E,
    schema: S,
    handler: (payload: z.infer<S>, socket: AnySocket) => Promise<AckData<E>> | AckData<E>,
  ): void {
    socket.on(event as string, async (raw: unknown, ack?: unknown) => {
      const reply = typeof ack === 'function' ? (ack as (r: unknown) => void) : () => {};
      if (!this.#allow(socket)) {
        reply({ ok: false, error: { code: 'rate_limited', message: 'Too many events; slow down.' } });
        return;
      }
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        reply({ ok: false, error: validationError(parsed.error, event).toBody() });
        return;
      }
      try {
        const data = await handler(parsed.data, socket);
        reply({ ok: true, ...data });
      } catch (err) {
        reply({ ok: false, error: toErrorBody(err, this.opts.logger, event) });
      }
    });
  }
}
