/**
 * The pure arithmetic of a micro-project budget: whether a choice fits, the support each project
 * has, and the funding rule. Integer fen throughout; no floating point, no I/O.
 *
 * The funding rule (Decidim's and CONSUL's): order the accepted projects by votes (most first),
 * ties by lower cost, then by earlier proposal; walk that order with what is left of the budget,
 * funding a project whose cost fits what is left and SKIPPING one that no longer fits, then taking
 * the next that does. A project nobody chose is not funded.
 */
import type { BudgetResult, FundingLine, FundingReason } from './schemas.ts';

/** The rule as the result page and the API state it. */
export const FUNDING_RULE: BudgetResult['rule'] = {
  id: 'greedy_skip',
  zh: '按得票多少依次立项：得票相同的，费用低者在前；仍相同的，先提出者在前。轮到的项目费用超过剩余预算时跳过，继续看下一个放得下的项目。无人选择的项目不立项。',
  en: 'Projects are funded in order of votes; equal votes: the lower cost first, then the earlier proposal. A project that costs more than what is left is skipped and the next one that fits is taken. A project nobody chose is not funded.',
};

export interface FundableProject {
  id: string;
  costFen: number;
  /** Order of proposal (smaller = earlier). */
  seq: number;
}

export type ChoiceProblem =
  | { code: 'duplicate'; projectId: string }
  | { code: 'unknown_project'; projectId: string }
  | { code: 'over_budget'; totalFen: number; amountFen: number; overByFen: number }
  | { code: 'empty' };

/**
 * What is wrong with a choice, or null: every id once, each an accepted project of this budget
 * (`accepted` holds exactly those), at least one, and the total cost ≤ the budget.
 */
export function choiceProblem(
  projectIds: readonly string[],
  accepted: ReadonlyMap<string, { costFen: number }>,
  amountFen: number,
): ChoiceProblem | null {
  if (projectIds.length === 0) return { code: 'empty' };
  const seen = new Set<string>();
  let totalFen = 0;
  for (const id of projectIds) {
    if (seen.has(id)) return { code: 'duplicate', projectId: id };
    seen.add(id);
    const p = accepted.get(id);
    if (!p) return { code: 'unknown_project', projectId: id };
    totalFen += p.costFen;
  }
  if (totalFen > amountFen) return { code: 'over_budget', totalFen, amountFen, overByFen: totalFen - amountFen };
  return null;
}

/** Total cost of a choice (ids assumed valid). */
export function choiceTotal(projectIds: readonly string[], costs: ReadonlyMap<string, { costFen: number }>): number {
  return projectIds.reduce((s, id) => s + (costs.get(id)?.costFen ?? 0), 0);
}

/** Votes per project: each counted choice gives one to every project in it. Unknown ids are ignored. */
export function countSupport(projects: readonly FundableProject[], choices: readonly (readonly string[])[]): Map<string, number> {
  const votes = new Map(projects.map((p) => [p.id, 0]));
  for (const c of choices) for (const id of new Set(c)) if (votes.has(id)) votes.set(id, votes.get(id)! + 1);
  return votes;
}

/** The funding order: votes descending, then cost ascending, then proposal order ascending, then id. */
export function fundingOrder<P extends FundableProject>(projects: readonly P[], votes: ReadonlyMap<string, number>): P[] {
  return [...projects].sort(
    (a, b) =>
      (votes.get(b.id) ?? 0) - (votes.get(a.id) ?? 0) || a.costFen - b.costFen || a.seq - b.seq || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

/** Applies the rule: one line per project in funding order, and what was spent. */
export function fundProjects(
  amountFen: number,
  projects: readonly FundableProject[],
  votes: ReadonlyMap<string, number>,
): { lines: FundingLine[]; spentFen: number } {
  let remaining = amountFen;
  const lines = fundingOrder(projects, votes).map((p, i): FundingLine => {
    const v = votes.get(p.id) ?? 0;
    const before = remaining;
    let reason: FundingReason;
    if (v === 0) reason = 'no_votes';
    else if (p.costFen <= remaining) {
      reason = 'funded';
      remaining -= p.costFen;
    } else reason = 'skipped_no_longer_fits';
    return { id: p.id, rank: i + 1, votes: v, costFen: p.costFen, funded: reason === 'funded', reason, remainingBeforeFen: before };
  });
  return { lines, spentFen: amountFen - remaining };
}

/** Fen as yuan, exact: 123456 → "1234.56", 100 → "1.00". */
export function fenToYuan(fen: number): string {
  const neg = fen < 0;
  const a = Math.abs(fen);
  const s = `${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
  return neg ? `-${s}` : s;
}

/** Yuan typed by a person ("1234.5", "1,234.56", "800") → fen, or null if not an exact amount of fen. */
export function yuanToFen(input: string): number | null {
  const s = input
    .normalize('NFKC')
    .replace(/[,\s，]/g, '')
    .replace(/^[¥￥]/, '')
    .replace(/元$/, '');
  const m = /^(\d{1,11})(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}
