/**
 * The resident's ballot paper, pure parts (zod-free: the phone page imports it): the choices of a
 * question, whether it is answered, its answer in words for the review step, the text read aloud.
 */
import type { Question } from '@linli/shared/consultations/schemas';
import { m } from '$lib/paraglide/messages.js';
import { isAnswered } from './consultation-view';

export { answersToSend, isAnswered } from './consultation-view';

export interface AnswerChoice {
  id: string;
  label: string;
  tone?: 'yes' | 'no';
}

export function answerChoices(q: Pick<Question, 'kind' | 'options'>): AnswerChoice[] {
  if (q.kind === 'yes_no_abstain' || q.kind === 'election')
    return [
      { id: 'yes', label: m.choice_yes(), tone: 'yes' },
      { id: 'no', label: m.choice_no(), tone: 'no' },
      { id: 'abstain', label: m.choice_abstain() },
    ];
  if (q.kind === 'consent')
    return [
      { id: 'agree', label: m.choice_agree(), tone: 'yes' },
      { id: 'stand_aside', label: m.choice_stand_aside() },
      { id: 'block', label: m.choice_block(), tone: 'no' },
    ];
  if (q.kind === 'score') return [0, 1, 2, 3, 4, 5].map((n) => ({ id: String(n), label: m.cons_score_value({ n: String(n) }) }));
  return (q.options ?? []).map((o) => ({ id: o.id, label: o.label }));
}

/** The answer in words, as the review step and the receipt show it. */
export function answerText(q: Pick<Question, 'kind' | 'options'>, value: unknown): string {
  if (!isAnswered(q, value)) return m.cons_unanswered();
  const label = (id: string) => answerChoices(q).find((c) => c.id === id)?.label ?? id;
  if (q.kind === 'election') {
    const per = value as Record<string, string>;
    return (q.options ?? []).map((c) => `${c.label}: ${label(per[c.id]!)}`).join('; ');
  }
  if (Array.isArray(value)) return value.map((v) => label(String(v))).join(', ');
  return label(String(value));
}

/** What is read aloud for a question: its number, title, explanation and the choices. */
export function speechText(q: Pick<Question, 'kind' | 'options' | 'title' | 'description'>, index: number): string {
  const parts = [m.cons_q_n({ n: String(index + 1) }), q.title, q.description ?? ''];
  if (q.kind === 'election')
    parts.push(
      (q.options ?? []).map((c) => c.label).join(', '),
      answerChoices(q)
        .map((c) => c.label)
        .join(', '),
    );
  else
    parts.push(
      answerChoices(q)
        .map((c) => c.label)
        .join(', '),
    );
  return parts.filter(Boolean).join('. ');
}
