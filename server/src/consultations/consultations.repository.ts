/**
 * Redis keys and commands of written consultations. No rules here: the service decides, the Lua
 * scripts (record, transition, result; each with the ballots' audit prelude, so the chain has the
 * same format and `npm run verify` checks it) check and write atomically. Every key of one
 * consultation carries the hash tag `{consultation:<id>}` (one slot in a cluster).
 *
 *   {consultation:C}:meta        str   the stored consultation JSON (StoredConsultation)
 *   {consultation:C}:status      str   scheduled | open | closed | published (checked by every script)
 *   {consultation:C}:deadline    str   closesAt in ms (record.lua compares it with Redis TIME)
 *   {consultation:C}:electorate  str   ElectorateSnapshot frozen at opening
 *   {consultation:C}:eligible    set   household ids of the snapshot
 *   {consultation:C}:responses   hash  household id → {receipt, channel, at, by, answers (open only)}
 *   {consultation:C}:receipts    hash  receipt → {channel, at, householdId (open only)}
 *   {consultation:C}:sealed      zset  "<receipt> {answers, ownerKey, areaCentiares}" (secret only; ordered by receipt)
 *   {consultation:C}:idem        hash  sha256(consultation|household|key) → receipt
 *   {consultation:C}:audit       list  the hash-chained log;  :head "<seq>:<hash>"
 *   {consultation:C}:result      str   final result JSON (once);  :resulthead "<seq>:<hash>" of its entry
 *   {consultation:C}:serials     hash  household id → paper serial;  :papers  serial → household id
 *   {consultation:C}:entrycounts hash  {awaiting, mismatch}, written by paper entry (read here)
 *   {consultation:C}:gate        str   progress broadcast gate (PX), shared by every process
 *   consultations:community:<cid> zset consultation ids by creation time
 *   consultations:code:<code>     str  consultation id of a 4-symbol paper code prefix
 *   consultations:meeting:<mid>   str  the consultation shown in a meeting (hall answers count in it)
 *   consultations:due             zset "open:<id>" / "close:<id>" by ms (the scheduler's queue)
 */
import { LuaScript } from '../ballots/ballots.repository.ts';
import { confirmDurable } from '../redis/durable.ts';
import type { Redis } from '../redis/connection.ts';

const tag = (id: string) => `{consultation:${id}}`;
export const consultationKeys = (id: string) => {
  const t = tag(id);
  const k = (s: string) => `${t}:${s}`;
  return {
    meta: k('meta'),
    status: k('status'),
    deadline: k('deadline'),
    electorate: k('electorate'),
    eligible: k('eligible'),
    responses: k('responses'),
    receipts: k('receipts'),
    sealed: k('sealed'),
    idem: k('idem'),
    audit: k('audit'),
    head: k('head'),
    result: k('result'),
    resultHead: k('resulthead'),
    serials: k('serials'),
    papers: k('papers'),
    entryCounts: k('entrycounts'),
    gate: k('gate'),
  };
};
export const communityIndex = (cid: string) => `consultations:community:${cid}`;
export const codeIndex = (code: string) => `consultations:code:${code}`;
export const DUE = 'consultations:due';

const lua = (file: string) => new LuaScript(new URL(file, import.meta.url));
const SCRIPTS = { record: lua('./record.lua'), transition: lua('./transition.lua'), result: lua('./result.lua'), note: lua('./note.lua') };

export interface RecordWrite {
  consultationId: string;
  householdId: string;
  idemField: string;
  receipt: string;
  responseJson: string;
  sealedJson: string;
  auditType: string;
  dataJson: string;
  bodyHash: string;
  receiptJson: string;
}

export interface TransitionWrite {
  consultationId: string;
  from: readonly string[];
  to: string;
  metaJson: string;
  auditType: string;
  dataJson: string;
  bodyHash: string;
  clock: 'before' | 'after' | '';
  deadline?: number;
  electorateJson?: string;
  eligible?: readonly string[];
}

export class ConsultationsRepository {
  constructor(readonly redis: Redis) {}

  async create(
    id: string,
    cid: string,
    code: string,
    metaJson: string,
    deadline: number,
    createdAt: number,
    serials: readonly string[],
    due: { opensAt: number },
  ): Promise<boolean> {
    if ((await this.redis.set(codeIndex(code), id, 'NX')) !== 'OK') return false;
    const k = consultationKeys(id);
    const m = this.redis.multi();
    m.set(k.meta, metaJson).set(k.status, 'scheduled').set(k.deadline, String(deadline));
    await m.exec();
    await this.addSerials(id, serials, 1);
    await this.redis.zadd(communityIndex(cid), createdAt, id);
    await this.redis.zadd(DUE, due.opensAt, `open:${id}`);
    return true;
  }

  /** Gives `householdIds` serials from `first` on (HSETNX: a household keeps the serial it has). */
  async addSerials(id: string, householdIds: readonly string[], first: number): Promise<void> {
    const k = consultationKeys(id);
    for (let i = 0; i < householdIds.length; i += 1000) {
      const m = this.redis.multi();
      householdIds.slice(i, i + 1000).forEach((hid, j) => {
        m.hsetnx(k.serials, hid, String(first + i + j));
        m.hsetnx(k.papers, String(first + i + j), hid);
      });
      await m.exec();
    }
  }

  serials(id: string): Promise<Record<string, string>> {
    return this.redis.hgetall(consultationKeys(id).serials);
  }
  serialOf(id: string, hid: string): Promise<string | null> {
    return this.redis.hget(consultationKeys(id).serials, hid);
  }
  householdOfSerial(id: string, serial: number): Promise<string | null> {
    return this.redis.hget(consultationKeys(id).papers, String(serial));
  }
  idOfCode(code: string): Promise<string | null> {
    return this.redis.get(codeIndex(code));
  }

  async get(id: string): Promise<{ metaJson: string; status: string; deadline: number } | null> {
    const k = consultationKeys(id);
    const [metaJson, status, deadline] = await this.redis.mget(k.meta, k.status, k.deadline);
    return metaJson && status ? { metaJson, status, deadline: Number(deadline) } : null;
  }

  idsOf(cid: string): Promise<string[]> {
    return this.redis.zrevrange(communityIndex(cid), 0, 199);
  }

  async record(w: RecordWrite): Promise<string[]> {
    const k = consultationKeys(w.consultationId);
    const r = await SCRIPTS.record.run(
      this.redis,
      [k.status, k.deadline, k.eligible, k.responses, k.receipts, k.idem, k.audit, k.head, k.sealed],
      [
        w.consultationId,
        w.householdId,
        w.idemField,
        w.receipt,
        w.responseJson,
        w.sealedJson,
        w.auditType,
        w.dataJson,
        w.bodyHash,
        w.receiptJson,
      ],
    );
    // An answer (or the same key again) is acknowledged only once replicas hold it (docs/SCALING.md).
    if (r[0] === 'ok' || r[0] === 'dup') await confirmDurable(this.redis, k.status);
    return r;
  }

  async transition(w: TransitionWrite): Promise<string[]> {
    const k = consultationKeys(w.consultationId);
    return SCRIPTS.transition.run(
      this.redis,
      [k.status, k.meta, k.audit, k.head, k.deadline, k.electorate, k.eligible],
      [
        w.consultationId,
        w.from.join(','),
        w.to,
        w.metaJson,
        w.auditType,
        w.dataJson,
        w.bodyHash,
        w.clock,
        w.deadline ? String(w.deadline) : '',
        w.electorateJson ?? '',
        ...(w.eligible ?? []),
      ],
    );
  }

  async writeResult(id: string, resultJson: string, dataJson: string, bodyHash: string): Promise<string[]> {
    const k = consultationKeys(id);
    return SCRIPTS.result.run(this.redis, [k.status, k.result, k.resultHead, k.audit, k.head], [id, resultJson, dataJson, bodyHash]);
  }

  /** Appends one entry that changes no state (an adoption's outcome). */
  async note(id: string, type: string, dataJson: string, bodyHash: string): Promise<string[]> {
    const k = consultationKeys(id);
    return SCRIPTS.note.run(this.redis, [k.audit, k.head], [id, type, dataJson, bodyHash]);
  }

  async electorate(id: string): Promise<string | null> {
    return this.redis.get(consultationKeys(id).electorate);
  }
  responses(id: string): Promise<Record<string, string>> {
    return this.redis.hgetall(consultationKeys(id).responses);
  }
  response(id: string, hid: string): Promise<string | null> {
    return this.redis.hget(consultationKeys(id).responses, hid);
  }
  sealed(id: string): Promise<string[]> {
    return this.redis.zrange(consultationKeys(id).sealed, '0', '-1');
  }
  async result(id: string): Promise<{ json: string | null; head: string | null }> {
    const k = consultationKeys(id);
    const [json, head] = await this.redis.mget(k.result, k.resultHead);
    return { json: json ?? null, head: head ?? null };
  }
  async entryCounts(id: string): Promise<{ awaiting: number; mismatch: number }> {
    const h = await this.redis.hgetall(consultationKeys(id).entryCounts);
    return { awaiting: Number(h.awaiting ?? 0), mismatch: Number(h.mismatch ?? 0) };
  }
  audit(id: string): Promise<string[]> {
    return this.redis.lrange(consultationKeys(id).audit, 0, -1);
  }
  head(id: string): Promise<string | null> {
    return this.redis.get(consultationKeys(id).head);
  }

  linkedTo(meetingId: string): Promise<string | null> {
    return this.redis.get(`consultations:meeting:${meetingId}`);
  }
  async link(meetingId: string, consultationId: string | null): Promise<void> {
    if (consultationId) await this.redis.set(`consultations:meeting:${meetingId}`, consultationId);
    else await this.redis.del(`consultations:meeting:${meetingId}`);
  }

  /** Scheduler queue. */
  due(now: number): Promise<string[]> {
    return this.redis.zrangebyscore(DUE, 0, now, 'LIMIT', 0, 50);
  }
  schedule(member: string, at: number): Promise<number> {
    return this.redis.zadd(DUE, at, member);
  }
  unschedule(member: string): Promise<number> {
    return this.redis.zrem(DUE, member);
  }
  /** A gate shared by every process: true for the first caller in `ms`. */
  async gate(id: string, ms: number): Promise<boolean> {
    return (await this.redis.set(consultationKeys(id).gate, '1', 'PX', ms, 'NX')) === 'OK';
  }
}
