/**
 * One Socket.IO connection for the page, with its state as a rune the ConnectionBadge shows.
 * socket.io-client reconnects by itself (backoff); the server's connection-state recovery
 * replays what was missed, and callers re-join their rooms on every (re)connect to be exact.
 */
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '@linli/shared';

export type LinliClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type ConnectionState = 'online' | 'connecting' | 'offline';

export class LiveConnection {
  readonly socket: LinliClientSocket;
  state = $state<ConnectionState>('connecting');
  /** The phone's own network (navigator.onLine): off means "your phone has no network", not "the server is down". */
  networkUp = $state(typeof navigator === 'undefined' ? true : navigator.onLine);

  constructor() {
    // Rendering on the server (the phone page is server-rendered): a socket that never connects.
    const browser = typeof window !== 'undefined';
    this.socket = io(browser ? undefined : 'http://localhost', { path: '/socket.io', transports: ['websocket', 'polling'], withCredentials: true, autoConnect: browser });
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
