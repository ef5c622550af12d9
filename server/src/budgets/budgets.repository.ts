/**
 * Redis keys and commands of micro-project budgets (民生微实事). No rules here: the service decides;
 * the Lua scripts (with the ballots' audit prelude, so the chain has the ballots' format and the
 * verifier reads it) check and write atomically. Every key of one budget carries the hash tag
 * `{budget:<id>}` (one slot in a cluster).
 *
 *   {budget:B}:meta        str   the stored budget JSON (without status)
 *   {budget:B}:status      str   draft | open | closed (checked by every script)
 *   {budget:B}:deadline    str   closesAt in ms, or absent (record-once.lua compares it with Redis TIME)
 *   {budget:B}:projects    hash  project id → Project JSON
 *   {budget:B}:seq         int   the last proposal number given
 *   {budget:B}:choices     hash  voter key (h:<household> | m:<member> | p:<paper>) → {receipt, projectIds, channel, by, at}
 *   {budget:B}:receipts    hash  receipt → voter key
 *   {budget:B}:idem        hash  sha256(budget|voter|key) → receipt
 *   {budget:B}:ratings:P   hash  member id → stars (1–5), once each
 *   {budget:B}:audit       list  the hash-chained log;  :head "<seq>:<hash>"
 *   {budget:B}:result      str   the final result JSON (once);  :resulthead "<seq>:<hash>" of its entry
 *   budgets:community:<cid> zset  budget ids by creation time
 *   budgets:project:<pid>   str   the budget id of a project (for /api/projects/:id)
 */
import { LuaScript } from '../ballots/ballots.repository.ts';
import { confirmDurable } from '../redis/durable.ts';
import type { Redis } from '../redis/connection.ts';

export const budgetKeys = (id: string) => {
  const k = (s: string) => `{budget:${id}}:${s}`;
  return {
    meta: k('meta'),
    status: k('status'),
    deadline: k('deadline'),
    projects: k('projects'),
    seq: k('seq'),
    choices: k('choices'),
    receipts: k('receipts'),
    idem: k('idem'),
    ratings: (pid: string) => k(`ratings:${pid}`),
    audit: k('audit'),
    head: k('head'),
    result: k('result'),
    resultHead: k('resulthead'),
  };
};
const communityIndex = (cid: string) => `budgets:community:${cid}`;
const projectIndex = (pid: string) => `budgets:project:${pid}`;

const SCRIPTS = {
  choose: new LuaScript(new URL('../common/record-once.lua', import.meta.url)),
  transition: new LuaScript(new URL('./transition.lua', import.meta.url)),
  project: new LuaScript(new URL('./project.lua', import.meta.url)),
  // The consultations' result script: status must be closed, the result written once with its entry.
  result: new LuaScript(new URL('../consultations/result.lua', import.meta.url)),
};

/** An audit entry's body as the scripts take it (see consultations.model.ts auditBody). */
export interface AuditWrite {
  auditType: string;
  dataJson: string;
  bodyHash: string;
}

export class BudgetsRepository {
  constructor(readonly redis: Redis) {}

  /** Stores a new budget as a draft (status and deadline with it) and indexes it; the `created` entry follows by transition. */
  async create(id: string, cid: string, metaJson: string, createdAt: number, deadline: number | undefined): Promise<void> {
    const k = budgetKeys(id);
    const m = this.redis.multi().set(k.meta, metaJson).set(k.status, 'draft');
    if (deadline) m.set(k.deadline, String(deadline));
    await m.exec();
    await this.redis.zadd(communityIndex(cid), createdAt, id);
  }

  async get(id: string): Promise<{ metaJson: string; status: string } | null> {
    const k = budgetKeys(id);
    const [metaJson, status] = await this.redis.mget(k.meta, k.status);
    return metaJson && status ? { metaJson, status } : null;
  }

  idsOf(cid: string): Promise<string[]> {
    return this.redis.zrevrange(communityIndex(cid), 0, 199);
  }

  async transition(id: string, from: readonly string[], to: string, metaJson: string, a: AuditWrite): Promise<string[]> {
    const k = budgetKeys(id);
    return SCRIPTS.transition.run(
      this.redis,
      [k.status, k.meta, k.audit, k.head],
      [id, from.join(','), to, metaJson, a.auditType, a.dataJson, a.bodyHash],
    );
  }

  /** The next proposal number of a budget. */
  nextSeq(id: string): Promise<number> {
    return this.redis.incr(budgetKeys(id).seq);
  }

  /** Writes a project if it is still `expectedJson` ('' = new); 'ok' | 'stale' | 'status'. */
  async writeProject(
    budgetId: string,
    projectId: string,
    expectedJson: string,
    nextJson: string,
    a: AuditWrite,
    budgetStatuses: readonly string[] = [],
  ): Promise<string> {
    const k = budgetKeys(budgetId);
    if (expectedJson === '') await this.redis.set(projectIndex(projectId), budgetId, 'NX');
    const r = await SCRIPTS.project.run(
      this.redis,
      [k.projects, k.audit, k.head, k.status],
      [budgetId, projectId, expectedJson, nextJson, a.auditType, a.dataJson, a.bodyHash, budgetStatuses.join(',')],
    );
    return r[0]!;
  }

  budgetOfProject(pid: string): Promise<string | null> {
    return this.redis.get(projectIndex(pid));
  }

  /** Every project of a budget as stored JSON. */
  async projects(id: string): Promise<string[]> {
    return Object.values(await this.redis.hgetall(budgetKeys(id).projects));
  }
  project(budgetId: string, pid: string): Promise<string | null> {
    return this.redis.hget(budgetKeys(budgetId).projects, pid);
  }

  async choose(
    w: { budgetId: string; voterKey: string; idemField: string; receipt: string; choiceJson: string } & AuditWrite,
  ): Promise<string[]> {
    const k = budgetKeys(w.budgetId);
    const r = await SCRIPTS.choose.run(
      this.redis,
      [k.status, k.deadline, k.choices, k.receipts, k.idem, k.audit, k.head],
      // A budget's receipt maps back to its voter key.
      [w.budgetId, w.voterKey, w.idemField, w.receipt, w.choiceJson, w.voterKey, w.auditType, w.dataJson, w.bodyHash],
    );
    // A choice (or the same key again) is acknowledged only once replicas hold it (docs/SCALING.md).
    if (r[0] === 'ok' || r[0] === 'dup') await confirmDurable(this.redis, k.status);
    return r;
  }

  choices(id: string): Promise<Record<string, string>> {
    return this.redis.hgetall(budgetKeys(id).choices);
  }
  choice(id: string, voterKey: string): Promise<string | null> {
    return this.redis.hget(budgetKeys(id).choices, voterKey);
  }

  async writeResult(id: string, resultJson: string, a: AuditWrite): Promise<string[]> {
    const k = budgetKeys(id);
    return SCRIPTS.result.run(this.redis, [k.status, k.result, k.resultHead, k.audit, k.head], [id, resultJson, a.dataJson, a.bodyHash]);
  }
  async result(id: string): Promise<{ json: string | null; head: string | null }> {
    const k = budgetKeys(id);
    const [json, head] = await this.redis.mget(k.result, k.resultHead);
    return { json: json ?? null, head: head ?? null };
  }

  /** Records a member's stars once; false if they had rated already. */
  async rate(budgetId: string, pid: string, userId: string, stars: number): Promise<boolean> {
    return (await this.redis.hsetnx(budgetKeys(budgetId).ratings(pid), userId, String(stars))) === 1;
  }
  async ratings(budgetId: string, pid: string): Promise<Record<string, string>> {
    return this.redis.hgetall(budgetKeys(budgetId).ratings(pid));
  }

  audit(id: string): Promise<string[]> {
    return this.redis.lrange(budgetKeys(id).audit, 0, -1);
  }
}
