/**
 * Character-level differences between two versions of a convention, clause by clause. Characters,
 * not words: Chinese has no spaces to split on, and one changed 字 must show as one change.
 */
import { diffChars } from 'diff';
import type { ClauseDiff, DiffPart } from './schemas.ts';

/** The parts that turn `from` into `to` (unchanged, removed and added runs, in reading order). */
export function diffText(from: string, to: string): DiffPart[] {
  if (from === to) return from ? [{ value: from, added: false, removed: false }] : [];
  return diffChars(from, to).map((p) => ({ value: p.value, added: p.added === true, removed: p.removed === true }));
}

/**
 * Clauses are matched by id (a clause moved elsewhere is the same clause). The result follows the
 * order of `to`; a clause only in `from` appears after the clause that preceded it there.
 */
export function diffClauses(from: readonly { id: string; text: string }[], to: readonly { id: string; text: string }[]): ClauseDiff[] {
  const before = new Map(from.map((c) => [c.id, c.text]));
  const after = new Set(to.map((c) => c.id));
  const out: ClauseDiff[] = to.map((c, i) => {
    const old = before.get(c.id);
    if (old === undefined)
      return { clauseId: c.id, number: i + 1, status: 'added', parts: c.text ? [{ value: c.text, added: true, removed: false }] : [] };
    return { clauseId: c.id, number: i + 1, status: old === c.text ? 'same' : 'changed', parts: diffText(old, c.text) };
  });
  // Removed clauses, placed after their nearest surviving predecessor in `from`.
  from.forEach((c, i) => {
    if (after.has(c.id)) return;
    let anchor = -1;
    for (let j = i - 1; j >= 0; j--) {
      const prev = from[j]!.id;
      if (after.has(prev)) {
        anchor = out.findIndex((d) => d.clauseId === prev);
        break;
      }
    }
    // After the anchor and after any removed clauses already placed behind it.
    let at = anchor + 1;
    while (at < out.length && out[at]!.status === 'removed') at++;
    out.splice(at, 0, {
      clauseId: c.id,
      number: i + 1,
      status: 'removed',
      parts: c.text ? [{ value: c.text, added: false, removed: true }] : [],
    });
  });
  return out;
}
