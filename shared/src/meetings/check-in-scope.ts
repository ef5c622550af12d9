/**
 * Whose check-ins are limited to their own buildings: a building leader with no other role that
 * grants check-in (an owner or resident role adds nothing), unless they facilitate the meeting.
 * One rule for the server's household search and the console's check-in panel.
 */
import type { Actor } from '../permissions.ts';

const NO_WIDER_SCOPE = new Set(['building_leader', 'owner', 'resident']);

export function checkInLimitedToBuildings(actor: Actor | null | undefined, facilitator: boolean): boolean {
  if (facilitator || !actor?.buildings?.length) return false;
  return actor.roles.every((r) => NO_WIDER_SCOPE.has(r));
}
