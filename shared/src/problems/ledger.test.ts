import { describe, expect, it } from 'vitest';
import { DomainError } from '../common/errors.ts';
import type { Actor } from '../permissions.ts';
import {
  PROBLEM_TRANSITIONS,
  canTransition,
  changeProblem,
  chinaToday,
  isOverdue,
  matchesProblemFilter,
  mayAttachPhoto,
  problemView,
  raiseProblem,
  rateProblem,
  sniffImageType,
} from './ledger.ts';
import { ProblemDate, PROBLEM_STATUSES, ProblemCreate, ProblemPatch, ProblemsQuery, type Problem } from './schemas.ts';

const CID = 'c1';
const resident: Actor = { userId: 'u-res', communityId: CID, roles: ['resident'] };
const neighbour: Actor = { userId: 'u-nb', communityId: CID, roles: ['owner'] };
const firm: Actor = { userId: 'u-firm', communityId: CID, roles: ['property_firm'] };
const leader: Actor = { userId: 'u-lead', communityId: CID, roles: ['building_leader'], buildings: ['3'] };
const outsider: Actor = { userId: 'u-out', communityId: 'other', roles: ['property_firm'] };
const guest: Actor = { userId: 'u-guest', communityId: CID, roles: ['guest'] };
const by = (a: Actor) => ({ userId: a.userId, name: a.userId });

// 2026-11-20 15:30 UTC = 2026-11-20 23:30 in China; 16:30 UTC is already the 21st there.
const T = Date.UTC(2026, 10, 20, 15, 30);

const code = (fn: () => unknown): string | null => {
  try {
    fn();
  } catch (e) {
    return (e as DomainError).code;
  }
  return null;
};

function raised(overrides: Partial<Problem> = {}): Problem {
  const p = raiseProblem(ProblemCreate.parse({ title: '3号楼电梯异响', description: '运行时有金属摩擦声', building: '3' }), {
    id: 'p1',
    communityId: CID,
    actor: resident,
    by: by(resident),
    at: T,
  });
  return { ...p, ...overrides };
}

const step = (p: Problem, patch: object, actor: Actor = firm, at = T + 1000) =>
  changeProblem(p, ProblemPatch.parse(patch), { actor, by: by(actor), at });

describe('raising', () => {
  it('makes a raised problem with one history entry and the raiser', () => {
    const p = raised();
    expect(p.status).toBe('raised');
    expect(p.raisedBy).toEqual({ userId: 'u-res', name: 'u-res' });
    expect(p.history).toEqual([{ at: T, by: by(resident), from: null, to: 'raised' }]);
    expect(p.tags).toEqual([]);
  });

  it('needs problem.raise in that community', () => {
    const input = ProblemCreate.parse({ title: 'x' });
    expect(code(() => raiseProblem(input, { id: 'p', communityId: CID, actor: guest, by: by(guest), at: T }))).toBe('forbidden');
    expect(code(() => raiseProblem(input, { id: 'p', communityId: CID, actor: outsider, by: by(outsider), at: T }))).toBe('forbidden');
  });

  it('validates the input: title required, tags from the three lists, deduplicated', () => {
    expect(ProblemCreate.safeParse({ title: '  ' }).success).toBe(false);
    expect(ProblemCreate.safeParse({ title: 'a', tags: ['wish'] }).success).toBe(false);
    expect(ProblemCreate.parse({ title: 'a', tags: ['need', 'need', 'project'] }).tags).toEqual(['need', 'project']);
  });
});

describe('life cycle', () => {
  it('goes raised → accepted → in progress → resolved, one history entry per step', () => {
    let p = raised();
    p = step(p, { status: 'accepted', responsible: 'property_firm', dueDate: '2026-12-01', note: '议事会受理' }).problem;
    expect(p).toMatchObject({ status: 'accepted', responsible: 'property_firm', dueDate: '2026-12-01' });
    p = step(p, { status: 'in_progress' }).problem;
    const r = step(p, { status: 'resolved', note: '已更换曳引机轴承' });
    expect(r.resolvedNow).toBe(true);
    expect(r.problem.history.map((h) => [h.from, h.to])).toEqual([
      [null, 'raised'],
      ['raised', 'accepted'],
      ['accepted', 'in_progress'],
      ['in_progress', 'resolved'],
    ]);
    expect(r.problem.history[1]).toMatchObject({ note: '议事会受理', changes: { responsible: 'property_firm', dueDate: '2026-12-01' } });
  });

  it('refuses every step the table does not list, with a conflict', () => {
    for (const from of PROBLEM_STATUSES) {
      for (const to of PROBLEM_STATUSES) {
        if (from === to) continue;
        const p = raised({ status: from, responsible: 'property_firm' });
        const c = code(() => step(p, { status: to }));
        expect(c, `${from} → ${to}`).toBe(canTransition(from, to) ? null : 'conflict');
      }
    }
    expect(PROBLEM_TRANSITIONS.resolved).toEqual([]);
    expect(canTransition('raised', 'resolved')).toBe(false);
    expect(canTransition('in_progress', 'rejected')).toBe(false);
  });

  it('needs a responsible party to accept', () => {
    const err = (() => {
      try {
        step(raised(), { status: 'accepted' });
      } catch (e) {
        return e as DomainError;
      }
    })();
    expect(err?.code).toBe('validation_failed');
    expect(err?.issues?.[0]?.path).toBe('responsible');
    const accepted = step(raised(), { status: 'accepted', responsible: 'building_leader' }).problem;
    expect(code(() => step(accepted, { responsible: null }))).toBe('validation_failed');
  });

  it('only problem.manage moves a problem; the raiser and a building leader may not', () => {
    for (const a of [resident, neighbour, leader, guest, outsider]) {
      expect(
        code(() => step(raised(), { status: 'accepted', responsible: 'property_firm' }, a)),
        a.userId,
      ).toBe('forbidden');
    }
    expect(code(() => step(raised(), { status: 'rejected', note: '不属于小区事务' }, firm))).toBe(null);
  });

  it('a repeated patch changes nothing and adds no history', () => {
    const p = step(raised(), { status: 'accepted', responsible: 'property_firm' }).problem;
    const again = step(p, { status: 'accepted', responsible: 'property_firm' });
    expect(again.changed).toBe(false);
    expect(again.problem.history).toHaveLength(2);
  });

  it('records reassignment, tags and notes without a status change; clears with null', () => {
    let p = step(raised(), { status: 'accepted', responsible: 'property_firm', dueDate: '2026-12-01' }).problem;
    p = step(p, { responsible: 'owners_committee', dueDate: null, tags: ['need', 'project'], note: '改由业委会牵头' }).problem;
    expect(p.responsible).toBe('owners_committee');
    expect(p.dueDate).toBeUndefined();
    expect('dueDate' in p).toBe(false);
    expect(p.tags).toEqual(['need', 'project']);
    expect(p.history.at(-1)).toMatchObject({
      from: 'accepted',
      to: 'accepted',
      note: '改由业委会牵头',
      changes: { responsible: 'owners_committee', dueDate: null },
    });
  });

  it('a finished problem cannot be reassigned, but can still be tagged or noted', () => {
    let p = raised({ status: 'in_progress', responsible: 'property_firm', dueDate: '2026-12-01' });
    p = step(p, { status: 'resolved' }).problem;
    expect(code(() => step(p, { dueDate: '2027-01-01' }))).toBe('conflict');
    expect(code(() => step(p, { responsible: 'party_branch' }))).toBe('conflict');
    expect(step(p, { tags: ['resource'] }).problem.tags).toEqual(['resource']);
    const rejected = step(raised(), { status: 'rejected' }).problem;
    expect(code(() => step(rejected, { status: 'accepted', responsible: 'property_firm' }))).toBe('conflict');
  });

  it('does not change the problem it was given', () => {
    const p = raised();
    const copy = structuredClone(p);
    step(p, { status: 'accepted', responsible: 'property_firm', dueDate: '2026-12-01' });
    expect(p).toEqual(copy);
  });

  it('patch schema refuses unknown fields, an empty patch and impossible dates', () => {
    expect(ProblemPatch.safeParse({}).success).toBe(false);
    expect(ProblemPatch.safeParse({ status: 'done' }).success).toBe(false);
    expect(ProblemPatch.safeParse({ title: 'x' }).success).toBe(false);
    expect(ProblemPatch.safeParse({ dueDate: '2026-02-30' }).success).toBe(false);
    expect(ProblemDate.safeParse('2028-02-29').success).toBe(true);
    expect(ProblemDate.safeParse('2027-02-29').success).toBe(false);
  });
});

describe('rating', () => {
  const resolved = () => raised({ status: 'resolved', responsible: 'property_firm' });

  it('the raiser rates a resolved problem once', () => {
    const p = rateProblem(resolved(), { stars: 4, comment: '修得及时' }, { actor: resident, at: T + 5 });
    expect(p.rating).toEqual({ stars: 4, comment: '修得及时', at: T + 5 });
    expect(code(() => rateProblem(p, { stars: 5 }, { actor: resident, at: T + 6 }))).toBe('conflict');
  });

  it('nobody else rates it, not even those who manage problems or an admin', () => {
    for (const a of [neighbour, firm, { userId: 'root', isAdmin: true, roles: [] } as Actor]) {
      expect(code(() => rateProblem(resolved(), { stars: 1 }, { actor: a, at: T }))).toBe('forbidden');
    }
  });

  it('is refused before the problem is resolved', () => {
    for (const status of ['raised', 'accepted', 'in_progress', 'rejected'] as const) {
      expect(code(() => rateProblem(raised({ status }), { stars: 3 }, { actor: resident, at: T }))).toBe('conflict');
    }
  });
});

describe('overdue (China time)', () => {
  it('the due day itself is not overdue; the next China day is', () => {
    const p = raised({ status: 'accepted', responsible: 'property_firm', dueDate: '2026-11-20' });
    expect(chinaToday(T)).toBe('2026-11-20');
    expect(isOverdue(p, T)).toBe(false);
    // 16:00 UTC on the 20th is midnight on the 21st in China: a UTC server would still say "the 20th".
    const chinaMidnight = Date.UTC(2026, 10, 20, 16, 0);
    expect(chinaToday(chinaMidnight)).toBe('2026-11-21');
    expect(isOverdue(p, chinaMidnight)).toBe(true);
    expect(isOverdue(p, chinaMidnight - 1)).toBe(false);
  });

  it('resolved, rejected or undated problems are never overdue', () => {
    const late = Date.UTC(2030, 0, 1);
    expect(isOverdue(raised({ status: 'resolved', dueDate: '2026-01-01' }), late)).toBe(false);
    expect(isOverdue(raised({ status: 'rejected', dueDate: '2026-01-01' }), late)).toBe(false);
    expect(isOverdue(raised({ status: 'in_progress' }), late)).toBe(false);
    expect(isOverdue(raised({ status: 'raised', dueDate: '2026-01-01' }), late)).toBe(true);
    expect(problemView(raised({ dueDate: '2026-01-01' }), late).overdue).toBe(true);
  });
});

describe('filters and photos', () => {
  it('matches status, building, tag and overdue together', () => {
    const p = raised({ status: 'accepted', responsible: 'property_firm', dueDate: '2026-11-01', tags: ['need'] });
    expect(matchesProblemFilter(p, { status: 'accepted', building: '3', tag: 'need', overdue: true }, T)).toBe(true);
    expect(matchesProblemFilter(p, { status: 'raised' }, T)).toBe(false);
    expect(matchesProblemFilter(p, { building: '2' }, T)).toBe(false);
    expect(matchesProblemFilter(p, { tag: 'project' }, T)).toBe(false);
    expect(matchesProblemFilter(p, { overdue: false }, T)).toBe(false);
    expect(ProblemsQuery.parse({ overdue: '1' }).overdue).toBe(true);
    expect(ProblemsQuery.safeParse({ status: 'closed' }).success).toBe(false);
  });

  it('the raiser (while open) and managers attach photos; neighbours do not', () => {
    expect(mayAttachPhoto(raised(), resident)).toBe(true);
    expect(mayAttachPhoto(raised(), firm)).toBe(true);
    expect(mayAttachPhoto(raised(), neighbour)).toBe(false);
    expect(mayAttachPhoto(raised({ status: 'resolved' }), resident)).toBe(false);
    expect(mayAttachPhoto(raised(), outsider)).toBe(false);
  });

  it('tells images by their bytes, not their declared type', () => {
    expect(sniffImageType(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]))).toBe('image/jpeg');
    expect(sniffImageType(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe('image/png');
    expect(sniffImageType(new TextEncoder().encode('RIFF\x10\x00\x00\x00WEBPVP8 '))).toBe('image/webp');
    expect(sniffImageType(new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBe(null);
    expect(sniffImageType(new Uint8Array())).toBe(null);
  });
});
