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
import { CLOSE, type DocLimits } from './docs.limits.ts';
import { DocsRepository, docKeys, docNameOfKey } from './docs.repository.ts';
import { DocReader } from './docs.reader.ts';
import { Conn, DocRoom, DocTooLargeError, type Role } from './docs.room.ts';
import { compactDoc } from './docs.compaction.ts';
import {
  decodeMessage,
  decodeRelay,
  encodeAwareness,
  encodeNotice,
  encodeSyncStep1,
  encodeSyncStep2,
  filterAwareness,
  isValidUpdate,
} from './docs.protocol.ts';

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

const READ_ONLY_NOTICE = {
  type: 'read_only',
  message: 'You can read this document but not edit it; your changes are not saved. 您只能查看，修改不会保存。',
};
const EMPTY_AWARENESS = encodeAwareness(Uint8Array.of(0));

export class DocServer implements UpgradeGateway {
  readonly processId = newId();
  readonly repo: DocsRepository;
  readonly #rooms = new Map<string, DocRoom>();
  readonly #wss: WebSocketServer;
  readonly #reader: DocReader;
  readonly #snapshots = new WeakMap<DocRoom, Y.Snapshot>();
  readonly #background = new Set<Promise<unknown>>();
  #sub: Redis | null = null;
  #sweep: NodeJS.Timeout | null = null;
  #stopping = false;
  #pingRound = 0;
  readonly counters = { loads: 0, compactions: 0, compactionConflicts: 0, updatesStored: 0, updatesDropped: 0, connections: 0 };

  constructor(private readonly deps: DocServerDeps) {
    this.repo = new DocsRepository(deps.redis);
    // A little over the message limit: larger frames are cut off by ws itself before buffering.
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: deps.limits.maxMessageBytes * 4 + 1024, perMessageDeflate: false });
    this.#reader = new DocReader(
      deps.redis,
      () => deps.newRedis('yjs-read', { blocking: true }),
      {
        onEntries: (name, entries) => this.#rooms.get(name)?.applyRemote(entries),
        onGap: (name) => {
          const room = this.#rooms.get(name);
          if (room) this.#track(room.catchUp().then((id) => this.#reader.advance(name, id)));
        },
      },
      deps.logger,
      deps.limits.readBlockMs,
    );
  }

  async start(): Promise<void> {
    await this.#reader.start();
    this.#sub = await this.deps.newRedis('yjs-awareness');
    this.#sub.on('messageBuffer', (channel: Buffer, message: Buffer) => this.#onRelay(channel.toString(), message));
    const every = Math.max(250, Math.min(1000, this.deps.limits.keepaliveMs));
    this.#sweep = setInterval(() => this.#onSweep(), every);
  }

  // ---- upgrade and connections -------------------------------------------------------------

  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, docName: string): Promise<void> {
    if (this.#stopping) return refuseUpgrade(socket, 503, 'Service Unavailable');
    if (!sameOrigin(req)) return refuseUpgrade(socket, 403, 'Forbidden');
    const auth = await this.deps.auth.resolveSession(readCookie(req.headers.cookie, SESSION_COOKIE));
    if (!auth) return refuseUpgrade(socket, 401, 'Unauthorized');
    const role = await this.deps.authorize(auth.user, docName);
    if (role === 'not_found') return refuseUpgrade(socket, 404, 'Not Found');
    if (role === 'forbidden') return refuseUpgrade(socket, 403, 'Forbidden');
    let room: DocRoom;
    try {
      room = await this.#loadedRoom(docName);
    } catch (err) {
      this.deps.logger.error({ err, doc: docName }, 'document load failed');
      return refuseUpgrade(socket, 503, 'Service Unavailable');
    }
    if (this.#stopping) {
      room.holds--;
      this.#idleCheck(room);
      return refuseUpgrade(socket, 503, 'Service Unavailable');
    }
    try {
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#onConnection(ws, room, role, auth.user.id));
    } finally {
      room.holds--;
      this.#idleCheck(room);
    }
  }

  #onConnection(ws: WebSocket, room: DocRoom, role: Role, userId: string): void {
    const conn = new Conn(ws, role, userId, this.deps.limits);
    if (room.conns.size >= this.deps.limits.maxClientsPerDoc) {
      ws.close(CLOSE.docFull.code, `${CLOSE.docFull.reason} (max ${this.deps.limits.maxClientsPerDoc})`);
      return;
    }
    this.counters.connections++;
    room.conns.add(conn);
    this.#idleCheck(room);
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
        if (!isValidUpdate(msg.update)) return this.#close(conn, CLOSE.malformed);
        if (this.#addsNothing(room, msg.update)) return;
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

  /** An update the document already holds entirely (a reconnecting client's SyncStep2) is not stored again. */
  #addsNothing(room: DocRoom, update: Uint8Array): boolean {
    // Fast path (typing): the update holds structs the document does not have yet.
    try {
      const { to } = Y.parseUpdateMeta(update);
      const sv = Y.getState;
      for (const [client, clock] of to) if (clock > sv(room.doc.store, client)) return false;
    } catch {
      return false;
    }
    // Only deletions, or nothing new: compare with a snapshot (cached until the document changes).
    let snap = this.#snapshots.get(room);
    if (!snap) {
      snap = Y.snapshot(room.doc);
      this.#snapshots.set(room, snap);
    }
    try {
      return Y.snapshotContainsUpdate(snap, update);
    } catch {
      return false;
    }
  }

  #tellReadOnly(conn: Conn): void {
    if (conn.toldReadOnly) return;
    conn.toldReadOnly = true;
    this.#send(conn, encodeNotice(READ_ONLY_NOTICE));
  }

  #send(conn: Conn, data: Uint8Array): void {
    if (conn.closed || conn.ws.readyState !== WebSocket.OPEN) return;
    if (conn.ws.bufferedAmount > this.deps.limits.maxBufferedBytes) return this.#close(conn, CLOSE.tooSlow);
    conn.lastSentAt = Date.now();
    conn.ws.send(data);
  }

  #close(conn: Conn, why: { code: number; reason: string }, detail?: string): void {
    if (conn.closed) return;
    conn.closed = true;
    const reason = detail ? `${why.reason} (${detail})` : why.reason;
    conn.ws.close(why.code, reason.slice(0, 120));
  }

  // ---- rooms: load, follow, unload ---------------------------------------------------------

  #acquire(name: string): DocRoom {
    const existing = this.#rooms.get(name);
    if (existing && !existing.unloaded) return existing;
    const room = new DocRoom(name, {
      repo: this.repo,
      limits: this.deps.limits,
      processId: this.processId,
      send: (c, d) => this.#send(c, d),
      onIdleCheck: (r) => this.#idleCheck(r),
      onError: (err, what) => this.deps.logger.error({ err, doc: name }, what),
    });
    room.doc.on('update', () => this.#snapshots.delete(room));
    this.#rooms.set(name, room);
    this.counters.loads++;
    room.loaded = (async () => {
      try {
        // Subscribe first so no awareness of others is missed between load and follow.
        await this.#sub?.subscribe(docKeys.awareness(name));
        await room.load();
        this.#reader.add(name, room.cursor);
      } catch (err) {
        this.#drop(room);
        throw err;
      }
    })();
    return room;
  }

  /**
   * The loaded room of `name`, with a hold the caller must release (`holds--`, then `#idleCheck`).
   * A room that unloaded while we waited (its last client left just then) is loaded again.
   */
  async #loadedRoom(name: string): Promise<DocRoom> {
    for (;;) {
      const room = this.#acquire(name);
      room.holds++;
      try {
        await room.loaded;
      } catch (err) {
        room.holds--;
        throw err;
      }
      if (!room.unloaded) return room;
      room.holds--;
    }
  }

  #idleCheck(room: DocRoom): void {
    if (room.unloaded) return;
    const idle = room.conns.size === 0 && room.holds === 0;
    if (idle && !room.unloadTimer) {
      room.unloadTimer = setTimeout(() => {
        room.unloadTimer = null;
        this.#track(this.#unload(room));
      }, this.deps.limits.unloadDelayMs);
    } else if (!idle && room.unloadTimer) {
      clearTimeout(room.unloadTimer);
      room.unloadTimer = null;
    }
    if (room.sinceSnapshot >= this.deps.limits.compactEvery && !room.compacting) this.#track(this.#compact(room.name, room));
  }

  async #unload(room: DocRoom): Promise<void> {
    await room.loaded.catch(() => {});
    await room.flushed();
    if (room.conns.size > 0 || room.holds > 0 || room.unloaded) return;
    const due = room.sinceSnapshot > 0;
    this.#drop(room);
    // Unloaded with log entries after the snapshot: fold them in now, while nobody is editing.
    if (due) await this.#compact(room.name, null);
  }

  #drop(room: DocRoom): void {
    if (this.#rooms.get(room.name) === room) this.#rooms.delete(room.name);
    this.#reader.remove(room.name);
    if (!this.#rooms.has(room.name)) this.#sub?.unsubscribe(docKeys.awareness(room.name)).catch(() => {});
    room.destroy();
  }

  async #compact(name: string, room: DocRoom | null): Promise<void> {
    if (room) room.compacting = true;
    try {
      const r = await compactDoc(this.repo, name, this.deps.limits.trimGraceMs);
      if (r.result === 'done') this.counters.compactions++;
      if (r.result === 'conflict') this.counters.compactionConflicts++;
      const live = this.#rooms.get(name);
      if (live && !live.unloaded && r.result !== 'failed') {
        live.sinceSnapshot = Math.max(0, live.sinceSnapshot - r.entries);
        if (r.result === 'conflict') live.sinceSnapshot = 0;
        live.bytes = Y.encodeStateAsUpdate(live.doc).length;
      }
    } catch (err) {
      this.deps.logger.warn({ err, doc: name }, 'document compaction failed; will retry');
    } finally {
      if (room) room.compacting = false;
    }
  }

  #onRelay(channel: string, message: Buffer): void {
    const name = docNameOfKey(channel);
    const room = name ? this.#rooms.get(name) : undefined;
    if (!room || room.unloaded) return;
    try {
      const { processId, update } = decodeRelay(new Uint8Array(message));
      if (processId !== this.processId) room.applyAwareness(update, 'remote');
    } catch (err) {
      this.deps.logger.warn({ err, doc: name }, 'bad awareness relay message');
    }
  }

  #onSweep(): void {
    const now = Date.now();
    const limits = this.deps.limits;
    const ping = ++this.#pingRound % 15 === 0;
    for (const room of this.#rooms.values()) {
      if (room.unloaded) continue;
      if (room.sinceSnapshot > 0 && !room.compacting && !room.busy && now - room.lastUpdateAt >= limits.compactQuietMs) {
        this.#track(this.#compact(room.name, room));
      }
      for (const c of room.conns) {
        // y-websocket clients reconnect after 30 s without a message: say something.
        if (now - c.lastSentAt >= limits.keepaliveMs) this.#send(c, EMPTY_AWARENESS);
        if (ping) {
          if (!c.alive) c.ws.terminate();
          c.alive = false;
          if (c.ws.readyState === WebSocket.OPEN) c.ws.ping();
        }
      }
    }
  }

  #track<T>(p: Promise<T>): void {
    const q = p.catch((err) => this.deps.logger.error({ err }, 'document background task failed'));
    this.#background.add(q);
    void q.finally(() => this.#background.delete(q));
  }

  // ---- server-side reads and edits ---------------------------------------------------------

  /** Runs `fn` on the current document (loaded here, or read from the store for the occasion). */
  async read<T>(name: string, fn: (doc: Y.Doc) => T): Promise<T> {
    if (this.#rooms.get(name)?.unloaded === false) {
      const room = await this.#loadedRoom(name);
      try {
        this.#reader.advance(name, await room.catchUp());
        return fn(room.doc);
      } finally {
        room.holds--;
        this.#idleCheck(room);
      }
    }
    const temp = new DocRoom(name, { repo: this.repo, limits: this.deps.limits, processId: this.processId, send: () => {}, onIdleCheck: () => {}, onError: () => {} });
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
    const room = await this.#loadedRoom(name);
    try {
      this.#reader.advance(name, await room.catchUp());
      const scratch = new Y.Doc({ gc: true });
      Y.applyUpdate(scratch, Y.encodeStateAsUpdate(room.doc));
      const updates: Uint8Array[] = [];
      scratch.on('update', (u: Uint8Array) => updates.push(u));
      const result = scratch.transact(() => fn(scratch));
      scratch.destroy();
      if (updates.length) await room.submit(updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates), null);
      return result;
    } finally {
      room.holds--;
      this.#idleCheck(room);
    }
  }

  /** Compacts one document now (tests, and before a version snapshot). */
  compactNow(name: string): Promise<void> {
    return this.#compact(name, this.#rooms.get(name) ?? null);
  }

  stats() {
    let clients = 0;
    let awarenessBroadcasts = 0;
    for (const r of this.#rooms.values()) {
      clients += r.conns.size;
      awarenessBroadcasts += r.awarenessBroadcasts;
    }
    const mem = process.memoryUsage();
    return {
      processId: this.processId,
      docs: this.#rooms.size,
      clients,
      followedStreams: this.#reader.size,
      streamReads: this.#reader.reads,
      background: this.#background.size,
      awarenessBroadcasts,
      ...this.counters,
      rss: mem.rss,
      heapUsed: mem.heapUsed,
    };
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.#sweep) clearInterval(this.#sweep);
    const rooms = [...this.#rooms.values()];
    for (const room of rooms) for (const c of room.conns) this.#close(c, CLOSE.shutdown);
    await Promise.all(rooms.map((r) => r.flushed().catch(() => {})));
    await Promise.all([...this.#background]);
    await this.#reader.stop();
    this.#sub?.disconnect();
    for (const room of rooms) this.#drop(room);
    this.#wss.close();
  }
}

function toBytes(data: Buffer | ArrayBuffer | Buffer[]): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Browsers send Origin on WebSocket upgrades: another site's page must not open our documents. */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  try {
    const expected = req.headers['x-forwarded-host'] ?? req.headers.host;
    return new URL(origin).host === expected;
  } catch {
    return false;
  }
}
