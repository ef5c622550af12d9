/** The labelled answer buttons of one paper question (fixed choices, options, or per-candidate 同意/反对/弃权). */
import type { Question } from '@linli/shared';
import { fixedChoices, type ChoiceButton } from '$lib/meetings/choices';

export function buttonsOf(q: Pick<Question, 'kind' | 'options'>): ChoiceButton[] {
  if (q.kind === 'election') return fixedChoices({ kind: 'yes_no_abstain', options: [] });
  return fixedChoices({ kind: q.kind as 'single', options: q.options ?? [] });
}

/** The label of choice `id` on question `q`. */
export const labelOf = (q: Pick<Question, 'kind' | 'options'>) => (id: string) => buttonsOf(q).find((b) => b.id === id)?.label ?? id;
