/**
 * One document loaded in this process: its Y.Doc, awareness, connected clients and the write
 * queue. Accepted updates go to the Redis log first and are applied (and so broadcast) only after
 * Redis has stored them; a client never sees an edit that a crash could lose.
 */
import * as Y from 'yjs';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate, removeAwarenessStates } from 'y-protocols/awareness';
import type { WebSocket } from 'ws';
import type { DocLimits } from './yjs.limits.ts';
import { compareIds, type DocsRepository, type LogEntry } from './yjs.repository.ts';
import { encodeAwareness, encodeRelay, encodeUpdate } from './yjs.protocol.ts';

export type Role = 'writer' | 'reader';

/** One client connection to one document. */
export class Conn {
  tokens: number;
  tokensAt = Date.now();
  /** A read-only client has been told that its writes are dropped. */
  toldReadOnly = false;
  /** Awareness client ids this connection has announced (removed when it leaves). */
  readonly clientIds = new Set<number>();
  lastSentAt = Date.now();
  alive = true;
  closed = false;
  /** Its socket is not read while the document's write queue is over its bound. */
  paused = false;

  constructor(
    readonly ws: WebSocket,
    /** Re-decided when the session is re-checked (a writer who lost the role becomes a reader). */
    public role: Role,
    readonly userId: string,
    /** The session id it opened with (re-checked periodically). */
    readonly sid: string,
    limits: DocLimits,
  ) {
    this.tokens = limits.updatesBurst;
  }

  /** Token bucket: false when the client sends updates faster than allowed. */
  takeToken(limits: DocLimits): boolean {
    const now = Date.now();
    this.tokens = Math.min(limits.updatesBurst, this.tokens + ((now - this.tokensAt) / 1000) * limits.updatesPerSecond);
    this.tokensAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

interface PendingWrite {
  update: Uint8Array;
  origin: Conn | null;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class DocTooLargeError extends Error {}

export interface RoomDeps {
  repo: DocsRepository;
  limits: DocLimits;
  processId: string;
  /** Sends bytes to one client (handles backpressure and closing). */
  send(conn: Conn, data: Uint8Array): void;
  /** Sends one message to each of `conns` but `except` (encoded and framed once). */
  broadcast(conns: Iterable<Conn>, data: Uint8Array, except?: unknown): void;
  /** Something changed that may make the room idle or due for compaction. */
  onIdleCheck(room: DocRoom): void;
  onError(err: unknown, what: string): void;
  /** A write finished: the queue is shorter (the server resumes writers it paused). */
  onDrained?(room: DocRoom): void;
}

export class DocRoom {
  readonly doc = new Y.Doc({ gc: true });
  readonly awareness = new Awareness(this.doc);
  readonly conns = new Set<Conn>();
  /** Writers whose sockets are paused until the write queue is shorter. */
  readonly paused = new Set<Conn>();
  /** Awareness client id → the connection that announced it. */
  readonly owners = new Map<number, Conn>();
  /** Resolves once the stored state is in `doc`; sync with clients starts after it. */
  loaded!: Promise<void>;
  /** Stream id of the last log entry applied here (the reader's cursor starts from it). */
  cursor = '0-0';
  /** Set when the log was trimmed past entries this process had not read: the next catch-up reads the snapshot. */
  resyncFromSnapshot = false;
  /** Log entries written (by anyone) since the snapshot this room last knew of. */
  sinceSnapshot = 0;
  /** Encoded size estimate of the document. */
  bytes = 0;
  lastUpdateAt = Date.now();
  /** Server-side edits or joins in progress: the room must not unload meanwhile. */
  holds = 0;
  unloadTimer: NodeJS.Timeout | null = null;
  compacting = false;
  unloaded = false;
  #queue: PendingWrite[] = [];
  /** Bytes of updates queued or in flight to the store. */
  #queuedBytes = 0;
  #lastWriteAt = 0;
  /** Store writes sent and not settled yet; each settles after the one before it, in order. */
  #inFlight = 0;
  #settling: Promise<void> = Promise.resolve();
  /** Set while the next write waits for the gap after the last one. */
  #gapTimer: NodeJS.Timeout | null = null;
  /** Resolves once nothing is queued or in flight; null while idle. */
  #writing: Promise<void> | null = null;
  #idle: (() => void) | null = null;
  /** How long a broadcast to this document's clients takes (ms, moving average): sets the write gap. */
  #broadcastMs = 0;
  #awLocal = new Set<number>();
  #awRemote = new Set<number>();
  #awTimer: NodeJS.Timeout | null = null;
  /** Awareness messages sent to clients (coalesced) — for the stats and tests. */
  awarenessBroadcasts = 0;
  /** Store writes (log entries) made for clients' updates: updates stored / this = merged per write. */
  storeWrites = 0;
  #snapshot: Y.Snapshot | null = null;
  /**
   * Ids of this process's own log entries that it has applied already, ahead of the reader: the
   * reader skips exactly these. Not "every entry this process wrote": a write whose reply was lost
   * (the master died after storing it, a timeout) was refused and not applied here, yet it is in
   * the log, and every later edit of its author builds on it.
   */
  readonly #ownApplied = new Set<string>();

  constructor(
    readonly name: string,
    private readonly deps: RoomDeps,
  ) {
    this.awareness.setLocalState(null);
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      this.#snapshot = null;
      const msg = encodeUpdate(update);
      const t0 = performance.now();
      this.deps.broadcast(this.conns, msg, origin);
      this.#broadcastMs += (performance.now() - t0 - this.#broadcastMs) / 4;
    });
    this.awareness.on(
      'update',
      ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
        const set = origin instanceof Conn || origin === 'local' ? this.#awLocal : this.#awRemote;
        for (const id of [...added, ...updated, ...removed]) set.add(id);
        this.#awTimer ??= setTimeout(() => this.#flushAwareness(), this.deps.limits.awarenessFlushMs);
      },
    );
  }

  /** Reads the snapshot and the log into the doc; sync with clients starts after this. */
  async load(): Promise<void> {
    this.cursor = '0-0';
    await this.catchUp(true);
    this.bytes = Y.encodeStateAsUpdate(this.doc).length;
  }

  /**
   * Reads entries after the cursor, page by page. When a compaction has moved the snapshot past
   * the cursor (its entries may be trimmed), the snapshot is applied whole: Yjs merges it with
   * what the doc has. `all` applies this process's own entries too (a fresh load).
   */
  async catchUp(all = false): Promise<string> {
    for (;;) {
      // Entries after the cursor may have been trimmed unread: start again from the snapshot.
      const from = this.resyncFromSnapshot ? null : this.cursor;
      this.resyncFromSnapshot = false;
      const page = await this.deps.repo.loadPage(this.name, from);
      if (page.restarted) {
        if (page.snapshot) Y.applyUpdate(this.doc, page.snapshot, 'remote');
        if (page.snapshotId) this.cursor = page.snapshotId;
        this.sinceSnapshot = 0;
        // Own entries folded into the snapshot (and maybe trimmed) will not come by any more.
        for (const id of this.#ownApplied) if (compareIds(id, this.cursor) <= 0) this.#ownApplied.delete(id);
      }
      this.applyRemote(page.entries, all);
      if (page.entries.length < 1000) return this.cursor;
    }
  }

  /** Entries from the log (all are applied but our own that are already in). */
  applyRemote(entries: LogEntry[], all = false): void {
    for (const e of entries) {
      const alreadyIn = !all && e.writer === this.deps.processId && this.#ownApplied.delete(e.id);
      if (!alreadyIn) {
        Y.applyUpdate(this.doc, e.update, 'remote');
        this.bytes += e.update.length;
        this.lastUpdateAt = Date.now();
      }
      this.cursor = e.id;
      this.sinceSnapshot++;
    }
    if (entries.length) this.deps.onIdleCheck(this);
  }

  /**
   * Queues an accepted update: stored in the log, then applied and broadcast. Resolves once
   * applied; rejects when the store failed or the document would grow past its limit.
   */
  submit(update: Uint8Array, origin: Conn | null): Promise<void> {
    if (this.bytes + update.length > this.deps.limits.maxDocBytes) {
      return Promise.reject(new DocTooLargeError(`document would exceed ${this.deps.limits.maxDocBytes} bytes`));
    }
    // Reserve the room now so a burst cannot pass the limit while earlier writes are in flight.
    this.bytes += update.length;
    this.#queuedBytes += update.length;
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ update, origin, resolve, reject });
      this.#writing ??= new Promise<void>((r) => (this.#idle = r));
      this.#pump();
    });
  }

  /** Bytes of accepted updates not stored yet (queued or in flight). */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /** True while updates are waiting for Redis. */
  get busy(): boolean {
    return this.#writing !== null || this.#queue.length > 0;
  }

  /** Waits until every queued update has been stored (or failed). */
  async flushed(): Promise<void> {
    while (this.#writing) await this.#writing;
  }

  /**
   * Stores the queue in order. Everything queued when a write is sent is merged into one update
   * (Y.mergeUpdates), stored as one log entry, applied once and so broadcast as one message encoded
   * once for every connection: under load the batches grow instead of the queue.
   *
   * Up to `writesInFlight` writes are in flight at once (Redis fsyncs once per event-loop turn for
   * every write it read in that turn, so a write sent during another's fsync waits for one fsync, not
   * two); each is applied and broadcast when its reply has come and every earlier one is settled.
   * Writes are at least `writeGapPerBroadcast` × the time a broadcast to this document's clients
   * takes apart (at most `maxWriteGapMs`, and then one write at a time): broadcasts then use a
   * bounded share of the CPU, a crowded or busy document merges more per write, a quiet one writes at once.
   */
  #pump(): void {
    const limits = this.deps.limits;
    while (this.#queue.length > 0 && !this.#gapTimer) {
      const wanted = this.#broadcastMs * limits.writeGapPerBroadcast;
      // Broadcasts too slow for the capped gap to bound their CPU (a crowded document, a starved
      // CPU): one write at a time, so each broadcast ends before the next write is sent.
      if (this.#inFlight >= (wanted > limits.maxWriteGapMs ? 1 : Math.max(1, limits.writesInFlight))) break;
      const gap = Math.min(limits.maxWriteGapMs, wanted);
      const wait = this.#lastWriteAt + gap - performance.now();
      if (wait > 1) {
        this.#gapTimer = setTimeout(() => {
          this.#gapTimer = null;
          this.#pump();
        }, wait);
        return;
      }
      this.#lastWriteAt = performance.now();
      this.#write(this.#takeBatch());
    }
    if (this.#queue.length === 0 && this.#inFlight === 0 && this.#writing) {
      this.#writing = null;
      this.#idle?.();
    }
  }

  /** Sends one batch to the store; it settles after the writes sent before it. */
  #write(batch: PendingWrite[]): void {
    let merged: Uint8Array | null = null;
    if (batch.length === 1) merged = batch[0]!.update;
    else {
      try {
        merged = Y.mergeUpdates(batch.map((b) => b.update));
      } catch (err) {
        this.deps.onError(err, 'merge queued updates (storing them one by one)');
      }
    }
    const updates = merged ? [merged] : batch.map((b) => b.update);
    this.storeWrites += updates.length;
    this.#inFlight++;
    const stored = this.deps.repo.append(this.name, updates, this.deps.processId).catch((err: unknown) => updates.map(() => err as Error));
    this.#settling = this.#settling
      .then(() => stored)
      .then((results) => {
        this.#inFlight--;
        this.#queuedBytes -= batch.reduce((n, b) => n + b.update.length, 0);
        if (merged) this.#settle(batch, merged, results[0]!);
        else batch.forEach((w, i) => this.#settle([w], w.update, results[i]!));
        this.deps.onIdleCheck(this);
        this.deps.onDrained?.(this);
      })
      .catch((err: unknown) => this.deps.onError(err, 'settle a store write'))
      .finally(() => this.#pump());
  }

  /** The next batch: the whole queue, up to ~1 MB or 4,000 updates. */
  #takeBatch(): PendingWrite[] {
    let bytes = 0;
    let n = 0;
    while (n < this.#queue.length && n < 4000 && (n === 0 || bytes + this.#queue[n]!.update.length <= 1024 * 1024))
      bytes += this.#queue[n++]!.update.length;
    return this.#queue.splice(0, n);
  }

  /** Applies (and so broadcasts) a stored write, or refuses its writers. */
  #settle(batch: PendingWrite[], update: Uint8Array, r: string | Error): void {
    if (r instanceof Error) {
      // Not confirmed by replicas (durable acks) but in the log: every other process applies
      // it from there and skips nothing, so this one applies it too, or its document would
      // hold back every later edit that builds on it. The writers are still refused (they
      // re-sync); the edit is not acknowledged to them.
      const storedId = (r as { storedId?: string }).storedId;
      if (storedId) {
        this.#appliedOwn(storedId);
        try {
          Y.applyUpdate(this.doc, update, this.#originFor(batch));
        } catch (err) {
          this.deps.onError(err, 'apply unconfirmed update');
        }
      } else for (const w of batch) this.bytes -= w.update.length;
      for (const w of batch) w.reject(r);
      return;
    }
    this.#appliedOwn(r);
    try {
      Y.applyUpdate(this.doc, update, this.#originFor(batch));
    } catch (err) {
      this.deps.onError(err, 'apply stored update');
    }
    this.sinceSnapshot++;
    this.lastUpdateAt = Date.now();
    for (const w of batch) w.resolve();
  }

  /** Notes an own entry applied here, unless the reader has passed it already (and applied it). */
  #appliedOwn(id: string): void {
    if (compareIds(id, this.cursor) > 0) this.#ownApplied.add(id);
  }

  /**
   * The origin to apply a client's update with. The broadcast skips the origin (it has what it
   * sent), but when the document holds pending structs (updates whose predecessors had not arrived,
   * e.g. an edit stored after an earlier one was refused in a failover), applying this update can
   * integrate them too, and the broadcast then carries edits the sender has never seen: skipping it
   * would leave that client holding every later edit of their author as pending, for good.
   * A batch merged from several writers goes to everyone (Yjs ignores what a client has).
   */
  #originFor(batch: PendingWrite[]): Conn | 'server' {
    const store = this.doc.store;
    const origin = batch[0]!.origin;
    if (!origin || batch.some((w) => w.origin !== origin)) return 'server';
    return store.pendingStructs === null && store.pendingDs === null ? origin : 'server';
  }

  /**
   * True when the document already holds everything in `update` (a reconnecting client's
   * SyncStep2 mostly repeats what is stored): such updates are not stored again.
   */
  holdsAll(update: Uint8Array, ends?: Map<number, number>): boolean {
    // Fast path (typing): the update has structs the document does not have yet.
    try {
      const to = ends ?? Y.parseUpdateMeta(update).to;
      for (const [client, clock] of to) if (clock > Y.getState(this.doc.store, client)) return false;
    } catch {
      return false;
    }
    // Only deletions, or nothing new: compare with a snapshot (cached until the document changes).
    this.#snapshot ??= Y.snapshot(this.doc);
    try {
      return Y.snapshotContainsUpdate(this.#snapshot, update);
    } catch {
      return false;
    }
  }

  /** Applies a client's (already filtered) awareness update. */
  applyAwareness(update: Uint8Array, origin: Conn | 'remote'): void {
    applyAwarenessUpdate(this.awareness, update, origin);
  }

  /** The current awareness of everyone, for a client that just joined or asked. */
  awarenessSnapshot(): Uint8Array | null {
    const ids = [...this.awareness.getStates().keys()];
    return ids.length ? encodeAwareness(encodeAwarenessUpdate(this.awareness, ids)) : null;
  }

  /** A connection left: its awareness states go (and the other processes are told). */
  removeConn(conn: Conn): void {
    this.conns.delete(conn);
    this.paused.delete(conn);
    for (const id of conn.clientIds) if (this.owners.get(id) === conn) this.owners.delete(id);
    if (conn.clientIds.size && !this.unloaded) removeAwarenessStates(this.awareness, [...conn.clientIds], conn);
    this.deps.onIdleCheck(this);
  }

  #flushAwareness(): void {
    this.#awTimer = null;
    if (this.unloaded) return;
    const all = [...new Set([...this.#awLocal, ...this.#awRemote])].filter((id) => this.awareness.meta.has(id));
    const local = [...this.#awLocal].filter((id) => this.awareness.meta.has(id));
    this.#awLocal.clear();
    this.#awRemote.clear();
    if (all.length) {
      const msg = encodeAwareness(encodeAwarenessUpdate(this.awareness, all));
      this.awarenessBroadcasts++;
      this.deps.broadcast(this.conns, msg);
    }
    if (local.length) {
      this.deps.repo
        .publishAwareness(this.name, encodeRelay(this.deps.processId, encodeAwarenessUpdate(this.awareness, local)))
        .catch((err) => this.deps.onError(err, 'publish awareness'));
    }
  }

  /** Frees everything the room holds (timers, awareness interval, the doc). */
  destroy(): void {
    this.unloaded = true;
    if (this.#awTimer) clearTimeout(this.#awTimer);
    if (this.unloadTimer) clearTimeout(this.unloadTimer);
    this.awareness.destroy();
    this.doc.destroy();
  }
}
