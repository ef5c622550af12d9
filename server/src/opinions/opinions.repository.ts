/**
 * Redis keys and commands of opinion rounds (意见地图). No rules here.
 *
 *   opinion:{opinion:<id>}            str   Opinion JSON
 *   opinionstatements:{opinion:<id>}  hash  statementId → Statement JSON
 *   opinionorder:{opinion:<id>}       zset  accepted statementId → order of acceptance
 *   opinionseq:{opinion:<id>}         int   the last order given
 *   opinionvotes:{opinion:<id>}       hash  "<memberId>|<statementId>" → a | d | p (the last vote)
 *   opinionpeople:{opinion:<id>}      hash  memberId → role group (owner, resident, staff, other)
 *   opinionrev:{opinion:<id>}         int   bumped by every vote and acceptance (the map's version)
 *   opinions:{community:<cid>}        zset  opinionId → creation time (the community's list)
 *
 * Every key of one round shares the `{opinion:<id>}` hash tag (one slot on a Redis Cluster), so a
 * vote — checked, recorded and counted — is one script. The community list is another slot and is
 * written right after the round itself.
 */
import type { Opinion, Statement, OpinionVoteValue, OpinionRoleGroup } from '@linli/shared';
import type { Redis } from '../redis/connection.ts';

const k = {
  opinion: (id: string) => `opinion:{opinion:${id}}`,
  statements: (id: string) => `opinionstatements:{opinion:${id}}`,
  order: (id: string) => `opinionorder:{opinion:${id}}`,
  seq: (id: string) => `opinionseq:{opinion:${id}}`,
  votes: (id: string) => `opinionvotes:{opinion:${id}}`,
  people: (id: string) => `opinionpeople:{opinion:${id}}`,
  rev: (id: string) => `opinionrev:{opinion:${id}}`,
  list: (cid: string) => `opinions:{community:${cid}}`,
};

const CODE: Record<OpinionVoteValue, string> = { agree: 'a', disagree: 'd', pass: 'p' };

// KEYS: order, votes, people, rev. ARGV: statementId, field, code, memberId, role.
// Only an accepted statement takes votes; returns the new revision, or 0.
const VOTE = `
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
redis.call('HSET', KEYS[3], ARGV[4], ARGV[5])
return redis.call('INCR', KEYS[4])
`;

// KEYS: statements, order, seq, rev. ARGV: statementId, json, accept (1/0), expected json ('' = new).
// Writes the statement; an accepted one joins the order. Returns 0 when the stored JSON changed meanwhile.
const PUT_STATEMENT = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if ARGV[4] == '' then
  if cur then return 0 end
elseif cur ~= ARGV[4] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if ARGV[3] == '1' and not redis.call('ZSCORE', KEYS[2], ARGV[1]) then
  redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[3]), ARGV[1])
  redis.call('INCR', KEYS[4])
end
return 1
`;

export interface RawVote {
  memberId: string;
  statementId: string;
  vote: 'a' | 'd' | 'p';
}

export class OpinionsRepository {
  constructor(private readonly redis: Redis) {}

  async create(o: Opinion): Promise<void> {
    await this.redis.set(k.opinion(o.id), JSON.stringify(o));
    await this.redis.zadd(k.list(o.communityId), o.createdAt, o.id);
  }

  async save(o: Opinion): Promise<void> {
    await this.redis.set(k.opinion(o.id), JSON.stringify(o));
  }

  async get(id: string): Promise<Opinion | null> {
    const raw = await this.redis.get(k.opinion(id));
    return raw ? (JSON.parse(raw) as Opinion) : null;
  }

  async listIds(cid: string): Promise<string[]> {
    return this.redis.zrevrange(k.list(cid), '0', '199');
  }

  /** Stores a statement (compare-and-set against `expected`, the JSON it was read as); accepted ones join the order. */
  async putStatement(s: Statement, expected: string | null): Promise<boolean> {
    const r = await this.redis.eval(
      PUT_STATEMENT,
      4,
      k.statements(s.opinionId),
      k.order(s.opinionId),
      k.seq(s.opinionId),
      k.rev(s.opinionId),
      s.id,
      JSON.stringify(s),
      s.status === 'accepted' ? '1' : '0',
      expected ?? '',
    );
    return r === 1;
  }

  /** Every statement with the JSON it was read from. */
  async statements(opinionId: string): Promise<{ statement: Statement; raw: string }[]> {
    const all = await this.redis.hgetall(k.statements(opinionId));
    return Object.values(all).map((raw) => ({ statement: JSON.parse(raw) as Statement, raw }));
  }

  async statement(opinionId: string, sid: string): Promise<{ statement: Statement; raw: string } | null> {
    const raw = await this.redis.hget(k.statements(opinionId), sid);
    return raw ? { statement: JSON.parse(raw) as Statement, raw } : null;
  }

  /** Accepted statement ids in the order they are shown. */
  acceptedOrder(opinionId: string): Promise<string[]> {
    return this.redis.zrange(k.order(opinionId), '0', '-1');
  }

  /** Records a member's (last) vote; null when the statement does not take votes. */
  async vote(
    opinionId: string,
    memberId: string,
    role: OpinionRoleGroup,
    statementId: string,
    vote: OpinionVoteValue,
  ): Promise<number | null> {
    const r = (await this.redis.eval(
      VOTE,
      4,
      k.order(opinionId),
      k.votes(opinionId),
      k.people(opinionId),
      k.rev(opinionId),
      statementId,
      `${memberId}|${statementId}`,
      CODE[vote],
      memberId,
      role,
    )) as number;
    return r === 0 ? null : r;
  }

  /** The member's answers to these statements (null: not answered). */
  async votesOf(opinionId: string, memberId: string, statementIds: string[]): Promise<(string | null)[]> {
    if (statementIds.length === 0) return [];
    return this.redis.hmget(k.votes(opinionId), ...statementIds.map((s) => `${memberId}|${s}`));
  }

  async rev(opinionId: string): Promise<number> {
    return Number((await this.redis.get(k.rev(opinionId))) ?? 0);
  }

  /** Every vote, read in pages (HSCAN) so a large round never stalls the event loop in one reply. */
  async *allVotes(opinionId: string, page = 2000): AsyncGenerator<RawVote[]> {
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(k.votes(opinionId), cursor, 'COUNT', String(page));
      cursor = next;
      const out: RawVote[] = [];
      for (let i = 0; i < flat.length; i += 2) {
        const f = flat[i]!;
        const bar = f.indexOf('|');
        out.push({ memberId: f.slice(0, bar), statementId: f.slice(bar + 1), vote: flat[i + 1] as RawVote['vote'] });
      }
      yield out;
    } while (cursor !== '0');
  }

  people(opinionId: string): Promise<Record<string, string>> {
    return this.redis.hgetall(k.people(opinionId));
  }
}
