/**
 * Redis keys of the consensus ledger and the clause map. No rules here.
 *
 *   consensus:{C}:items     zset  item id by time
 *   consensus:{C}:item      hash  item id → ConsensusItem JSON
 *   consensus:{C}:ballots   hash  ballot id → item id (one item per ballot, whoever records first)
 *   consensus:conv:{V}      hash  clause id → ClauseBinding JSON (the last ballot on that clause)
 */
import type { ClauseBinding, ConsensusItem } from '@linli/shared';
import type { Redis } from '../redis/connection.ts';

const k = {
  items: (cid: string) => `consensus:{${cid}}:items`,
  item: (cid: string) => `consensus:{${cid}}:item`,
  ballots: (cid: string) => `consensus:{${cid}}:ballots`,
  clauses: (conventionId: string) => `consensus:conv:{${conventionId}}`,
};

// Records an item once per ballot: a second close (another process, a retry) changes nothing.
const ADD = `
if redis.call('HSETNX', KEYS[3], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
redis.call('ZADD', KEYS[1], ARGV[4], ARGV[2])
return 1
`;

const SETTLE = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur and cjson.decode(cur).ballotId ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
`;

export class ConsensusRepository {
  constructor(private readonly redis: Redis) {}

  /** True if the item was added, false if this ballot already has one. */
  async add(item: ConsensusItem): Promise<boolean> {
    const cid = item.communityId;
    const r = await this.redis.call('EVAL', [
      ADD,
      3,
      k.items(cid),
      k.item(cid),
      k.ballots(cid),
      item.ballotId,
      item.id,
      JSON.stringify(item),
      String(item.at),
    ]);
    return r === 1;
  }

  /** Items of a community, newest first. */
  async list(cid: string, limit = 500): Promise<ConsensusItem[]> {
    const ids = await this.redis.zrange(k.items(cid), '0', String(limit - 1), 'REV');
    if (ids.length === 0) return [];
    const raws = await this.redis.hmget(k.item(cid), ...ids);
    return raws.filter((r): r is string => !!r).map((r) => JSON.parse(r) as ConsensusItem);
  }

  /** Binds a clause to a ballot opening on it (the newest ballot on a clause wins). */
  async setBinding(b: ClauseBinding): Promise<void> {
    await this.redis.hset(k.clauses(b.conventionId), b.clauseId, JSON.stringify(b));
  }

  /** Records a decision, unless a newer ballot on the same clause has opened meanwhile. */
  async settleBinding(b: ClauseBinding): Promise<boolean> {
    const r = await this.redis.call('EVAL', [SETTLE, 1, k.clauses(b.conventionId), b.clauseId, b.ballotId, JSON.stringify(b)]);
    return r === 1;
  }

  async bindings(conventionId: string): Promise<ClauseBinding[]> {
    const all = await this.redis.hgetall(k.clauses(conventionId));
    return Object.values(all).map((r) => JSON.parse(r) as ClauseBinding);
  }
}
