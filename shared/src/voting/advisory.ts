/**
 * The advisory tally broken down by role (owners, residents, property firm, committee, branch…):
 * shown beside the binding count, never deciding anything. A voter holding several roles counts in
 * each of them; a vote without roles counts under NO_ROLE. Invalid choices are left out.
 */
import { ANSWER_LABELS, choiceSchemaFor, CONSENT_CHOICES, SCORE_MAX, SCORE_MIN, YES_NO_ABSTAIN } from './schemas.ts';
import type { BallotSpec, CastVote, TallyOption } from './schemas.ts';

/** The key of votes that carry no role. */
export const NO_ROLE = 'none';

/** The lines of a tally for a kind: the fixed answers, the scores 0–5, or the ballot's options. */
export function tallyLines(spec: Pick<BallotSpec, 'kind' | 'options'>): TallyOption[] {
  switch (spec.kind) {
    case 'yes_no_abstain':
      return YES_NO_ABSTAIN.map((id) => ({ id, label: ANSWER_LABELS[id]!, votes: 0 }));
    case 'consent':
      return CONSENT_CHOICES.map((id) => ({ id, label: ANSWER_LABELS[id]!, votes: 0 }));
    case 'score':
      return Array.from({ length: SCORE_MAX - SCORE_MIN + 1 }, (_, i) => ({
        id: String(i + SCORE_MIN),
        label: String(i + SCORE_MIN),
        votes: 0,
      }));
    default:
      return spec.options.map((o) => ({ id: o.id, label: o.label, votes: 0 }));
  }
}

/** The option ids a choice counts for: every pick of a multi ballot, the first preference of a ranked one. */
export function countedIds(spec: Pick<BallotSpec, 'kind'>, choice: CastVote['choice']): string[] {
  if (spec.kind === 'score') return [String(choice)];
  if (spec.kind === 'multi') return choice as string[];
  if (spec.kind === 'ranked') return [(choice as string[])[0]!];
  return [choice as string];
}

/**
 * Role → tally lines of the votes cast by holders of that role (multi: each pick; ranked: first
 * preferences; score: one line per score). Roles in alphabetical order for a stable display.
 */
export function advisoryByRole(
  votes: readonly CastVote[],
  spec: Pick<BallotSpec, 'kind' | 'options' | 'maxPicks'>,
): Record<string, TallyOption[]> {
  const schema = choiceSchemaFor(spec);
  const byRole = new Map<string, TallyOption[]>();
  for (const v of votes) {
    if (!schema.safeParse(v.choice).success) continue;
    const roles = v.roles && v.roles.length > 0 ? [...new Set(v.roles)] : [NO_ROLE];
    for (const role of roles) {
      let lines = byRole.get(role);
      if (!lines) {
        lines = tallyLines(spec);
        byRole.set(role, lines);
      }
      for (const id of countedIds(spec, v.choice)) {
        const line = lines.find((l) => l.id === id);
        if (line) line.votes++;
      }
    }
  }
  const out: Record<string, TallyOption[]> = {};
  for (const role of [...byRole.keys()].sort()) out[role] = byRole.get(role)!;
  return out;
}
