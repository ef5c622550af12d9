/**
 * Every limit and timing of the live document server, in one place. Each can be overridden by an
 * environment variable LINLI_YJS_* (tests and benchmarks shrink them); production uses the
 * defaults. The variables are part of the validated configuration (config.ts parses them with
 * `DocLimitsEnv`), so a bad value stops start-up naming the variable.
 */
import { z } from 'zod';

const NON_NEGATIVE = 'must be a non-negative number';

/** A finite non-negative number (as `Number()` reads the text) with a default; unset or empty means the default. */
const limit = (fallback: number) =>
  z.preprocess(
    (v) => (v === '' ? undefined : typeof v === 'string' ? Number(v) : v),
    z.number({ error: NON_NEGATIVE }).min(0, NON_NEGATIVE).default(fallback),
  );

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
  /** …and at most this many ms apart (the added latency under load; past it, one write at a time). */
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

/** The LINLI_YJS_* variables with their defaults (merged into config.ts's ConfigSchema). */
export const DocLimitsEnv = z.object({
  LINLI_YJS_MAX_MESSAGE_BYTES: limit(1024 * 1024),
  LINLI_YJS_MAX_DOC_BYTES: limit(8 * 1024 * 1024),
  LINLI_YJS_UPDATES_PER_SECOND: limit(60),
  LINLI_YJS_UPDATES_BURST: limit(240),
  LINLI_YJS_MAX_CLIENTS_PER_DOC: limit(500),
  LINLI_YJS_MAX_BUFFERED_BYTES: limit(16 * 1024 * 1024),
  LINLI_YJS_MAX_QUEUED_BYTES: limit(2 * 1024 * 1024),
  LINLI_YJS_WRITE_GAP_PER_BROADCAST: limit(5),
  LINLI_YJS_MAX_WRITE_GAP_MS: limit(25),
  LINLI_YJS_WRITES_IN_FLIGHT: limit(4),
  LINLI_YJS_COMPACT_EVERY: limit(500),
  LINLI_YJS_COMPACT_QUIET_MS: limit(10_000),
  LINLI_YJS_TRIM_GRACE_MS: limit(60_000),
  LINLI_YJS_UNLOAD_DELAY_MS: limit(5_000),
  LINLI_YJS_AWARENESS_FLUSH_MS: limit(50),
  LINLI_YJS_READ_BLOCK_MS: limit(1000),
  LINLI_YJS_KEEPALIVE_MS: limit(10_000),
  LINLI_YJS_MAX_AWARENESS_BYTES: limit(16 * 1024),
  LINLI_YJS_REVALIDATE_MS: limit(60_000),
});

/** The limits from the parsed variables. */
export function docLimitsOf(env: z.output<typeof DocLimitsEnv>): DocLimits {
  return {
    maxMessageBytes: env.LINLI_YJS_MAX_MESSAGE_BYTES,
    maxDocBytes: env.LINLI_YJS_MAX_DOC_BYTES,
    updatesPerSecond: env.LINLI_YJS_UPDATES_PER_SECOND,
    updatesBurst: env.LINLI_YJS_UPDATES_BURST,
    maxClientsPerDoc: env.LINLI_YJS_MAX_CLIENTS_PER_DOC,
    maxBufferedBytes: env.LINLI_YJS_MAX_BUFFERED_BYTES,
    maxQueuedBytes: env.LINLI_YJS_MAX_QUEUED_BYTES,
    writeGapPerBroadcast: env.LINLI_YJS_WRITE_GAP_PER_BROADCAST,
    maxWriteGapMs: env.LINLI_YJS_MAX_WRITE_GAP_MS,
    writesInFlight: env.LINLI_YJS_WRITES_IN_FLIGHT,
    compactEvery: env.LINLI_YJS_COMPACT_EVERY,
    compactQuietMs: env.LINLI_YJS_COMPACT_QUIET_MS,
    trimGraceMs: env.LINLI_YJS_TRIM_GRACE_MS,
    unloadDelayMs: env.LINLI_YJS_UNLOAD_DELAY_MS,
    awarenessFlushMs: env.LINLI_YJS_AWARENESS_FLUSH_MS,
    // The doc set is re-read at least once a second whatever the variable says.
    readBlockMs: Math.min(1000, env.LINLI_YJS_READ_BLOCK_MS),
    keepaliveMs: env.LINLI_YJS_KEEPALIVE_MS,
    maxAwarenessBytes: env.LINLI_YJS_MAX_AWARENESS_BYTES,
    revalidateMs: env.LINLI_YJS_REVALIDATE_MS,
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
