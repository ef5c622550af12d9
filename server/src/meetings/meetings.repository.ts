/**
 * Redis keys and commands of meetings. No rules here. Every key of one meeting carries the `{mid}`
 * hash tag, so a meeting lives in one slot (Redis Cluster ready).
 *
 *   meeting:{mid}            hash  `meeting` (Meeting JSON), `live` (LiveRecord JSON), `v` (version)
 *   meeting:{mid}:present    hash  `<process id>:<socket id>` → user id (connections now)
 *   meetings:proc:<pid>      str   a server process's heartbeat (expires when it dies: its connections stop counting)
 *   meeting:{mid}:attendees  hash  user id → Attendee JSON (everyone who joined at some point)
 *   meeting:{mid}:checkins   hash  household id → CheckIn JSON
 *   meeting:{mid}:reactions  hash  user id → agree | unsure | disagree
 *   meeting:{mid}:minutes    str   Minutes JSON once edited or published
 *   meetings:{cid}           zset  meeting id by creation time
 *   meetingcode:<code>       str   meeting id (while the meeting is not closed)
 */
import type { Attendee, Meeting, Minutes, Reaction } from '@linli/shared';
import type { Redis } from '../redis/connection.ts';
import type { LiveRecord } from '@linli/shared';

const k = {
  meeting: (mid: string) => `meeting:{${mid}}`,
  present: (mid: string) => `meeting:{${mid}}:present`,
  attendees: (mid: string) => `meeting:{${mid}}:attendees`,
  checkins: (mid: string) => `meeting:{${mid}}:checkins`,
  reactions: (mid: string) => `meeting:{${mid}}:reactions`,
  minutes: (mid: string) => `meeting:{${mid}}:minutes`,
  byCommunity: (cid: string) => `meetings:{${cid}}`,
  code: (code: string) => `meetingcode:${code}`,
  proc: (pid: string) => `meetings:proc:${pid}`,
};

/** A household checked in by hand (a hall participant without a phone). */
export interface CheckIn {
  householdId: string;
  by: string;
  byName: string;
  at: number;
}

export interface StoredMeeting {
  meeting: Meeting;
  live: LiveRecord;
  version: number;
}

// The code is reserved first (SET NX on its own key, another slot in a cluster); then the record,
// then the community's index. A crash between the steps leaves a reserved code without a meeting
// (it answers "no such meeting"), never a meeting under another's code.
const RELEASE_CODE = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end return 1`;

// Compare-and-set on the version: the change was planned on version ARGV[1].
const CAS = `
if redis.call('HGET', KEYS[1], 'v') ~= ARGV[1] then return 0 end
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'meeting', ARGV[2]) end
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'live', ARGV[3]) end
redis.call('HINCRBY', KEYS[1], 'v', 1)
if ARGV[4] == 'clear' then redis.call('DEL', KEYS[2]) end
return 1
`;

export class MeetingsRepository {
  constructor(private readonly redis: Redis) {}

  /** Stores a new meeting; false when its join code is taken (pick another). */
  async create(meeting: Meeting, live: LiveRecord): Promise<boolean> {
    const taken = (await this.redis.set(k.code(meeting.joinCode), meeting.id, 'NX')) === null;
    if (taken) return false;
    await this.redis.hset(k.meeting(meeting.id), 'meeting', JSON.stringify(meeting), 'live', JSON.stringify(live), 'v', '1');
    await this.redis.zadd(k.byCommunity(meeting.communityId), String(meeting.createdAt), meeting.id);
    return true;
  }

  async load(mid: string): Promise<StoredMeeting | null> {
    const [meeting, live, v] = await this.redis.hmget(k.meeting(mid), 'meeting', 'live', 'v');
    if (!meeting || !live || !v) return null;
    return { meeting: JSON.parse(meeting) as Meeting, live: JSON.parse(live) as LiveRecord, version: Number(v) };
  }

  async getMeeting(mid: string): Promise<Meeting | null> {
    const raw = await this.redis.hget(k.meeting(mid), 'meeting');
    return raw ? (JSON.parse(raw) as Meeting) : null;
  }

  async version(mid: string): Promise<number | null> {
    const v = await this.redis.hget(k.meeting(mid), 'v');
    return v === null ? null : Number(v);
  }

  /**
   * Writes `meeting` and/or `live` if the record is still at `version`. `clearReactions` resets the
   * temperature check in the same step; `releaseCode` frees the join code (when closing).
   */
  async compareAndSet(
    mid: string,
    version: number,
    next: { meeting?: Meeting; live?: LiveRecord; clearReactions?: boolean; releaseCode?: string },
  ): Promise<boolean> {
    const res = await this.redis.eval(
      CAS,
      2,
      k.meeting(mid),
      k.reactions(mid),
      String(version),
      next.meeting ? JSON.stringify(next.meeting) : '',
      next.live ? JSON.stringify(next.live) : '',
      next.clearReactions ? 'clear' : '',
    );
    if (Number(res) !== 1) return false;
    // The code lives in another slot: freed after the record says the meeting closed.
    if (next.releaseCode) await this.redis.eval(RELEASE_CODE, 1, k.code(next.releaseCode), mid);
    return true;
  }

  async meetingIdByCode(code: string): Promise<string | null> {
    return this.redis.get(k.code(code));
  }

  /** Meeting ids of a community, newest first. */
  async idsOf(cid: string): Promise<string[]> {
    return this.redis.zrevrange(k.byCommunity(cid), '0', '-1');
  }

  async getMeetings(ids: readonly string[]): Promise<Meeting[]> {
    if (ids.length === 0) return [];
    const pipe = this.redis.pipeline();
    for (const id of ids) pipe.hget(k.meeting(id), 'meeting');
    const rows = (await pipe.exec()) ?? [];
    return rows.flatMap(([err, raw]) => (err || !raw ? [] : [JSON.parse(raw as string) as Meeting]));
  }

  // ---- presence and attendance

  /** Marks one connection present and records the attendee (first sight kept). */
  async addPresence(mid: string, connKey: string, attendee: Attendee): Promise<void> {
    await this.redis
      .multi()
      .hset(k.present(mid), connKey, attendee.userId ?? '')
      .hsetnx(k.attendees(mid), attendee.userId ?? connKey, JSON.stringify(attendee))
      .exec();
  }

  /** Removes one connection; true if it was there. */
  async removePresence(mid: string, connKey: string): Promise<boolean> {
    return (await this.redis.hdel(k.present(mid), connKey)) > 0;
  }

  /** Marks a server process alive for `ttlSeconds`. */
  async heartbeat(procId: string, ttlSeconds: number): Promise<void> {
    await this.redis.set(k.proc(procId), String(Date.now()), 'EX', String(ttlSeconds));
  }

  async dropHeartbeat(procId: string): Promise<void> {
    await this.redis.del(k.proc(procId));
  }

  /** The processes among `procIds` whose heartbeat is still there. */
  async aliveProcesses(procIds: readonly string[]): Promise<Set<string>> {
    if (procIds.length === 0) return new Set();
    const vals = await this.redis.mget(...procIds.map((p) => k.proc(p)));
    return new Set(procIds.filter((_, i) => vals[i] !== null));
  }

  /** Forgets connections (of a process that died). */
  async prunePresence(mid: string, connKeys: readonly string[]): Promise<void> {
    if (connKeys.length) await this.redis.hdel(k.present(mid), ...connKeys);
  }

  /** Connection key → user id of everyone connected now. */
  async presence(mid: string): Promise<Record<string, string>> {
    return this.redis.hgetall(k.present(mid));
  }

  async attendees(mid: string, userIds?: readonly string[]): Promise<Attendee[]> {
    if (userIds) {
      if (userIds.length === 0) return [];
      const raws = await this.redis.hmget(k.attendees(mid), ...userIds);
      return raws.flatMap((r) => (r ? [JSON.parse(r) as Attendee] : []));
    }
    return (await this.redis.hvals(k.attendees(mid))).map((r) => JSON.parse(r) as Attendee);
  }

  async attendeeCount(mid: string): Promise<number> {
    return this.redis.hlen(k.attendees(mid));
  }

  /** Checks a household in; false if it already was. */
  async addCheckIn(mid: string, c: CheckIn): Promise<boolean> {
    return (await this.redis.hsetnx(k.checkins(mid), c.householdId, JSON.stringify(c))) === 1;
  }

  async removeCheckIn(mid: string, householdId: string): Promise<boolean> {
    return (await this.redis.hdel(k.checkins(mid), householdId)) > 0;
  }

  async checkIns(mid: string): Promise<CheckIn[]> {
    return (await this.redis.hvals(k.checkins(mid))).map((r) => JSON.parse(r) as CheckIn);
  }

  // ---- reactions

  async setReaction(mid: string, userId: string, reaction: Reaction | null): Promise<void> {
    if (reaction) await this.redis.hset(k.reactions(mid), userId, reaction);
    else await this.redis.hdel(k.reactions(mid), userId);
  }

  async reactions(mid: string): Promise<Record<string, string>> {
    return this.redis.hgetall(k.reactions(mid));
  }

  async reactionOf(mid: string, userId: string): Promise<Reaction | null> {
    return (await this.redis.hget(k.reactions(mid), userId)) as Reaction | null;
  }

  // ---- minutes

  async getMinutes(mid: string): Promise<Minutes | null> {
    const raw = await this.redis.get(k.minutes(mid));
    return raw ? (JSON.parse(raw) as Minutes) : null;
  }

  /** Saves minutes unless they were published meanwhile (compare on the stored text). */
  async saveMinutes(mid: string, prev: Minutes | null, next: Minutes): Promise<boolean> {
    const res = await this.redis.eval(
      `local cur = redis.call('GET', KEYS[1]) or ''
       if cur ~= ARGV[1] then return 0 end
       redis.call('SET', KEYS[1], ARGV[2])
       return 1`,
      1,
      k.minutes(mid),
      prev ? JSON.stringify(prev) : '',
      JSON.stringify(next),
    );
    return Number(res) === 1;
  }
}
