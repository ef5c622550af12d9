/** Redis keys and commands for users, logins, sessions and memberships. No rules here. */
import type { Membership, User } from '@linli/shared';
import type { Redis } from '../redis/connection.ts';

export interface StoredUser extends User {
  passwordHash?: string;
}

export interface Session {
  sid: string;
  userId: string;
  /** Guest sessions are limited to one meeting. */
  meetingId?: string;
  createdAt: number;
}

const k = {
  user: (id: string) => `user:${id}`,
  login: (login: string) => `login:${login.toLowerCase()}`,
  session: (sid: string) => `sess:${sid}`,
  membership: (cid: string, uid: string) => `member:${cid}:${uid}`,
  userCommunities: (uid: string) => `user:${uid}:communities`,
  communityMembers: (cid: string) => `community:${cid}:members`,
  // Members who may hold a staff name (staff roles or an administrator), kept by saveMembership; the
  // marker says the set was built once from every member (communities older than the set).
  communityStaff: (cid: string) => `community:${cid}:staff`,
  communityStaffBuilt: (cid: string) => `community:${cid}:staff:built`,
};

export class AuthRepository {
  constructor(private readonly redis: Redis) {}

  async getUser(id: string): Promise<StoredUser | null> {
    const raw = await this.redis.get(k.user(id));
    return raw ? (JSON.parse(raw) as StoredUser) : null;
  }

  async getUsers(ids: readonly string[]): Promise<StoredUser[]> {
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(...ids.map((id) => k.user(id)));
    return raws.filter((r): r is string => !!r).map((r) => JSON.parse(r) as StoredUser);
  }

  /** Memberships of many users in one community, in the order given (null where none). */
  async membershipsIn(communityId: string, userIds: readonly string[]): Promise<(Membership | null)[]> {
    if (userIds.length === 0) return [];
    const raws = await this.redis.mget(...userIds.map((u) => k.membership(communityId, u)));
    return raws.map((r) => (r ? (JSON.parse(r) as Membership) : null));
  }

  async userIdByLogin(login: string): Promise<string | null> {
    return this.redis.get(k.login(login));
  }

  /** Creates a user; with a login, fails (returns false) if the login is taken. Atomic. */
  async createUser(user: StoredUser): Promise<boolean> {
    if (user.login) {
      const ok = await this.redis.set(k.login(user.login), user.id, 'NX');
      if (!ok) return false;
    }
    await this.redis.set(k.user(user.id), JSON.stringify(user));
    return true;
  }

  async saveUser(user: StoredUser): Promise<void> {
    await this.redis.set(k.user(user.id), JSON.stringify(user));
  }

  async createSession(s: Session, ttlSeconds: number): Promise<void> {
    await this.redis.set(k.session(s.sid), JSON.stringify(s), 'EX', ttlSeconds);
  }

  /** Reads a session and extends its expiry (rolling). */
  async touchSession(sid: string, ttlSeconds: number): Promise<Session | null> {
    const raw = await this.redis.getex(k.session(sid), 'EX', ttlSeconds);
    return raw ? (JSON.parse(raw) as Session) : null;
  }

  async deleteSession(sid: string): Promise<void> {
    await this.redis.del(k.session(sid));
  }

  /** A user and their membership of one community, in one command (MGET). */
  async getUserAndMembership(userId: string, communityId: string): Promise<{ user: StoredUser | null; membership: Membership | null }> {
    const [user, membership] = await this.redis.mget(k.user(userId), k.membership(communityId, userId));
    return { user: user ? (JSON.parse(user) as StoredUser) : null, membership: membership ? (JSON.parse(membership) as Membership) : null };
  }

  async getMembership(communityId: string, userId: string): Promise<Membership | null> {
    const raw = await this.redis.get(k.membership(communityId, userId));
    return raw ? (JSON.parse(raw) as Membership) : null;
  }

  /** Saves a membership; `staff`: the member may hold a staff name there (kept in the staff index). */
  async saveMembership(userId: string, m: Membership, staff: boolean): Promise<void> {
    const tx = this.redis
      .multi()
      .set(k.membership(m.communityId, userId), JSON.stringify(m))
      .sadd(k.userCommunities(userId), m.communityId)
      .sadd(k.communityMembers(m.communityId), userId);
    if (staff) tx.sadd(k.communityStaff(m.communityId), userId);
    else tx.srem(k.communityStaff(m.communityId), userId);
    await tx.exec();
  }

  /** The ids in a community's staff index, or null when it was never built (see indexStaff). */
  async staffIdsOf(communityId: string): Promise<string[] | null> {
    // Two plain reads (auto-pipelined with the tick's other commands); the marker is never removed.
    const [built, ids] = await Promise.all([
      this.redis.exists(k.communityStaffBuilt(communityId)),
      this.redis.smembers(k.communityStaff(communityId)),
    ]);
    return built === 1 ? ids : null;
  }

  /**
   * Builds the staff index from a full read of the members. Only adds: a member promoted meanwhile
   * was added by saveMembership; one demoted meanwhile may stay listed, and readers check roles.
   */
  async indexStaff(communityId: string, userIds: readonly string[]): Promise<void> {
    const tx = this.redis.multi();
    if (userIds.length) tx.sadd(k.communityStaff(communityId), ...userIds);
    await tx.set(k.communityStaffBuilt(communityId), '1').exec();
  }

  async membershipsOf(userId: string): Promise<Membership[]> {
    const cids = await this.redis.smembers(k.userCommunities(userId));
    if (cids.length === 0) return [];
    const raws = await this.redis.mget(...cids.map((c) => k.membership(c, userId)));
    return raws.filter((r): r is string => !!r).map((r) => JSON.parse(r) as Membership);
  }

  async memberIdsOf(communityId: string): Promise<string[]> {
    return this.redis.smembers(k.communityMembers(communityId));
  }

  async anyAdmin(): Promise<boolean> {
    return (await this.redis.exists(k.login('admin'))) === 1;
  }
}
