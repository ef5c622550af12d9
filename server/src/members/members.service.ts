/**
 * Members of a community and their roles. Who may grant what comes from the permission table:
 * `members.manage` to add members and assign roles, `members.grant_admin` to give or take `admin`,
 * `members.assign_households` to change which households another member holds. Nobody changes the
 * households they hold themselves (one household, one vote); every change is in the community
 * audit log, and a change of households reaches the open ballots it touches.
 */
import {
  DomainError,
  can,
  nextHouseholdsSince,
  sameHouseholds,
  type Actor,
  type CommunityAuditEntry,
  type Member,
  type MemberCreate,
  type MemberUpdate,
  type Membership,
} from '@linli/shared';
import type { StoredUser } from '../auth/auth.repository.ts';
import type { AuthService } from '../auth/auth.service.ts';
import { newId } from '../common/ids.ts';
import type { RosterService } from '../roster/roster.service.ts';
import { refuseStaffLookalike } from './members.names.ts';
import type { MembersRepository } from './members.repository.ts';

export function memberView(user: StoredUser, m: Membership): Member {
  return {
    userId: user.id,
    displayName: user.displayName,
    login: user.login,
    kind: user.kind,
    roles: m.roles,
    householdIds: m.householdIds,
    buildings: m.buildings ?? [],
  };
}

/** Told of every change of a member's households; answers the open ballots it touched. */
export type HoldingsListener = (c: {
  communityId: string;
  memberId: string;
  before: readonly string[];
  after: readonly string[];
  by: string;
}) => Promise<string[]>;

const ownHouseholds = () =>
  new DomainError(
    'own_households',
    'Nobody may change which households they hold themselves: ask an administrator (or claim a household with its own invitation slip). 不能自行更改本人名下的房屋，请联系管理员（或凭该户邀请单认领）。',
  );

export class MembersService {
  #holdings: HoldingsListener = async () => [];

  constructor(
    private readonly auth: AuthService,
    private readonly roster: RosterService,
    private readonly repo: MembersRepository,
    private readonly now: () => number = Date.now,
  ) {}

  /** The ballots feature tells open ballots (audit chain entry, console notice). */
  onHoldingsChanged(fn: HoldingsListener): void {
    this.#holdings = fn;
  }

  /** Adds a member: a new staff account (login + password), an existing account (login), or a person without login. */
  async create(cid: string, input: MemberCreate, actor: Actor): Promise<Member> {
    this.#mayGrant(actor, cid, [], input.roles);
    const householdIds = [...new Set(input.householdIds ?? [])];
    if (householdIds.length > 0) this.#mayAssign(actor, cid);
    await this.#checkHouseholds(cid, householdIds);
    let user: StoredUser;
    if (input.login && input.password) {
      await refuseStaffLookalike(this.auth, [cid], input.displayName);
      user = await this.auth.createStaff({ login: input.login, password: input.password, displayName: input.displayName });
    } else if (input.login) {
      const found = await this.auth.findByLogin(input.login);
      if (!found)
        throw new DomainError('not_found', `No account "${input.login}": give a password to create it. 没有这个账号：填写密码即可新建。`);
      if (found.id === actor.userId && householdIds.length > 0) throw ownHouseholds();
      if (await this.auth.membership(cid, found.id))
        throw new DomainError(
          'conflict',
          `"${input.login}" is already a member here; change their roles instead. 此人已是本小区成员，请修改其角色。`,
        );
      user = found;
    } else {
      await refuseStaffLookalike(this.auth, [cid], input.displayName);
      user = await this.auth.createPerson(input.displayName, 'member');
    }
    const at = this.now();
    const m: Membership = {
      communityId: cid,
      roles: input.roles,
      householdIds,
      buildings: input.buildings ?? [],
      ...(householdIds.length > 0 ? { householdsSince: nextHouseholdsSince(null, householdIds, at) } : {}),
    };
    await this.auth.saveMembership(user.id, m);
    const ballots =
      householdIds.length > 0
        ? await this.#holdings({ communityId: cid, memberId: user.id, before: [], after: householdIds, by: actor.userId })
        : [];
    await this.#audit(cid, 'member_added', actor, user, null, m, ballots, at);
    return memberView(user, m);
  }

  async list(cid: string): Promise<Member[]> {
    const all = await this.auth.membersOf(cid);
    return all
      .map(({ user, membership }) => memberView(user, membership))
      .sort((a, b) => a.displayName.localeCompare(b.displayName, 'zh-CN'));
  }

  /** Assigns roles (and a building leader's buildings, another member's households). */
  async update(cid: string, uid: string, patch: MemberUpdate, actor: Actor): Promise<Member> {
    const [user, m] = await Promise.all([this.auth.getUser(uid), this.auth.membership(cid, uid)]);
    if (!user || !m) throw new DomainError('not_found', 'No such member. 成员不存在。');
    const householdIds = patch.householdIds ? [...new Set(patch.householdIds)] : m.householdIds;
    const holdingsChange = !sameHouseholds(householdIds, m.householdIds);
    if (holdingsChange) {
      if (uid === actor.userId) throw ownHouseholds();
      this.#mayAssign(actor, cid);
    }
    if (patch.roles) this.#mayGrant(actor, cid, m.roles, patch.roles);
    if (holdingsChange) await this.#checkHouseholds(cid, householdIds);
    const at = this.now();
    const since = holdingsChange ? nextHouseholdsSince(m, householdIds, at) : m.householdsSince;
    const { householdsSince: _old, ...rest } = m;
    const next: Membership = {
      ...rest,
      roles: patch.roles ?? m.roles,
      buildings: patch.buildings ?? m.buildings ?? [],
      householdIds: holdingsChange ? householdIds : m.householdIds,
      ...(since && Object.keys(since).length > 0 ? { householdsSince: since } : {}),
    };
    await this.auth.saveMembership(uid, next);
    const ballots = holdingsChange
      ? await this.#holdings({ communityId: cid, memberId: uid, before: m.householdIds, after: next.householdIds, by: actor.userId })
      : [];
    await this.#audit(cid, 'member_changed', actor, user, m, next, ballots, at);
    return memberView(user, next);
  }

  /** The community audit log, newest first. */
  audit(cid: string, limit = 200): Promise<CommunityAuditEntry[]> {
    return this.repo.audit(cid, limit);
  }

  async #audit(
    cid: string,
    type: CommunityAuditEntry['type'],
    actor: Actor,
    user: StoredUser,
    before: Membership | null,
    after: Membership,
    ballots: string[],
    at: number,
  ): Promise<void> {
    const by = await this.auth.getUser(actor.userId);
    const state = (m: Membership) => ({ roles: [...m.roles], householdIds: [...m.householdIds], buildings: [...(m.buildings ?? [])] });
    await this.repo.appendAudit(cid, {
      id: newId(),
      at,
      type,
      by: { userId: actor.userId, displayName: by?.displayName ?? actor.userId },
      member: { userId: user.id, displayName: user.displayName },
      before: before ? state(before) : null,
      after: state(after),
      ballots,
    });
  }

  #mayGrant(actor: Actor, cid: string, before: readonly string[], after: readonly string[]): void {
    const touchesAdmin = before.includes('admin') !== after.includes('admin');
    if (touchesAdmin && !can(actor, 'members.grant_admin', { communityId: cid })) {
      throw new DomainError('forbidden', 'Only an administrator may give or take the admin role. 只有管理员可以授予管理员角色。');
    }
  }

  #mayAssign(actor: Actor, cid: string): void {
    if (!can(actor, 'members.assign_households', { communityId: cid })) {
      throw new DomainError(
        'forbidden',
        'Only an administrator may change which households a member holds. 只有管理员可以更改成员名下的房屋。',
      );
    }
  }

  async #checkHouseholds(cid: string, ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      if (!(await this.roster.getHousehold(cid, id))) {
        throw new DomainError('validation_failed', `No household ${id} in this community. 本小区没有该户。`, {
          issues: [{ path: 'householdIds', message: `unknown household ${id}` }],
        });
      }
    }
  }
}
