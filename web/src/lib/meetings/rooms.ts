/** Room numbers typed in the hall ("3 1201", "3-2-1201", "3栋2单元1201"): which household Enter takes. */

/** The parts of a typed room: building, unit and room, or building and room. */
export function roomTerms(q: string): string[] {
  return q
    .normalize('NFKC')
    .trim()
    .toLowerCase()
    .split(/[\s\-/]+|栋|幢|单元|室/)
    .filter(Boolean);
}

/**
 * The one household Enter should take from the matches: the server's search matches parts loosely
 * ("1" is also in room 101), so the household whose building-unit-room (or building and room) is
 * exactly what was typed wins; else the only match; else none (the person picks from the list).
 */
export function exactRoom<H extends { building: string; unit: string; room: string }>(q: string, matches: readonly H[]): H | null {
  const t = roomTerms(q);
  const exact = matches.filter((h) => {
    const [b, u, r] = [h.building, h.unit, h.room].map((x) => x.normalize('NFKC').toLowerCase());
    return t.length === 3 ? b === t[0] && u === t[1] && r === t[2] : t.length === 2 && b === t[0] && r === t[1];
  });
  if (exact.length === 1) return exact[0]!;
  return matches.length === 1 ? matches[0]! : null;
}
