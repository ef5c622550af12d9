/**
 * Members of a community and their roles. Who may grant what comes from the permission table:
 * `members.manage` to add members and assign roles, `members.grant_admin` to give or take `admin`.
 */
import { DomainError, can, type Actor, type Member, type MemberCreate, type MemberUpdate, type Membership } from '@linli/shared';
import type { StoredUser } from '../auth/auth.repository.ts';
import type { AuthService } from '../auth/auth.service.ts';
import type { RosterService } from '../roster/roster.service.ts';

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

export class MembersService {
  constructor(
    private readonly auth: AuthService,
    private readonly roster: RosterService,
  ) {}

  /** Adds a member: a new staff account (login + password), an existing account (login), or a person without login. */
  async create(cid: string, input: MemberCreate, actor: Actor): Promise<Member> {
    this.#mayGrant(actor, cid, [], input.roles);
    await this.#checkHouseholds(cid, input.householdIds ?? []);
    let user: StoredUser;
    if (input.login && input.password) {
      user = await this.auth.createStaff({ login: input.login, password: input.password, displayName: input.displayName });
    } else if (input.login) {
      const found = await this.auth.findByLogin(input.login);
      if (!found) throw new DomainError('not_found', `No account "${input.login}": give a password to create it. 没有这个账号：填写密码即可新建。`);
      if (await this.auth.membership(cid, found.id)) throw new DomainError('conflict', `"${input.login}" is already a member here; change their roles instead. 此人已是本小区成员，请修改其角色。`);
      user = found;
    } else {
      user = await this.auth.createPerson(input.displayName, 'member');
    }
    const m: Membership = { communityId: cid, roles: input.roles, householdIds: input.householdIds ?? [], buildings: input.buildings ?? [] };
    await this.auth.saveMembership(user.id, m);
    return memberView(user, m);
  }

  async list(cid: string): Promise<Member[]> {
    const all = await this.auth.membersOf(cid);
    return all.map(({ user, membership }) => memberView(user, membership)).sort((a, b) => a.displayName.localeCompare(b.displayName, 'zh-CN'));
  }

  /** Assigns roles (and a building leader's buildings, a member's households). */
  async update(cid: string, uid: string, patch: MemberUpdate, actor: Actor): Promise<Member> {
    const [user, m] = await Promise.all([this.auth.getUser(uid), this.auth.membership(cid, uid)]);
    if (!user || !m) throw new DomainError('not_found', 'No such member. 成员不存在。');
    if (patch.roles) this.#mayGrant(actor, cid, m.roles, patch.roles);
    if (patch.householdIds) await this.#checkHouseholds(cid, patch.householdIds);
    const next: Membership = {
      ...m,
      roles: patch.roles ?? m.roles,
      buildings: patch.buildings ?? m.buildings ?? [],
      householdIds: patch.householdIds ?? m.householdIds,
    };
    await this.auth.saveMembership(uid, next);
    return memberView(user, next);
  }

  #mayGrant(actor: Actor, cid: string, before: readonly string[], after: readonly string[]): void {
    const touchesAdmin = before.includes('admin') !== after.includes('admin');
    if (touchesAdmin && !can(actor, 'members.grant_admin', { communityId: cid })) {
      throw new DomainError('forbidden', 'Only an administrator may give or take the admin role. 只有管理员可以授予管理员角色。');
    }
  }

  async #checkHouseholds(cid: string, ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      if (!(await this.roster.getHousehold(cid, id))) {
        throw new DomainError('validation_failed', `No household ${id} in this community. 本小区没有该户。`, { issues: [{ path: 'householdIds', message: `unknown household ${id}` }] });
      }
    }
  }
}
