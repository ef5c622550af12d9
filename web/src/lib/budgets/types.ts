/** What the budget pages read from the API (docs/API.md "Micro-project budgets"). */
import type { Budget, BudgetResult, Project, ThreeLists } from '@linli/shared';

export type { Budget, BudgetResult, ThreeLists };

export interface ProjectView extends Project {
  rating?: { count: number; mean: string; distribution: number[] };
  ratedByMe?: boolean;
}

export interface BudgetPage {
  budget: Budget;
  projects: ProjectView[];
  mine: { receipt: string; projectIds: string[]; channel: string } | null;
}
