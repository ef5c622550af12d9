/**
 * The opinion map on synthetic rounds (seeded PRNG): planted groups are recovered (adjusted Rand
 * index ≥ 0.9), planted all-agree statements come out as consensus, one planted group stays one
 * group, and the small cases (few people, few statements, nobody) behave.
 */
import { describe, expect, it } from 'vitest';
import { PCA } from 'ml-pca';
import {
  CELL,
  ML_PCA_MAX_CELLS,
  adjustedRandIndex,
  analyseOpinions,
  minVotesFor,
  powerIterationProjection,
  roleGroupOf,
  type OpinionMatrix,
} from './clustering.ts';
import type { OpinionRoleGroup } from './schemas.ts';
import { prng } from '../common/prng.ts';

interface Planted {
  matrix: OpinionMatrix;
  truth: number[];
  consensus: string[];
}

/** `groups` planted groups of `size` people answering `m` statements; the first `agreed` are agreed by all. */
function plant(seed: number, groups: number, size: number, m: number, agreed: number, noise = 0.12, seenShare = 0.8): Planted {
  const rnd = prng(seed);
  const lean = Array.from({ length: groups }, () => Array.from({ length: m }, (_, j) => (j < agreed ? 1 : rnd() < 0.5 ? 1 : -1)));
  const statements = Array.from({ length: m }, (_, j) => `s${j}`);
  const n = groups * size;
  const cells = new Int8Array(n * m);
  const participants: { id: string; role: OpinionRoleGroup }[] = [];
  const truth: number[] = [];
  const roles: OpinionRoleGroup[] = ['owner', 'resident', 'staff', 'other'];
  for (let i = 0; i < n; i++) {
    const g = Math.floor(i / size);
    truth.push(g);
    participants.push({ id: `p${i}`, role: roles[i % 4]! });
    for (let j = 0; j < m; j++) {
      if (rnd() > seenShare) continue;
      const r = rnd();
      cells[i * m + j] = r < 0.05 ? CELL.pass : r < 0.05 + noise ? -lean[g]![j]! : lean[g]![j]!;
    }
  }
  return { matrix: { participants, statements, cells }, truth, consensus: statements.slice(0, agreed) };
}

describe('opinion map clustering', () => {
  it.each([1, 2, 3, 4, 5])('recovers three planted groups of 100 over 40 statements (seed %i)', (seed) => {
    const { matrix, truth, consensus } = plant(seed, 3, 100, 40, 5);
    const a = analyseOpinions(matrix);
    expect(a.groups).toHaveLength(3);
    const byId = new Map(a.points.map((p) => [p.id, p.group]));
    const found = matrix.participants.map((p) => byId.get(p.id)!);
    expect(adjustedRandIndex(truth, found)).toBeGreaterThanOrEqual(0.9);
    for (const s of consensus) expect(a.consensus).toContain(s);
    // A statement some group leans against is never consensus.
    for (const s of a.consensus) {
      const st = a.statements.find((x) => x.id === s)!;
      for (const g of st.groups) expect(g.agree).toBeGreaterThan(g.disagree);
    }
    expect(a.divisive.length).toBeGreaterThan(0);
    for (const g of a.groups) expect(g.representative.length).toBeGreaterThan(0);
  });

  it.each([1, 2, 3, 4, 5])('keeps one planted group as one group, with no false groups (seed %i)', (seed) => {
    const { matrix, consensus } = plant(100 + seed, 1, 300, 40, 5);
    const a = analyseOpinions(matrix);
    expect(a.groups).toHaveLength(1);
    expect(a.silhouette).toBeNull();
    expect(a.groups[0]!.members).toHaveLength(300);
    for (const s of consensus) expect(a.consensus).toContain(s);
  });

  it('recovers planted groups in a round large enough for the power iteration', () => {
    const { matrix, truth, consensus } = plant(42, 3, 500, 120, 6);
    expect(matrix.participants.length * matrix.statements.length).toBeGreaterThan(ML_PCA_MAX_CELLS);
    const a = analyseOpinions(matrix);
    const byId = new Map(a.points.map((p) => [p.id, p.group]));
    expect(
      adjustedRandIndex(
        truth,
        matrix.participants.map((p) => byId.get(p.id)!),
      ),
    ).toBeGreaterThanOrEqual(0.9);
    for (const s of consensus) expect(a.consensus).toContain(s);
  });

  it('finds the same two axes by power iteration as ml-pca does', () => {
    const { matrix } = plant(9, 3, 100, 40, 4, 0.12, 1);
    const n = 300,
      m = 40;
    const rows = Array.from({ length: n }, (_, i) =>
      Array.from({ length: m }, (_, j) => {
        const v = matrix.cells[i * m + j]!;
        return v === CELL.pass ? 0 : v;
      }),
    );
    const means = Array.from({ length: m }, (_, j) => rows.reduce((s, r) => s + r[j]!, 0) / n);
    const centred = Float64Array.from(rows.flatMap((r) => r.map((v, j) => v - means[j]!)));
    const power = powerIterationProjection(centred, n, m);
    const exact = new PCA(rows, { method: 'covarianceMatrix' }).predict(rows, { nComponents: 2 });
    const corr = (a: ArrayLike<number>, b: (i: number) => number) => {
      let ab = 0,
        aa = 0,
        bb = 0;
      for (let i = 0; i < n; i++) [ab, aa, bb] = [ab + a[i]! * b(i), aa + a[i]! ** 2, bb + b(i) ** 2];
      return Math.abs(ab / Math.sqrt(aa * bb));
    };
    expect(corr(power.xs, (i) => exact.get(i, 0))).toBeGreaterThan(0.999);
    expect(corr(power.ys, (i) => exact.get(i, 1))).toBeGreaterThan(0.99);
  });

  it('is stable: the same matrix gives the same map', () => {
    const { matrix } = plant(7, 3, 60, 30, 3);
    expect(analyseOpinions(matrix)).toEqual(analyseOpinions(matrix));
  });

  it('counts every answer by role, placed or not', () => {
    const { matrix } = plant(8, 2, 20, 10, 2);
    const a = analyseOpinions(matrix);
    for (const s of a.statements) {
      const sum = Object.values(s.byRole).reduce((acc, c) => acc + c.agree + c.disagree + c.pass, 0);
      expect(sum).toBe(s.total.agree + s.total.disagree + s.total.pass);
    }
  });

  it('two small opposite camps of three form two groups; their shared statement is consensus', () => {
    const statements = ['common', 'a', 'b', 'c'];
    const rows = [
      [1, 1, -1, 1],
      [1, 1, -1, 1],
      [1, 1, -1, 2],
      [1, -1, 1, -1],
      [1, -1, 1, -1],
      [1, -1, 1, -1],
    ];
    const cells = Int8Array.from(rows.flat());
    const a = analyseOpinions({ participants: rows.map((_, i) => ({ id: `m${i}`, role: 'owner' })), statements, cells });
    expect(a.groups).toHaveLength(2);
    expect(a.groups.map((g) => g.members.length)).toEqual([3, 3]);
    expect(a.consensus).toEqual(['common']);
    expect(a.divisive).toEqual(expect.arrayContaining(['a', 'b']));
  });

  it('leaves out those with too few answers, and copes with nobody and with one statement', () => {
    expect(minVotesFor(40)).toBe(7);
    expect(minVotesFor(4)).toBe(2);
    expect(minVotesFor(1)).toBe(1);
    const empty = analyseOpinions({ participants: [], statements: [], cells: new Int8Array(0) });
    expect(empty).toMatchObject({ participants: 0, clustered: 0, groups: [], consensus: [], points: [] });
    const one = analyseOpinions({
      participants: [
        { id: 'x', role: 'owner' },
        { id: 'y', role: 'resident' },
      ],
      statements: ['s'],
      cells: Int8Array.from([1, 0]),
    });
    expect(one).toMatchObject({ participants: 1, clustered: 1, groups: [{ id: 0, members: ['x'] }] });
  });

  it('maps roles to owners, residents, staff and others', () => {
    expect(roleGroupOf(['resident', 'owner'])).toBe('owner');
    expect(roleGroupOf(['property_firm'])).toBe('staff');
    expect(roleGroupOf(['resident'])).toBe('resident');
    expect(roleGroupOf(['party_branch'])).toBe('other');
  });

  it('computes the adjusted Rand index', () => {
    expect(adjustedRandIndex([0, 0, 1, 1], [1, 1, 0, 0])).toBe(1);
    expect(adjustedRandIndex([0, 0, 1, 1, 2, 2], [0, 1, 0, 1, 0, 1])).toBeLessThan(0.1);
  });
});
