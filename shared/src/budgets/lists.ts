/**
 * The three lists (三项清单) built from the problems ledger and the budgets' projects: needs and
 * resources are ledger items tagged `need` / `resource`; projects are the budgets' projects
 * (rejected ones left out) and ledger items tagged `project`. Each list links to the others: a
 * project names the needs it answers and the resources it uses; a need or resource names the
 * projects that point at it. Pure.
 */
import type { Problem } from '../problems/schemas.ts';
import type { ListNeedOrResource, ListProject, Project, ThreeLists } from './schemas.ts';

export function buildThreeLists(
  ledger: readonly Problem[],
  projects: readonly Project[],
  budgetTitles: ReadonlyMap<string, string>,
): ThreeLists {
  const live = projects.filter((p) => p.status !== 'rejected').sort((a, b) => a.proposedAt - b.proposedAt || a.seq - b.seq);
  const byTag = (tag: 'need' | 'resource') =>
    ledger.filter((p) => p.tags.includes(tag) && p.status !== 'rejected').sort((a, b) => a.raisedAt - b.raisedAt);
  const needs = byTag('need');
  const resources = byTag('resource');
  const title = new Map(ledger.map((p) => [p.id, p.title]));
  const item = (p: Problem, links: (x: Project) => readonly string[]): ListNeedOrResource => ({
    id: p.id,
    title: p.title,
    status: p.status,
    ...(p.building ? { building: p.building } : {}),
    projects: live.filter((x) => links(x).includes(p.id)).map((x) => ({ id: x.id, title: x.title, status: x.status })),
  });
  const named = (ids: readonly string[], allowed: readonly Problem[]) => {
    const ok = new Set(allowed.map((a) => a.id));
    return ids.filter((id) => ok.has(id)).map((id) => ({ id, title: title.get(id)! }));
  };
  const fromBudgets: ListProject[] = live.map((p) => ({
    id: p.id,
    budgetId: p.budgetId,
    budgetTitle: budgetTitles.get(p.budgetId) ?? '',
    title: p.title,
    costFen: p.costFen,
    status: p.status,
    needs: named(p.needIds, needs),
    resources: named(p.resourceIds, resources),
    source: 'budget',
  }));
  const fromLedger: ListProject[] = ledger
    .filter((p) => p.tags.includes('project') && p.status !== 'rejected')
    .map((p) => ({
      id: p.id,
      budgetId: '',
      budgetTitle: '',
      title: p.title,
      costFen: 0,
      status: p.status === 'resolved' ? 'done' : p.status === 'in_progress' ? 'in_progress' : 'accepted',
      needs: [],
      resources: [],
      source: 'ledger',
    }));
  return {
    needs: needs.map((n) => item(n, (x) => x.needIds)),
    resources: resources.map((r) => item(r, (x) => x.resourceIds)),
    projects: [...fromBudgets, ...fromLedger],
  };
}
