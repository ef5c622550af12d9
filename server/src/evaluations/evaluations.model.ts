/**
 * The stored shape of an evaluation round and its conversion to what the API sends. Small pure
 * helpers of the server side; audit bodies and receipts come from the consultations' model (the
 * same chain and receipt alphabet).
 */
import {
  toShanghaiIso,
  type Evaluation,
  type EvaluationChannel,
  type EvaluationCriterion,
  type EvaluationElectorate,
  type EvaluationSubject,
} from '@linli/shared';

/** As stored: times in ms. */
export interface StoredEvaluation {
  id: string;
  communityId: string;
  title: string;
  subject: EvaluationSubject;
  criteria: EvaluationCriterion[];
  electorate: EvaluationElectorate;
  opensAtMs?: number;
  closesAtMs?: number;
  createdAtMs: number;
  createdBy: string;
  openedAtMs?: number;
  closedAtMs?: number;
  reply?: { text: string; atMs: number; by: string; byName: string };
}

/** Who answered (the responses hash; never sent). */
export interface StoredResponse {
  receipt: string;
  channel: EvaluationChannel;
  at: number;
  by: string;
}

/** What was answered (the answers hash, by receipt; no person in it). */
export interface StoredAnswer {
  scores: Record<string, number>;
  groups: string[];
  comment?: string;
  channel: EvaluationChannel;
}

export function toView(s: StoredEvaluation, status: string): Evaluation {
  const iso = (ms?: number) => (ms === undefined ? undefined : toShanghaiIso(ms));
  return {
    id: s.id,
    communityId: s.communityId,
    title: s.title,
    subject: s.subject,
    criteria: s.criteria,
    electorate: s.electorate,
    status: status as Evaluation['status'],
    opensAt: iso(s.opensAtMs),
    closesAt: iso(s.closesAtMs),
    createdAt: toShanghaiIso(s.createdAtMs),
    openedAt: iso(s.openedAtMs),
    closedAt: iso(s.closedAtMs),
  };
}
