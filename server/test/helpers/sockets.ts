/**
 * Socket.IO clients for the server tests: connect with a session cookie (each test file keeps its
 * own list to close in afterAll), ack an event, and wait for the next `meeting:state` that matches.
 * Tests wait for the event they expect instead of sleeping.
 */
import { io as ioc, type Socket } from 'socket.io-client';

/** Connects to `url` as the session in `cookie` (none: a guest without a session); records the socket in `into`. */
export async function connectSocket(into: Socket[], url: string, cookie: string, reconnectMs = 100): Promise<Socket> {
  const s = ioc(url, {
    path: '/socket.io',
    transports: ['websocket'],
    extraHeaders: cookie ? { cookie } : {},
    reconnectionDelay: reconnectMs,
    reconnectionDelayMax: reconnectMs,
    randomizationFactor: 0,
  });
  into.push(s);
  await new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('connect_error', reject);
  });
  return s;
}

/** Emits `event` and resolves with the ack (5 s at most). */
export const ack = (s: Socket, event: string, payload: unknown = {}): Promise<any> => s.timeout(5000).emitWithAck(event, payload);

/** The next `meeting:state` on `s` that satisfies `pred` (listening starts now). */
export function stateWhere<S>(s: Socket, pred: (st: S) => boolean, ms = 5000): Promise<S> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      s.off('meeting:state', on);
      reject(new Error('no matching meeting:state'));
    }, ms);
    const on = (p: { state: S }) => {
      if (pred(p.state)) {
        clearTimeout(t);
        s.off('meeting:state', on);
        resolve(p.state);
      }
    };
    s.on('meeting:state', on);
  });
}
