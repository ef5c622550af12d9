/**
 * Redis-backed limits on failed attempts (login, join, invitation codes). Only failures count, so a
 * hall of 300 phones behind one NAT address signing in with valid slips is never refused.
 */
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { DomainError } from '@linli/shared';
import type { Redis } from '../redis/connection.ts';

export interface FailureLimit {
  name: string;
  /** Failures allowed in the window. */
  points: number;
  /** Window in seconds. */
  duration: number;
  /** Once over, blocked for this many seconds. */
  blockDuration?: number;
}

export class FailureLimiter {
  readonly #limiter: RateLimiterRedis;
  constructor(redis: Redis, readonly limit: FailureLimit) {
    this.#limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `rl:${limit.name}`,
      points: limit.points,
      duration: limit.duration,
      blockDuration: limit.blockDuration ?? limit.duration,
    });
  }

  /** Throws 429 rate_limited when `key` has used up its failures. */
  async check(key: string): Promise<void> {
    const res = await this.#limiter.get(key);
    if (res && res.consumedPoints >= this.limit.points) throw tooMany(res);
  }

  /** Records one failure for each key. */
  async fail(...keys: string[]): Promise<void> {
    await Promise.all(keys.map((k) => this.#limiter.penalty(k, 1)));
  }

  async reset(key: string): Promise<void> {
    await this.#limiter.delete(key);
  }
}

function tooMany(res: RateLimiterRes): DomainError {
  const retryAfter = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  return new DomainError('rate_limited', `Too many failed attempts. Try again in ${retryAfter} s. 尝试次数过多，请稍后再试。`, {
    retryAfter,
  });
}
