/** POST /api/auth/login, POST /api/auth/logout, GET /api/me, PATCH /api/me. */
import { Router } from 'express';
import { DisplayNameUpdate, DomainError, LoginRequest, parseOrThrow } from '@linli/shared';
import type { FailureLimiter } from '../http/rate-limit.ts';
import { clearSessionCookie, requireUser, setSessionCookie } from './auth.middleware.ts';
import { publicUser, type AuthService } from './auth.service.ts';

export function authRoutes(
  auth: AuthService,
  limits: { perLogin: FailureLimiter; perIp: FailureLimiter },
  /** Called after a session ends, to close its live sockets. */
  onSignedOut: (sid: string) => void = () => {},
): Router {
  const r = Router();

  r.post('/auth/login', async (req, res) => {
    const body = parseOrThrow(LoginRequest, req.body, 'login');
    const loginKey = body.login.toLowerCase();
    const ip = req.ip ?? 'unknown';
    await limits.perLogin.check(loginKey);
    await limits.perIp.check(ip);
    try {
      const user = await auth.checkPassword(body.login, body.password);
      const session = await auth.startSession(user.id);
      await limits.perLogin.reset(loginKey);
      setSessionCookie(req, res, session);
      res.json({ user: publicUser(user) });
    } catch (err) {
      if (err instanceof DomainError && err.code === 'invalid_credentials') {
        await Promise.all([limits.perLogin.fail(loginKey), limits.perIp.fail(ip)]);
      }
      throw err;
    }
  });

  r.post('/auth/logout', async (req, res) => {
    if (req.auth) {
      await auth.endSession(req.auth.session.sid);
      onSignedOut(req.auth.session.sid);
    }
    clearSessionCookie(req, res);
    res.json({ ok: true });
  });

  r.get('/me', async (req, res) => {
    const { user, session } = requireUser(req);
    res.json(await auth.me(user, session));
  });

  r.patch('/me', async (req, res) => {
    const { user, session } = requireUser(req);
    const body = parseOrThrow(DisplayNameUpdate, req.body, 'profile');
    res.json({ user: await auth.setDisplayName(user.id, body.displayName, session.meetingId) });
  });

  return r;
}
