/**
 * The live document server on `/yjs/<docName>`: raw `ws` (noServer), y-protocols sync and
 * awareness, written here (ARCHITECTURE.md "Live documents"). It authenticates the upgrade from the
 * session cookie and lets `authorize` decide writer, reader or refusal; loads each document once
 * per process (every joiner shares the load); stores every accepted update in the document's Redis
 * stream before anyone sees it; follows other processes through one blocking stream read; relays
 * awareness through pub/sub (never stored); compacts with compare-and-set; unloads idle documents.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import * as Y from 'yjs';
import { WebSocketServer, WebSocket } from 'ws';
import type { Logger } from '../logger.ts';
import type { Redis } from '../redis/connection.ts';
import type { AuthService } from '../auth/auth.service.ts';
import type { StoredUser } from '../auth/auth.repository.ts';
import { readCookie, SESSION_COOKIE } from '../auth/auth.middleware.ts';
import { newId } from '../common/ids.ts';
import { refuseUpgrade, type UpgradeGateway } from '../realtime/upgrade.ts';
import { isSameOrigin } from '../http/origin.ts';
import { CLOSE, type DocLimits } from './yjs.limits.ts';
import { DocsRepository } from './yjs.repository.ts';
import { DocRooms } from './yjs.rooms.ts';
import { Conn, DocRoom, DocTooLargeError, type Role } from './yjs.room.ts';
import { binaryFrame, writeFrame } from './yjs.broadcast.ts';
import {
  decodeMessage,
  encodePermissionDenied,
  encodeSyncStep1,
  encodeSyncStep2,
  filterAwareness,
  READ_ONLY_REASON,
  updateEnds,
} from './yjs.protocol.ts';

/** Who may open a document: a role, or why not (→ 404 / 403). */
export type Authorize = (user: StoredUser, docName: string) => Promise<Role | 'not_found' | 'forbidden'>;

export interface DocServerDeps {
  redis: Redis;
  newRedis: (name: string, opts?: { blocking?: boolean }) => Promise<Redis>;
  logger: Logger;
  limits: DocLimits;
  auth: AuthService;
  authorize: Authorize;
}

export class DocServer implements UpgradeGateway {
  readonly processId = newId();
  readonly repo: DocsRepository;
  readonly rooms: DocRooms;
  readonly #wss: WebSocketServer;
  #stopping = false;
  #revalidate: NodeJS.Timeout | null = null;
  #revalidating = false;
  readonly counters = { updatesStored: 0, updatesDropped: 0, connections: 0, writersSlowed: 0, writersTold: 0 };

  constructor(private readonly deps: DocServerDeps) {
    this.repo = new DocsRepository(deps.redis);
    // A little over the message limit: larger frames are cut off by ws itself before buffering.
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: deps.limits.maxMessageBytes * 4 + 1024, perMessageDeflate: false });
    this.rooms = new DocRooms({
      repo: this.repo,
      redis: deps.redis,
      newRedis: deps.newRedis,
      logger: deps.logger,
      limits: deps.limits,
      processId: this.processId,
      send: (c, d) => this.#send(c, d),
      broadcast: (conns, d, except) => this.#broadcast(conns, d, except),
      onDrained: (room) => this.#resumeWriters(room),
    });
  }

  async start(): Promise<void> {
    await this.rooms.start();
    this.#revalidate = setInterval(() => void this.#revalidateAll(), Math.max(200, this.deps.limits.revalidateMs));
  }

  /**
   * Long-lived sockets must not outlive their right to be open: a signed-out session closes the
   * socket (4401), a lost permission too (4403), and a writer who is now only a reader is told so.
   */
  async #revalidateAll(): Promise<void> {
    if (this.#revalidating) return;
    this.#revalidating = true;
    try {
      for (const room of this.rooms.all()) {
        for (const conn of [...room.conns]) {
          if (conn.closed) continue;
          const auth = await this.deps.auth.resolveSession(conn.sid).catch(() => undefined);
          if (auth === undefined) continue; // Redis away: decide next time.
          if (!auth || auth.user.id !== conn.userId) {
            this.#close(conn, CLOSE.signedOut);
            continue;
          }
          const role = await this.deps.authorize(auth.user, room.name).catch(() => null);
          if (role === 'not_found' || role === 'forbidden') this.#close(conn, CLOSE.noAccess);
          else if (role && role !== conn.role) {
            conn.role = role;
            conn.toldReadOnly = false;
            if (role === 'reader') this.#tellReadOnly(conn);
          }
        }
      }
    } finally {
      this.#revalidating = false;
    }
  }

  // ---- upgrade and connections -------------------------------------------------------------

  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, docName: string): Promise<void> {
    if (this.#stopping) return refuseUpgrade(socket, 503, 'Service Unavailable');
    if (!isSameOrigin(req.headers)) return refuseUpgrade(socket, 403, 'Forbidden');
    const sid = readCookie(req.headers.cookie, SESSION_COOKIE);
    const auth = await this.deps.auth.resolveSession(sid);
    if (!auth) return refuseUpgrade(socket, 401, 'Unauthorized');
    const role = await this.deps.authorize(auth.user, docName);
    if (role === 'not_found') return refuseUpgrade(socket, 404, 'Not Found');
    if (role === 'forbidden') return refuseUpgrade(socket, 403, 'Forbidden');
    let room: DocRoom;
    try {
      room = await this.rooms.hold(docName);
    } catch (err) {
      this.deps.logger.error({ err, doc: docName }, 'document load failed');
      return refuseUpgrade(socket, 503, 'Service Unavailable');
    }
    try {
      if (this.#stopping) return refuseUpgrade(socket, 503, 'Service Unavailable');
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#onConnection(ws, room, role, auth.user.id, sid!));
    } finally {
      this.rooms.release(room);
    }
  }

  #onConnection(ws: WebSocket, room: DocRoom, role: Role, userId: string, sid: string): void {
    const conn = new Conn(ws, role, userId, sid, this.deps.limits);
    if (room.conns.size >= this.deps.limits.maxClientsPerDoc) {
      ws.close(CLOSE.docFull.code, `${CLOSE.docFull.reason} (max ${this.deps.limits.maxClientsPerDoc})`);
      return;
    }
    this.counters.connections++;
    room.conns.add(conn);
    this.rooms.idleCheck(room);
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => this.#onMessage(room, conn, toBytes(data)));
    ws.on('pong', () => (conn.alive = true));
    ws.on('error', (err) => this.deps.logger.debug({ err: err.message, doc: room.name }, 'yjs socket error'));
    ws.on('close', () => {
      conn.closed = true;
      room.removeConn(conn);
    });
    this.#send(conn, encodeSyncStep1(Y.encodeStateVector(room.doc)));
    const aw = room.awarenessSnapshot();
    if (aw) this.#send(conn, aw);
    if (role === 'reader') this.#tellReadOnly(conn);
  }

  #onMessage(room: DocRoom, conn: Conn, data: Uint8Array): void {
    if (conn.closed) return;
    const limits = this.deps.limits;
    if (data.length > limits.maxMessageBytes) return this.#close(conn, CLOSE.messageTooLarge, `max ${limits.maxMessageBytes} bytes`);
    let msg: ReturnType<typeof decodeMessage>;
    try {
      msg = decodeMessage(data);
    } catch {
      return this.#close(conn, CLOSE.malformed);
    }
    switch (msg.kind) {
      case 'sync_step1': {
        let update: Uint8Array;
        try {
          update = Y.encodeStateAsUpdate(room.doc, msg.stateVector);
        } catch {
          return this.#close(conn, CLOSE.malformed);
        }
        return this.#send(conn, encodeSyncStep2(update));
      }
      case 'sync_step2':
      case 'update': {
        if (conn.role !== 'writer') {
          this.counters.updatesDropped++;
          return this.#tellReadOnly(conn);
        }
        if (!conn.takeToken(limits)) return this.#close(conn, CLOSE.rateLimited, `max ${limits.updatesPerSecond}/s`);
        const ends = updateEnds(msg.update);
        if (!ends) return this.#close(conn, CLOSE.malformed);
        if (room.holdsAll(msg.update, ends)) return;
        // A bounded write queue: past the bound the writer is slowed, past twice it is told. An
        // update larger than the bound still goes through an empty queue (a re-sync after busy).
        const queued = room.queuedBytes;
        if (queued > 0 && queued + msg.update.length > 2 * limits.maxQueuedBytes) {
          this.counters.writersTold++;
          return this.#close(conn, CLOSE.busy);
        }
        if (queued > 0 && queued + msg.update.length > limits.maxQueuedBytes) this.#pause(room, conn);
        room.submit(msg.update, conn).then(
          () => this.counters.updatesStored++,
          (err: unknown) => {
            if (err instanceof DocTooLargeError) return this.#close(conn, CLOSE.docTooLarge, `max ${limits.maxDocBytes} bytes`);
            this.deps.logger.error({ err, doc: room.name }, 'storing a document update failed');
            this.#close(conn, CLOSE.storeFailed);
          },
        );
        return;
      }
      case 'awareness': {
        if (conn.role !== 'writer') return this.#tellReadOnly(conn);
        let filtered: ReturnType<typeof filterAwareness>;
        try {
          // A client may speak for the ids it announced, not for someone else's connection.
          filtered = filterAwareness(msg.update, (id) => conn.clientIds.has(id) || !room.owners.has(id), limits.maxAwarenessBytes);
        } catch {
          return this.#close(conn, CLOSE.malformed);
        }
        if (!filtered) return;
        for (const id of filtered.clientIds) {
          conn.clientIds.add(id);
          room.owners.set(id, conn);
        }
        room.applyAwareness(filtered.update, conn);
        for (const id of filtered.removedIds) {
          conn.clientIds.delete(id);
          room.owners.delete(id);
        }
        return;
      }
      case 'query_awareness': {
        const aw = room.awarenessSnapshot();
        if (aw) this.#send(conn, aw);
        return;
      }
      default:
        return; // Unknown message types are ignored, as y-websocket does.
    }
  }

  /** Stops reading a writer's socket (TCP pushes back on the client) until the queue is shorter. */
  #pause(room: DocRoom, conn: Conn): void {
    if (conn.paused) return;
    conn.paused = true;
    this.counters.writersSlowed++;
    room.paused.add(conn);
    conn.ws.pause();
  }

  #resumeWriters(room: DocRoom): void {
    if (room.paused.size === 0 || room.queuedBytes > this.deps.limits.maxQueuedBytes / 2) return;
    for (const c of room.paused) {
      c.paused = false;
      if (!c.closed) c.ws.resume();
    }
    room.paused.clear();
  }

  #tellReadOnly(conn: Conn): void {
    if (conn.toldReadOnly) return;
    conn.toldReadOnly = true;
    // The y-protocols auth message, so any y-websocket client understands it (a private message
    // type made stock clients print "Unable to compute message"); the socket stays open for reading.
    this.#send(conn, encodePermissionDenied(READ_ONLY_REASON));
  }

  #send(conn: Conn, data: Uint8Array): void {
    if (conn.closed || conn.ws.readyState !== WebSocket.OPEN) return;
    if (conn.ws.bufferedAmount > this.deps.limits.maxBufferedBytes) return this.#close(conn, CLOSE.tooSlow);
    conn.lastSentAt = Date.now();
    conn.ws.send(data);
  }

  /** `#send` to many, with the WebSocket frame built once for all of them. */
  #broadcast(conns: Iterable<Conn>, data: Uint8Array, except?: unknown): void {
    const now = Date.now();
    const max = this.deps.limits.maxBufferedBytes;
    let frame: Buffer | null = null;
    for (const conn of conns) {
      if (conn === except || conn.closed || conn.ws.readyState !== WebSocket.OPEN) continue;
      if (conn.ws.bufferedAmount > max) {
        this.#close(conn, CLOSE.tooSlow);
        continue;
      }
      conn.lastSentAt = now;
      frame ??= binaryFrame(data);
      if (!writeFrame(conn.ws, frame)) conn.ws.send(data);
    }
  }

  #close(conn: Conn, why: { code: number; reason: string }, detail?: string): void {
    if (conn.closed) return;
    conn.closed = true;
    // A paused socket would not read the client's closing handshake.
    if (conn.paused) conn.ws.resume();
    const reason = detail ? `${why.reason} (${detail})` : why.reason;
    conn.ws.close(why.code, reason.slice(0, 120));
  }

  // ---- server-side reads and edits ---------------------------------------------------------

  /** Runs `fn` on the current document (loaded here, or read from the store for the occasion). */
  async read<T>(name: string, fn: (doc: Y.Doc) => T): Promise<T> {
    if (this.rooms.get(name)) {
      const room = await this.rooms.hold(name);
      try {
        await this.rooms.catchUp(room);
        return fn(room.doc);
      } finally {
        this.rooms.release(room);
      }
    }
    const temp = new DocRoom(name, {
      repo: this.repo,
      limits: this.deps.limits,
      processId: this.processId,
      send: () => {},
      broadcast: () => {},
      onIdleCheck: () => {},
      onError: () => {},
    });
    try {
      await temp.load();
      return fn(temp.doc);
    } finally {
      temp.destroy();
    }
  }

  /**
   * A server-side edit (restore, accepted suggestion, demo): `fn` changes a copy of the current
   * document; the resulting update goes through the same path as a client's (stored, then
   * broadcast), so live clients see it at once. Returns the value of `fn`.
   */
  async edit<T>(name: string, fn: (doc: Y.Doc) => T): Promise<T> {
    const room = await this.rooms.hold(name);
    try {
      await this.rooms.catchUp(room);
      const scratch = new Y.Doc({ gc: true });
      Y.applyUpdate(scratch, Y.encodeStateAsUpdate(room.doc));
      const updates: Uint8Array[] = [];
      scratch.on('update', (u: Uint8Array) => updates.push(u));
      const result = scratch.transact(() => fn(scratch));
      scratch.destroy();
      if (updates.length) await room.submit(updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates), null);
      return result;
    } finally {
      this.rooms.release(room);
    }
  }

  stats() {
    const mem = process.memoryUsage();
    return { processId: this.processId, ...this.rooms.stats(), ...this.counters, rss: mem.rss, heapUsed: mem.heapUsed };
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.#revalidate) clearInterval(this.#revalidate);
    for (const room of this.rooms.all()) for (const c of room.conns) this.#close(c, CLOSE.shutdown);
    await this.rooms.stop();
    this.#wss.close();
  }
}

function toBytes(data: Buffer | ArrayBuffer | Buffer[]): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}
