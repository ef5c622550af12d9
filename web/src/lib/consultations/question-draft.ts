/**
 * The create form's questions as the organiser edits them (plain text fields), and their
 * conversion to the API's QuestionInput: options from one-per-line text with stable ids, the
 * Art. 278 rules forcing yes/no/abstain, elections with candidates and seats.
 */
import type { QuestionInput } from '@linli/shared/consultations/schemas';

export type DraftKind = 'yes_no_abstain' | 'single' | 'multi' | 'election';
export interface QuestionDraft {
  key: string;
  title: string;
  description: string;
  kind: DraftKind;
  rule: string;
  /** One option or candidate per line. */
  lines: string;
  seats: number;
  maxPicks: number;
  clauseRef?: { conventionId: string; clauseId: string };
  versionRef?: { conventionId: string; versionId: string };
}

let seq = 0;
export function blankQuestion(kind: DraftKind, over: Partial<QuestionDraft> = {}): QuestionDraft {
  seq += 1;
  return {
    key: `q${Date.now().toString(36)}${seq}`,
    title: '',
    description: '',
    kind,
    rule: kind === 'single' || kind === 'multi' ? 'simple_majority' : 'civil_code_278_ordinary',
    lines: '',
    seats: 5,
    maxPicks: 1,
    ...over,
  };
}

/** The rules a kind may use (Art. 278 counts owners and area: yes/no/abstain and elections only). */
export function rulesFor(kind: DraftKind): string[] {
  if (kind === 'yes_no_abstain')
    return ['civil_code_278_ordinary', 'civil_code_278_major', 'simple_majority', 'two_thirds', 'three_quarters', 'unanimous'];
  if (kind === 'election') return ['civil_code_278_ordinary', 'civil_code_278_major'];
  return ['simple_majority', 'two_thirds', 'three_quarters'];
}

const lineList = (text: string) =>
  text
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);

/** Draft → the API's question; options get ids o1, o2… (candidates c1, c2…) in the order written. */
export function toQuestionInput(d: QuestionDraft): QuestionInput {
  const q: QuestionInput = { title: d.title.trim(), kind: d.kind, rule: d.rule as QuestionInput['rule'] };
  if (d.description.trim()) q.description = d.description.trim();
  if (d.kind === 'single' || d.kind === 'multi' || d.kind === 'election') {
    const prefix = d.kind === 'election' ? 'c' : 'o';
    q.options = lineList(d.lines).map((label, i) => ({ id: `${prefix}${i + 1}`, label }));
  }
  if (d.kind === 'multi') q.maxPicks = Math.max(1, Math.min(d.maxPicks, q.options?.length ?? 1));
  if (d.kind === 'election') q.seats = Math.max(1, d.seats);
  if (d.clauseRef) q.clauseRef = d.clauseRef;
  if (d.versionRef) q.versionRef = d.versionRef;
  return q;
}
