/** The console's list of households checked in by hand: newest first, a few at a glance, the rest on demand. */

/** How many of the latest check-ins show while the list is collapsed. */
export const RECENT_CHECK_INS = 3;

/** Entries whose name (address and owner) holds every typed part ("3栋", "3 101", "张", "3-1-101"). */
export function filterCheckIns<C extends { name: string }>(list: readonly C[], q: string): C[] {
  const terms = q
    .normalize('NFKC')
    .toLowerCase()
    .split(/[\s\-/]+/)
    .filter(Boolean);
  if (!terms.length) return [...list];
  return list.filter((c) => {
    const name = c.name.normalize('NFKC').toLowerCase().replace(/\s+/g, '');
    return terms.every((t) => name.includes(t));
  });
}

/** What the list shows: the matches when searching, else everything when expanded, else the latest few. */
export function visibleCheckIns<C extends { name: string; firstSeenAt?: number }>(
  list: readonly C[],
  q: string,
  expanded: boolean,
): { shown: C[]; filtering: boolean } {
  const newest = [...list].reverse();
  if (q.trim()) return { shown: filterCheckIns(newest, q), filtering: true };
  return { shown: expanded ? newest : newest.slice(0, RECENT_CHECK_INS), filtering: false };
}
