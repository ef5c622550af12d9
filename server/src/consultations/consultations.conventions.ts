/**
 * Written consultations and conventions (管理规约): questions bound to a convention version or one
 * clause of it. At creation the references are checked; at opening each question is bound to the
 * text hashes it approves; after the result, a passed "adopt version X" question (or passed
 * questions covering every clause of the version) adopts the version through the conventions
 * service, whose approvals() reads the passed questions from approvalsIn().
 */
import { DomainError, canonicalJson, type ConsensusItem, type Question, type QuestionResult } from '@linli/shared';
import type { Clause } from '@linli/shared';
import { sha256hex, type StoredConsultation } from './consultations.model.ts';

/** What the composition root gives: clauses of a convention (live or a version) and adoption. */
export interface ConventionsPort {
  clauses(conventionId: string, versionId?: string): Promise<{ communityId: string; clauses: Clause[] } | null>;
  adopt(conventionId: string, versionId: string, by: string): Promise<void>;
}

/** A question's binding at opening: the clause texts (by hash) a pass approves. */
export interface Binding {
  conventionId: string;
  versionId?: string;
  clauses: Record<string, string>;
}

async function clausesOf(port: ConventionsPort, cid: string, conventionId: string, versionId?: string): Promise<Clause[] | null> {
  try {
    const r = await port.clauses(conventionId, versionId);
    return r && r.communityId === cid ? r.clauses : null;
  } catch (err) {
    if ((err as { code?: string }).code === 'not_found') return null;
    throw err;
  }
}

/** Refuses references to conventions, versions or clauses that do not exist in the community. */
export async function checkReferences(port: ConventionsPort | null, cid: string, questions: readonly Question[]): Promise<void> {
  if (!port) return;
  for (const [i, q] of questions.entries()) {
    const conventionId = q.versionRef?.conventionId ?? q.clauseRef?.conventionId;
    if (!conventionId) continue;
    if (q.versionRef && q.clauseRef && q.versionRef.conventionId !== q.clauseRef.conventionId) {
      throw new DomainError('validation_failed', 'The clause and the version belong to different conventions. 条款与版本不属于同一公约。', {
        issues: [{ path: `questions.${i}.clauseRef`, message: 'other convention' }],
      });
    }
    const clauses = await clausesOf(port, cid, conventionId, q.versionRef?.versionId);
    if (!clauses)
      throw new DomainError('validation_failed', 'No such convention or version in this community. 本小区没有该公约或版本。', {
        issues: [{ path: `questions.${i}.${q.versionRef ? 'versionRef' : 'clauseRef'}`, message: 'not found' }],
      });
    if (q.clauseRef && !clauses.some((c) => c.id === q.clauseRef!.clauseId)) {
      throw new DomainError('validation_failed', 'No such clause in this convention. 条款不存在。', {
        issues: [{ path: `questions.${i}.clauseRef`, message: 'no such clause' }],
      });
    }
  }
}

/** Binds every convention question to the text it approves (at opening); questions get their textHash. */
export async function bindQuestions(
  port: ConventionsPort | null,
  s: StoredConsultation,
): Promise<{ questions: Question[]; bindings: Record<string, Binding> }> {
  const bindings: Record<string, Binding> = {};
  const questions: Question[] = [];
  for (const q of s.questions) {
    const conventionId = q.versionRef?.conventionId ?? q.clauseRef?.conventionId;
    const clauses = port && conventionId ? await clausesOf(port, s.communityId, conventionId, q.versionRef?.versionId) : null;
    if (!conventionId || !clauses) {
      questions.push(q);
      continue;
    }
    const picked = clauses.filter((c) => c.text.trim() && (!q.clauseRef || c.id === q.clauseRef.clauseId));
    const map = Object.fromEntries(picked.map((c) => [c.id, c.textHash]));
    bindings[q.id] = { conventionId, ...(q.versionRef ? { versionId: q.versionRef.versionId } : {}), clauses: map };
    questions.push({ ...q, textHash: q.clauseRef ? picked[0]?.textHash : sha256hex(canonicalJson(map)) });
  }
  return { questions, bindings };
}

/** The consensus-ledger items of a closed consultation's passed convention questions (one per clause). */
export function approvalsOf(
  s: StoredConsultation & { bindings?: Record<string, Binding> },
  results: readonly QuestionResult[],
): ConsensusItem[] {
  const out: ConsensusItem[] = [];
  for (const r of results) {
    const b = s.bindings?.[r.id];
    if (!b || r.outcome.passed !== true) continue;
    for (const [clauseId, textHash] of Object.entries(b.clauses)) {
      out.push({
        id: `${s.id}:${r.id}:${clauseId}`,
        communityId: s.communityId,
        kind: 'ballot',
        title: `${s.title}：${r.title}`,
        text: '',
        textHash,
        ballotId: s.id,
        meetingId: s.meetingId ?? '',
        conventionId: b.conventionId,
        clauseId,
        electorate: 'households',
        voted: r.turnout.voted,
        eligible: r.turnout.eligible,
        rule: r.rule,
        at: s.closedAtMs ?? s.closesAtMs,
      });
    }
  }
  return out;
}

/** Versions to try adopting after a result: every version named by a passed question. */
export function versionsToAdopt(
  s: StoredConsultation & { bindings?: Record<string, Binding> },
  results: readonly QuestionResult[],
): { conventionId: string; versionId: string; questionId: string }[] {
  const seen = new Set<string>();
  const out: { conventionId: string; versionId: string; questionId: string }[] = [];
  for (const r of results) {
    const b = s.bindings?.[r.id];
    if (!b?.versionId || r.outcome.passed !== true || seen.has(b.versionId)) continue;
    seen.add(b.versionId);
    out.push({ conventionId: b.conventionId, versionId: b.versionId, questionId: r.id });
  }
  return out;
}
