/** A household as a given actor may see it: the invitation code only to who may print it, the phone only to roster managers. */
import { areaNumber, can, formatInvitationCode, type Actor, type HouseholdView } from '@linli/shared';
import type { HouseholdRecord } from './roster.service.ts';

/** A household as this actor may see it. */
export function householdView(h: HouseholdRecord, actor: Actor, cid: string): HouseholdView {
  const showCode = h.invitationCode && can(actor, 'invitation.print', { communityId: cid, building: h.building });
  return {
    id: h.id,
    building: h.building,
    unit: h.unit,
    room: h.room,
    area: areaNumber(h.areaCentiares),
    areaCentiares: h.areaCentiares,
    owner: h.owner,
    ...(h.phone && can(actor, 'roster.manage', { communityId: cid }) ? { phone: h.phone } : {}),
    invitationCode: showCode ? formatInvitationCode(h.invitationCode!) : null,
  };
}
