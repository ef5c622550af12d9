/**
 * The documents loaded in this process and their life: one load per document shared by every
 * joiner, following other processes' edits (one blocking stream read for all), the awareness relay
 * (pub/sub), compaction (many entries, or quiet), keepalive, unloading when the last client
 * has gone and everything is stored, and repair after a gap in the stream (a failover can lose
 * entries that processes had already applied: they are appended again from memory).
 */
import * as Y from 'yjs';
import { WebSocket } from 'ws';
import type { Logger } from '../logger.ts';
import type { Redis } from '../redis/connection.ts';
import type { DocLimits } from './yjs.limits.ts';
import { compareIds, docKeys, docNameOfKey, type DocsRepository, type LogEntry } from './yjs.repository.ts';
import { DocReader } from './yjs.reader.ts';
import { DocRoom, type Conn } from './yjs.room.ts';
import { compactDoc } from './yjs.compaction.ts';
import { decodeRelay, encodeAwareness } from './yjs.protocol.ts';

export interface DocRoomsDeps {
  repo: DocsRepository;
  redis: Redis;
  newRedis: (name: string, opts?: { blocking?: boolean }) => Promise<Redis>;
  logger: Logger;
  limits: DocLimits;
  processId: string;
  /** Sends to one client (the server's backpressure-aware send). */
  send(conn: Conn, data: Uint8Array): void;
  /** One message to many clients (framed once). */
  broadcast(conns: Iterable<Conn>, data: Uint8Array, except?: unknown): void;
  /** A room's write queue got shorter. */
  onDrained?(room: DocRoom): void;
}

const EMPTY_AWARENESS = encodeAwareness(Uint8Array.of(0));

export class DocRooms {
  readonly #rooms = new Map<string, DocRoom>();
  readonly #reader: DocReader;
  readonly #background = new Set<Promise<unknown>>();
  #sub: Redis | null = null;
  #sweep: NodeJS.Timeout | null = null;
  #pingRound = 0;
  /** Store writes of rooms that have unloaded (the stats count every write since start). */
  #storeWritesGone = 0;
  /** Documents being recovered after a gap; `again` asks for one more round (another gap came). */
  readonly #recovering = new Map<string, { again: boolean }>();
  readonly counters = { loads: 0, compactions: 0, compactionConflicts: 0, recoveries: 0, repairs: 0, trimGaps: 0 };

  constructor(private readonly deps: DocRoomsDeps) {
    this.#reader = new DocReader(
      deps.redis,
      () => deps.newRedis('yjs-read', { blocking: true }),
      {
        onEntries: (name, entries) => this.#onEntries(name, entries),
        onGap: (name) => this.#recover(name),
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

  get(name: string): DocRoom | undefined {
    const r = this.#rooms.get(name);
    return r && !r.unloaded ? r : undefined;
  }

  #acquire(name: string): DocRoom {
    const existing = this.get(name);
    if (existing) return existing;
    const room = new DocRoom(name, {
      repo: this.deps.repo,
      limits: this.deps.limits,
      processId: this.deps.processId,
      send: this.deps.send,
      broadcast: this.deps.broadcast,
      onIdleCheck: (r) => this.idleCheck(r),
      onError: (err, what) => this.deps.logger.error({ err, doc: name }, what),
      onDrained: this.deps.onDrained,
    });
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
   * The loaded room of `name`, with a hold the caller must `release`. A room that unloaded while
   * we waited (its last client left just then) is loaded again.
   */
  async hold(name: string): Promise<DocRoom> {
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

  release(room: DocRoom): void {
    room.holds--;
    this.idleCheck(room);
  }

  /** Brings a loaded room up to the stream's end now (before a server-side read or edit). */
  async catchUp(room: DocRoom): Promise<void> {
    this.#reader.advance(room.name, await room.catchUp());
  }

  /** Schedules unloading of an idle room (or cancels it), and compaction after many entries. */
  idleCheck(room: DocRoom): void {
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
    if (room.sinceSnapshot >= this.deps.limits.compactEvery && !room.compacting) this.#track(this.compact(room.name));
  }

  async #unload(room: DocRoom): Promise<void> {
    await room.loaded.catch(() => {});
    await room.flushed();
    if (room.conns.size > 0 || room.holds > 0 || room.unloaded) return;
    const due = room.sinceSnapshot > 0;
    this.#drop(room);
    // Unloaded with log entries after the snapshot: fold them in now, while nobody is editing.
    if (due) {
      await this.compact(room.name);
      // That compaction kept the last grace window of the log for lagging readers; nobody will
      // compact an unloaded document again, so come back once to trim it.
      const grace = this.deps.limits.trimGraceMs;
      if (grace > 0) setTimeout(() => this.#track(compactDoc(this.deps.repo, room.name, grace)), grace + 100).unref();
    }
  }

  #drop(room: DocRoom): void {
    this.#storeWritesGone += room.storeWrites;
    room.storeWrites = 0;
    if (this.#rooms.get(room.name) === room) this.#rooms.delete(room.name);
    this.#reader.remove(room.name);
    if (!this.#rooms.has(room.name)) this.#sub?.unsubscribe(docKeys.awareness(room.name)).catch(() => {});
    room.destroy();
  }

  /**
   * After a gap (a failed read, a new master for the document's slot): catch up from the store,
   * then put back what this process holds and the store lacks. Retried every 500 ms while the
   * store is away (a failover takes seconds); one run per document at a time.
   */
  #recover(name: string): void {
    const running = this.#recovering.get(name);
    if (running) {
      running.again = true;
      return;
    }
    const state = { again: true };
    this.#recovering.set(name, state);
    this.counters.recoveries++;
    this.#track(
      (async () => {
        try {
          for (let attempt = 0; state.again && attempt < 240; attempt++) {
            const room = this.get(name);
            if (!room) return;
            state.again = false;
            try {
              this.#reader.advance(name, await room.catchUp());
              if (await this.repair(room)) this.counters.repairs++;
            } catch (err) {
              state.again = true;
              if (attempt % 20 === 0)
                this.deps.logger.warn({ err: (err as Error).message, doc: name }, 'document recovery waits for the store');
              await new Promise((r) => setTimeout(r, 500));
            }
          }
        } finally {
          this.#recovering.delete(name);
        }
      })(),
    );
  }

  /**
   * Applies entries read from the stream, then checks that none were trimmed before this process
   * read them: a compaction trims below min(now - grace, its snapshot), so a reader stalled past
   * the grace window (or a compactor with no grace) would silently skip the trimmed entries. The
   * trim mark (`t` in the snapshot hash) above the cursor this read started from says it may have.
   */
  #onEntries(name: string, entries: LogEntry[]): void {
    const room = this.#rooms.get(name);
    if (!room) return;
    const before = room.cursor;
    room.applyRemote(entries);
    this.deps.repo
      .trimmedBelow(name)
      .then((t) => {
        if (!t || compareIds(t, before) <= 0 || this.#rooms.get(name) !== room) return;
        this.counters.trimGaps++;
        room.resyncFromSnapshot = true;
        this.#recover(name);
      })
      .catch(() => {});
  }

  /**
   * Appends what `room` holds and the store does not (true when it did). Redis replicates
   * asynchronously: entries a master took (and this process applied, from its own writes or from
   * the stream) can be gone after its replica is promoted, while clients here already show them
   * and every later edit of their authors builds on them. Without this, the other processes would
   * hold those later edits as pending for good, and the authors' clients, connected here, would
   * never send them again (this process's state vector says it has them).
   */
  async repair(room: DocRoom): Promise<boolean> {
    await room.flushed();
    const stored = new DocRoom(room.name, {
      repo: this.deps.repo,
      limits: this.deps.limits,
      processId: this.deps.processId,
      send: () => {},
      broadcast: () => {},
      onIdleCheck: () => {},
      onError: () => {},
    });
    try {
      await stored.load();
      if (room.unloaded) return false;
      const missing = Y.encodeStateAsUpdate(room.doc, Y.encodeStateVector(stored.doc));
      if (stored.holdsAll(missing)) return false;
      const [r] = await this.deps.repo.append(room.name, [missing], this.deps.processId);
      // Stored but not confirmed by replicas (durable acks, a shard that just lost its replica):
      // it is in the log, which is all a repair can do; a further gap repairs again.
      if (r instanceof Error && !(r as { storedId?: string }).storedId) throw r;
      this.deps.logger.warn(
        { doc: room.name, bytes: missing.length },
        'document store lacked applied edits (failover); appended them again',
      );
      return true;
    } finally {
      stored.destroy();
    }
  }

  /** Folds the document's log into its snapshot (compare-and-set; a lost race is fine). */
  async compact(name: string): Promise<void> {
    const room = this.get(name);
    if (room) room.compacting = true;
    try {
      const r = await compactDoc(this.deps.repo, name, this.deps.limits.trimGraceMs);
      if (r.result === 'done') this.counters.compactions++;
      if (r.result === 'conflict') this.counters.compactionConflicts++;
      const live = this.get(name);
      if (live) {
        // Another process won the race: its snapshot holds our entries too.
        live.sinceSnapshot = r.result === 'conflict' ? 0 : Math.max(0, live.sinceSnapshot - r.entries);
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
    const room = name ? this.get(name) : undefined;
    if (!room) return;
    try {
      const { processId, update } = decodeRelay(new Uint8Array(message));
      if (processId !== this.deps.processId) room.applyAwareness(update, 'remote');
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
        this.#track(this.compact(room.name));
      }
      for (const c of room.conns) {
        // y-websocket clients reconnect after 30 s without a message: say something.
        if (now - c.lastSentAt >= limits.keepaliveMs) this.deps.send(c, EMPTY_AWARENESS);
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

  stats() {
    let clients = 0;
    let awarenessBroadcasts = 0;
    let storeWrites = this.#storeWritesGone;
    for (const r of this.#rooms.values()) {
      clients += r.conns.size;
      awarenessBroadcasts += r.awarenessBroadcasts;
      storeWrites += r.storeWrites;
    }
    return {
      docs: this.#rooms.size,
      clients,
      followedStreams: this.#reader.size,
      streamReads: this.#reader.reads,
      background: this.#background.size,
      awarenessBroadcasts,
      storeWrites,
      ...this.counters,
    };
  }

  /** Every loaded room (for shutdown). */
  all(): DocRoom[] {
    return [...this.#rooms.values()];
  }

  /** After the server closed every connection: waits for writes and background work, then frees all. */
  async stop(): Promise<void> {
    if (this.#sweep) clearInterval(this.#sweep);
    const rooms = this.all();
    await Promise.all(rooms.map((r) => r.flushed().catch(() => {})));
    await Promise.all([...this.#background]);
    await this.#reader.stop();
    this.#sub?.disconnect();
    for (const room of rooms) this.#drop(room);
  }
}
