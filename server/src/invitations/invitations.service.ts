/**
 * Invitations: the code on a household's slip signs a phone in as that household's member
 * (role `owner`). Claiming never needs a password; revoking or re-issuing the code ends its use.
 */
import QRCode from 'qrcode';
import { DomainError, formatAddress, formatInvitationCode, type InvitationSlip, type Membership } from '@linli/shared';
import type { AuthService } from '../auth/auth.service.ts';
import type { StoredUser } from '../auth/auth.repository.ts';
import type { HouseholdRecord, RosterService } from '../roster/roster.service.ts';
import type { InvitationsRepository } from './invitations.repository.ts';

export interface ClaimResult {
  user: StoredUser;
  membership: Membership;
  household: HouseholdRecord;
  communityId: string;
  /** The caller already was this household's member: keep the session, create nothing. */
  resumed: boolean;
}

/** The error for an unknown, revoked or malformed code (the same for all three: no oracle). */
export const invalidInvitation = () =>
  new DomainError(
    'not_found',
    'This invitation code is not valid: check it, or ask for a new slip. 邀请码无效，请核对或向楼栋长索取新的邀请单。',
  );

export class InvitationsService {
  constructor(
    private readonly roster: RosterService,
    private readonly auth: AuthService,
    private readonly repo: InvitationsRepository,
  ) {}

  /**
   * Claims a code. `current` is the browser's signed-in user, if any: a member of that very
   * household resumes. Another browser scanning the same slip (a new phone, cleared cookies, a
   * rescan) signs in the member the slip made before, so one person never becomes two (a second
   * member would not be in a ballot's electorate frozen at opening). `newMember`: a family member
   * on their own phone becomes a new member of the household instead.
   */
  async claim(code: string, current: StoredUser | null, opts: { newMember?: boolean } = {}): Promise<ClaimResult> {
    const found = await this.roster.findByInvitation(code);
    if (!found) throw invalidInvitation();
    const { communityId, household } = found;
    if (current && current.kind === 'member' && !opts.newMember) {
      const m = await this.auth.membership(communityId, current.id);
      if (m?.householdIds.includes(household.id)) return { user: current, membership: m, household, communityId, resumed: true };
    }
    if (!opts.newMember) {
      const earlier = await this.#earliestClaimant(communityId, household.id);
      if (earlier) return { ...earlier, household, communityId, resumed: true };
    }
    const user = await this.auth.createPerson(`${household.building}栋业主`, 'member');
    const membership: Membership = { communityId, roles: ['owner'], householdIds: [household.id], buildings: [] };
    await this.auth.saveMembership(user.id, membership);
    await this.repo.addClaim(communityId, household.id, user.id);
    return { user, membership, household, communityId, resumed: false };
  }

  /** The first member who joined with this household's slip and still holds it. */
  async #earliestClaimant(cid: string, hid: string): Promise<{ user: StoredUser; membership: Membership } | null> {
    for (const id of await this.repo.claimantsInOrder(cid, hid)) {
      const [user, membership] = await Promise.all([this.auth.getUser(id), this.auth.membership(cid, id)]);
      if (user && membership?.householdIds.includes(hid)) return { user, membership };
    }
    return null;
  }

  /**
   * Revokes the household's code; with `removeMembers`, also takes the household away from everyone
   * who joined with one of its slips (a stolen slip): they lose the owner role it gave them.
   */
  async revoke(
    cid: string,
    hid: string,
    opts: { removeMembers?: boolean } = {},
  ): Promise<{ household: HouseholdRecord; removedMembers: number }> {
    const household = await this.roster.revokeInvitation(cid, hid);
    if (!opts.removeMembers) return { household, removedMembers: 0 };
    const ids = await this.repo.claimants(cid, hid);
    let removed = 0;
    for (const uid of ids) {
      const m = await this.auth.membership(cid, uid);
      if (!m?.householdIds.includes(hid)) continue;
      const householdIds = m.householdIds.filter((h) => h !== hid);
      // The owner role came from the slip; other roles (given by an admin) stay.
      const roles = householdIds.length > 0 ? m.roles : m.roles.filter((r) => r !== 'owner');
      await this.auth.saveMembership(uid, { ...m, householdIds, roles });
      removed++;
    }
    await this.repo.removeClaimants(cid, hid, ids);
    return { household, removedMembers: removed };
  }

  /** Printable slips for a roster (or one building): address, grouped code, join link and its QR. */
  async slips(
    cid: string,
    opts: { baseUrl: string; building?: string; visible: (h: HouseholdRecord) => boolean },
  ): Promise<InvitationSlip[]> {
    const all = await this.roster.search(cid, { building: opts.building });
    const withCode = all.filter((h) => h.invitationCode && opts.visible(h));
    const out: InvitationSlip[] = [];
    for (const h of withCode) {
      const joinUrl = joinUrlOf(opts.baseUrl, h.invitationCode!);
      out.push({
        householdId: h.id,
        building: h.building,
        unit: h.unit,
        room: h.room,
        address: formatAddress(h),
        code: formatInvitationCode(h.invitationCode!),
        joinUrl,
        typeUrl: typeUrlOf(opts.baseUrl),
        qrSvg: await QRCode.toString(joinUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 }),
      });
    }
    return out;
  }
}

/** The short address printed under the QR code for typing: host (and port) + "/i", no scheme. */
export function typeUrlOf(baseUrl: string): string {
  return `${baseUrl.replace(/^https?:\/\//, '').replace(/\/$/, '')}/i`;
}

/** The link a slip's QR code holds: `<base>/i/<CODE>` (the web app's claim page). */
export function joinUrlOf(baseUrl: string, code: string): string {
  return `${baseUrl.replace(/\/$/, '')}/i/${code}`;
}
