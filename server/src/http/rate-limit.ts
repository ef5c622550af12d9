/**
 * Limits on failed attempts (passwords, invitation codes, meeting codes), kept in Redis so every
 * process shares them. Only failures count, and the right answer is never what gets punished:
 * - per address, the failures allowed grow with the distinct successes from that address (300
 *   phones behind a hall's NAT, some mistyping, all get in);
 * - past the allowance the address is slowed, not shut out: the next attempt waits 1 s, then 2,
 *   4, … up to a cap, and every refusal says how long (Retry-After and the message);
 * - nothing is keyed on a part of a code the real holder uses, so guessing near someone's code
 *   never blocks them.
 */
import { DomainError } from '@linli/shared';
import type { Redis } from '../redis/connection.ts';

export interface LimitRule {
  /** Failures before delays start. */
  allowed: number;
  /** Extra failures allowed per distinct success recorded with `succeed(key, what)`. */
  perSuccess?: number;
  /** Failures are forgotten this long after the latest one. */
  windowSeconds: number;
  /** The first delay (seconds); it doubles with each further failure… */
  firstDelaySeconds?: number;
  /** …up to this. */
  maxDelaySeconds: number;
}

// KEYS: failures hash, distinct-successes HyperLogLog. ARGV: allowed, perSuccess, window s, max delay s, first delay s.
// Redis' clock, so processes on several machines agree.
const FAIL = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local f = redis.call('HINCRBY', KEYS[1], 'f', 1)
local allowed = tonumber(ARGV[1])
local per = tonumber(ARGV[2])
if per > 0 then allowed = allowed + math.floor(per * redis.call('PFCOUNT', KEYS[2])) end
local wait = 0
if f >= allowed then
  wait = math.min(tonumber(ARGV[4]), tonumber(ARGV[5]) * 2 ^ math.min(f - allowed, 40))
  redis.call('HSET', KEYS[1], 'next', now + wait * 1000)
end
redis.call('PEXPIRE', KEYS[1], math.max(tonumber(ARGV[3]), wait) * 1000)
return wait
`;

export class FailureLimiter {
  constructor(
    private readonly redis: Redis,
    readonly name: string,
    readonly rule: LimitRule,
  ) {}

  // One hash tag per key: the failures and the successes of one key share a slot (Redis Cluster).
  #keys(key: string): [string, string] {
    const tag = `rl:{${this.name}:${key}}`;
    return [`${tag}:fail`, `${tag}:ok`];
  }

  /** Seconds `key` must still wait before its next attempt (0: none). */
  async wait(key: string): Promise<number> {
    // Two plain reads, not a script: they leave with the other commands of the tick in one write
    // (scripts are kept out of auto-pipelining), and every guest of a hall's burst asks this.
    const [next, [sec, usec]] = await Promise.all([this.redis.hget(this.#keys(key)[0], 'next'), this.redis.time()]);
    const ms = Number(next ?? 0) - (Number(sec) * 1000 + Math.floor(Number(usec) / 1000));
    return ms > 0 ? Math.ceil(ms / 1000) : 0;
  }

  /** Records a failure; returns the seconds the next attempt must wait (0: none). */
  async fail(key: string): Promise<number> {
    const r = this.rule;
    return Number(
      await this.redis.eval(
        FAIL,
        2,
        ...this.#keys(key),
        r.allowed,
        r.perSuccess ?? 0,
        r.windowSeconds,
        r.maxDelaySeconds,
        r.firstDelaySeconds ?? 1,
      ),
    );
  }

  /** Records a success: with `what`, one more distinct success (a bigger allowance); else a reset. */
  async succeed(key: string, what?: string): Promise<void> {
    const [fail, ok] = this.#keys(key);
    if (what === undefined || !this.rule.perSuccess) {
      await this.redis.del(fail);
      return;
    }
    await this.redis.multi().pfadd(ok, what).expire(ok, this.rule.windowSeconds).exec();
  }
}

/** 429 rate_limited, with how long to wait in the header and in both languages. */
export function tooMany(seconds: number): DomainError {
  const s = Math.max(1, Math.ceil(seconds));
  return new DomainError('rate_limited', `Too many failed attempts. Try again in ${s} s. 尝试失败次数过多，请 ${s} 秒后再试。`, {
    retryAfter: s,
  });
}

/** Throws 429 when any of the waits (in seconds) is still running, naming the longest. */
export async function refuseWhileWaiting(waits: Promise<number>[]): Promise<void> {
  const longest = Math.max(0, ...(await Promise.all(waits)));
  if (longest > 0) throw tooMany(longest);
}

/** A failed attempt's own answer, telling how long before the next one when a delay has begun. */
export function withWait(err: DomainError, seconds: number): DomainError {
  if (seconds <= 0) return err;
  const s = Math.ceil(seconds);
  return new DomainError(err.code, `${err.message} Next attempt in ${s} s. 请 ${s} 秒后再试。`, { status: err.status, retryAfter: s });
}
