/** Socket.IO on /socket.io: Redis streams adapter, connection-state recovery, cookie auth. */
import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents, SocketData } from '@linli/shared';
import type { AppContext } from '../context.ts';
import { readCookie, SESSION_COOKIE } from '../auth/auth.middleware.ts';
import { isSameOrigin } from '../http/origin.ts';
import type { AuthService } from '../auth/auth.service.ts';

export type LinliIO = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type LinliSocket = Parameters<Parameters<LinliIO['on']>[1]>[0];

/**
 * The adapter's XREAD loop gets its own connection that queues while Redis is away: with a
 * fail-fast connection the loop would spin on rejected reads and starve the event loop.
 */
export async function createIO(server: HttpServer, ctx: AppContext, auth: AuthService): Promise<LinliIO> {
  const adapterRedis = await ctx.newRedis('socket.io', { blocking: true, offlineQueue: true });
  const io: LinliIO = new Server(server, {
    path: '/socket.io',
    // Our own upgrade router destroys sockets of unknown paths; engine.io must leave them alone.
    destroyUpgrade: false,
    serveClient: false,
    maxHttpBufferSize: 1e6,
    // Cross-site WebSocket hijacking: another site's page must not open a socket with our cookie.
    // Checked on every engine.io handshake (polling or WebSocket), as REST and Yjs check it.
    allowRequest: (req, callback) => {
      const ok = isSameOrigin(req.headers);
      callback(ok ? null : 'cross-site handshake refused', ok);
    },
    adapter: createAdapter(adapterRedis, { streamName: 'linli:socket.io', maxLen: 10_000 }),
    connectionStateRecovery: { maxDisconnectionDuration: 2 * 60 * 1000, skipMiddlewares: true },
  });

  io.use(async (socket, next) => {
    try {
      const found = await auth.resolveSession(readCookie(socket.handshake.headers.cookie, SESSION_COOKIE));
      socket.data.userId = found?.user.id ?? null;
      if (found?.session.meetingId) socket.data.meetingId = found.session.meetingId;
      if (found) socket.data.sid = found.session.sid;
      next();
    } catch (err) {
      ctx.logger.warn({ err: (err as Error).message }, 'socket handshake failed');
      next(new Error('unavailable'));
    }
  });
  // One room per session, so signing out reaches that session's sockets on every process.
  io.on('connection', (socket) => {
    if (socket.data.sid) void socket.join(sessionRoom(socket.data.sid));
  });
  return io;
}

/** The Socket.IO room of one session's sockets. */
export const sessionRoom = (sid: string): string => `session:${sid}`;

/** Tells a session's sockets (on every process) that it has ended, and closes them. */
export function endSessionSockets(io: LinliIO, sid: string, reason: string): void {
  io.to(sessionRoom(sid)).emit('session:expired', { reason });
  io.in(sessionRoom(sid)).disconnectSockets(true);
}
