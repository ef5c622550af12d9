/**
 * Redis keys and commands of deliberation in a meeting (questions, upvotes, word clouds). No rules
 * here. Every key of one meeting carries the hash tag `{deliberation:<meetingId>}` (one slot in a
 * cluster), so each multi-key write is one Lua script:
 *
 *   dlb:{deliberation:M}:settings     hash  preModeration, allowAnonymous (0/1), spotlight, wordcloud (current id)
 *   dlb:{deliberation:M}:questions    hash  question id → StoredQuestion JSON
 *   dlb:{deliberation:M}:up:<qid>     set   user ids who upvoted the question (its vote count is SCARD)
 *   dlb:{deliberation:M}:asked:<uid>  zset  question id → time asked (the per-person limit window)
 *   dlb:{deliberation:M}:wordclouds   hash  word cloud id → StoredWordCloud JSON
 *   dlb:{deliberation:M}:wc:<id>:n    hash  user id → answers given
 *   dlb:{deliberation:M}:wc:<id>:a    hash  "<uid>:<n>" → answer text
 *   dlb:{deliberation:M}:wc:<id>:hide set   hidden words
 *   dlbq:<qid>, dlbw:<wcid>           str   the meeting of a question / word cloud (lookup by id)
 */
import type { Redis } from '../redis/connection.ts';
import type { DeliberationSettings, QuestionStatus } from '@linli/shared';

/** A question as stored: the author's id is kept (limits, "mine"), shown only when not anonymous. */
export interface StoredQuestion {
  id: string;
  meetingId: string;
  text: string;
  status: QuestionStatus;
  anonymous: boolean;
  authorId: string;
  authorName: string;
  agendaItemId?: string;
  mergedInto?: string;
  createdAt: number;
}

export interface StoredWordCloud {
  id: string;
  meetingId: string;
  prompt: string;
  status: 'open' | 'closed';
  createdAt: number;
  createdBy: string;
}

const k = (mid: string) => {
  const t = `dlb:{deliberation:${mid}}`;
  return {
    settings: `${t}:settings`,
    questions: `${t}:questions`,
    up: (qid: string) => `${t}:up:${qid}`,
    asked: (uid: string) => `${t}:asked:${uid}`,
    wordclouds: `${t}:wordclouds`,
    wcCount: (id: string) => `${t}:wc:${id}:n`,
    wcAnswers: (id: string) => `${t}:wc:${id}:a`,
    wcHidden: (id: string) => `${t}:wc:${id}:hide`,
  };
};

// KEYS: questions, asked. ARGV: qid, json, now, windowMs, max.
// → {1} stored, or {0, oldest time in the window} when the person reached the limit.
const CREATE = `
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', tonumber(ARGV[3]) - tonumber(ARGV[4]))
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[5]) then
  local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  return {0, oldest[2]}
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return {1, '0'}
`;

// KEYS: questions, up. ARGV: qid, uid. → {status, count, added}; status 'missing' when gone.
const UPVOTE = `
local j = redis.call('HGET', KEYS[1], ARGV[1])
if not j then return {'missing', 0, 0} end
local q = cjson.decode(j)
if q.status ~= 'visible' and q.status ~= 'answered' then return {q.status, redis.call('SCARD', KEYS[2]), 0} end
local added = redis.call('SADD', KEYS[2], ARGV[2])
return {'ok', redis.call('SCARD', KEYS[2]), added}
`;

// KEYS: questions, [up of target, up of merged]. ARGV: qid, expected json, next json.
// A compare-and-set of one question; a merge also adds the merged question's upvoters to the target's (a set: nobody twice).
const REPLACE = `
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
if KEYS[2] then redis.call('SUNIONSTORE', KEYS[2], KEYS[2], KEYS[3]) end
return 1
`;

// KEYS: wordclouds, count, answers. ARGV: wcid, uid, text, max. → {'ok', n} | {'closed'|'missing'|'full', n}
const ANSWER = `
local j = redis.call('HGET', KEYS[1], ARGV[1])
if not j then return {'missing', 0} end
if cjson.decode(j).status ~= 'open' then return {'closed', 0} end
local n = tonumber(redis.call('HGET', KEYS[2], ARGV[2]) or '0')
if n >= tonumber(ARGV[4]) then return {'full', n} end
n = redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
redis.call('HSET', KEYS[3], ARGV[2] .. ':' .. n, ARGV[3])
return {'ok', n}
`;

export class DeliberationRepository {
  constructor(private readonly redis: Redis) {}

  async settings(mid: string): Promise<{ settings: Partial<DeliberationSettings>; spotlight: string | null; wordcloud: string | null }> {
    const h = await this.redis.hgetall(k(mid).settings);
    const flag = (v: string | undefined) => (v === undefined ? undefined : v === '1');
    const settings: Partial<DeliberationSettings> = {};
    const pre = flag(h.preModeration);
    const anon = flag(h.allowAnonymous);
    if (pre !== undefined) settings.preModeration = pre;
    if (anon !== undefined) settings.allowAnonymous = anon;
    return { settings, spotlight: h.spotlight || null, wordcloud: h.wordcloud || null };
  }

  async setSettings(mid: string, patch: Partial<DeliberationSettings>): Promise<void> {
    const fields: string[] = [];
    for (const [key, v] of Object.entries(patch)) fields.push(key, v ? '1' : '0');
    if (fields.length) await this.redis.hset(k(mid).settings, ...fields);
  }

  async setSpotlight(mid: string, qid: string | null): Promise<void> {
    if (qid) await this.redis.hset(k(mid).settings, 'spotlight', qid);
    else await this.redis.hdel(k(mid).settings, 'spotlight');
  }

  async setCurrentWordCloud(mid: string, id: string | null): Promise<void> {
    if (id) await this.redis.hset(k(mid).settings, 'wordcloud', id);
    else await this.redis.hdel(k(mid).settings, 'wordcloud');
  }

  /** The meeting a question or word cloud belongs to, or null. */
  meetingOfQuestion(qid: string): Promise<string | null> {
    return this.redis.get(`dlbq:${qid}`);
  }
  meetingOfWordCloud(id: string): Promise<string | null> {
    return this.redis.get(`dlbw:${id}`);
  }

  /** Stores a new question unless its author reached the limit; returns the oldest time in the window when refused. */
  async createQuestion(q: StoredQuestion, windowMs: number, max: number): Promise<{ ok: true } | { ok: false; oldest: number }> {
    const keys = k(q.meetingId);
    await this.redis.set(`dlbq:${q.id}`, q.meetingId);
    const r = (await this.redis.eval(
      CREATE,
      2,
      keys.questions,
      keys.asked(q.authorId),
      q.id,
      JSON.stringify(q),
      String(q.createdAt),
      String(windowMs),
      String(max),
    )) as [number, string];
    return r[0] === 1 ? { ok: true } : { ok: false, oldest: Number(r[1]) };
  }

  /** Every question of a meeting with its raw JSON (the compare-and-set token). */
  async questions(mid: string): Promise<{ q: StoredQuestion; raw: string }[]> {
    const h = await this.redis.hgetall(k(mid).questions);
    return Object.values(h).map((raw) => ({ q: JSON.parse(raw) as StoredQuestion, raw }));
  }

  async question(mid: string, qid: string): Promise<{ q: StoredQuestion; raw: string } | null> {
    const raw = await this.redis.hget(k(mid).questions, qid);
    return raw ? { q: JSON.parse(raw) as StoredQuestion, raw } : null;
  }

  /** Upvote counts of questions, and whether `uid` upvoted each. */
  async votes(mid: string, qids: readonly string[], uid: string | null): Promise<Map<string, { votes: number; mine: boolean }>> {
    const out = new Map<string, { votes: number; mine: boolean }>();
    if (!qids.length) return out;
    const p = this.redis.pipeline();
    for (const id of qids) {
      p.scard(k(mid).up(id));
      p.sismember(k(mid).up(id), uid ?? '');
    }
    const r = (await p.exec()) ?? [];
    qids.forEach((id, i) => out.set(id, { votes: Number(r[2 * i]?.[1] ?? 0), mine: Number(r[2 * i + 1]?.[1] ?? 0) === 1 }));
    return out;
  }

  async upvote(mid: string, qid: string, uid: string): Promise<{ status: string; votes: number; added: boolean }> {
    const keys = k(mid);
    const r = (await this.redis.eval(UPVOTE, 2, keys.questions, keys.up(qid), qid, uid)) as [string, number, number];
    return { status: r[0], votes: Number(r[1]), added: Number(r[2]) === 1 };
  }

  /** Compare-and-set of one question; with `mergeInto`, the question's upvoters join the target's. */
  async replaceQuestion(mid: string, q: StoredQuestion, expected: string, mergeInto?: string): Promise<boolean> {
    const keys = k(mid);
    const ks = mergeInto ? [keys.questions, keys.up(mergeInto), keys.up(q.id)] : [keys.questions];
    return (await this.redis.eval(REPLACE, ks.length, ...ks, q.id, expected, JSON.stringify(q))) === 1;
  }

  async createWordCloud(w: StoredWordCloud): Promise<void> {
    await this.redis.set(`dlbw:${w.id}`, w.meetingId);
    await this.redis.hset(k(w.meetingId).wordclouds, w.id, JSON.stringify(w));
  }

  async wordCloud(mid: string, id: string): Promise<StoredWordCloud | null> {
    const raw = await this.redis.hget(k(mid).wordclouds, id);
    return raw ? (JSON.parse(raw) as StoredWordCloud) : null;
  }

  async saveWordCloud(w: StoredWordCloud): Promise<void> {
    await this.redis.hset(k(w.meetingId).wordclouds, w.id, JSON.stringify(w));
  }

  async answer(mid: string, id: string, uid: string, text: string, max: number): Promise<{ status: string; n: number }> {
    const keys = k(mid);
    const r = (await this.redis.eval(ANSWER, 3, keys.wordclouds, keys.wcCount(id), keys.wcAnswers(id), id, uid, text, String(max))) as [
      string,
      number,
    ];
    return { status: r[0], n: Number(r[1]) };
  }

  /** Every answer's text, the hidden words, and `uid`'s own answers. */
  async answers(mid: string, id: string, uid: string | null): Promise<{ all: string[]; mine: string[]; hidden: Set<string> }> {
    const keys = k(mid);
    const [h, hidden] = await Promise.all([this.redis.hgetall(keys.wcAnswers(id)), this.redis.smembers(keys.wcHidden(id))]);
    const mine = uid
      ? Object.entries(h)
          .filter(([f]) => f.slice(0, f.lastIndexOf(':')) === uid)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([, v]) => v)
      : [];
    return { all: Object.values(h), mine, hidden: new Set(hidden) };
  }

  async hideWord(mid: string, id: string, word: string, hidden: boolean): Promise<void> {
    if (hidden) await this.redis.sadd(k(mid).wcHidden(id), word);
    else await this.redis.srem(k(mid).wcHidden(id), word);
  }
}
