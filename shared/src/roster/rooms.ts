/**
 * Room numbers typed in the hall ("2 1 101", "2-1-101", "2栋1单元101室"): which households they
 * mean, best first. Paper votes and check-ins are entered this way, so the household whose
 * building, unit and room are exactly what was typed, in that order, must come first, and a
 * typed room that fits several households must not pick one by itself. Pure; no I/O.
 */

/** Where a household stands for a typed room: 0 exact (in order), 1 the same parts in another order, 2 parts contained, null no match. */
export type RoomRank = 0 | 1 | 2;

const SUFFIX = /(栋|幢|座|楼|号楼|号|单元|室)$/;

/** One part of an address as compared: width-folded, lower case, without 栋/单元/室. */
function norm(s: string): string {
  return s.normalize('NFKC').trim().toLowerCase().replace(SUFFIX, '');
}

/** The parts of a typed room: building, unit and room; or building and room; or a room alone. */
export function roomTerms(q: string): string[] {
  return q
    .normalize('NFKC')
    .trim()
    .toLowerCase()
    .split(/[\s\-/、,，]+|栋|幢|座|单元|室/)
    .filter(Boolean);
}

/** How well one household fits the typed terms (see RoomRank). */
export function roomRank(terms: readonly string[], h: { building: string; unit: string; room: string }): RoomRank | null {
  if (terms.length === 0) return null;
  const b = norm(h.building);
  const u = norm(h.unit);
  const r = norm(h.room);
  if (terms.length === 3 && b === terms[0] && u === terms[1] && r === terms[2]) return 0;
  if (terms.length === 2 && b === terms[0] && r === terms[1]) return 0;
  if (terms.length === 1 && r === terms[0]) return 0;
  const parts = [b, u, r];
  if (terms.length <= 3 && terms.every((t) => parts.includes(t))) return 1;
  if (terms.every((t) => parts.some((p) => p.includes(t)))) return 2;
  return null;
}

const byAddress = (x: { building: string; unit: string; room: string }, y: { building: string; unit: string; room: string }) =>
  x.building.localeCompare(y.building, 'zh-CN', { numeric: true }) ||
  x.unit.localeCompare(y.unit, 'zh-CN', { numeric: true }) ||
  x.room.localeCompare(y.room, 'zh-CN', { numeric: true });

/**
 * The households that fit a typed room, best first: exact matches (building-unit-room in the
 * order typed), then the same parts in another order ("2 1 101" also fits 1栋2单元101), then
 * loose ones; by address within each group. Each comes with `exact`.
 */
export function rankRooms<H extends { building: string; unit: string; room: string }>(
  q: string,
  households: readonly H[],
): (H & { exact: boolean })[] {
  const terms = roomTerms(q);
  const ranked: { h: H; rank: RoomRank }[] = [];
  for (const h of households) {
    const rank = roomRank(terms, h);
    if (rank !== null) ranked.push({ h, rank });
  }
  ranked.sort((x, y) => x.rank - y.rank || byAddress(x.h, y.h));
  return ranked.map(({ h, rank }) => ({ ...h, exact: rank === 0 }));
}

/**
 * The one household a typed room means, or null when it is ambiguous: exactly one exact match.
 * Two exact matches ("3 1201" with 3栋1单元1201 and 3栋2单元1201) or none mean the person must
 * choose; nothing is taken for them.
 */
export function exactHousehold<H extends { building: string; unit: string; room: string }>(q: string, households: readonly H[]): H | null {
  const terms = roomTerms(q);
  const exact = households.filter((h) => roomRank(terms, h) === 0);
  return exact.length === 1 ? exact[0]! : null;
}
