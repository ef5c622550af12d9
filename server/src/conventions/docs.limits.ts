/**
 * Every limit and timing of the live document server, in one place. Each can be overridden by an
 * environment variable (tests and benchmarks shrink them); production uses the defaults.
 */

function num(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got ${JSON.stringify(raw)}`);
  return n;
}

export interface DocLimits {
  /** Largest single WebSocket message a client may send (bytes). */
  maxMessageBytes: number;
  /** Largest encoded document (bytes); an update that would pass it is refused. */
  maxDocBytes: number;
  /** Sustained document updates per second per client (token bucket refill). */
  updatesPerSecond: number;
  /** Burst of updates a client may send at once (bucket size). */
  updatesBurst: number;
  /** Clients connected to one document in one process. */
  maxClientsPerDoc: number;
  /** A client whose unsent backlog passes this is too slow to keep (bytes). */
  maxBufferedBytes: number;
  /**
   * Accepted updates of one document waiting for the store (bytes). Past it, the writer who sent
   * the last one is slowed (its socket is not read until the queue is half as long); past twice
   * it, the writer is told (closed with `busy`; y-websocket reconnects and re-sends its edits).
   */
  maxQueuedBytes: number;
  /**
   * Store writes (each then broadcast to every client) of one document are at least this many times
   * the time one broadcast to its clients takes apart (5: broadcasts use at most ~1/5 of a core)…
   */
  writeGapPerBroadcast: number;
  /** …and at most this many ms apart (the added latency under load). */
  maxWriteGapMs: number;
  /** Store writes of one document in flight at once (Redis fsyncs the writes it reads together once). */
  writesInFlight: number;
  /** Compact once this many log entries have been written since the last snapshot. */
  compactEvery: number;
  /** Compact a document with log entries after this long without an update (ms). */
  compactQuietMs: number;
  /** Log entries newer than this stay in the stream after compaction (ms), for lagging readers. */
  trimGraceMs: number;
  /** Keep a document loaded this long after its last client left (ms). */
  unloadDelayMs: number;
  /** Awareness broadcasts per document are coalesced to at most one per this many ms. */
  awarenessFlushMs: number;
  /** Longest XREAD BLOCK (ms): the doc set is re-read at least this often. */
  readBlockMs: number;
  /** Send something to an idle client this often (ms); y-websocket reconnects after 30 s of silence. */
  keepaliveMs: number;
  /** Largest awareness state of one client (bytes of JSON). */
  maxAwarenessBytes: number;
  /** Re-check every connection's session and permission this often (ms): sign-out or a lost role ends it. */
  revalidateMs: number;
}

/** Reads the limits from the environment (LINLI_YJS_*), falling back to the defaults. */
export function loadDocLimits(): DocLimits {
  return {
    maxMessageBytes: num('LINLI_YJS_MAX_MESSAGE_BYTES', 1024 * 1024),
    maxDocBytes: num('LINLI_YJS_MAX_DOC_BYTES', 8 * 1024 * 1024),
    updatesPerSecond: num('LINLI_YJS_UPDATES_PER_SECOND', 60),
    updatesBurst: num('LINLI_YJS_UPDATES_BURST', 240),
    maxClientsPerDoc: num('LINLI_YJS_MAX_CLIENTS_PER_DOC', 500),
    maxBufferedBytes: num('LINLI_YJS_MAX_BUFFERED_BYTES', 16 * 1024 * 1024),
    maxQueuedBytes: num('LINLI_YJS_MAX_QUEUED_BYTES', 2 * 1024 * 1024),
    writeGapPerBroadcast: num('LINLI_YJS_WRITE_GAP_PER_BROADCAST', 5),
    maxWriteGapMs: num('LINLI_YJS_MAX_WRITE_GAP_MS', 25),
    writesInFlight: num('LINLI_YJS_WRITES_IN_FLIGHT', 4),
    compactEvery: num('LINLI_YJS_COMPACT_EVERY', 500),
    compactQuietMs: num('LINLI_YJS_COMPACT_QUIET_MS', 10_000),
    trimGraceMs: num('LINLI_YJS_TRIM_GRACE_MS', 60_000),
    unloadDelayMs: num('LINLI_YJS_UNLOAD_DELAY_MS', 5_000),
    awarenessFlushMs: num('LINLI_YJS_AWARENESS_FLUSH_MS', 50),
    readBlockMs: Math.min(1000, num('LINLI_YJS_READ_BLOCK_MS', 1000)),
    keepaliveMs: num('LINLI_YJS_KEEPALIVE_MS', 10_000),
    maxAwarenessBytes: num('LINLI_YJS_MAX_AWARENESS_BYTES', 16 * 1024),
    revalidateMs: num('LINLI_YJS_REVALIDATE_MS', 60_000),
  };
}

/**
 * WebSocket close codes with the reason sent beside them. y-websocket (3.x) treats 4400–4499 as
 * final (it stops reconnecting: resending the same bytes cannot help) and every other code as
 * transient (4500–4599: try again later), so the codes below are chosen by that rule.
 */
export const CLOSE = {
  malformed: { code: 4400, reason: 'malformed message' },
  signedOut: { code: 4401, reason: 'session ended; sign in again' },
  noAccess: { code: 4403, reason: 'no longer allowed to open this document' },
  messageTooLarge: { code: 4413, reason: 'message too large' },
  docTooLarge: { code: 4414, reason: 'document too large' },
  storeFailed: { code: 4500, reason: 'could not store the edit; reconnecting' },
  tooSlow: { code: 4508, reason: 'connection too slow to keep up' },
  busy: { code: 4509, reason: 'document busy storing edits; reconnecting' },
  docFull: { code: 4503, reason: 'too many people in this document' },
  rateLimited: { code: 4529, reason: 'too many updates per second' },
  shutdown: { code: 1012, reason: 'server restarting' },
} as const;

/** Custom y-protocols message type: a notice to the client, payload one varString (JSON). */
export const MESSAGE_NOTICE = 100;
