/**
 * Finding households in the loaded roster as a person types: by building, unit, room (the same
 * rule as the API's `?q=`: "3 1201", "3-2-1201", "3栋1201") or by part of the owner's name.
 * Pure, so the roster page filters 20,000 rows per keystroke without a request.
 */

/** The fields a search looks at. */
export interface Searchable {
  building: string;
  unit: string;
  room: string;
  owner: string;
}

/** Splits a query into terms: spaces, dashes, slashes and the address words 栋/幢/单元/室 separate them. */
export function searchTerms(query: string): string[] {
  const q = query.normalize('NFKC').trim().toLowerCase();
  if (!q) return [];
  return q.split(/[\s\-/,，]+|栋|幢|单元|室|号楼|号/u).filter(Boolean);
}

/**
 * True when every term matches some part of the address, or the whole query is part of the
 * owner's name (names are not split: "王 伟" would match nobody's address anyway).
 */
export function matchesHousehold(h: Searchable, query: string): boolean {
  const terms = searchTerms(query);
  if (terms.length === 0) return true;
  const owner = h.owner.normalize('NFKC').toLowerCase().replace(/\s+/g, '');
  const whole = query.normalize('NFKC').toLowerCase().replace(/\s+/g, '');
  if (whole && owner.includes(whole)) return true;
  const hay = [h.building, h.unit, h.room].map((s) => s.normalize('NFKC').toLowerCase());
  return terms.every((t) => hay.some((p) => p === t || p.includes(t)));
}

/** Buildings in natural order ("2" before "10"), each once. */
export function buildingsOf(rows: readonly { building: string }[]): string[] {
  return [...new Set(rows.map((r) => r.building))].sort((a, b) => a.localeCompare(b, 'zh-CN', { numeric: true }));
}

/** One page of `rows` (1-based `page`, clamped), and how many pages there are. */
export function pageOf<T>(rows: readonly T[], page: number, size: number): { rows: T[]; page: number; pages: number } {
  const pages = Math.max(1, Math.ceil(rows.length / size));
  const p = Math.min(Math.max(1, Math.floor(page) || 1), pages);
  return { rows: rows.slice((p - 1) * size, p * size), page: p, pages };
}
