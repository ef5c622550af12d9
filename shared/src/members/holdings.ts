/**
 * Which households a member votes for in a ballot (one household, one vote). Pure.
 *
 * - A household's vote is counted once whoever casts it (the ballot's electorate is frozen at
 *   opening; the cast script refuses a second vote).
 * - A member votes online for the households they hold as `owner`, except those an administrator
 *   gave them after the ballot opened: those vote in that ballot by the household's own slip, on
 *   paper or by proxy. A household claimed with its own slip votes at any time.
 */
import type { Membership } from '../auth/schemas.ts';

/** The households `m` votes for online in a ballot opened at `openedAt` (all held ones while a draft). */
export function householdsVotableIn(
  m: Pick<Membership, 'roles' | 'householdIds' | 'householdsSince'> | null | undefined,
  openedAt: number | undefined,
): string[] {
  if (!m || !m.roles.includes('owner')) return [];
  if (openedAt === undefined) return [...m.householdIds];
  return m.householdIds.filter((hid) => !(m.householdsSince?.[hid] !== undefined && m.householdsSince[hid]! > openedAt));
}

/** Households held by `m` but given after `openedAt` (for the message that says why they do not vote). */
export function householdsGivenAfter(
  m: Pick<Membership, 'roles' | 'householdIds' | 'householdsSince'> | null | undefined,
  openedAt: number | undefined,
): string[] {
  if (!m || !m.roles.includes('owner') || openedAt === undefined) return [];
  const votable = new Set(householdsVotableIn(m, openedAt));
  return m.householdIds.filter((h) => !votable.has(h));
}

/** The grant times after a change of households: kept for households still held, `now` for new ones. */
export function nextHouseholdsSince(
  before: Pick<Membership, 'householdIds' | 'householdsSince'> | null,
  after: readonly string[],
  now: number,
): Record<string, number> {
  const held = new Set(before?.householdIds ?? []);
  const out: Record<string, number> = {};
  for (const hid of after) {
    const was = before?.householdsSince?.[hid];
    if (held.has(hid)) {
      if (was !== undefined) out[hid] = was;
    } else out[hid] = now;
  }
  return out;
}

/** True when two lists hold the same households (order and repeats aside). */
export function sameHouseholds(a: readonly string[], b: readonly string[]): boolean {
  const x = new Set(a);
  const y = new Set(b);
  return x.size === y.size && [...x].every((h) => y.has(h));
}
