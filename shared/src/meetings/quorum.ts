/**
 * Civil Code Art. 278 participation (quorum): the owners taking part must be ≥ 2/3 of all owners
 * by number AND hold ≥ 2/3 of the total exclusive-part area. Exact integers only: areas in
 * centiares, "≥ 2/3" as `3 * part >= 2 * whole` (DOMAIN.md "Counting rules").
 */
import type { Quorum } from './schemas.ts';

/** A household as counting needs it: who owns it (one key per owner) and its registered area. */
export interface CountedHousehold {
  id: string;
  ownerKey: string;
  areaCentiares: number;
}

/** Owners by number (each owner once, however many units) and total area of a roster. */
export function rosterTotals(roster: readonly CountedHousehold[]): { owners: number; areaCentiares: number } {
  const owners = new Set<string>();
  let area = 0;
  for (const h of roster) {
    owners.add(h.ownerKey);
    area += h.areaCentiares;
  }
  return { owners: owners.size, areaCentiares: area };
}

/** Smallest n with 3n ≥ 2·whole. */
export function twoThirdsOf(whole: number): number {
  return Math.floor((2 * whole + 2) / 3);
}

/**
 * Participation over the households present against roster totals. Owners are counted once by
 * `ownerKey`; the area is the sum of the distinct households present. Use `ownerHouseholds` first
 * when an owner present through one unit takes part with all their units.
 */
export function participation(present: readonly CountedHousehold[], totals: { owners: number; areaCentiares: number }): Quorum {
  const owners = new Set<string>();
  const seen = new Set<string>();
  let area = 0;
  for (const h of present) {
    if (seen.has(h.id)) continue;
    seen.add(h.id);
    owners.add(h.ownerKey);
    area += h.areaCentiares;
  }
  const ownersMet = 3 * owners.size >= 2 * totals.owners;
  const areaMet = 3 * area >= 2 * totals.areaCentiares;
  return {
    owners: { present: owners.size, total: totals.owners },
    areaCentiares: { present: area, total: totals.areaCentiares },
    // An empty roster has nobody to take part: never "met".
    met: totals.owners > 0 && ownersMet && areaMet,
    needed: {
      owners: Math.max(0, twoThirdsOf(totals.owners) - owners.size),
      areaCentiares: Math.max(0, twoThirdsOf(totals.areaCentiares) - area),
    },
  };
}

/**
 * Every roster household of the owners present: an owner who takes part (through any of their
 * units) holds all their exclusive area, so Art. 278 counts all of it (a developer's unsold units,
 * one owner with two flats).
 */
export function ownerHouseholds(roster: readonly CountedHousehold[], presentIds: Iterable<string>): CountedHousehold[] {
  const byId = new Map(roster.map((h) => [h.id, h]));
  const owners = new Set<string>();
  for (const id of presentIds) {
    const h = byId.get(id);
    if (h) owners.add(h.ownerKey);
  }
  return roster.filter((h) => owners.has(h.ownerKey));
}

/** Quorum of a meeting: roster, and the ids of households present (unknown ids are ignored). */
export function meetingQuorum(roster: readonly CountedHousehold[], presentIds: Iterable<string>): Quorum {
  const present = ownerHouseholds(roster, presentIds);
  return { ...participation(present, rosterTotals(roster)), households: { present: present.length, total: roster.length } };
}
