/** The choices of a ballot as buttons: fixed ones for yes/no and consent, else the ballot's options. */
import { m } from '$lib/paraglide/messages.js';
import type { LiveBallot } from './meeting-live.svelte';

export interface ChoiceButton {
  id: string;
  label: string;
  tone?: 'yes' | 'no' | 'secondary';
}

export function fixedChoices(ballot: Pick<LiveBallot, 'kind' | 'options'>): ChoiceButton[] {
  if (ballot.kind === 'yes_no_abstain')
    return [
      { id: 'yes', label: m.choice_yes(), tone: 'yes' },
      { id: 'no', label: m.choice_no(), tone: 'no' },
      { id: 'abstain', label: m.choice_abstain(), tone: 'secondary' },
    ];
  if (ballot.kind === 'consent')
    return [
      { id: 'agree', label: m.choice_agree(), tone: 'yes' },
      { id: 'stand_aside', label: m.choice_stand_aside(), tone: 'secondary' },
      { id: 'block', label: m.choice_block(), tone: 'no' },
    ];
  return (ballot.options ?? []).map((o) => ({ id: o.id, label: o.label }));
}

export function choiceLabel(ballot: Pick<LiveBallot, 'kind' | 'options'>, id: string): string {
  return fixedChoices(ballot).find((c) => c.id === id)?.label ?? id;
}
