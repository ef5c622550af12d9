import { describe, expect, it } from 'vitest';
import { checkInLimitedToBuildings } from './check-in-scope.ts';

describe('checkInLimitedToBuildings', () => {
  const leader = { userId: 'u', roles: ['building_leader', 'owner'] as const, buildings: ['2'] };
  it('limits a building leader with buildings to them', () => {
    expect(checkInLimitedToBuildings(leader, false)).toBe(true);
  });
  it('does not limit the facilitator, a leader with another staff role, or a leader of every building', () => {
    expect(checkInLimitedToBuildings(leader, true)).toBe(false);
    expect(checkInLimitedToBuildings({ ...leader, roles: ['building_leader', 'facilitator'] }, false)).toBe(false);
    expect(checkInLimitedToBuildings({ ...leader, buildings: [] }, false)).toBe(false);
    expect(checkInLimitedToBuildings(null, false)).toBe(false);
  });
});
