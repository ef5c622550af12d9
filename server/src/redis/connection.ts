/** ioredis connections: reconnect with backoff, and fail fast (no offline queue) while Redis is away. */
import { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';

export type { Redis };

export interface RedisOptions {
  /** Blocking readers (XREAD BLOCK) must not time out on a command timer. */
  blocking?: boolean;
  name?: string;
  /** Queue commands while disconnected instead of failing them (for library-owned loops). */
  offlineQueue?: boolean;
}

/** Opens a connection and resolves once it is ready. */
export async function connectRedis(url: string, logger: Logger, opts: RedisOptions = {}): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectionName: opts.name ? `linli:${opts.name}` : 'linli',
    enableOfflineQueue: opts.offlineQueue ?? false,
    maxRetriesPerRequest: opts.offlineQueue ? null : 1,
    commandTimeout: opts.blocking ? undefined : 5000,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
  });
  let down = false;
  redis.on('error', (err: Error) => {
    if (!down) logger.warn({ err: err.message, name: opts.name }, 'redis connection error');
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger.info({ name: opts.name }, 'redis connection is back');
    down = false;
  });
  await redis.connect();
  return redis;
}

/** Waits for a connection to be ready again (used by loops that survive an outage). */
export function whenReady(redis: Redis, ms = 60_000): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new Error('redis not ready'));
    }, ms);
    const onReady = () => {
      clearTimeout(t);
      resolve();
    };
    redis.once('ready', onReady);
  });
}
