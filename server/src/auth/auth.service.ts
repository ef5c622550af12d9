/** Accounts and sessions: argon2id passwords, sessions in Redis with a rolling expiry. */
import { hash, verify } from '@node-rs/argon2';
import { randomInt } from 'node:crypto';
import { DomainError, type Actor, type MeResponse, type Membership, type Role, type User } from '@linli/shared';
import { newId, newSecret } from '../common/ids.ts';
import { Port } from '../common/port.ts';
import type { AuthRepository, Session, StoredUser } from './auth.repository.ts';

export const SESSION_TTL_SECONDS = 30 * 24 * 3600;
export const GUEST_SESSION_TTL_SECONDS = 24 * 3600;

// argon2id, OWASP's second recommended setting (19 MiB, 2 passes) keeps a login under ~50 ms.
const ARGON = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON);
}

/** A readable generated password (no look-alike characters). */
export function generatePassword(length = 16): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789';
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[randomInt(alphabet.length)];
  return s;
}

/** Roles whose holders speak for the community: a guest must not be mistaken for one. */
export const STAFF_ROLES: readonly Role[] = [
  'admin',
  'facilitator',
  'owners_committee',
  'party_branch',
  'property_firm',
  'building_leader',
];

/** Whether this member's name is a staff name (staff roles there, or an administrator). */
export const isStaff = (user: Pick<StoredUser, 'isAdmin'> | null, m: Membership): boolean =>
  !!user?.isAdmin || m.roles.some((r) => STAFF_ROLES.includes(r));

export function publicUser(u: StoredUser): User {
  return { id: u.id, login: u.login, displayName: u.displayName, isAdmin: u.isAdmin, kind: u.kind };
}

export class AuthService {
  // A real hash to verify against when the login is unknown, so timing does not reveal logins.
  #dummyHash: Promise<string> | null = null;
  /** The members feature's check of self-chosen names (server.ts). */
  readonly nameCheck = new Port<(user: StoredUser, meetingId: string | undefined, name: string) => Promise<void>>('auth.nameCheck');

  constructor(private readonly repo: AuthRepository) {}

  /** Checks a password; returns the user or throws invalid_credentials. */
  async checkPassword(login: string, password: string): Promise<StoredUser> {
    const id = await this.repo.userIdByLogin(login);
    const user = id ? await this.repo.getUser(id) : null;
    if (!user?.passwordHash) {
      this.#dummyHash ??= hashPassword('not-a-password');
      await verify(await this.#dummyHash, password).catch(() => false);
      throw new DomainError('invalid_credentials', 'Wrong login or password. 账号或密码错误。');
    }
    const ok = await verify(user.passwordHash, password).catch(() => false);
    if (!ok) throw new DomainError('invalid_credentials', 'Wrong login or password. 账号或密码错误。');
    return user;
  }

  async startSession(userId: string, opts: { meetingId?: string } = {}): Promise<Session> {
    const s: Session = { sid: newSecret(), userId, createdAt: Date.now(), ...(opts.meetingId ? { meetingId: opts.meetingId } : {}) };
    await this.repo.createSession(s, opts.meetingId ? GUEST_SESSION_TTL_SECONDS : SESSION_TTL_SECONDS);
    return s;
  }

  async resolveSession(sid: string | undefined): Promise<{ session: Session; user: StoredUser } | null> {
    if (!sid || sid.length > 100) return null;
    const session = await this.repo.touchSession(sid, SESSION_TTL_SECONDS);
    if (!session) return null;
    const user = await this.repo.getUser(session.userId);
    return user ? { session, user } : null;
  }

  endSession(sid: string): Promise<void> {
    return this.repo.deleteSession(sid);
  }

  /** Creates a staff account with a login and password. 409 if the login exists. */
  async createStaff(input: { login: string; password: string; displayName: string; isAdmin?: boolean }): Promise<StoredUser> {
    const user: StoredUser = {
      id: newId(),
      login: input.login,
      displayName: input.displayName,
      isAdmin: input.isAdmin ?? false,
      kind: 'staff',
      passwordHash: await hashPassword(input.password),
    };
    if (!(await this.repo.createUser(user))) throw new DomainError('conflict', `The login "${input.login}" is taken. 该账号名已被使用。`);
    return user;
  }

  /** Creates a user without a login (a household member or a guest). */
  async createPerson(displayName: string, kind: 'member' | 'guest'): Promise<StoredUser> {
    const user: StoredUser = { id: newId(), login: null, displayName, isAdmin: false, kind };
    await this.repo.createUser(user);
    return user;
  }

  async setPassword(login: string, password: string): Promise<void> {
    const id = await this.repo.userIdByLogin(login);
    const user = id ? await this.repo.getUser(id) : null;
    if (!user) throw new DomainError('not_found', `No account "${login}". 没有这个账号。`);
    await this.repo.saveUser({ ...user, passwordHash: await hashPassword(password) });
  }

  /** Checks a name a person chose for themselves (the members feature refuses staff look-alikes). */
  provideNameCheck(fn: (user: StoredUser, meetingId: string | undefined, name: string) => Promise<void>): void {
    this.nameCheck.set(fn);
  }

  async setDisplayName(userId: string, displayName: string, meetingId?: string): Promise<User> {
    const user = await this.repo.getUser(userId);
    if (!user) throw new DomainError('not_found', 'No such user. 用户不存在。');
    await this.nameCheck.get()(user, meetingId, displayName);
    const next = { ...user, displayName };
    await this.repo.saveUser(next);
    return publicUser(next);
  }

  /** On an empty store: the `admin` account, with the given or a generated password. */
  async bootstrapAdmin(password?: string): Promise<{ created: boolean; password?: string }> {
    if (await this.repo.anyAdmin()) return { created: false };
    const pw = password ?? generatePassword();
    try {
      await this.createStaff({ login: 'admin', password: pw, displayName: '管理员', isAdmin: true });
    } catch (err) {
      if (err instanceof DomainError && err.code === 'conflict') return { created: false };
      throw err;
    }
    return { created: true, password: pw };
  }

  async me(user: StoredUser, session: Session): Promise<MeResponse> {
    return {
      user: publicUser(user),
      memberships: await this.repo.membershipsOf(user.id),
      ...(session.meetingId ? { meetingId: session.meetingId } : {}),
    };
  }

  /** The actor for `can()`: the user's roles in one community. */
  async actor(user: StoredUser, communityId: string | null | undefined): Promise<Actor> {
    const m: Membership | null = communityId ? await this.repo.getMembership(communityId, user.id) : null;
    return this.actorFrom(user, communityId, m);
  }

  /** The actor from a membership already read (null: none in that community). */
  actorFrom(user: StoredUser, communityId: string | null | undefined, m: Membership | null): Actor {
    return {
      userId: user.id,
      isAdmin: user.isAdmin,
      communityId: communityId ?? null,
      roles: m?.roles ?? [],
      buildings: m?.buildings ?? [],
    };
  }

  /** Every membership of a user. */
  memberships(userId: string): Promise<Membership[]> {
    return this.repo.membershipsOf(userId);
  }

  /** A user and their membership of one community, read together. */
  userAndMembership(userId: string, communityId: string): Promise<{ user: StoredUser | null; membership: Membership | null }> {
    return this.repo.getUserAndMembership(userId, communityId);
  }

  membership(communityId: string, userId: string): Promise<Membership | null> {
    return this.repo.getMembership(communityId, userId);
  }

  async saveMembership(userId: string, m: Membership): Promise<void> {
    await this.repo.saveMembership(userId, m, isStaff(await this.repo.getUser(userId), m));
  }

  /**
   * The staff of a community (staff roles or administrators) with their memberships, from the staff
   * index: a guest joining a hall of a thousand reads a handful of people, not every member. A
   * community older than the index gets it built on first use.
   */
  async staffOf(communityId: string): Promise<{ user: StoredUser; membership: Membership }[]> {
    const ids = await this.repo.staffIdsOf(communityId);
    if (ids === null) {
      const staff = (await this.membersOf(communityId)).filter(({ user, membership }) => isStaff(user, membership));
      await this.repo.indexStaff(
        communityId,
        staff.map((s) => s.user.id),
      );
      return staff;
    }
    if (ids.length === 0) return [];
    const [users, ms] = await Promise.all([this.repo.getUsers(ids), this.repo.membershipsIn(communityId, ids)]);
    const byId = new Map(users.map((u) => [u.id, u]));
    return ids.flatMap((id, i) => {
      const user = byId.get(id);
      const membership = ms[i];
      return user && membership && isStaff(user, membership) ? [{ user, membership }] : [];
    });
  }

  getUser(id: string): Promise<StoredUser | null> {
    return this.repo.getUser(id);
  }

  /** The account with this login, or null. */
  async findByLogin(login: string): Promise<StoredUser | null> {
    const id = await this.repo.userIdByLogin(login);
    return id ? this.repo.getUser(id) : null;
  }

  /** Every member of a community with their membership there (for the members page). */
  async membersOf(communityId: string): Promise<{ user: StoredUser; membership: Membership }[]> {
    const ids = await this.repo.memberIdsOf(communityId);
    const [users, ms] = await Promise.all([this.repo.getUsers(ids), this.repo.membershipsIn(communityId, ids)]);
    const byId = new Map(users.map((u) => [u.id, u]));
    return ids.flatMap((id, i) => {
      const user = byId.get(id);
      const membership = ms[i];
      return user && membership ? [{ user, membership }] : [];
    });
  }
}
