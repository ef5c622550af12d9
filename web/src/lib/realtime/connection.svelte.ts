/**
 * One Socket.IO connection for the page, with its state as a rune the ConnectionBadge shows.
 * socket.io-client reconnects by itself (backoff); the server's connection-state recovery
 * replays what was missed, and callers re-join their rooms on every (re)connect to be exact.
 */
import { io, type Socket } from 'socket.io-client';
import type { Ack, AckData, ClientToServerEvents, EventPayload, ServerToClientEvents } from '@linli/shared';

export type LinliClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
/** A client event of the shared map (shared/src/socket.ts). */
export type LiveEvent = keyof ClientToServerEvents;
/** The ack of a client event: its data when ok, else the error (no answer in time is `code: 'timeout'`). */
export type LiveAck<E extends LiveEvent> = Ack<AckData<E>>;

/** socket.io-client's `emitWithAck` as the shared map types it, one event at a time (see emitWithAck). */
interface AckingSender {
  emitWithAck<E extends LiveEvent>(event: E, payload: EventPayload<E>): Promise<LiveAck<E>>;
}

/**
 * Sends a client event and resolves with its ack; never rejects. Event name, payload and ack come
 * from the shared map. For a generic event TypeScript cannot split socket.io-client's parameter list
 * (payload, then ack), and after `.timeout()` it types the ack as `any`; so the call goes through
 * the untyped socket, and AckingSender gives it back the map's types, one event at a time.
 */
export async function emitWithAck<E extends LiveEvent>(
  socket: LinliClientSocket,
  event: E,
  payload: EventPayload<E>,
  timeoutMs = 10_000,
): Promise<LiveAck<E>> {
  const plain: Socket = socket;
  const sender: AckingSender = plain.timeout(timeoutMs);
  try {
    return await sender.emitWithAck(event, payload);
  } catch {
    return { ok: false, error: { code: 'timeout', message: '' } };
  }
}

export type ConnectionState = 'online' | 'connecting' | 'offline';

export class LiveConnection {
  readonly socket: LinliClientSocket;
  state = $state<ConnectionState>('connecting');
  /** The phone's own network (navigator.onLine): off means "your phone has no network", not "the server is down". */
  networkUp = $state(typeof navigator === 'undefined' ? true : navigator.onLine);

  constructor() {
    // Rendering on the server (the phone page is server-rendered): a socket that never connects.
    const browser = typeof window !== 'undefined';
    this.socket = io(browser ? undefined : 'http://localhost', {
      path: '/socket.io',
      transports: ['websocket', 'polling'],
      withCredentials: true,
      autoConnect: browser,
    });
    this.socket.on('connect', () => (this.state = 'online'));
    this.socket.on('disconnect', () => (this.state = 'offline'));
    this.socket.io.on('reconnect_attempt', () => (this.state = this.state === 'online' ? 'connecting' : 'offline'));
    // Signed out (here or on another device): the server closes the socket for good; reloading
    // shows the page as it is for someone signed out (join by code, or sign in).
    this.socket.on('session:expired', () => {
      if (browser) window.location.reload();
    });
    // Browsers tell us when the network is gone before the socket notices.
    if (typeof window !== 'undefined') {
      window.addEventListener('offline', () => {
        this.state = 'offline';
        this.networkUp = false;
      });
      window.addEventListener('online', () => {
        this.networkUp = true;
        this.socket.connect();
      });
    }
  }

  /** Runs `fn` now if connected and after every reconnect (rejoining rooms, refreshing state). */
  onEveryConnect(fn: () => void): void {
    this.socket.on('connect', fn);
    if (this.socket.connected) fn();
  }

  close(): void {
    this.socket.disconnect();
  }
}
