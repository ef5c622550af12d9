/**
 * Double entry of returned ballot papers (双人录入), the pure part: comparing two people's readings
 * of one paper, and the state machine a paper goes through (DOMAIN.md "Written consultation").
 *
 *   (none) ──first entry──▶ awaiting_second ──second entry, same answers──▶ counted | refused
 *                                           └─second entry, different───▶ mismatch
 *   mismatch ──a third person resolves from the paper──▶ counted | refused
 *
 * "refused": the household had already answered by another channel (phone, hall) before the paper
 * could count; the paper counts nothing and the person entering is told why. The same person may
 * not make both entries, and a reviewer may not be one of the two who entered. No I/O here.
 */
import type { Answers, PaperEntryState } from './schemas.ts';

/**
 * A stable text of one answer: multi-choice picks in any order read the same, ranked orders do
 * not; an election's per-candidate answers ({candidateId: 'yes'|'no'|'abstain'}) in any key order.
 */
function canonicalChoice(choice: unknown, orderMatters: boolean): string {
  if (Array.isArray(choice)) {
    const list = choice.map((c) => String(c));
    return JSON.stringify(orderMatters ? list : [...list].sort());
  }
  if (choice && typeof choice === 'object') {
    const o = choice as Record<string, unknown>;
    return JSON.stringify(
      Object.keys(o)
        .sort()
        .map((k) => [k, o[k]]),
    );
  }
  return JSON.stringify(choice ?? null);
}

/** Question kinds whose picks are an ordered list (a ranking): the order is part of the answer. */
const ORDERED_KINDS = new Set(['ranked']);

/** A question's kind as comparison needs it. */
export interface EntryQuestion {
  id: string;
  kind: string;
}

/** The questions whose answers differ between two readings of one paper (ids, in paper order; extra ids last). */
export function differingQuestions(a: Answers, b: Answers, questions: readonly EntryQuestion[]): string[] {
  const kinds = new Map(questions.map((q) => [q.id, q.kind]));
  const ids = [...questions.map((q) => q.id)];
  for (const k of [...Object.keys(a), ...Object.keys(b)]) if (!kinds.has(k) && !ids.includes(k)) ids.push(k);
  const out: string[] = [];
  for (const id of ids) {
    const inA = Object.prototype.hasOwnProperty.call(a, id);
    const inB = Object.prototype.hasOwnProperty.call(b, id);
    if (!inA && !inB) continue;
    const ordered = ORDERED_KINDS.has(kinds.get(id) ?? '');
    if (inA !== inB || canonicalChoice(a[id], ordered) !== canonicalChoice(b[id], ordered)) out.push(id);
  }
  return out;
}

/** True when two readings of one paper agree on every question (including which were left blank). */
export function sameAnswers(a: Answers, b: Answers, questions: readonly EntryQuestion[]): boolean {
  return differingQuestions(a, b, questions).length === 0;
}

/** What happens to a paper when someone enters it, given what is stored for it so far. */
export type EntryStep =
  | { kind: 'first' }
  | { kind: 'second_same' }
  | { kind: 'second_different'; differing: string[] }
  | { kind: 'same_person' }
  | { kind: 'already_settled'; state: PaperEntryState };

/** The stored entries of one paper, as the step needs them. */
export interface StoredPaper {
  state: PaperEntryState;
  entries: { by: string; answers: Answers }[];
}

/**
 * The step an entry by `by` takes: first, second (same or different answers), the same person
 * twice (409 `same_person`: a second entry must be someone else's reading), or too late (the paper
 * is already counted, refused or held for review: entering it again changes nothing).
 */
export function entryStep(stored: StoredPaper | null, by: string, answers: Answers, questions: readonly EntryQuestion[]): EntryStep {
  if (!stored || stored.entries.length === 0) return { kind: 'first' };
  if (stored.state !== 'awaiting_second') return { kind: 'already_settled', state: stored.state };
  const first = stored.entries[0]!;
  if (first.by === by) return { kind: 'same_person' };
  const differing = differingQuestions(first.answers, answers, questions);
  return differing.length === 0 ? { kind: 'second_same' } : { kind: 'second_different', differing };
}

/** Why a reviewer may not resolve a paper (null: they may). */
export function resolveRefusal(stored: StoredPaper | null, reviewer: string): 'not_found' | 'not_mismatch' | 'entered_it' | null {
  if (!stored) return 'not_found';
  if (stored.state !== 'mismatch') return 'not_mismatch';
  if (stored.entries.some((e) => e.by === reviewer)) return 'entered_it';
  return null;
}

/** The counters the core reads for progress, after a paper moves from `before` to `after`. */
export function countDelta(before: PaperEntryState | null, after: PaperEntryState): { awaiting: number; mismatch: number } {
  const d = { awaiting: 0, mismatch: 0 };
  if (before === 'awaiting_second') d.awaiting -= 1;
  if (before === 'mismatch') d.mismatch -= 1;
  if (after === 'awaiting_second') d.awaiting += 1;
  if (after === 'mismatch') d.mismatch += 1;
  return d;
}
