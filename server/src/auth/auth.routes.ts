/** POST /api/auth/login, POST /api/auth/logout, GET /api/me, PATCH /api/me. */
import { Router } from 'express';
import { DisplayNameUpdate, DomainError, LoginRequest, parseOrThrow } from '@linli/shared';
import { refuseWhileWaiting, withWait, type FailureLimiter } from '../http/rate-limit.ts';
import type { KnownDevices } from './auth.devices.ts';
import { clearSessionCookie, requireUser, setSessionCookie } from './auth.middleware.ts';
import { publicUser, type AuthService } from './auth.service.ts';

export interface LoginLimits {
  /** Failed logins per address; the allowance grows with the accounts signed in from there. */
  perAddress: FailureLimiter;
  /** Failed passwords per (account, address), or per (account, browser that signed in before). */
  perAccountClient: FailureLimiter;
  /** Failed passwords per account from everywhere; browsers it signed in from before are exempt. */
  perAccount: FailureLimiter;
  devices: KnownDevices;
}

export function authRoutes(
  auth: AuthService,
  limits: LoginLimits,
  /** Called after a session ends, to close its live sockets. */
  onSignedOut: (sid: string) => void = () => {},
): Router {
  const r = Router();

  r.post('/auth/login', async (req, res) => {
    const body = parseOrThrow(LoginRequest, req.body, 'login');
    const account = body.login.toLowerCase();
    const ip = req.ip ?? 'unknown';
    // A browser that signed in to this account before has its own budget, which nobody else
    // can spend; anyone else is limited per address and, more slowly, per account.
    const device = await limits.devices.known(req, account);
    const client = `${account}|${device ? `dev:${device}` : `ip:${ip}`}`;
    await refuseWhileWaiting(
      device
        ? [limits.perAccountClient.wait(client)]
        : [limits.perAddress.wait(ip), limits.perAccountClient.wait(client), limits.perAccount.wait(account)],
    );
    let user;
    try {
      user = await auth.checkPassword(body.login, body.password);
    } catch (err) {
      if (!(err instanceof DomainError && err.code === 'invalid_credentials')) throw err;
      const waits = await Promise.all([limits.perAddress.fail(ip), limits.perAccountClient.fail(client), limits.perAccount.fail(account)]);
      throw withWait(err, device ? waits[1]! : Math.max(...waits));
    }
    const session = await auth.startSession(user.id);
    await Promise.all([
      limits.perAccountClient.succeed(client),
      limits.perAddress.succeed(ip, account),
      limits.devices.remember(req, res, account),
    ]);
    setSessionCookie(req, res, session);
    res.json({ user: publicUser(user) });
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
