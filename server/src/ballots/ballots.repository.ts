/**
 * Redis keys and commands of ballots. No rules here: the service decides what to write, the Lua
 * scripts (cast, proxy, transition, result; each with the audit prelude) check and write it
 * atomically. Every key of one ballot carries the hash tag `{ballot:<id>}` (one slot in a cluster).
 *
 *   {ballot:B}:status      str   none | draft | open | closed | published (checked by every script)
 *   {ballot:B}:meta        str   the Ballot JSON
 *   {ballot:B}:electorate  str   the ElectorateSnapshot frozen at opening
 *   {ballot:B}:eligible    set   voter ids of the snapshot (households or members)
 *   {ballot:B}:votes       hash  voter id → {receipt, choice, ck, via, by}        (open ballots)
 *   {ballot:B}:voted       zset  voter id, score = channel (0 online, 1 proxy, 2 paper) (secret)
 *   {ballot:B}:receipts    hash  receipt → {choice, voters, via, by, …}              (open ballots)
 *   {ballot:B}:choices     zset  "<receipt> {choice}", all scores 0: ordered by receipt (secret)
 *   {ballot:B}:superseded  hash  receipt → the receipt that replaced it (allowChange)
 *   {ballot:B}:idem        hash  sha256(ballot|user|key) → the receipt sealed with the key
 *   {ballot:B}:counts      hash  cast, via:<channel>, c:<choice key> (running counters)
 *   {ballot:B}:audit       list  the hash-chained log, one JSON entry per element
 *   {ballot:B}:head        str   "<seq>:<hash>" of the last entry
 *   {ballot:B}:proxies     hash  household id → proxy user id
 *   {ballot:B}:proxycount  hash  proxy user id → households held
 *   {ballot:B}:advisory    hash  member id → {choice, roles} (advisory votes of a households ballot)
 *   {ballot:B}:result      str   the final result JSON (written once, after close)
 *   {ballot:B}:resulthead  str   "<seq>:<hash>" of the result entry: the head published with the result
 *   {ballot:B}:gate        str   tally broadcast gate (PX 250), shared by every process
 *   {ballot:B}:reasons     hash  member id → {choice, ck, text, by, at} (one-line reasons, open ballots)
 *   ballots:meeting:M      zset  ballot ids of a meeting by creation time
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Redis } from '../redis/connection.ts';
import { confirmDurable } from '../redis/durable.ts';

const tag = (id: string) => `{ballot:${id}}`;
export const ballotKeys = (id: string) => {
  const t = tag(id);
  return {
    status: `${t}:status`,
    meta: `${t}:meta`,
    electorate: `${t}:electorate`,
    eligible: `${t}:eligible`,
    votes: `${t}:votes`,
    voted: `${t}:voted`,
    receipts: `${t}:receipts`,
    choices: `${t}:choices`,
    superseded: `${t}:superseded`,
    idem: `${t}:idem`,
    counts: `${t}:counts`,
    audit: `${t}:audit`,
    head: `${t}:head`,
    proxies: `${t}:proxies`,
    proxyCount: `${t}:proxycount`,
    advisory: `${t}:advisory`,
    result: `${t}:result`,
    resultHead: `${t}:resulthead`,
    gate: `${t}:gate`,
    reasons: `${t}:reasons`,
  };
};
const meetingIndex = (meetingId: string) => `ballots:meeting:${meetingId}`;

const PRELUDE = fs.readFileSync(new URL('./audit.lua', import.meta.url), 'utf8');

/**
 * A Lua script with the audit prelude, run by EVALSHA, loaded again with EVAL after a Redis restart
 * (NOSCRIPT). A path is relative to this folder; another feature passes a URL of its own file.
 */
export class LuaScript {
  readonly source: string;
  readonly sha: string;
  constructor(file: string | URL) {
    this.source = `${PRELUDE}\n${fs.readFileSync(typeof file === 'string' ? new URL(file, import.meta.url) : file, 'utf8')}`;
    this.sha = createHash('sha1').update(this.source).digest('hex');
  }
  async run(redis: Redis, keys: readonly string[], args: readonly string[]): Promise<string[]> {
    try {
      return (await redis.call('EVALSHA', [this.sha, keys.length, ...keys, ...args])) as string[];
    } catch (err) {
      if (!String((err as Error).message).includes('NOSCRIPT')) throw err;
      return (await redis.call('EVAL', [this.source, keys.length, ...keys, ...args])) as string[];
    }
  }
}

export const SCRIPTS = {
  cast: new LuaScript('./cast.lua'),
  proxy: new LuaScript('./proxy.lua'),
  transition: new LuaScript('./transition.lua'),
  result: new LuaScript('./result.lua'),
  undo: new LuaScript('./undo.lua'),
  note: new LuaScript('./note.lua'),
};

/** One voter in a cast: who, through which channel, the record kept for open ballots. */
export interface CastVoter {
  id: string;
  via: 'online' | 'paper' | 'proxy';
  record: string;
  /** For a change: the receipt the voter's current vote must still have. */
  expected?: string;
}

export interface CastWrite {
  ballotId: string;
  secret: boolean;
  idemField: string;
  idemValue: string;
  receipt: string;
  choiceKey: string;
  auditType: string;
  dataJson: string;
  bodyHash: string;
  receiptRecord: string;
  by: string;
  mode: 'new' | 'change';
  voters: CastVoter[];
  /** A member's advisory vote riding along (households ballots that count one). */
  advisory?: { id: string; record: string; replace: boolean };
  /** The voter's one-line reason, written with the vote under `by`: JSON sets it, null removes it, absent leaves it. */
  reason?: string | null;
}

export type CastReply =
  | { kind: 'ok'; receipt: string; seq: number; hash: string }
  | { kind: 'dup'; sealed: string }
  | { kind: 'not_open'; status: string }
  | { kind: 'receipt_taken' }
  | { kind: 'not_eligible'; voterId: string }
  | { kind: 'not_proxy'; voterId: string }
  | { kind: 'stale' }
  | { kind: 'advisory_exists' }
  | { kind: 'exists'; existing: { voterId: string; current: string }[] };

export interface TransitionWrite {
  ballotId: string;
  from: readonly string[];
  to: string;
  metaJson: string;
  auditType: string;
  dataJson: string;
  bodyHash: string;
  electorateJson?: string;
  eligible?: readonly string[];
}

export class BallotsRepository {
  constructor(readonly redis: Redis) {}

  /** The vote script: see cast.lua for the order of checks. */
  async cast(w: CastWrite): Promise<CastReply> {
    const k = ballotKeys(w.ballotId);
    const args = [
      w.ballotId,
      w.secret ? '1' : '0',
      w.idemField,
      w.idemValue,
      w.receipt,
      w.choiceKey,
      w.auditType,
      w.dataJson,
      w.bodyHash,
      w.receiptRecord,
      w.by,
      w.mode,
      String(w.voters.length),
    ];
    for (const v of w.voters) args.push(v.id, v.via, v.record, v.expected ?? '');
    args.push(
      w.advisory?.id ?? '',
      w.advisory?.record ?? '',
      w.advisory?.replace ? '1' : '0',
      w.reason === undefined ? '' : (w.reason ?? '-'),
    );
    const r = await SCRIPTS.cast.run(
      this.redis,
      [
        k.status,
        k.eligible,
        k.votes,
        k.voted,
        k.receipts,
        k.idem,
        k.counts,
        k.audit,
        k.head,
        k.proxies,
        k.superseded,
        k.advisory,
        k.choices,
        k.reasons,
      ],
      args,
    );
    // A vote (new, changed, or the same key again) is acknowledged only once replicas hold it.
    if (r[0] === 'ok' || r[0] === 'dup') await confirmDurable(this.redis, k.status);
    switch (r[0]) {
      case 'ok':
        return { kind: 'ok', receipt: r[1]!, seq: Number(r[2]), hash: r[3]! };
      case 'dup':
        return { kind: 'dup', sealed: r[1]! };
      case 'not_open':
        return { kind: 'not_open', status: r[1]! };
      case 'receipt_taken':
        return { kind: 'receipt_taken' };
      case 'not_eligible':
        return { kind: 'not_eligible', voterId: r[1]! };
      case 'not_proxy':
        return { kind: 'not_proxy', voterId: r[1]! };
      case 'stale':
        return { kind: 'stale' };
      case 'advisory_exists':
        return { kind: 'advisory_exists' };
      case 'exists': {
        const existing: { voterId: string; current: string }[] = [];
        for (let i = 1; i + 1 < r.length; i += 2) existing.push({ voterId: r[i]!, current: r[i + 1]! });
        return { kind: 'exists', existing };
      }
      default:
        throw new Error(`cast script: unexpected reply ${String(r[0])}`);
    }
  }

  /** Undoes one paper vote; see undo.lua. Returns 'ok' or why not. */
  async undoPaper(w: {
    ballotId: string;
    receipt: string;
    by: string;
    voters: readonly string[];
    dataJson: string;
    bodyHash: string;
  }): Promise<string[]> {
    const k = ballotKeys(w.ballotId);
    return SCRIPTS.undo.run(
      this.redis,
      [k.status, k.votes, k.receipts, k.counts, k.audit, k.head],
      [w.ballotId, w.receipt, w.by, w.dataJson, w.bodyHash, w.voters.join('|')],
    );
  }

  async receipt(id: string, receipt: string): Promise<string | null> {
    return this.redis.hget(ballotKeys(id).receipts, receipt);
  }

  /** Registers a proxy; see proxy.lua. */
  async registerProxy(w: {
    ballotId: string;
    householdId: string;
    proxyUserId: string;
    cap: number;
    expected: string;
    dataJson: string;
    bodyHash: string;
  }): Promise<string[]> {
    const k = ballotKeys(w.ballotId);
    return SCRIPTS.proxy.run(
      this.redis,
      [k.status, k.eligible, k.votes, k.proxies, k.proxyCount, k.audit, k.head],
      [w.ballotId, w.householdId, w.proxyUserId, String(w.cap), w.expected, w.dataJson, w.bodyHash],
    );
  }

  /** A life-cycle step; returns 'ok' or the status that refused it. */
  async transition(w: TransitionWrite): Promise<{ ok: true; seq: number } | { ok: false; status: string }> {
    const k = ballotKeys(w.ballotId);
    const r = await SCRIPTS.transition.run(
      this.redis,
      [k.status, k.meta, k.audit, k.head, k.electorate, k.eligible],
      [w.ballotId, w.from.join('|'), w.to, w.metaJson, w.auditType, w.dataJson, w.bodyHash, w.electorateJson ?? '', ...(w.eligible ?? [])],
    );
    return r[0] === 'ok' ? { ok: true, seq: Number(r[1]) } : { ok: false, status: r[1]! };
  }

  /** Stores the final result once; false if it was already stored (or the ballot is not closed). */
  async storeResult(w: { ballotId: string; resultJson: string; dataJson: string; bodyHash: string }): Promise<boolean> {
    const k = ballotKeys(w.ballotId);
    const r = await SCRIPTS.result.run(
      this.redis,
      [k.status, k.result, k.audit, k.head, k.resultHead],
      [w.ballotId, w.resultJson, w.dataJson, w.bodyHash],
    );
    return r[0] === 'ok';
  }

  /** Appends a notice to an open ballot whose electorate holds one of `householdIds`; see note.lua. */
  async note(w: {
    ballotId: string;
    auditType: string;
    dataJson: string;
    bodyHash: string;
    householdIds: readonly string[];
  }): Promise<{ seq: number; at: number } | null> {
    const k = ballotKeys(w.ballotId);
    const r = await SCRIPTS.note.run(
      this.redis,
      [k.status, k.eligible, k.audit, k.head],
      [w.ballotId, w.auditType, w.dataJson, w.bodyHash, ...w.householdIds],
    );
    return r[0] === 'ok' ? { seq: Number(r[1]), at: Number(r[2]) } : null;
  }

  async addToMeeting(meetingId: string, ballotId: string, at: number): Promise<void> {
    await this.redis.zadd(meetingIndex(meetingId), String(at), ballotId);
  }

  async idsOfMeeting(meetingId: string): Promise<string[]> {
    return this.redis.zrange(meetingIndex(meetingId), '0', '-1');
  }

  async getMeta(id: string): Promise<{ status: string; meta: string } | null> {
    const k = ballotKeys(id);
    const [status, meta] = await this.redis.mget(k.status, k.meta);
    return status && meta ? { status, meta } : null;
  }

  async getMetas(ids: readonly string[]): Promise<({ status: string; meta: string } | null)[]> {
    if (ids.length === 0) return [];
    const pipe = this.redis.pipeline();
    for (const id of ids) pipe.mget(ballotKeys(id).status, ballotKeys(id).meta);
    const rows = (await pipe.exec()) ?? [];
    return rows.map(([err, v]) => {
      if (err) throw err;
      const [status, meta] = v as (string | null)[];
      return status && meta ? { status, meta } : null;
    });
  }

  async status(id: string): Promise<string | null> {
    return this.redis.get(ballotKeys(id).status);
  }

  async electorate(id: string): Promise<string | null> {
    return this.redis.get(ballotKeys(id).electorate);
  }

  /** Everything counting needs, read in one round trip. */
  async countingState(id: string): Promise<{
    status: string | null;
    votes: Record<string, string>;
    voted: string[];
    receipts: Record<string, string>;
    superseded: Record<string, string>;
    advisory: Record<string, string>;
    choices: string[];
  }> {
    const k = ballotKeys(id);
    const rows =
      (await this.redis
        .multi()
        .get(k.status)
        .hgetall(k.votes)
        .zrange(k.voted, '0', '-1', 'WITHSCORES')
        .hgetall(k.receipts)
        .hgetall(k.superseded)
        .hgetall(k.advisory)
        .zrange(k.choices, '0', '-1')
        .exec()) ?? [];
    const val = (i: number) => {
      const [err, v] = rows[i] ?? [null, null];
      if (err) throw err;
      return v;
    };
    return {
      status: val(0) as string | null,
      votes: (val(1) ?? {}) as Record<string, string>,
      voted: (val(2) ?? []) as string[],
      receipts: (val(3) ?? {}) as Record<string, string>,
      superseded: (val(4) ?? {}) as Record<string, string>,
      advisory: (val(5) ?? {}) as Record<string, string>,
      choices: (val(6) ?? []) as string[],
    };
  }

  async votesOf(id: string, voterIds: readonly string[]): Promise<(string | null)[]> {
    if (voterIds.length === 0) return [];
    return this.redis.hmget(ballotKeys(id).votes, ...voterIds);
  }

  /** Channel of each voter of a secret ballot (ZSCORE), null where not voted. */
  async votedVia(id: string, voterIds: readonly string[]): Promise<(string | null)[]> {
    if (voterIds.length === 0) return [];
    return this.redis.zmscore(ballotKeys(id).voted, ...voterIds) as Promise<(string | null)[]>;
  }

  /** For each id, whether it is in the electorate frozen at opening. */
  async eligibleOf(id: string, voterIds: readonly string[]): Promise<boolean[]> {
    if (voterIds.length === 0) return [];
    return (await this.redis.smismember(ballotKeys(id).eligible, ...voterIds)).map((x) => x === 1);
  }

  /** The sealed receipt under one idempotency field, and the advisory vote of a member. */
  async sealedAndAdvisory(
    id: string,
    idemField: string | null,
    memberId: string,
  ): Promise<{ sealed: string | null; advisory: string | null }> {
    const k = ballotKeys(id);
    const [sealed, advisory] = await Promise.all([
      idemField ? this.redis.hget(k.idem, idemField) : null,
      this.redis.hget(k.advisory, memberId),
    ]);
    return { sealed, advisory };
  }

  /**
   * The record kept under a receipt (secret: the choice only, kept in the receipt-ordered set as
   * "<receipt> <record>", found by its prefix).
   */
  async receiptRecord(id: string, receipt: string): Promise<string | null> {
    const k = ballotKeys(id);
    const open = await this.redis.hget(k.receipts, receipt);
    if (open !== null) return open;
    const [sealed] = await this.redis.zrangebylex(k.choices, `[${receipt} `, `[${receipt} \xff`, 'LIMIT', 0, 1);
    return sealed === undefined ? null : sealed.slice(receipt.length + 1);
  }

  async counts(id: string): Promise<Record<string, string>> {
    return this.redis.hgetall(ballotKeys(id).counts);
  }

  async proxies(id: string): Promise<Record<string, string>> {
    return this.redis.hgetall(ballotKeys(id).proxies);
  }

  async result(id: string): Promise<string | null> {
    return this.redis.get(ballotKeys(id).result);
  }

  /**
   * "<seq>:<hash>" of the result entry, or null before the result is stored. A ballot closed before
   * this key existed: found in the log.
   */
  async resultHead(id: string): Promise<string | null> {
    const kept = await this.redis.get(ballotKeys(id).resultHead);
    if (kept) return kept;
    for (const line of await this.audit(id)) {
      const e = JSON.parse(line) as { seq: number; type: string; hash: string };
      if (e.type === 'result') return `${e.seq}:${e.hash}`;
    }
    return null;
  }

  /** "<seq>:<hash>" of the last audit entry (moves with every accepted vote), or null. */
  async head(id: string): Promise<string | null> {
    return this.redis.get(ballotKeys(id).head);
  }

  async audit(id: string): Promise<string[]> {
    return this.redis.lrange(ballotKeys(id).audit, '0', '-1');
  }

  /** Tries to take the shared tally gate for `ms`; true if this process may broadcast now. */
  async takeGate(id: string, ms: number): Promise<{ taken: true } | { taken: false; waitMs: number }> {
    const k = ballotKeys(id).gate;
    const ok = await this.redis.set(k, '1', 'PX', ms, 'NX');
    if (ok) return { taken: true };
    const ttl = await this.redis.pttl(k);
    return { taken: false, waitMs: ttl > 0 ? ttl : 1 };
  }

  /** A voter's one-line reason (replaces an earlier one), or removes it (`json` null). */
  async setReason(ballotId: string, userId: string, json: string | null): Promise<void> {
    if (json) await this.redis.hset(ballotKeys(ballotId).reasons, userId, json);
    else await this.redis.hdel(ballotKeys(ballotId).reasons, userId);
  }

  async reasons(ballotId: string): Promise<string[]> {
    return this.redis.hvals(ballotKeys(ballotId).reasons);
  }
}
