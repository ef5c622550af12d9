/**
 * The y-websocket wire format, encoded and decoded by hand so the server decides what to do with
 * each message before anything touches the document (a read-only client's SyncStep2 must never be
 * applied). Message = varUint type, then:
 *   0 sync:      varUint subtype (0 SyncStep1 state vector, 1 SyncStep2 update, 2 Update), varUint8Array
 *   1 awareness: varUint8Array awareness update
 *   2 auth (server → client, y-protocols/auth): varUint 0 permission denied, varString reason;
 *     sent once to a read-only member with the reason `read-only` (y-websocket's stock client
 *     hands it to its permission-denied handler; the Linli editor shows its read-only banner)
 *   3 query awareness (no payload)
 */
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import { writePermissionDenied } from 'y-protocols/auth';

export const MESSAGE_SYNC = 0;
export const MESSAGE_AWARENESS = 1;
/** y-websocket's `messageAuth`: the y-protocols auth message. */
export const MESSAGE_AUTH = 2;
export const MESSAGE_QUERY_AWARENESS = 3;
export const SYNC_STEP1 = 0;
export const SYNC_STEP2 = 1;
export const SYNC_UPDATE = 2;

export type Incoming =
  | { kind: 'sync_step1'; stateVector: Uint8Array }
  | { kind: 'sync_step2' | 'update'; update: Uint8Array }
  | { kind: 'awareness'; update: Uint8Array }
  | { kind: 'query_awareness' }
  | { kind: 'unknown'; type: number };

/** Decodes one client message; throws on malformed bytes. */
export function decodeMessage(data: Uint8Array): Incoming {
  const d = decoding.createDecoder(data);
  const type = decoding.readVarUint(d);
  if (type === MESSAGE_SYNC) {
    const sub = decoding.readVarUint(d);
    const payload = decoding.readVarUint8Array(d);
    if (sub === SYNC_STEP1) {
      Y.decodeStateVector(payload); // throws on garbage
      return { kind: 'sync_step1', stateVector: payload };
    }
    if (sub === SYNC_STEP2) return { kind: 'sync_step2', update: payload };
    if (sub === SYNC_UPDATE) return { kind: 'update', update: payload };
    throw new Error(`unknown sync message ${sub}`);
  }
  if (type === MESSAGE_AWARENESS) return { kind: 'awareness', update: decoding.readVarUint8Array(d) };
  if (type === MESSAGE_QUERY_AWARENESS) return { kind: 'query_awareness' };
  return { kind: 'unknown', type };
}

function build(write: (e: encoding.Encoder) => void): Uint8Array {
  const e = encoding.createEncoder();
  write(e);
  return encoding.toUint8Array(e);
}

export const encodeSyncStep1 = (stateVector: Uint8Array) =>
  build((e) => {
    encoding.writeVarUint(e, MESSAGE_SYNC);
    encoding.writeVarUint(e, SYNC_STEP1);
    encoding.writeVarUint8Array(e, stateVector);
  });

export const encodeSyncStep2 = (update: Uint8Array) =>
  build((e) => {
    encoding.writeVarUint(e, MESSAGE_SYNC);
    encoding.writeVarUint(e, SYNC_STEP2);
    encoding.writeVarUint8Array(e, update);
  });

export const encodeUpdate = (update: Uint8Array) =>
  build((e) => {
    encoding.writeVarUint(e, MESSAGE_SYNC);
    encoding.writeVarUint(e, SYNC_UPDATE);
    encoding.writeVarUint8Array(e, update);
  });

export const encodeAwareness = (update: Uint8Array) =>
  build((e) => {
    encoding.writeVarUint(e, MESSAGE_AWARENESS);
    encoding.writeVarUint8Array(e, update);
  });

/** The reason sent with permission denied to a member who may read a document but not write it. */
export const READ_ONLY_REASON = 'read-only';

/** y-protocols auth message: permission denied, with a reason (y-websocket prints it as a warning). */
export const encodePermissionDenied = (reason: string) =>
  build((e) => {
    encoding.writeVarUint(e, MESSAGE_AUTH);
    writePermissionDenied(e, reason);
  });

/** True when the bytes decode as a Yjs update (garbage is refused before it reaches the log). */
export function isValidUpdate(update: Uint8Array): boolean {
  return updateEnds(update) !== null;
}

/**
 * Decodes an update once: null when it is not a Yjs update (garbage is refused before it reaches
 * the log), else the clock each client's structs reach (as `Y.parseUpdateMeta(update).to`).
 */
export function updateEnds(update: Uint8Array): Map<number, number> | null {
  try {
    const { structs } = Y.decodeUpdate(update);
    const to = new Map<number, number>();
    for (const s of structs) {
      const end = s.id.clock + s.length;
      if ((to.get(s.id.client) ?? 0) < end) to.set(s.id.client, end);
    }
    return to;
  } catch {
    return null;
  }
}

/**
 * Keeps the entries of an awareness update that `allow` accepts and whose JSON state is at most
 * `maxStateBytes`; returns the re-encoded update and the client ids it kept (null: none kept).
 */
export function filterAwareness(
  update: Uint8Array,
  allow: (clientId: number) => boolean,
  maxStateBytes: number,
): { update: Uint8Array; clientIds: number[]; removedIds: number[] } | null {
  const d = decoding.createDecoder(update);
  const n = decoding.readVarUint(d);
  const kept: { id: number; clock: number; state: string }[] = [];
  for (let i = 0; i < n; i++) {
    const id = decoding.readVarUint(d);
    const clock = decoding.readVarUint(d);
    const state = decoding.readVarString(d);
    if (state.length > maxStateBytes || !allow(id)) continue;
    JSON.parse(state); // throws on garbage
    kept.push({ id, clock, state });
  }
  if (kept.length === 0) return null;
  const out = build((e) => {
    encoding.writeVarUint(e, kept.length);
    for (const k of kept) {
      encoding.writeVarUint(e, k.id);
      encoding.writeVarUint(e, k.clock);
      encoding.writeVarString(e, k.state);
    }
  });
  return {
    update: out,
    clientIds: kept.filter((k) => k.state !== 'null').map((k) => k.id),
    removedIds: kept.filter((k) => k.state === 'null').map((k) => k.id),
  };
}

/** Relay envelope between processes: the sender's process id, then the awareness update. */
export const encodeRelay = (processId: string, update: Uint8Array) =>
  build((e) => {
    encoding.writeVarString(e, processId);
    encoding.writeVarUint8Array(e, update);
  });

export function decodeRelay(data: Uint8Array): { processId: string; update: Uint8Array } {
  const d = decoding.createDecoder(data);
  return { processId: decoding.readVarString(d), update: decoding.readVarUint8Array(d) };
}
