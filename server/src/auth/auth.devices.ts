/**
 * Browsers that have signed in to an account before (a long-lived random cookie, remembered per
 * account in Redis). Such a browser keeps its own failure budget, so a stranger guessing an
 * account's password, from anywhere, never shuts its owner out.
 */
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { newSecret } from '../common/ids.ts';
import type { Redis } from '../redis/connection.ts';
import { readCookie } from './auth.middleware.ts';

export const DEVICE_COOKIE = 'linli_dev';
const DEVICE_TTL_SECONDS = 180 * 24 * 3600;

const digest = (token: string): string => createHash('sha256').update(token).digest('base64url').slice(0, 32);

export class KnownDevices {
  constructor(private readonly redis: Redis) {}

  #key(account: string, token: string): string {
    return `auth:device:{${account}}:${digest(token)}`;
  }

  /** This browser's device id for `account` if it signed in to it before, else null. */
  async known(req: Request, account: string): Promise<string | null> {
    const token = readCookie(req.headers.cookie, DEVICE_COOKIE);
    if (!token || token.length > 100) return null;
    return (await this.redis.exists(this.#key(account, token))) ? digest(token) : null;
  }

  /** After a successful sign-in: remember this browser for `account` (and give it a cookie). */
  async remember(req: Request, res: Response, account: string): Promise<void> {
    let token = readCookie(req.headers.cookie, DEVICE_COOKIE);
    if (!token || token.length > 100) token = newSecret();
    await this.redis.set(this.#key(account, token), '1', 'EX', DEVICE_TTL_SECONDS);
    res.cookie(DEVICE_COOKIE, token, {
      httpOnly: true,
      sameSite: 'lax',
      secure: req.secure,
      path: '/api/auth',
      maxAge: DEVICE_TTL_SECONDS * 1000,
    });
  }
}
