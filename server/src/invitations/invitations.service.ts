/**
 * Invitations: the code on a household's slip signs a phone in as that household's member
 * (role `owner`). Claiming never needs a password; revoking or re-issuing the code ends its use.
 */
import QRCode from 'qrcode';
import { DomainError, formatAddress, formatInvitationCode, type InvitationSlip, type Membership } from '@linli/shared';
import type { AuthService } from '../auth/auth.service.ts';
import type { StoredUser } from '../auth/auth.repository.ts';
import type { HouseholdRecord, RosterService } from '../roster/roster.service.ts';

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
  new DomainError('not_found', 'This invitation code is not valid: check it, or ask for a new slip. 邀请码无效，请核对或向楼栋长索取新的邀请单。');

export class InvitationsService {
  constructor(
    private readonly roster: RosterService,
    private readonly auth: AuthService,
  ) {}

  /**
   * Claims a code. `current` is the browser's signed-in user, if any: a member of that very
   * household resumes; anyone else becomes a new member of the household (a family can have
   * several phones, each its own member).
   */
  async claim(code: string, current: StoredUser | null): Promise<ClaimResult> {
    const found = await this.roster.findByInvitation(code);
    if (!found) throw invalidInvitation();
    const { communityId, household } = found;
    if (current && current.kind === 'member') {
      const m = await this.auth.membership(communityId, current.id);
      if (m?.householdIds.includes(household.id)) return { user: current, membership: m, household, communityId, resumed: true };
    }
    const user = await this.auth.createPerson(`${household.building}栋业主`, 'member');
    const membership: Membership = { communityId, roles: ['owner'], householdIds: [household.id], buildings: [] };
    await this.auth.saveMembership(user.id, membership);
    return { user, membership, household, communityId, resumed: false };
  }

  /** Printable slips for a roster (or one building): address, grouped code, join link and its QR. */
  async slips(cid: string, opts: { baseUrl: string; building?: string; visible: (h: HouseholdRecord) => boolean }): Promise<InvitationSlip[]> {
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
        qrSvg: await QRCode.toString(joinUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 }),
      });
    }
    return out;
  }
}

/** The link a slip's QR code holds: `<base>/i/<CODE>` (the web app's claim page). */
export function joinUrlOf(baseUrl: string, code: string): string {
  return `${baseUrl.replace(/\/$/, '')}/i/${code}`;
}
