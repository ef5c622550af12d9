/**
 * Redis keys and commands for the household roster and its invitation codes. No rules here.
 *
 *   hh:{cid}      hash  householdId → Household JSON (a 20,000-row roster loads with one HGETALL)
 *   hhkey:{cid}   hash  building/unit/room key → householdId (the identity used by imports)
 *   hhver:{cid}   int   bumped on every write; writes apply only on the version they were planned on
 *   inv:{code}    str   "{cid}:{hid}" (codes are global: a claim does not name the community)
 *
 * On one Redis the community keys are `hh:<cid>` etc. (as stored since the first release); on a
 * Redis Cluster they carry the hash tag `{roster:<cid>}` so the three share a slot. The codes are
 * global keys in other slots: on a cluster they are reserved (SET NX) before the roster script
 * runs and released if it refuses, and removed codes are deleted after it.
 */
import type { Household } from '@linli/shared';
import { isCluster, type Redis } from '../redis/connection.ts';

const plain = {
  households: (cid: string) => `hh:${cid}`,
  keys: (cid: string) => `hhkey:${cid}`,
  version: (cid: string) => `hhver:${cid}`,
  invitation: (code: string) => `inv:${code}`,
};
const tagged: typeof plain = {
  households: (cid: string) => `hh:{roster:${cid}}`,
  keys: (cid: string) => `hhkey:{roster:${cid}}`,
  version: (cid: string) => `hhver:{roster:${cid}}`,
  invitation: (code: string) => `inv:${code}`,
};

/** One household to write: its JSON, its key, and the key it had (when building/unit/room changed). */
export interface HouseholdWrite {
  household: Household;
  key: string;
  oldKey?: string;
}

export interface RosterWrite {
  households: HouseholdWrite[];
  /** New codes → household id (refused if a code already exists). */
  addCodes: { code: string; householdId: string }[];
  removeCodes: string[];
}

export type ApplyResult = 'ok' | 'stale' | 'code_taken';

// All checks first (a Lua script is atomic but not rolled back), then every write, then the version.
// ARGV is walked with an index, never unpack()ed: a 20,000-row import has 80,000 arguments.
const APPLY = `
local ver = redis.call('GET', KEYS[3]) or '0'
if ver ~= ARGV[1] then return 'stale' end
local nh = tonumber(ARGV[2])
local nadd = tonumber(ARGV[3])
local ndel = tonumber(ARGV[4])
for j = 1, nadd do
  if redis.call('EXISTS', KEYS[3 + j]) == 1 then return 'code_taken' end
end
local i = 5
for n = 1, nh do
  local id, json, key, oldkey = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  i = i + 4
  redis.call('HSET', KEYS[1], id, json)
  if oldkey ~= '' and oldkey ~= key then redis.call('HDEL', KEYS[2], oldkey) end
  redis.call('HSET', KEYS[2], key, id)
end
for j = 1, nadd do
  redis.call('SET', KEYS[3 + j], ARGV[i])
  i = i + 1
end
for j = 1, ndel do
  redis.call('DEL', KEYS[3 + nadd + j])
end
redis.call('INCR', KEYS[3])
return 'ok'
`;

export class RosterRepository {
  readonly #k: typeof plain;
  constructor(private readonly redis: Redis) {
    this.#k = isCluster(redis) ? tagged : plain;
  }

  /** The whole roster of a community and the version it was read at (one MULTI: a consistent view). */
  async load(cid: string): Promise<{ version: string; households: Household[] }> {
    const res = await this.redis.multi().get(this.#k.version(cid)).hvals(this.#k.households(cid)).exec();
    const [verErr, ver] = res![0]!;
    const [valsErr, vals] = res![1]!;
    if (verErr) throw verErr;
    if (valsErr) throw valsErr;
    return { version: (ver as string | null) ?? '0', households: (vals as string[]).map((v) => JSON.parse(v) as Household) };
  }

  async get(cid: string, hid: string): Promise<Household | null> {
    const raw = await this.redis.hget(this.#k.households(cid), hid);
    return raw ? (JSON.parse(raw) as Household) : null;
  }

  async version(cid: string): Promise<string> {
    return (await this.redis.get(this.#k.version(cid))) ?? '0';
  }

  async idByKey(cid: string, key: string): Promise<string | null> {
    return this.redis.hget(this.#k.keys(cid), key);
  }

  /** Where a code points: community and household, or null. */
  async invitation(code: string): Promise<{ communityId: string; householdId: string } | null> {
    const raw = await this.redis.get(this.#k.invitation(code));
    if (!raw) return null;
    const [communityId, householdId] = raw.split(':');
    return communityId && householdId ? { communityId, householdId } : null;
  }

  /** Applies a planned write atomically if the roster is still at `version`. */
  async apply(cid: string, version: string, w: RosterWrite): Promise<ApplyResult> {
    if (isCluster(this.redis)) return this.#applyOnCluster(cid, version, w);
    const keys = [
      this.#k.households(cid),
      this.#k.keys(cid),
      this.#k.version(cid),
      ...w.addCodes.map((c) => this.#k.invitation(c.code)),
      ...w.removeCodes.map((c) => this.#k.invitation(c)),
    ];
    const args: string[] = [version, String(w.households.length), String(w.addCodes.length), String(w.removeCodes.length)];
    for (const h of w.households) args.push(h.household.id, JSON.stringify(h.household), h.key, h.oldKey ?? '');
    for (const c of w.addCodes) args.push(`${cid}:${c.householdId}`);
    // One array, not spread arguments: a full roster is ~120,000 arguments, beyond a JS call's limit.
    return (await this.redis.call('EVAL', [APPLY, keys.length, ...keys, ...args])) as ApplyResult;
  }

  /** The cluster path: codes reserved first (their own slots), the roster script on its one slot, then removals. */
  async #applyOnCluster(cid: string, version: string, w: RosterWrite): Promise<ApplyResult> {
    const reserved: string[] = [];
    const release = () => this.#chunked(reserved, (key) => this.redis.del(key));
    let taken = false;
    await this.#chunked(w.addCodes, async (c) => {
      const key = this.#k.invitation(c.code);
      if ((await this.redis.set(key, `${cid}:${c.householdId}`, 'NX')) === null) taken = true;
      else reserved.push(key);
    });
    if (taken) {
      await release();
      return 'code_taken';
    }
    const args: string[] = [version, String(w.households.length), '0', '0'];
    for (const h of w.households) args.push(h.household.id, JSON.stringify(h.household), h.key, h.oldKey ?? '');
    let r: ApplyResult;
    try {
      r = (await this.redis.call('EVAL', [
        APPLY,
        3,
        this.#k.households(cid),
        this.#k.keys(cid),
        this.#k.version(cid),
        ...args,
      ])) as ApplyResult;
    } catch (err) {
      await release().catch(() => {});
      throw err;
    }
    if (r !== 'ok') {
      await release();
      return r;
    }
    await this.#chunked(w.removeCodes, (code) => this.redis.del(this.#k.invitation(code)));
    return r;
  }

  async #chunked<T>(items: readonly T[], fn: (item: T) => Promise<unknown>): Promise<void> {
    for (let i = 0; i < items.length; i += 500) await Promise.all(items.slice(i, i + 500).map(fn));
  }
}
