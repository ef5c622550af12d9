/**
 * The answer buttons of one question of a ballot paper, as the person entering it sees them:
 * fixed choices for yes/no/abstain and consent, the options for single and multi choice, and
 * 同意/反对/弃权 per candidate for an election ({candidateId: choice}). Pure, no I/O; the
 * buttons' labels come from paper-labels.ts.
 */
import type { Question } from '@linli/shared';

export const ELECTION_CHOICES = ['yes', 'no', 'abstain'] as const;

/** Question kinds a paper can be entered for here (a ranking or a score is not on paper). */
export function enterable(q: Pick<Question, 'kind'>): boolean {
  return ['yes_no_abstain', 'consent', 'single', 'multi', 'election'].includes(q.kind);
}

/** The answer after pressing `choice` (for an election: on `candidate`); multi toggles. */
export function press(q: Pick<Question, 'kind'>, current: unknown, choice: string, candidate?: string): unknown {
  if (q.kind === 'multi') {
    const list = Array.isArray(current) ? (current as string[]) : [];
    const next = list.includes(choice) ? list.filter((c) => c !== choice) : [...list, choice];
    return next.length ? next : undefined;
  }
  if (q.kind === 'election' && candidate) {
    const map = { ...((current as Record<string, string>) ?? {}) };
    if (map[candidate] === choice) delete map[candidate];
    else map[candidate] = choice;
    return Object.keys(map).length ? map : undefined;
  }
  return current === choice ? undefined : choice;
}

/** True when `choice` is pressed in the answer (for an election: on `candidate`). */
export function isPressed(current: unknown, choice: string, candidate?: string): boolean {
  if (candidate) return (current as Record<string, string> | undefined)?.[candidate] === choice;
  return Array.isArray(current) ? current.includes(choice) : current === choice;
}

/** An answer as short text for the review list ("同意", "A、B", "张三:同意 李四:反对"). */
export function answerText(q: Pick<Question, 'kind' | 'options'>, a: unknown, blank: string, label: (id: string) => string): string {
  if (a === undefined || a === null) return blank;
  if (q.kind === 'election' && typeof a === 'object' && !Array.isArray(a)) {
    return (q.options ?? [])
      .filter((o) => (a as Record<string, string>)[o.id])
      .map((o) => `${o.label}: ${label((a as Record<string, string>)[o.id]!)}`)
      .join('  ');
  }
  if (Array.isArray(a)) return a.map((x) => label(String(x))).join('、');
  return label(String(a));
}
