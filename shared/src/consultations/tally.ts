/**
 * Counting a written consultation, question by question: every ordinary question is a ballot
 * counted by countBallot (Art. 278 by owners and area, or any other rule); elections go through
 * countElection. Also the validation of one household's answers against the questions. Pure.
 */
import { z } from 'zod';
import { countBallot } from '../voting/count.ts';
import { BallotSpec, choiceSchemaFor, type Choice, type ElectorateSnapshot } from '../voting/schemas.ts';
import { countElection, electionChoiceSchema, type ElectionChoice } from './election.ts';
import type { Question, QuestionInput, QuestionResult } from './schemas.ts';

/** The ballot spec an ordinary question is counted with (households electorate). */
export function specOfQuestion(q: Pick<Question, 'kind' | 'rule' | 'options' | 'maxPicks'>, secret: boolean): BallotSpec {
  return {
    kind: q.kind === 'election' ? 'yes_no_abstain' : q.kind,
    options: q.kind === 'election' ? [] : (q.options ?? []),
    rule: q.rule,
    electorate: { kind: 'households' },
    maxPicks: q.maxPicks,
    secret,
  };
}

/** Problems with a question as written (beyond its schema), as {path, message}. */
export function questionIssues(q: QuestionInput, index: number): { path: string; message: string }[] {
  const at = (p: string) => `questions.${index}${p ? `.${p}` : ''}`;
  if (q.kind === 'election') {
    const out: { path: string; message: string }[] = [];
    if (!q.options || q.options.length < 1) out.push({ path: at('options'), message: 'an election needs its candidates as options' });
    if (!q.seats) out.push({ path: at('seats'), message: 'an election needs the number of seats' });
    const ids = new Set(q.options?.map((o) => o.id));
    if (q.options && ids.size !== q.options.length) out.push({ path: at('options'), message: 'duplicate candidate id' });
    return out;
  }
  const parsed = BallotSpec.safeParse(specOfQuestion(q, false));
  return parsed.success ? [] : parsed.error.issues.map((i) => ({ path: at(i.path.join('.')), message: i.message }));
}

/** The answer schema of one question. */
export function answerSchemaOf(q: Question): z.ZodType<Choice | ElectionChoice> {
  return q.kind === 'election' ? electionChoiceSchema(q.options ?? []) : choiceSchemaFor(specOfQuestion(q, false));
}

/**
 * Checks a household's answers: every key a question of this consultation, every answer valid.
 * Returns the issues (empty = valid), in the API's {path, message} form.
 */
export function answerIssues(questions: readonly Question[], answers: Record<string, unknown>): { path: string; message: string }[] {
  const byId = new Map(questions.map((q) => [q.id, q]));
  const out: { path: string; message: string }[] = [];
  for (const [qid, a] of Object.entries(answers)) {
    const q = byId.get(qid);
    if (!q) {
      out.push({ path: `answers.${qid}`, message: 'no such question' });
      continue;
    }
    const r = answerSchemaOf(q).safeParse(a);
    if (!r.success)
      for (const i of r.error.issues) out.push({ path: ['answers', qid, ...i.path.map(String)].join('.'), message: i.message });
  }
  return out;
}

/** One recorded paper (any channel): who (or, secret, the receipt), its weight, its answers. */
export interface RecordedResponse {
  voterId: string;
  ownerKey?: string;
  areaCentiares?: number;
  answers: Record<string, unknown>;
}

/** Every question's result. `hide`: counts withheld (secret and still open): only turnout. */
export function tallyConsultation(
  questions: readonly Question[],
  electorate: ElectorateSnapshot,
  responses: readonly RecordedResponse[],
  opts: { closed: boolean; secret: boolean; hide?: boolean },
): QuestionResult[] {
  return questions.map((q) => {
    const answered = responses.filter((r) => r.answers[q.id] !== undefined);
    const base = { id: q.id, title: q.title, kind: q.kind, rule: q.rule };
    let result: QuestionResult;
    if (q.kind === 'election') {
      const e = countElection(
        { rule: q.rule, options: q.options ?? [], seats: q.seats ?? 1 },
        electorate,
        answered.map((r) => ({
          voterId: r.voterId,
          ownerKey: r.ownerKey,
          areaCentiares: r.areaCentiares,
          choice: r.answers[q.id] as ElectionChoice,
        })),
        opts,
      );
      // The question's own figures: taking part = answering any candidate (first candidate's turnout is per candidate).
      const any = countBallot(
        specOfQuestion(q, opts.secret),
        electorate,
        answered.map((r) => ({ voterId: r.voterId, ownerKey: r.ownerKey, areaCentiares: r.areaCentiares, choice: 'abstain' })),
        { closed: opts.closed },
      );
      const elected = e.winners.length > 0;
      result = {
        ...base,
        tally: {
          options: e.candidates.map((c) => ({
            id: c.id,
            label: c.label,
            votes: c.yes.owners,
            owners: c.yes.owners,
            areaCentiares: c.yes.areaCentiares,
          })),
        },
        turnout: any.turnout,
        outcome: {
          passed: opts.closed ? elected : null,
          reason: e.tiedForLastSeat.length ? 'tie_for_last_seat' : elected ? 'elected' : 'nobody_elected',
          figures: { seats: q.seats ?? 1, elected: e.winners.length },
          winners: e.winners,
        },
        winners: e.winners,
        candidates: e.candidates,
        ...(e.tiedForLastSeat.length ? { tiedForLastSeat: e.tiedForLastSeat } : {}),
      };
    } else {
      const r = countBallot(
        specOfQuestion(q, opts.secret),
        electorate,
        answered.map((a) => ({
          voterId: a.voterId,
          ownerKey: a.ownerKey,
          areaCentiares: a.areaCentiares,
          choice: a.answers[q.id] as Choice,
        })),
        { closed: opts.closed },
      );
      result = {
        ...base,
        tally: r.tally,
        turnout: r.turnout,
        outcome: r.outcome,
        ...(r.outcome.winners ? { winners: r.outcome.winners } : {}),
      };
    }
    if (opts.hide)
      return {
        ...result,
        tally: { options: [] },
        outcome: { passed: null, reason: 'hidden_until_close', figures: {} },
        hidden: true,
        candidates: undefined,
        winners: undefined,
        tiedForLastSeat: undefined,
      };
    return result;
  });
}
