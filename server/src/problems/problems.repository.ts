/**
 * Redis keys and commands of the problems ledger. No rules here.
 *
 *   problem:{pid}        str   Problem JSON
 *   problems:{cid}       zset  problemId → order of raising (the community's ledger, newest last)
 *   problemseq:{cid}     int   the last order given (ties of the same millisecond stay in order)
 *   problemphoto:{pid}   str   the photo's bytes (its type is in the problem's `photo.mime`)
 *
 * Every write that changes a problem compares the JSON it was planned on (Lua), so two managers
 * clicking at once never lose a history entry; the dashboard counter it implies is written in the
 * same script.
 *
 * On a Redis Cluster the keys carry real hash tags (`problem:{problem:<pid>}` and its photo share
 * a slot; `problems:{problems:<cid>}` and its sequence share one): the compare-and-set of a
 * problem and its photo stays one script; the ledger entry and the dashboard counter (other
 * slots) are written right after it, in that order.
 */
import type { Problem } from '@linli/shared';
import { isCluster, type Redis } from '../redis/connection.ts';

const tagged = {
  problem: (pid: string) => `problem:{problem:${pid}}`,
  ledger: (cid: string) => `problems:{problems:${cid}}`,
  seq: (cid: string) => `problemseq:{problems:${cid}}`,
  photo: (pid: string) => `problemphoto:{problem:${pid}}`,
};

const plain: typeof tagged = {
  problem: (pid: string) => `problem:${pid}`,
  ledger: (cid: string) => `problems:${cid}`,
  seq: (cid: string) => `problemseq:${cid}`,
  photo: (pid: string) => `problemphoto:${pid}`,
};

/** A dashboard counter to bump in the same write (key names from StatsRepository.keysFor). */
export interface StatBump {
  monthKey: string;
  monthsKey: string;
  month: string;
  metric: string;
}

/** A stored problem and the exact JSON it was read from (the compare-and-set token). */
export interface LoadedProblem {
  problem: Problem;
  raw: string;
}

// KEYS: problem, ledger, sequence, [stats month hash, stats months set]. ARGV: json, id, [metric, month].
const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[3]), ARGV[2])
if KEYS[4] then
  redis.call('HINCRBY', KEYS[4], ARGV[3], 1)
  redis.call('SADD', KEYS[5], ARGV[4])
end
return 1
`;

// KEYS: problem, photo, [stats month hash, stats months set].
// ARGV: expected json, next json, photo bytes ('' = leave the photo alone), [metric, month].
const REPLACE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
if ARGV[3] ~= '' then redis.call('SET', KEYS[2], ARGV[3]) end
if KEYS[3] then
  redis.call('HINCRBY', KEYS[3], ARGV[4], 1)
  redis.call('SADD', KEYS[4], ARGV[5])
end
return 1
`;

export class ProblemsRepository {
  readonly #k: typeof plain;
  readonly #cluster: boolean;
  constructor(private readonly redis: Redis) {
    this.#cluster = isCluster(redis);
    this.#k = this.#cluster ? tagged : plain;
  }

  /** Stores a new problem in its community's ledger (and bumps `stat`); false if the id exists. */
  async create(p: Problem, stat?: StatBump): Promise<boolean> {
    if (this.#cluster) {
      if ((await this.redis.set(this.#k.problem(p.id), JSON.stringify(p), 'NX')) === null) return false;
      await this.redis.eval(
        `redis.call('ZADD', KEYS[1], redis.call('INCR', KEYS[2]), ARGV[1]) return 1`,
        2,
        this.#k.ledger(p.communityId),
        this.#k.seq(p.communityId),
        p.id,
      );
      if (stat) await this.#bump(stat);
      return true;
    }
    const keys = [
      this.#k.problem(p.id),
      this.#k.ledger(p.communityId),
      this.#k.seq(p.communityId),
      ...(stat ? [stat.monthKey, stat.monthsKey] : []),
    ];
    const args = [JSON.stringify(p), p.id, ...(stat ? [stat.metric, stat.month] : [])];
    return (await this.redis.eval(CREATE, keys.length, ...keys, ...args)) === 1;
  }

  /** A dashboard counter bumped on its own (the cluster path: the stats keys are in another slot). */
  async #bump(stat: StatBump): Promise<void> {
    await this.redis.multi().hincrby(stat.monthKey, stat.metric, 1).sadd(stat.monthsKey, stat.month).exec();
  }

  async get(pid: string): Promise<LoadedProblem | null> {
    const raw = await this.redis.get(this.#k.problem(pid));
    return raw ? { raw, problem: JSON.parse(raw) as Problem } : null;
  }

  /** Problems by id, in the order asked, missing ones left out. */
  async getMany(ids: readonly string[]): Promise<Problem[]> {
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(...ids.map(this.#k.problem));
    return raws.flatMap((r) => (r ? [JSON.parse(r) as Problem] : []));
  }

  /** Every problem of a community, the last raised first. */
  async list(cid: string): Promise<Problem[]> {
    const ids = await this.redis.zrevrange(this.#k.ledger(cid), '0', '-1');
    return this.getMany(ids);
  }

  /**
   * Replaces a problem if it is still exactly `expectedRaw`, with a new photo and a counter bump
   * when given, all at once. False when someone else changed it in between (plan again).
   */
  async replace(expectedRaw: string, next: Problem, opts: { photo?: Buffer; stat?: StatBump } = {}): Promise<boolean> {
    const { photo, stat } = opts;
    if (this.#cluster) {
      const ok =
        (await this.redis.eval(
          REPLACE,
          2,
          this.#k.problem(next.id),
          this.#k.photo(next.id),
          expectedRaw,
          JSON.stringify(next),
          photo ?? '',
        )) === 1;
      if (ok && stat) await this.#bump(stat);
      return ok;
    }
    const keys = [this.#k.problem(next.id), this.#k.photo(next.id), ...(stat ? [stat.monthKey, stat.monthsKey] : [])];
    const args: (string | Buffer)[] = [expectedRaw, JSON.stringify(next), photo ?? '', ...(stat ? [stat.metric, stat.month] : [])];
    return (await this.redis.eval(REPLACE, keys.length, ...keys, ...args)) === 1;
  }

  /** The photo's bytes, or null. */
  getPhoto(pid: string): Promise<Buffer | null> {
    return this.redis.getBuffer(this.#k.photo(pid));
  }
}
