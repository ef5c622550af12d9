/** Role names in the reader's language, and who the signed-in person is in one community. */
import { ROLES, type Actor, type MeResponse, type Role } from '@linli/shared';
import { m } from '$lib/paraglide/messages.js';

const LABELS: Record<Role, () => string> = {
  admin: m.role_admin,
  owner: m.role_owner,
  resident: m.role_resident,
  property_firm: m.role_property_firm,
  owners_committee: m.role_owners_committee,
  party_branch: m.role_party_branch,
  building_leader: m.role_building_leader,
  notable: m.role_notable,
  facilitator: m.role_facilitator,
  guest: m.role_guest,
};

/** "楼栋长" / "Building leader". */
export function roleLabel(role: Role): string {
  return LABELS[role]?.() ?? role;
}

/** Roles a member can hold, in the table's order (guests join one meeting by code instead). */
export const MEMBER_ROLES = ROLES.filter((r) => r !== 'guest');

/** The signed-in person as the permission table sees them in community `cid` (null when signed out). */
export function actorIn(me: MeResponse | null | undefined, cid: string): Actor | null {
  if (!me) return null;
  const membership = me.memberships.find((x) => x.communityId === cid);
  return {
    userId: me.user.id,
    isAdmin: me.user.isAdmin,
    communityId: cid,
    roles: membership?.roles ?? [],
    buildings: membership?.buildings ?? [],
  };
}

/** "3,4，5 6" → ["3","4","5","6"]: buildings typed in one field. */
export function parseBuildings(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\s,，、;；]+/u)
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
}
