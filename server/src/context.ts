/** What every feature gets: config, logger and Redis. Features build their services from it. */
import type { Config } from './config.ts';
import type { Logger } from './logger.ts';
import type { Redis } from './redis/connection.ts';

export interface AppContext {
  config: Config;
  logger: Logger;
  /** Commands. Never used for blocking reads. */
  redis: Redis;
  /** Opens another connection to the same Redis (for blocking reads, subscribers). */
  newRedis(name: string, opts?: { blocking?: boolean; offlineQueue?: boolean }): Promise<Redis>;
  /** Set once shutdown begins: long loops should stop. */
  stopping: AbortSignal;
}
