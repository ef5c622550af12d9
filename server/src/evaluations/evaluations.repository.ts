/**
 * Redis keys and commands of evaluation rounds (评议). No rules here: the service decides. Writes
 * go through Lua scripts with the ballots' audit prelude (same chain format): common/record-once.lua (shared with budgets), and
 * the consultations' transition, result and note scripts, reused as they are (they take the keys
 * they touch). Every key of one round carries the hash tag `{evaluation:<id>}` (one cluster slot).
 *
 *   {evaluation:E}:meta       str   the stored round JSON (StoredEvaluation; the reply lives here)
 *   {evaluation:E}:status     str   draft | open | closed (checked by every script)
 *   {evaluation:E}:deadline   str   closesAt in ms, 0 = none (record-once.lua compares it with Redis TIME)
 *   {evaluation:E}:responses  hash  voter key → {receipt, channel, at, by}: who answered (never shown)
 *   {evaluation:E}:answers    hash  receipt → {scores, groups, comment?, channel}: what was answered
 *   {evaluation:E}:idem       hash  sha256(evaluation|who|key) → receipt
 *   {evaluation:E}:audit      list  the hash-chained log;  :head "<seq>:<hash>"
 *   {evaluation:E}:result     str   the result written once at close;  :resulthead its entry
 *   evaluations:community:<cid> zset  round ids by creation time
 *   evaluations:due             zset  "open:<id>" / "close:<id>" by ms (the timer's queue)
 */
import { LuaScript } from '../ballots/ballots.repository.ts';
import { confirmDurable } from '../redis/durable.ts';
import type { Redis } from '../redis/connection.ts';

export const evaluationKeys = (id: string) => {
  const k = (s: string) => `{evaluation:${id}}:${s}`;
  return {
    meta: k('meta'),
    status: k('status'),
    deadline: k('deadline'),
    responses: k('responses'),
    answers: k('answers'),
    idem: k('idem'),
    audit: k('audit'),
    head: k('head'),
    result: k('result'),
    resultHead: k('resulthead'),
    /** Unused by evaluations; the shared transition script takes them (same slot). */
    electorate: k('electorate'),
    eligible: k('eligible'),
  };
};
const communityIndex = (cid: string) => `evaluations:community:${cid}`;
export const EVALUATIONS_DUE = 'evaluations:due';

const consultationScript = (file: string) => new LuaScript(new URL(`../consultations/${file}`, import.meta.url));
const SCRIPTS = {
  record: new LuaScript(new URL('../common/record-once.lua', import.meta.url)),
  transition: consultationScript('transition.lua'),
  result: consultationScript('result.lua'),
};

export interface AuditBody {
  auditType: string;
  dataJson: string;
  bodyHash: string;
}

export class EvaluationsRepository {
  constructor(readonly redis: Redis) {}

  async create(id: string, cid: string, metaJson: string, deadline: number, createdAt: number): Promise<void> {
    const k = evaluationKeys(id);
    await this.redis.multi().set(k.meta, metaJson).set(k.status, 'draft').set(k.deadline, String(deadline)).exec();
    await this.redis.zadd(communityIndex(cid), createdAt, id);
  }

  async get(id: string): Promise<{ metaJson: string; status: string } | null> {
    const k = evaluationKeys(id);
    const [metaJson, status] = await this.redis.mget(k.meta, k.status);
    return metaJson && status ? { metaJson, status } : null;
  }

  idsOf(cid: string): Promise<string[]> {
    return this.redis.zrevrange(communityIndex(cid), 0, 199);
  }

  /** Status change (or '' to keep it) with the new meta and its audit entry, if the status is one of `from`. */
  async transition(id: string, from: readonly string[], to: string, metaJson: string, body: AuditBody): Promise<string[]> {
    const k = evaluationKeys(id);
    return SCRIPTS.transition.run(
      this.redis,
      [k.status, k.meta, k.audit, k.head, k.deadline, k.electorate, k.eligible],
      [id, from.join(','), to, metaJson, body.auditType, body.dataJson, body.bodyHash, '', '', ''],
    );
  }

  async record(
    id: string,
    w: { voterKey: string; idemField: string; receipt: string; responseJson: string; answerJson: string } & AuditBody,
  ): Promise<string[]> {
    const k = evaluationKeys(id);
    const r = await SCRIPTS.record.run(
      this.redis,
      [k.status, k.deadline, k.responses, k.answers, k.idem, k.audit, k.head],
      [id, w.voterKey, w.idemField, w.receipt, w.responseJson, w.answerJson, w.auditType, w.dataJson, w.bodyHash],
    );
    // Acknowledged only once replicas hold it (docs/SCALING.md), as for ballots and consultations.
    if (r[0] === 'ok' || r[0] === 'dup') await confirmDurable(this.redis, k.status);
    return r;
  }

  /** The result, written once after close, with its `result` entry. */
  async writeResult(id: string, resultJson: string, body: AuditBody): Promise<string[]> {
    const k = evaluationKeys(id);
    return SCRIPTS.result.run(
      this.redis,
      [k.status, k.result, k.resultHead, k.audit, k.head],
      [id, resultJson, body.dataJson, body.bodyHash],
    );
  }

  answers(id: string): Promise<Record<string, string>> {
    return this.redis.hgetall(evaluationKeys(id).answers);
  }
  responseCount(id: string): Promise<number> {
    return this.redis.hlen(evaluationKeys(id).responses);
  }
  response(id: string, voterKey: string): Promise<string | null> {
    return this.redis.hget(evaluationKeys(id).responses, voterKey);
  }
  audit(id: string): Promise<string[]> {
    return this.redis.lrange(evaluationKeys(id).audit, 0, -1);
  }

  /** The timer's queue. */
  due(now: number): Promise<string[]> {
    return this.redis.zrangebyscore(EVALUATIONS_DUE, 0, now, 'LIMIT', 0, 50);
  }
  schedule(member: string, at: number): Promise<number> {
    return this.redis.zadd(EVALUATIONS_DUE, at, member);
  }
  unschedule(member: string): Promise<number> {
    return this.redis.zrem(EVALUATIONS_DUE, member);
  }
}
