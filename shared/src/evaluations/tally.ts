/**
 * The count of an evaluation round (评议), pure and exact: per criterion the distribution of scores
 * [n1..n5] and the mean as a decimal string to two places, rounded half up, computed in integers
 * (hundredths = floor((200·sum + n) / 2n)), never with floating-point division. The same count per
 * role group, and the trend against the previous round on the same subject.
 *
 * Role groups: residents (owner or resident), notables, party_branch, building_leaders,
 * owners_committee, property_firm, staff (facilitator or admin), and paper (a printed questionnaire:
 * the household is known, not the role of who filled it in). A member holding several roles counts
 * once in EACH of their groups (a notable who owns a flat is in residents and in notables), so the
 * groups' responses may add up to more than the total; the total counts each answer once.
 */
import type { Role } from '../permissions.ts';
import type { CriterionResult, EvaluationCriterion, RoleGroupResult } from './schemas.ts';

export const ROLE_GROUPS = [
  'residents',
  'notables',
  'party_branch',
  'building_leaders',
  'owners_committee',
  'property_firm',
  'staff',
  'paper',
] as const;
export type RoleGroup = (typeof ROLE_GROUPS)[number];

const GROUP_OF: Partial<Record<Role, RoleGroup>> = {
  owner: 'residents',
  resident: 'residents',
  notable: 'notables',
  party_branch: 'party_branch',
  building_leader: 'building_leaders',
  owners_committee: 'owners_committee',
  property_firm: 'property_firm',
  facilitator: 'staff',
  admin: 'staff',
};

/** The groups a member with these roles counts in (each once, in ROLE_GROUPS order). */
export function roleGroupsOf(roles: readonly Role[]): RoleGroup[] {
  const set = new Set(roles.map((r) => GROUP_OF[r]).filter((g): g is RoleGroup => !!g));
  return ROLE_GROUPS.filter((g) => set.has(g));
}

/** One counted answer: scores by criterion id, and the answerer's role groups. */
export interface ScoredResponse {
  scores: Record<string, number>;
  groups: readonly string[];
}

export type Distribution = [number, number, number, number, number];

/** sum/n to two places, half up, exact: "4.33"; null when n = 0. Scores are positive, so half up is plain. */
export function exactMean(sum: number, n: number): string | null {
  if (n <= 0) return null;
  const hundredths = Math.floor((200 * sum + n) / (2 * n));
  return `${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, '0')}`;
}

/** The mean of a distribution [n1..n5]. */
export function meanOf(d: Distribution): string | null {
  const n = d.reduce((a, b) => a + b, 0);
  const sum = d.reduce((a, c, i) => a + c * (i + 1), 0);
  return exactMean(sum, n);
}

/** "4.33" − "4.00" → "+0.33" (exact, in hundredths); null when either is missing. */
export function meanDelta(current: string | null, previous: string | null): string | null {
  if (current === null || previous === null) return null;
  const h = (s: string) => {
    const [i, f = '0'] = s.split('.');
    return Number(i) * 100 + Number(f.padEnd(2, '0').slice(0, 2));
  };
  const d = h(current) - h(previous);
  const a = Math.abs(d);
  return `${d > 0 ? '+' : d < 0 ? '-' : ''}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
}

function distributions(criteria: readonly EvaluationCriterion[], responses: readonly ScoredResponse[]): Map<string, Distribution> {
  const out = new Map<string, Distribution>(criteria.map((c) => [c.id, [0, 0, 0, 0, 0]]));
  for (const r of responses) {
    for (const c of criteria) {
      const s = r.scores[c.id];
      if (Number.isInteger(s) && s! >= 1 && s! <= 5) out.get(c.id)![s! - 1]!++;
    }
  }
  return out;
}

/** The full count: every answer once per criterion, then per role group (groups with answers only). */
export function tallyEvaluation(
  criteria: readonly EvaluationCriterion[],
  responses: readonly ScoredResponse[],
): { responses: number; criteria: CriterionResult[]; byRole: RoleGroupResult[] } {
  const all = distributions(criteria, responses);
  const byRole: RoleGroupResult[] = [];
  for (const group of ROLE_GROUPS) {
    const mine = responses.filter((r) => r.groups.includes(group));
    if (mine.length === 0) continue;
    const d = distributions(criteria, mine);
    byRole.push({
      group,
      responses: mine.length,
      criteria: criteria.map((c) => ({ id: c.id, mean: meanOf(d.get(c.id)!), distribution: d.get(c.id)! })),
    });
  }
  return {
    responses: responses.length,
    criteria: criteria.map((c) => ({ id: c.id, title: c.title, mean: meanOf(all.get(c.id)!), distribution: all.get(c.id)! })),
    byRole,
  };
}

/** The trend: each criterion against the previous round's criterion of the same title. */
export function compareRounds(
  current: readonly CriterionResult[],
  previous: readonly CriterionResult[],
): { id: string; title: string; mean: string | null; previousMean: string | null; delta: string | null }[] {
  const before = new Map(previous.map((p) => [p.title.trim(), p.mean]));
  return current.map((c) => {
    const previousMean = before.get(c.title.trim()) ?? null;
    return { id: c.id, title: c.title, mean: c.mean, previousMean, delta: meanDelta(c.mean, previousMean) };
  });
}
