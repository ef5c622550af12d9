/** Session cookie → `req.auth`; helpers to require a user and a permission. */
import type { Request, RequestHandler, Response } from 'express';
import { DomainError, can, type Action, type Actor } from '@linli/shared';
import type { Session, StoredUser } from './auth.repository.ts';
import type { AuthService } from './auth.service.ts';
import { SESSION_TTL_SECONDS } from './auth.service.ts';

export const SESSION_COOKIE = 'linli_sid';

declare module 'express-serve-static-core' {
  interface Request {
    auth?: { session: Session; user: StoredUser } | null;
    id?: string;
  }
}

/** Parses one cookie out of a Cookie header (also used by the socket and Yjs handshakes). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) {
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

export function authenticate(auth: AuthService): RequestHandler {
  return async (req, _res, next) => {
    req.auth = await auth.resolveSession(readCookie(req.headers.cookie, SESSION_COOKIE));
    next();
  };
}

export function setSessionCookie(req: Request, res: Response, session: Session, maxAgeSeconds = SESSION_TTL_SECONDS): void {
  res.cookie(SESSION_COOKIE, session.sid, {
    httpOnly: true,
    sameSite: 'lax',
    secure: req.secure,
    path: '/',
    maxAge: maxAgeSeconds * 1000,
  });
}

export function clearSessionCookie(req: Request, res: Response): void {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/' });
}

/** The signed-in user, or 401. */
export function requireUser(req: Request): { session: Session; user: StoredUser } {
  if (!req.auth) throw new DomainError('unauthenticated', 'Please sign in first. 请先登录。');
  return req.auth;
}

/** The signed-in user's actor in `communityId`, after checking `action`; else 401/403. */
export async function requireCan(
  auth: AuthService,
  req: Request,
  action: Action,
  resource: { communityId: string | null; building?: string },
): Promise<Actor> {
  const { user } = requireUser(req);
  const actor = await auth.actor(user, resource.communityId);
  // Someone outside the community learns nothing, not even that it exists: 404, not 403.
  if (resource.communityId && !actor.isAdmin && actor.roles.length === 0) {
    throw new DomainError('not_found', 'No such community. 小区不存在。');
  }
  if (!can(actor, action, resource)) {
    throw new DomainError('forbidden', `You may not do this (${action}). 您没有此操作的权限。`);
  }
  return actor;
}
