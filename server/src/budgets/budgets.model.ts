/**
 * The stored shape of a budget, the views the API sends, and small helpers of the server side
 * (errors, voter keys). Receipts and audit bodies are the consultations' (same chain, same codes).
 */
import { DomainError, fenToYuan, type Budget, type BudgetStatus, type ChoiceProblem, type Project } from '@linli/shared';

export { auditBody, newReceipt, sha256hex } from '../consultations/consultations.model.ts';

/** The budget as stored (status lives in its own key). */
export type StoredBudget = Omit<Budget, 'status'>;

export const toBudget = (s: StoredBudget, status: string): Budget => ({ ...s, status: status as BudgetStatus });

/** A project with its ratings (once done): count, mean to 2 places as a string, stars 1..5. */
export interface ProjectView extends Project {
  rating?: { count: number; mean: string; distribution: number[] };
  /** True when the asking member has rated it. */
  ratedByMe?: boolean;
}

/** Mean of integer stars to 2 places, exact (half up): "4.33". */
export function meanOf(distribution: readonly number[]): string {
  const count = distribution.reduce((s, n) => s + n, 0);
  if (count === 0) return '0.00';
  const sum = distribution.reduce((s, n, i) => s + n * (i + 1), 0);
  const hundredths = Math.floor((sum * 200 + count) / (2 * count));
  return fenToYuan(hundredths);
}

/** What is stored per counted choice. */
export interface StoredChoice {
  receipt: string;
  projectIds: string[];
  channel: 'phone' | 'paper';
  by: string;
  at: number;
}

export const notFound = () => new DomainError('not_found', 'No such budget or project. 预算或项目不存在。');

export function choiceError(p: ChoiceProblem): DomainError {
  switch (p.code) {
    case 'over_budget':
      return new DomainError(
        'over_budget',
        `The projects chosen cost ${fenToYuan(p.totalFen)} yuan, ${fenToYuan(p.overByFen)} more than the budget of ${fenToYuan(p.amountFen)}. 所选项目合计 ${fenToYuan(p.totalFen)} 元，超出预算 ${fenToYuan(p.overByFen)} 元（预算 ${fenToYuan(p.amountFen)} 元）。`,
        {
          status: 400,
          issues: [
            { path: 'projectIds', message: JSON.stringify({ totalFen: p.totalFen, amountFen: p.amountFen, overByFen: p.overByFen }) },
          ],
        },
      );
    case 'duplicate':
      return new DomainError('validation_failed', 'A project is chosen twice. 同一项目选了两次。', {
        issues: [{ path: 'projectIds', message: `duplicate ${p.projectId}` }],
      });
    case 'unknown_project':
      return new DomainError('validation_failed', 'Only accepted projects of this budget can be chosen. 只能选择本预算已受理的项目。', {
        issues: [{ path: 'projectIds', message: `not an accepted project: ${p.projectId}` }],
      });
    case 'empty':
      return new DomainError('validation_failed', 'Choose at least one project. 请至少选择一个项目。', {
        issues: [{ path: 'projectIds', message: 'empty' }],
      });
  }
}
