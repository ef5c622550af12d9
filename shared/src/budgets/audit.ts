/**
 * A budget's audit log uses the ballots' chain (shared/src/ballots/audit.ts; the budget id stands in
 * `ballotId`). This file says what its entries carry and replays a log to recount the result, so
 * `npm run verify` checks a budget as it checks a ballot or a consultation.
 *
 *   created           {title, communityId, amountFen, electorate, opensAt, closesAt, by}
 *   project_proposed  {projectId, seq, title, costFen, status: accepted|proposed, by}
 *   project_accepted  {projectId, costFen, by};  project_rejected {projectId, reason, by}
 *   opened            {by, projects:[{id, costFen, seq}]}
 *   vote / paper_vote {householdId | memberId | paperRef, receipt, channel, projectIds}
 *   closed            {by}      result {spentFen, choices, projects:[{id, votes, costFen, reason}]}
 *   project_selected  {projectId};  project_update {projectId, from, to, text, by}
 */
import { countSupport, fundProjects, type FundableProject } from './funding.ts';

/** True when a log is a budget's (its first entry creates one with an amount in fen). */
export function isBudgetLog(entries: readonly { type: string; data: unknown }[]): boolean {
  const first = entries[0];
  return !!first && first.type === 'created' && typeof (first.data as { amountFen?: unknown })?.amountFen === 'number';
}

export interface BudgetReplay {
  budgetId: string | null;
  amountFen: number | null;
  closed: boolean;
  choices: number;
  stated?: Record<string, unknown>;
  /** The result data recounted from the log (null until closed). */
  recount: Record<string, unknown> | null;
  problems: string[];
}

/** The `result` entry's data for a funding result. */
export function budgetResultData(r: {
  spentFen: number;
  choices: number;
  projects: readonly { id: string; votes: number; costFen: number; reason: string }[];
}): Record<string, unknown> {
  return {
    spentFen: r.spentFen,
    choices: r.choices,
    projects: r.projects.map((l) => ({ id: l.id, votes: l.votes, costFen: l.costFen, reason: l.reason })),
  };
}

export function replayBudgetAudit(entries: readonly { type: string; ballotId: string; data: unknown }[]): BudgetReplay {
  const r: BudgetReplay = { budgetId: null, amountFen: null, closed: false, choices: 0, recount: null, problems: [] };
  const projects = new Map<string, FundableProject & { status: string }>();
  const voters = new Set<string>();
  const choices: string[][] = [];
  for (const e of entries) {
    r.budgetId ??= e.ballotId;
    const d = (e.data ?? {}) as Record<string, unknown>;
    switch (e.type) {
      case 'created':
        r.amountFen = d.amountFen as number;
        break;
      case 'project_proposed':
        projects.set(d.projectId as string, {
          id: d.projectId as string,
          seq: d.seq as number,
          costFen: d.costFen as number,
          status: d.status as string,
        });
        break;
      case 'project_accepted':
      case 'project_rejected': {
        const p = projects.get(d.projectId as string);
        if (!p) r.problems.push(`${e.type} of a project never proposed: ${String(d.projectId)}`);
        else p.status = e.type === 'project_accepted' ? 'accepted' : 'rejected';
        break;
      }
      case 'vote':
      case 'paper_vote': {
        if (r.closed) r.problems.push(`a ${e.type} entry comes after the budget closed`);
        const voter = d.householdId ? `h:${String(d.householdId)}` : d.memberId ? `m:${String(d.memberId)}` : `p:${String(d.paperRef)}`;
        if (voters.has(voter)) r.problems.push(`${voter} chose twice`);
        voters.add(voter);
        choices.push(d.projectIds as string[]);
        break;
      }
      case 'closed':
        if (r.closed) r.problems.push('closed twice');
        r.closed = true;
        break;
      case 'result':
        if (!r.closed) r.problems.push('the result entry comes before the closing entry');
        if (r.stated) r.problems.push('two result entries');
        r.stated = d;
        break;
    }
  }
  r.choices = choices.length;
  if (r.closed && r.amountFen !== null) {
    const accepted = [...projects.values()].filter((p) => p.status === 'accepted');
    const { lines, spentFen } = fundProjects(r.amountFen, accepted, countSupport(accepted, choices));
    r.recount = budgetResultData({ spentFen, choices: choices.length, projects: lines });
  }
  return r;
}
