/**
 * The hash-chained audit log of one ballot (DOMAIN.md "Secrecy, receipts and the record"): pure
 * functions shared by the server (which writes the chain inside one Lua script) and the verifier
 * (`npm run verify`), which recomputes it offline. The hash function is passed in (Node's
 * `crypto`, or WebCrypto in a browser) so this module stays free of I/O.
 *
 * The chain, exactly (version 1):
 *
 *   bodyHash = sha256hex( canonicalJson({ ballotId, type, data }) )
 *   hash     = sha256hex( `${seq}\n${at}\n${prevHash}\n${bodyHash}` )
 *
 * `seq` starts at 1, `prevHash` of the first entry is 64 zeros, `at` is milliseconds since the
 * epoch taken from the Redis clock, hex is lowercase. Two levels because the second hash is computed inside
 * Redis (Lua 5.1 has no SHA-256, so the script carries its own implementation): the server hashes
 * the body, which may be large (the electorate snapshot), in Node before the script runs, and the
 * script hashes only the short header, in the same atomic step that assigns `seq` and reads the
 * previous hash. No optimistic retry is needed, however many processes append at once.
 */
import { z } from 'zod';

/** `prevHash` of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** The kinds of audit entry, in the order a ballot's life usually produces them. */
export const AUDIT_TYPES = [
  'created',
  'proxy_registered',
  'opened',
  'vote',
  'vote_changed',
  'paper_vote',
  'paper_vote_undone',
  'holdings_changed',
  'extended',
  'meeting_linked',
  'closed',
  'result',
  'adopted',
  'published',
] as const;
export const AuditType = z.enum(AUDIT_TYPES);
export type AuditType = z.infer<typeof AuditType>;

/** One line of the log as stored and downloaded. */
export const AuditEntry = z.object({
  seq: z.number().int().positive(),
  type: z.string(),
  at: z.number().int(),
  ballotId: z.string(),
  data: z.unknown(),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

/** A SHA-256 over UTF-8 text, as lowercase hex. */
export type Sha256Hex = (text: string) => string;

/**
 * JSON with object keys sorted by code unit at every depth and no whitespace; arrays keep their
 * order. `undefined` members are dropped (as JSON.stringify does). Numbers must be finite.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('canonicalJson: non-finite number');
    if (value === undefined) throw new Error('canonicalJson: undefined');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/** The text whose SHA-256 is `bodyHash`. */
export function bodyText(e: { ballotId: string; type: string; data: unknown }): string {
  return canonicalJson({ ballotId: e.ballotId, type: e.type, data: e.data });
}

/** The text whose SHA-256 is the entry's `hash` (the Lua script builds exactly this string). */
export function headerText(e: { seq: number; at: number; prevHash: string }, bodyHash: string): string {
  return `${e.seq}\n${e.at}\n${e.prevHash}\n${bodyHash}`;
}

/** The hash an entry should carry, recomputed from its content and its `prevHash`. */
export function entryHash(e: Omit<AuditEntry, 'hash'>, sha256: Sha256Hex): string {
  return sha256(headerText(e, sha256(bodyText(e))));
}

/** Where and why a log fails verification. */
export interface ChainBreak {
  /** The entry that fails (its `seq` as written, or the expected one when `seq` itself is wrong). */
  seq: number;
  /** 0-based line of the entry in the log. */
  index: number;
  reason: 'bad_seq' | 'bad_prev_hash' | 'bad_hash' | 'wrong_ballot' | 'malformed';
  expected: string;
  found: string;
}

export type ChainCheck = { ok: true; entries: number; head: string } | { ok: false; entries: number; break: ChainBreak };

/**
 * Walks the chain from the first entry: consecutive `seq` from 1, each `prevHash` equal to the
 * previous entry's hash, each hash equal to the one recomputed from the entry. Stops at the first
 * entry that fails; a changed entry fails at itself (bad_hash), a removed or inserted one at the
 * entry after it (bad_seq or bad_prev_hash).
 */
export function verifyChain(entries: readonly unknown[], sha256: Sha256Hex): ChainCheck {
  let prev = GENESIS_HASH;
  let ballotId: string | null = null;
  for (const [index, raw] of entries.entries()) {
    const expectedSeq = index + 1;
    const parsed = AuditEntry.safeParse(raw);
    if (!parsed.success) {
      return {
        ok: false,
        entries: entries.length,
        break: {
          seq: expectedSeq,
          index,
          reason: 'malformed',
          expected: 'an audit entry',
          found: parsed.error.issues[0]?.message ?? 'bad shape',
        },
      };
    }
    const e = parsed.data;
    const fail = (reason: ChainBreak['reason'], expected: string, found: string): ChainCheck => ({
      ok: false,
      entries: entries.length,
      break: { seq: e.seq, index, reason, expected, found },
    });
    if (e.seq !== expectedSeq) return fail('bad_seq', String(expectedSeq), String(e.seq));
    ballotId ??= e.ballotId;
    if (e.ballotId !== ballotId) return fail('wrong_ballot', ballotId, e.ballotId);
    if (e.prevHash !== prev) return fail('bad_prev_hash', prev, e.prevHash);
    const h = entryHash(e, sha256);
    if (h !== e.hash) return fail('bad_hash', h, e.hash);
    prev = e.hash;
  }
  return { ok: true, entries: entries.length, head: prev };
}

/**
 * The chain head published with a ballot's result (result page, exports, `GET …/result`): the
 * number of entries up to and including the `result` entry, and that entry's hash. A log checked
 * against it must be at least that long, carry that hash at that place, and after it hold only
 * entries that record no vote (`published`). Without it nobody can tell a cut log, or one re-hashed
 * after a change, from the one the server published.
 */
export interface ChainHead {
  hash: string;
  length: number;
}

/**
 * Entry types that may follow the published head (they carry no vote and no count; adopted and
 * meeting_linked: written consultations; project_selected and project_update: a budget's funded
 * projects followed to done).
 */
export const AFTER_HEAD_TYPES: readonly string[] = ['published', 'adopted', 'meeting_linked', 'project_selected', 'project_update'];

/** `<hash>:<length>` (or `<length>:<hash>`, as Redis keeps it) → a head, or null. */
export function parseChainHead(text: string): ChainHead | null {
  const parts = text.trim().split(':');
  if (parts.length !== 2) return null;
  const [a, b] = parts as [string, string];
  const [hash, len] = /^[0-9a-f]{64}$/i.test(a) ? [a, b] : [b, a];
  if (!/^[0-9a-f]{64}$/i.test(hash) || !/^[1-9][0-9]{0,8}$/.test(len)) return null;
  return { hash: hash.toLowerCase(), length: Number(len) };
}

export function formatChainHead(h: ChainHead): string {
  return `${h.hash}:${h.length}`;
}

export type HeadCheck = { ok: true; after: number } | { ok: false; reason: 'shorter' | 'different' | 'extra_entries'; message: string };

/**
 * Compares a log whose chain already verified with the published head: `shorter` (entries cut),
 * `different` (another hash at that place: changed and re-hashed, or another log), or
 * `extra_entries` (anything but `published` after the head).
 */
export function checkChainHead(entries: readonly AuditEntry[], head: ChainHead): HeadCheck {
  if (entries.length < head.length) {
    return {
      ok: false,
      reason: 'shorter',
      message: `the log has ${entries.length} entries; the published head is entry ${head.length}: entries were cut`,
    };
  }
  const at = entries[head.length - 1]!;
  if (at.hash !== head.hash) {
    return {
      ok: false,
      reason: 'different',
      message: `entry ${head.length} has hash ${at.hash}; the published head is ${head.hash}: the log was changed and re-hashed, or it is another log`,
    };
  }
  const extra = entries.slice(head.length).find((e) => !AFTER_HEAD_TYPES.includes(e.type));
  if (extra)
    return {
      ok: false,
      reason: 'extra_entries',
      message: `entry ${extra.seq} (${extra.type}) comes after the published head; only ${AFTER_HEAD_TYPES.join(', ')} may`,
    };
  return { ok: true, after: entries.length - head.length };
}

/** Parses a downloaded log: JSON lines, a JSON array, or `{entries:[…]}`. */
export function parseAuditLog(text: string): unknown[] {
  const t = text.trim();
  if (t === '') return [];
  if (t.startsWith('[')) return JSON.parse(t) as unknown[];
  if (t.startsWith('{') && !t.includes('\n')) {
    const one = JSON.parse(t) as { entries?: unknown[] };
    if (Array.isArray(one.entries)) return one.entries;
    return [one];
  }
  if (t.startsWith('{"entries"')) return (JSON.parse(t) as { entries: unknown[] }).entries;
  return t
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as unknown);
}
