/** The three lists link both ways and leave out rejected items. */
import { describe, expect, it } from 'vitest';
import type { Problem } from '../problems/schemas.ts';
import type { Project } from './schemas.ts';
import { buildThreeLists } from './lists.ts';

const person = { userId: 'u', name: 'n' };
const problem = (id: string, tags: Problem['tags'], status: Problem['status'] = 'accepted', raisedAt = 1): Problem => ({
  id,
  communityId: 'c',
  title: `T${id}`,
  description: '',
  raisedBy: person,
  raisedAt,
  status,
  tags,
  history: [],
});
const project = (id: string, over: Partial<Project> = {}): Project => ({
  id,
  budgetId: 'b',
  communityId: 'c',
  seq: 1,
  title: `P${id}`,
  description: '',
  costFen: 100,
  needIds: [],
  resourceIds: [],
  status: 'accepted',
  proposedBy: person,
  proposedAt: 1,
  updates: [],
  ...over,
});

describe('three lists', () => {
  it('links projects to needs and resources, both ways', () => {
    const ledger = [
      problem('n1', ['need']),
      problem('n2', ['need'], 'rejected'),
      problem('r1', ['resource']),
      problem('x', ['project'], 'resolved'),
      problem('plain', []),
    ];
    const lists = buildThreeLists(
      ledger,
      [project('p1', { needIds: ['n1', 'n2', 'r1'], resourceIds: ['r1'] }), project('p2', { status: 'rejected', needIds: ['n1'] })],
      new Map([['b', '预算']]),
    );
    expect(lists.needs.map((n) => n.id)).toEqual(['n1']);
    expect(lists.needs[0]!.projects).toEqual([{ id: 'p1', title: 'Pp1', status: 'accepted' }]);
    expect(lists.resources[0]!.projects.map((p) => p.id)).toEqual(['p1']);
    const p1 = lists.projects.find((p) => p.id === 'p1')!;
    // A need id that is not a need (r1) or is rejected (n2) is not shown as a need.
    expect(p1.needs).toEqual([{ id: 'n1', title: 'Tn1' }]);
    expect(p1.resources).toEqual([{ id: 'r1', title: 'Tr1' }]);
    expect(p1.budgetTitle).toBe('预算');
    expect(lists.projects.map((p) => p.id)).toEqual(['p1', 'x']);
    expect(lists.projects[1]).toMatchObject({ source: 'ledger', status: 'done' });
  });
});
