/**
 * Zod-free helpers every consultation page shares (the phone page imports this, so it stays inside
 * the phone bundle budget): Asia/Shanghai times for datetime-local fields, the local key store of
 * a phone's submission, which questions are answered (only those are sent), and the adapter
 * that shows one question's result with the ballots' TallyBars (same "还差 X 户 / Y ㎡" wording).
 */
import type { Consultation, Question, QuestionResult } from '@linli/shared/consultations/schemas';
import type { TallyBallot, TallyResult } from '$lib/meetings/meeting-live.svelte';

const SHANGHAI_OFFSET_MS = 8 * 3600_000;

/** ms → "2026-12-20T18:00" as a clock in Shanghai reads it (the value of a datetime-local field). */
export function shanghaiLocalInput(ms: number): string {
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 16);
}

/** A datetime-local value read as Shanghai time → "2026-12-20T18:00:00+08:00" (what the API takes). */
export function shanghaiIsoFromInput(value: string): string {
  return `${value.length === 16 ? `${value}:00` : value}+08:00`;
}

/** The choices of a yes/no/abstain question and of each election candidate, in paper order. */
export const YES_NO_ABSTAIN = ['yes', 'no', 'abstain'] as const;
export type YesNoAbstain = (typeof YES_NO_ABSTAIN)[number];

/** One question's result in the shape TallyBars reads (a ballot with its live result). */
export function asLiveBallot(
  c: Pick<Consultation, 'status' | 'secret'>,
  q: QuestionResult,
  options?: { id: string; label: string }[],
): TallyBallot & { result: TallyResult } {
  return {
    id: q.id,
    status: c.status === 'scheduled' ? 'draft' : c.status,
    kind: q.kind === 'election' ? 'yes_no_abstain' : q.kind,
    rule: q.rule,
    options: options ?? [],
    electorate: { kind: 'households' },
    hideTallyUntilClose: q.hidden === true,
    result: { tally: q.tally, turnout: q.turnout, outcome: q.outcome, hidden: q.hidden },
  };
}

/** What a phone keeps while a ballot paper is on its way: the key (same key = counted once) and, once back, the receipt. */
export interface StoredSubmission {
  key: string;
  answers: Record<string, unknown>;
  receipt?: string;
}
const storeKey = (consultationId: string, householdId: string) => `linli:consultation:${consultationId}:${householdId || 'me'}`;

export function readSubmission(consultationId: string, householdId: string): StoredSubmission | null {
  if (typeof localStorage === 'undefined') return null;
  try {
    const raw = localStorage.getItem(storeKey(consultationId, householdId));
    return raw ? (JSON.parse(raw) as StoredSubmission) : null;
  } catch {
    return null;
  }
}

export function writeSubmission(consultationId: string, householdId: string, s: StoredSubmission): void {
  if (typeof localStorage !== 'undefined') localStorage.setItem(storeKey(consultationId, householdId), JSON.stringify(s));
}

/** A fresh idempotency key (crypto.randomUUID where there is one; old phones without it get random hex). */
export function newKey(): string {
  const c = globalThis.crypto as Crypto & { randomUUID?: () => string };
  if (typeof c.randomUUID === 'function') return c.randomUUID();
  const bytes = new Uint8Array(16);
  c.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Share of a whole as a whole percentage, never rounding a shortfall up to 100. */
export function share(part: number, whole: number): number {
  return whole > 0 ? Math.floor((part * 100) / whole) : 0;
}

/** An election is answered when every candidate has a choice; a list when it has a pick; else any value. */
export function isAnswered(q: Pick<Question, 'kind' | 'options'>, value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (q.kind === 'election') {
    const per = value as Record<string, string>;
    return (q.options ?? []).every((c) => typeof per[c.id] === 'string');
  }
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

/** Only the answered questions go to the server (a question left out is not taken part in). */
export function answersToSend(
  questions: Pick<Question, 'id' | 'kind' | 'options'>[],
  values: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const q of questions) if (isAnswered(q, values[q.id])) out[q.id] = values[q.id];
  return out;
}
