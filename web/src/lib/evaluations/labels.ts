/** Evaluation words in the reader's language: status, subject, role group, the five score labels. */
import type { EvaluationStatus, EvaluationSubject } from '@linli/shared/evaluations/schemas';
import { m } from '$lib/paraglide/messages.js';

export const statusLabel = (s: EvaluationStatus): string =>
  ({ draft: m.eval_status_draft, open: m.eval_status_open, closed: m.eval_status_closed })[s]?.() ?? s;

/** "物业服务企业 · 海月物业" (the kind, and its name when given). */
export function subjectLabel(s: EvaluationSubject): string {
  const kind = {
    property_firm: m.eval_subject_property_firm,
    owners_committee: m.eval_subject_owners_committee,
    named_service: m.eval_subject_named_service,
  }[s.kind]();
  return s.name ? `${kind} · ${s.name}` : kind;
}

const GROUPS: Record<string, () => string> = {
  residents: m.eval_group_residents,
  notables: m.eval_group_notables,
  party_branch: m.eval_group_party_branch,
  building_leaders: m.eval_group_building_leaders,
  owners_committee: m.eval_group_owners_committee,
  property_firm: m.eval_group_property_firm,
  staff: m.eval_group_staff,
  paper: m.eval_group_paper,
};
export const groupLabel = (g: string): string => GROUPS[g]?.() ?? g;

/** 1 很不满意 … 5 很满意, in order. */
export const SCORES = [1, 2, 3, 4, 5] as const;
export const scoreLabel = (n: number): string =>
  [m.eval_score_1, m.eval_score_2, m.eval_score_3, m.eval_score_4, m.eval_score_5][n - 1]?.() ?? String(n);

/** A new idempotency key (kept until the receipt arrives, so a retry counts once). */
export const newKey = (): string => `ev-${crypto.randomUUID()}`;
