/**
 * Redis keys of conventions (the live text itself is in the document keys, yjs/yjs.repository.ts).
 * No rules here. Keys of one convention carry its `{id}` hash tag.
 *
 *   convention:{id}               str   Convention JSON
 *   conventions:{cid}             zset  convention id by creation time (per community)
 *   convention:{id}:versions      hash  version id → ConventionVersion JSON
 *   convention:{id}:vdata         hash  version id → Yjs update of the whole document then
 *   convention:{id}:comments      list  ConventionComment JSON, oldest first
 *   convention:{id}:suggestions   hash  suggestion id → ConventionSuggestion JSON
 *   suggestion:{sid}              str   convention id (to find a suggestion by its id alone)
 */
import type { Convention, ConventionComment, ConventionSuggestion, ConventionVersion } from '@linli/shared';
import type { Redis } from '../redis/connection.ts';

const k = {
  convention: (id: string) => `convention:{${id}}`,
  byCommunity: (cid: string) => `conventions:{${cid}}`,
  versions: (id: string) => `convention:{${id}}:versions`,
  vdata: (id: string) => `convention:{${id}}:vdata`,
  comments: (id: string) => `convention:{${id}}:comments`,
  suggestions: (id: string) => `convention:{${id}}:suggestions`,
  suggestion: (sid: string) => `suggestion:{${sid}}`,
};

// Compare-and-set of one suggestion: written only if it is still exactly what the caller read
// (two people accepting at once: one wins, the other sees the decided suggestion).
const CAS_SUGGESTION = `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return nil end
if raw ~= ARGV[2] then return raw end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return ARGV[3]
`;

export class ConventionsRepository {
  constructor(private readonly redis: Redis) {}

  async create(c: Convention): Promise<void> {
    // Both keys in one MULTI: a convention is listed exactly when it exists.
    await this.redis
      .multi()
      .set(k.convention(c.id), JSON.stringify(c))
      .zadd(k.byCommunity(c.communityId), String(c.createdAt), c.id)
      .exec();
  }

  async get(id: string): Promise<Convention | null> {
    const raw = await this.redis.get(k.convention(id));
    return raw ? (JSON.parse(raw) as Convention) : null;
  }

  async save(c: Convention): Promise<void> {
    await this.redis.set(k.convention(c.id), JSON.stringify(c));
  }

  async list(communityId: string): Promise<Convention[]> {
    const ids = await this.redis.zrange(k.byCommunity(communityId), '0', '-1');
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(...ids.map(k.convention));
    return raws.flatMap((r) => (r ? [JSON.parse(r) as Convention] : []));
  }

  async addVersion(v: ConventionVersion, update: Uint8Array): Promise<void> {
    await this.redis
      .multi()
      .hset(k.versions(v.conventionId), v.id, JSON.stringify(v))
      .hset(k.vdata(v.conventionId), v.id, Buffer.from(update))
      .exec();
  }

  async versions(conventionId: string): Promise<ConventionVersion[]> {
    const all = await this.redis.hvals(k.versions(conventionId));
    return all.map((r) => JSON.parse(r) as ConventionVersion).sort((a, b) => a.createdAt - b.createdAt);
  }

  async version(conventionId: string, vid: string): Promise<{ version: ConventionVersion; update: Uint8Array } | null> {
    const [meta, data] = await Promise.all([
      this.redis.hget(k.versions(conventionId), vid),
      this.redis.hgetBuffer(k.vdata(conventionId), vid),
    ]);
    if (!meta || !data) return null;
    return { version: JSON.parse(meta) as ConventionVersion, update: new Uint8Array(data) };
  }

  /** Marks `vid` adopted (and no other version), and records it on the convention, in one MULTI. */
  async adopt(c: Convention, versions: ConventionVersion[]): Promise<void> {
    const m = this.redis.multi();
    for (const v of versions) m.hset(k.versions(c.id), v.id, JSON.stringify(v));
    m.set(k.convention(c.id), JSON.stringify(c));
    await m.exec();
  }

  async addComment(c: ConventionComment): Promise<void> {
    await this.redis.rpush(k.comments(c.conventionId), JSON.stringify(c));
  }

  async comments(conventionId: string): Promise<ConventionComment[]> {
    const all = await this.redis.lrange(k.comments(conventionId), '0', '-1');
    return all.map((r) => JSON.parse(r) as ConventionComment);
  }

  async addSuggestion(s: ConventionSuggestion): Promise<void> {
    await this.redis.multi().hset(k.suggestions(s.conventionId), s.id, JSON.stringify(s)).set(k.suggestion(s.id), s.conventionId).exec();
  }

  async suggestions(conventionId: string): Promise<ConventionSuggestion[]> {
    const all = await this.redis.hvals(k.suggestions(conventionId));
    return all.map((r) => JSON.parse(r) as ConventionSuggestion).sort((a, b) => a.createdAt - b.createdAt);
  }

  async suggestion(sid: string): Promise<ConventionSuggestion | null> {
    const cid = await this.redis.get(k.suggestion(sid));
    if (!cid) return null;
    const raw = await this.redis.hget(k.suggestions(cid), sid);
    return raw ? (JSON.parse(raw) as ConventionSuggestion) : null;
  }

  /** Replaces `prev` by `next` if it is unchanged; returns the suggestion as stored afterwards. */
  async casSuggestion(prev: ConventionSuggestion, next: ConventionSuggestion): Promise<ConventionSuggestion | null> {
    const raw = await this.redis.hget(k.suggestions(prev.conventionId), prev.id);
    if (!raw) return null;
    if ((JSON.parse(raw) as ConventionSuggestion).status !== prev.status) return JSON.parse(raw) as ConventionSuggestion;
    const out = await this.redis.eval(CAS_SUGGESTION, 1, k.suggestions(prev.conventionId), prev.id, raw, JSON.stringify(next));
    return typeof out === 'string' ? (JSON.parse(out) as ConventionSuggestion) : null;
  }
}
