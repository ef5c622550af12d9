/**
 * A consultation's audit log uses the ballots' chain (shared/src/ballots/audit.ts; the consultation
 * id stands in `ballotId`). This file says what its entries carry and replays a log to recount it:
 * `npm run verify` recomputes every question from the votes in the log and compares with the
 * result entry the server wrote.
 *
 *   created    {title, communityId, opensAt, closesAt, secret, questions, households, by}
 *   opened     {electorate, questions}                   (the frozen electorate)
 *   vote / paper_vote  open: {householdId, receipt, channel, answers};  secret: {receipt, channel}
 *   extended   {from, to, reason, by}                    (only before the deadline)
 *   meeting_linked {meetingId}
 *   closed     {closesAt}
 *   result     {questions:[{id, tally, turnout, outcome, winners, tiedForLastSeat}], sealed?}
 *              secret: sealed = every answer with its weight, ordered by receipt, no household
 *   adopted    {conventionId, versionId, questionId}     (a passed "adopt version" question)
 *   published  {objectionDays, by}
 */
import type { ElectorateSnapshot } from '../voting/schemas.ts';
import type { Question, QuestionResult } from './schemas.ts';
import { tallyConsultation, type RecordedResponse } from './tally.ts';

/** A secret consultation's answer as published in the result entry. */
export interface SealedAnswer {
  receipt: string;
  answers: Record<string, unknown>;
  ownerKey: string;
  areaCentiares: number;
}

/** The `result` entry's data. */
export function resultEntryData(results: readonly QuestionResult[], sealed?: readonly SealedAnswer[]): Record<string, unknown> {
  return {
    questions: results.map((q) => ({
      id: q.id,
      tally: q.tally,
      turnout: q.turnout,
      outcome: q.outcome,
      winners: q.winners ?? null,
      tiedForLastSeat: q.tiedForLastSeat ?? null,
    })),
    ...(sealed ? { sealed } : {}),
  };
}

export interface ConsultationReplay {
  consultationId: string | null;
  questions: Question[] | null;
  secret: boolean;
  electorate: ElectorateSnapshot | null;
  responses: RecordedResponse[];
  closed: boolean;
  /** The result entry's data, if any. */
  stated?: Record<string, unknown>;
  sealedVotes: number;
  problems: string[];
}

/** True when a log is a consultation's (its first entry creates one with questions). */
export function isConsultationLog(entries: readonly { type: string; data: unknown }[]): boolean {
  const first = entries[0];
  return !!first && first.type === 'created' && Array.isArray((first.data as { questions?: unknown })?.questions);
}

export function replayConsultationAudit(entries: readonly { type: string; ballotId: string; data: unknown }[]): ConsultationReplay {
  const r: ConsultationReplay = {
    consultationId: null,
    questions: null,
    secret: false,
    electorate: null,
    responses: [],
    closed: false,
    sealedVotes: 0,
    problems: [],
  };
  const seen = new Set<string>();
  for (const e of entries) {
    r.consultationId ??= e.ballotId;
    const d = (e.data ?? {}) as Record<string, unknown>;
    switch (e.type) {
      case 'created':
        r.questions = d.questions as Question[];
        r.secret = d.secret === true;
        break;
      case 'opened':
        r.electorate = d.electorate as ElectorateSnapshot;
        break;
      case 'vote':
      case 'paper_vote': {
        if (r.closed) r.problems.push(`a ${e.type} entry comes after the consultation closed`);
        if (typeof d.householdId !== 'string') {
          r.sealedVotes++;
          break;
        }
        if (seen.has(d.householdId)) r.problems.push(`household ${d.householdId} answered twice`);
        seen.add(d.householdId);
        r.responses.push({ voterId: d.householdId, answers: d.answers as Record<string, unknown> });
        break;
      }
      case 'extended':
        if (r.closed) r.problems.push('the deadline was extended after it closed');
        break;
      case 'closed':
        if (r.closed) r.problems.push('closed twice');
        r.closed = true;
        break;
      case 'result':
        if (!r.closed) r.problems.push('the result entry comes before the closing entry');
        if (r.stated) r.problems.push('two result entries');
        r.stated = d;
        if (Array.isArray(d.sealed)) {
          const sealed = d.sealed as SealedAnswer[];
          if (sealed.length !== r.sealedVotes)
            r.problems.push(`the result lists ${sealed.length} sealed answers, the log recorded ${r.sealedVotes}`);
          r.responses = sealed.map((s) => ({
            voterId: s.receipt,
            ownerKey: s.ownerKey,
            areaCentiares: s.areaCentiares,
            answers: s.answers,
          }));
        }
        break;
    }
  }
  return r;
}

/** Recounts a replayed, closed consultation: the data its result entry must equal. */
export function recountConsultation(r: ConsultationReplay): Record<string, unknown> | null {
  if (!r.questions || !r.electorate) return null;
  const results = tallyConsultation(r.questions, r.electorate, r.responses, { closed: true, secret: r.secret });
  const sealed = r.stated && Array.isArray(r.stated.sealed) ? (r.stated.sealed as SealedAnswer[]) : undefined;
  return resultEntryData(results, sealed);
}
