/**
 * Redis keys and commands of live documents. No rules here. Every key of one document carries the
 * `{name}` hash tag, so a document lives in one slot (Redis Cluster ready).
 *
 *   doc:{name}:log    stream  one entry per accepted update: `u` (Yjs update bytes), `p` (writer process id)
 *   doc:{name}:snap   hash    `u` merged update, `sv` state vector, `id` last stream id it holds, `at` ms,
 *                             `t` the highest id the log was ever trimmed below (a reader behind it may have missed entries)
 *   doc:{name}:aw     channel (pub/sub, never stored) awareness relay between processes
 */
import type { Redis } from '../redis/connection.ts';
import { confirmDurable } from '../redis/durable.ts';

export const docKeys = {
  log: (name: string) => `doc:{${name}}:log`,
  snap: (name: string) => `doc:{${name}}:snap`,
  awareness: (name: string) => `doc:{${name}}:aw`,
};

/** The document name inside a key or channel made by `docKeys`. */
export function docNameOfKey(key: string): string | null {
  const m = /^doc:\{(.+)\}:(log|snap|aw)$/.exec(key);
  return m ? m[1]! : null;
}

/** Stream ids compare as (ms, seq); -1, 0, 1. */
export function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(Number) as [number, number];
  const [bm, bs] = b.split('-').map(Number) as [number, number];
  return am !== bm ? Math.sign(am - bm) : Math.sign((as ?? 0) - (bs ?? 0));
}

// Reads the snapshot and the log after it in one atomic step, so a compaction that trims the log
// in between cannot hide entries. With a cursor (the last id the caller has), and a snapshot that
// has not moved past it, only the entries after the cursor come back.
// Returns {snapUpdate|false, snapId|false, restarted(0/1), id1, u1, p1, id2, u2, p2, ...}.
const LOAD = `
local snapU = redis.call('HGET', KEYS[1], 'u')
local snapId = redis.call('HGET', KEYS[1], 'id')
local cursor = ARGV[1]
local function after(a, b)
  local am, as = string.match(a, '^(%d+)-(%d+)$')
  local bm, bs = string.match(b, '^(%d+)-(%d+)$')
  am, as, bm, bs = tonumber(am), tonumber(as), tonumber(bm), tonumber(bs)
  return am > bm or (am == bm and as > bs)
end
local restart = 1
local from = '-'
if cursor ~= '' and (not snapId or not after(snapId, cursor)) then
  restart = 0
  from = '(' .. cursor
elseif snapId then
  from = '(' .. snapId
end
local entries = redis.call('XRANGE', KEYS[2], from, '+', 'COUNT', tonumber(ARGV[2]))
local out = {}
if restart == 1 then out[1] = snapU or false; out[2] = snapId or false else out[1] = false; out[2] = false end
out[3] = restart
for _, e in ipairs(entries) do
  local f = e[2]
  local u, p = '', ''
  for i = 1, #f, 2 do
    if f[i] == 'u' then u = f[i + 1] elseif f[i] == 'p' then p = f[i + 1] end
  end
  out[#out + 1] = e[1]; out[#out + 1] = u; out[#out + 1] = p
end
return out
`;

// Compare-and-set of the snapshot: written only if it still holds what the compactor started
// from (ARGV[1], '' = no snapshot yet); then the log is trimmed below ARGV[5], never above what
// the new snapshot holds (the caller passes min(new id, now - grace)).
const TRIM_MARK = `
local function mark(snap, below)
  local t = redis.call('HGET', snap, 't')
  local bm, bs = string.match(below, '^(%d+)-(%d+)$')
  if t then
    local tm, ts = string.match(t, '^(%d+)-(%d+)$')
    if tonumber(tm) > tonumber(bm) or (tonumber(tm) == tonumber(bm) and tonumber(ts) >= tonumber(bs)) then return end
  end
  redis.call('HSET', snap, 't', below)
end
`;
const COMPACT = `${TRIM_MARK}
local cur = redis.call('HGET', KEYS[1], 'id') or ''
if cur ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'u', ARGV[2], 'sv', ARGV[3], 'id', ARGV[4], 'at', ARGV[6])
redis.call('XTRIM', KEYS[2], 'MINID', ARGV[5])
mark(KEYS[1], ARGV[5])
return 1
`;

// Trims the log below ARGV[1] and records the mark (only where a snapshot exists).
const TRIM = `${TRIM_MARK}
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('XTRIM', KEYS[2], 'MINID', ARGV[1])
mark(KEYS[1], ARGV[1])
return 1
`;

export interface LogEntry {
  id: string;
  update: Uint8Array;
  /** The process that wrote it. */
  writer: string;
}

export interface LoadPage {
  /** True when the snapshot was (re)read: the caller must start again from `snapshot`. */
  restarted: boolean;
  snapshot: Uint8Array | null;
  snapshotId: string | null;
  entries: LogEntry[];
}

export class DocsRepository {
  constructor(private readonly redis: Redis) {}

  /** Snapshot (if the cursor is stale or empty) and up to `count` log entries after it. */
  async loadPage(name: string, cursor: string | null, count = 1000): Promise<LoadPage> {
    const raw = (await this.redis.callBuffer('EVAL', [LOAD, 2, docKeys.snap(name), docKeys.log(name), cursor ?? '', String(count)])) as (
      Buffer | number | null
    )[];
    const restarted = Number(raw[2]) === 1;
    const entries: LogEntry[] = [];
    for (let i = 3; i + 2 < raw.length; i += 3) {
      entries.push({ id: String(raw[i]), update: new Uint8Array(raw[i + 1] as Buffer), writer: String(raw[i + 2]) });
    }
    return {
      restarted,
      snapshot: raw[0] ? new Uint8Array(raw[0] as Buffer) : null,
      snapshotId: raw[1] ? String(raw[1]) : null,
      entries,
    };
  }

  /** Appends accepted updates (in order); one result per update: its stream id, or the error. */
  async append(name: string, updates: Uint8Array[], writer: string): Promise<(string | Error)[]> {
    const p = this.redis.pipeline();
    for (const u of updates) p.xadd(docKeys.log(name), '*', 'u', Buffer.from(u.buffer, u.byteOffset, u.byteLength), 'p', writer);
    const res = (await p.exec()) ?? [];
    // An edit is applied and broadcast only once replicas hold it (off: at once). When they do
    // not confirm, the batch fails: the editor's client re-syncs and sends it again (a Yjs
    // update applied twice changes nothing).
    if (res.some((r) => !r[0])) {
      try {
        await confirmDurable(this.redis, docKeys.log(name));
      } catch (err) {
        // Stored on the master but not confirmed: the writer is refused, yet the entries are in
        // the log (other processes apply them), so the caller applies them too (`storedId`).
        return updates.map((_, i) =>
          Object.assign(new Error((err as Error).message), { storedId: res[i] && !res[i][0] ? String(res[i][1]) : undefined }),
        );
      }
    }
    return updates.map((_, i) => {
      const r = res[i];
      if (!r) return new Error('no reply');
      return r[0] ? r[0] : String(r[1]);
    });
  }

  /** Writes a snapshot if the stored one still ends at `expectedId`; trims the log below `trimBelow`. */
  async compareAndSetSnapshot(
    name: string,
    expectedId: string | null,
    next: { update: Uint8Array; stateVector: Uint8Array; id: string; trimBelow: string },
  ): Promise<boolean> {
    const r = await this.redis.eval(
      COMPACT,
      2,
      docKeys.snap(name),
      docKeys.log(name),
      expectedId ?? '',
      Buffer.from(next.update),
      Buffer.from(next.stateVector),
      next.id,
      next.trimBelow,
      String(Date.now()),
    );
    return Number(r) === 1;
  }

  /** Trims log entries below `below` (the caller never passes more than the snapshot holds). */
  async trimLog(name: string, below: string): Promise<void> {
    await this.redis.eval(TRIM, 2, docKeys.snap(name), docKeys.log(name), below);
  }

  /**
   * The highest id the log was ever trimmed below, or null. A reader whose cursor is below it may
   * have missed entries that were trimmed before it read them (it then catches up from the snapshot).
   */
  async trimmedBelow(name: string): Promise<string | null> {
    return this.redis.hget(docKeys.snap(name), 't');
  }

  /** Entries in the log (for compaction triggers and tests). */
  logLength(name: string): Promise<number> {
    return this.redis.xlen(docKeys.log(name));
  }

  /** Removes a document's keys (a deleted convention). */
  async remove(name: string): Promise<void> {
    await this.redis.del(docKeys.log(name), docKeys.snap(name));
  }

  /** Publishes an awareness update to the other processes. */
  async publishAwareness(name: string, payload: Uint8Array): Promise<void> {
    await this.redis.publish(docKeys.awareness(name), Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength));
  }
}
