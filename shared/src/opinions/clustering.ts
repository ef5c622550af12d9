/**
 * The opinion map's arithmetic, pure (no I/O) so it runs in a worker thread and in tests alike.
 * Pol.is's way: a participant × statement matrix (agree 1, disagree −1, pass 0), participants with
 * too few votes left out, unseen cells imputed with the statement's mean, PCA to two dimensions
 * (ml-pca; a power iteration for large rounds), k-means for k = 2..5 (ml-kmeans, fixed seeds so a map is stable between
 * recomputes), k chosen by the silhouette — and one single group when no k separates well, so a
 * room that thinks alike is never split into false groups. Then per group its representative
 * statements (Pol.is's repness), group-informed consensus, divisive statements, and a per-role
 * breakdown of every statement's answers.
 */
import { PCA } from 'ml-pca';
import { kmeans } from 'ml-kmeans';
import { OPINION_ROLE_GROUPS, type OpinionRoleGroup, type VoteCounts } from './schemas.ts';
import { powerIterationProjection, silhouette } from './numeric.ts';

export { adjustedRandIndex, powerIterationProjection, silhouette } from './numeric.ts';

/** Cell codes of the vote matrix handed to `analyseOpinions` (an Int8Array, row-major). */
export const CELL = { unseen: 0, agree: 1, disagree: -1, pass: 2 } as const;

export interface OpinionMatrix {
  participants: { id: string; role: OpinionRoleGroup }[];
  /** Accepted statement ids, in the order shown. */
  statements: string[];
  /** participants.length × statements.length cells of CELL codes. */
  cells: Int8Array;
}

export interface OpinionPoint {
  id: string;
  x: number;
  y: number;
  group: number;
}

export interface StatementStats {
  id: string;
  total: VoteCounts;
  /** Counts per group, in the order of `groups`. */
  groups: VoteCounts[];
  byRole: Record<OpinionRoleGroup, VoteCounts>;
}

export interface OpinionAnalysis {
  /** Members who answered at least one statement. */
  participants: number;
  /** Members with enough answers to be placed on the map. */
  clustered: number;
  minVotes: number;
  /** Silhouette of the chosen grouping (null: one group). */
  silhouette: number | null;
  points: OpinionPoint[];
  groups: { id: number; members: string[]; representative: string[] }[];
  consensus: string[];
  divisive: string[];
  statements: StatementStats[];
}

/** Tuning, named so the choices are visible and testable. */
export const OPINION_TUNING = {
  /** Pol.is places a participant after 7 votes; with fewer than 14 statements, half of them. */
  maxMinVotes: 7,
  ks: [2, 3, 4, 5],
  /** Below this silhouette no grouping is believed: everyone is one group. */
  minSilhouette: 0.5,
  /** A group smaller than this share of the map (and than 2 people) is not a group. */
  minGroupShare: 0.05,
  /** Representative: the group agrees (or disagrees) with at least this probability… */
  repMinProbability: 0.55,
  /** …and this many times more than the rest. */
  repMinRatio: 1.2,
  repMax: 5,
  /** Consensus: every group agrees with at least this (Laplace-smoothed) probability. */
  consensusMin: 0.6,
  /** Divisive: the most and least agreeing groups differ by at least this. */
  divisiveMinSpread: 0.5,
  seeds: [11, 23],
} as const;

/** How many answers place a participant on the map, for a round of `statements` statements. */
export function minVotesFor(statements: number): number {
  return Math.max(1, Math.min(OPINION_TUNING.maxMinVotes, Math.ceil(statements / 2)));
}

/** Owners, tenants/residents, staff (the property firm) and the rest, from a member's roles. */
export function roleGroupOf(roles: readonly string[]): OpinionRoleGroup {
  if (roles.includes('owner')) return 'owner';
  if (roles.includes('property_firm')) return 'staff';
  if (roles.includes('resident')) return 'resident';
  return 'other';
}

const zero = (): VoteCounts => ({ agree: 0, disagree: 0, pass: 0 });
const seen = (c: VoteCounts) => c.agree + c.disagree + c.pass;
/** Laplace-smoothed probability of agreeing (or of `k`) among those who answered. */
export const pAgree = (c: VoteCounts) => (c.agree + 1) / (seen(c) + 2);
const pOf = (c: VoteCounts, k: 'agree' | 'disagree') => (c[k] + 1) / (seen(c) + 2);

function count(c: VoteCounts, cell: number): void {
  if (cell === CELL.agree) c.agree++;
  else if (cell === CELL.disagree) c.disagree++;
  else if (cell === CELL.pass) c.pass++;
}

/** Rounds up to this many cells go through ml-pca (exact); larger ones through the power iteration. */
export const ML_PCA_MAX_CELLS = 150_000;

/** Projects the placed participants' imputed rows to two dimensions, scaled into [−1, 1]. */
function project(rows: Float64Array, n: number, width: number): { xs: Float64Array; ys: Float64Array } {
  let xs: Float64Array = new Float64Array(n),
    ys: Float64Array = new Float64Array(n);
  // Statements everyone answered alike carry no position: left out (they would only add zeros).
  const keep: number[] = [];
  for (let j = 0; j < width; j++) {
    for (let i = 1; i < n; i++) {
      if (rows[i * width + j] !== rows[j]) {
        keep.push(j);
        break;
      }
    }
  }
  if (keep.length === 0 || n < 2) return { xs, ys };
  const m = keep.length;
  if (n * m <= ML_PCA_MAX_CELLS) {
    const data = Array.from({ length: n }, (_, i) => keep.map((j) => rows[i * width + j]!));
    const comps = Math.min(2, m);
    // The covariance method (statements × statements, then its eigenvectors) is exact; NIPALS gave
    // NaN on the rank-deficient matrices of small rounds.
    const proj = new PCA(data, { method: 'covarianceMatrix' }).predict(data, { nComponents: comps });
    for (let i = 0; i < n; i++) {
      xs[i] = proj.get(i, 0);
      ys[i] = comps > 1 ? proj.get(i, 1) : 0;
    }
  } else {
    const centred = new Float64Array(n * m);
    keep.forEach((j, c) => {
      let mean = 0;
      for (let i = 0; i < n; i++) mean += rows[i * width + j]!;
      mean /= n;
      for (let i = 0; i < n; i++) centred[i * m + c] = rows[i * width + j]! - mean;
    });
    ({ xs, ys } = powerIterationProjection(centred, n, m));
  }
  // A fixed orientation (skew positive) and scale, so a recompute does not mirror the map.
  for (const axis of [xs, ys]) {
    let skew = 0,
      max = 0;
    for (const v of axis) {
      skew += v * v * v;
      max = Math.max(max, Math.abs(v));
    }
    const f = (skew < 0 ? -1 : 1) / (max || 1);
    for (let i = 0; i < n; i++) axis[i] = Number.isFinite(axis[i]!) ? axis[i]! * f : 0;
  }
  return { xs, ys };
}

/** Groups the 2-D points: the best k by silhouette, or everyone in group 0 when none is convincing. */
function group(xs: Float64Array, ys: Float64Array): { labels: number[]; k: number; score: number | null } {
  const n = xs.length;
  const single = { labels: new Array<number>(n).fill(0), k: 1, score: null };
  const distinct = new Set<string>();
  for (let i = 0; i < n && distinct.size < 6; i++) distinct.add(`${xs[i]!.toFixed(9)},${ys[i]!.toFixed(9)}`);
  const minSize = Math.max(2, Math.ceil(OPINION_TUNING.minGroupShare * n));
  const data = Array.from({ length: n }, (_, i) => [xs[i]!, ys[i]!]);
  let best = single as { labels: number[]; k: number; score: number | null };
  for (const k of OPINION_TUNING.ks) {
    if (k > distinct.size || k * minSize > n) break;
    let labels: number[] | null = null;
    let sse = Infinity;
    for (const seed of OPINION_TUNING.seeds) {
      const r = kmeans(data, k, { seed, initialization: 'kmeans++', maxIterations: 60 });
      let e = 0;
      for (let i = 0; i < n; i++) {
        const c = r.centroids[r.clusters[i]!]!;
        e += (xs[i]! - c[0]!) ** 2 + (ys[i]! - c[1]!) ** 2;
      }
      if (e < sse - 1e-12) [sse, labels] = [e, r.clusters];
    }
    const sizes = new Array<number>(k).fill(0);
    for (const l of labels!) sizes[l]!++;
    if (sizes.some((s) => s < minSize)) continue;
    const score = silhouette(xs, ys, labels!, k);
    if (score >= OPINION_TUNING.minSilhouette && (best.score === null || score > best.score + 1e-9)) best = { labels: labels!, k, score };
  }
  // Groups numbered by size (largest first), ties by their first member: stable ids between recomputes.
  const order = Array.from({ length: best.k }, (_, g) => g);
  const size = (g: number) => best.labels.filter((l) => l === g).length;
  const first = (g: number) => best.labels.indexOf(g);
  order.sort((p, q) => size(q) - size(p) || first(p) - first(q));
  const rename = new Map(order.map((g, i) => [g, i]));
  return { labels: best.labels.map((l) => rename.get(l)!), k: best.k, score: best.score };
}

/** The whole opinion map of one round from its vote matrix. */
export function analyseOpinions(input: OpinionMatrix): OpinionAnalysis {
  const { participants, statements, cells } = input;
  const n = participants.length,
    m = statements.length;
  const minVotes = minVotesFor(m);
  const votesOf = new Int32Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) if (cells[i * m + j] !== CELL.unseen) votesOf[i]!++;
  const placed: number[] = [];
  for (let i = 0; i < n; i++) if (votesOf[i]! >= minVotes && m > 0) placed.push(i);

  // Statement means over the placed participants (agree 1, disagree −1, pass 0) impute the unseen.
  const means = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    let s = 0,
      c = 0;
    for (const i of placed) {
      const v = cells[i * m + j]!;
      if (v === CELL.unseen) continue;
      s += v === CELL.pass ? 0 : v;
      c++;
    }
    means[j] = c ? s / c : 0;
  }
  const rows = new Float64Array(placed.length * m);
  placed.forEach((i, p) => {
    for (let j = 0; j < m; j++) {
      const v = cells[i * m + j]!;
      rows[p * m + j] = v === CELL.unseen ? means[j]! : v === CELL.pass ? 0 : v;
    }
  });
  const { xs, ys } = project(rows, placed.length, m);
  const { labels, k, score } = placed.length ? group(xs, ys) : { labels: [], k: 0, score: null };

  const groupOf = new Int32Array(n).fill(-1);
  placed.forEach((i, p) => (groupOf[i] = labels[p]!));
  const stats: StatementStats[] = statements.map((id, j) => {
    const s: StatementStats = {
      id,
      total: zero(),
      groups: Array.from({ length: k }, zero),
      byRole: Object.fromEntries(OPINION_ROLE_GROUPS.map((r) => [r, zero()])) as Record<OpinionRoleGroup, VoteCounts>,
    };
    for (let i = 0; i < n; i++) {
      const v = cells[i * m + j]!;
      if (v === CELL.unseen) continue;
      count(s.total, v);
      count(s.byRole[participants[i]!.role], v);
      if (groupOf[i]! >= 0) count(s.groups[groupOf[i]!]!, v);
    }
    return s;
  });

  const T = OPINION_TUNING;
  const groups = Array.from({ length: k }, (_, g) => {
    const scored: { id: string; score: number }[] = [];
    for (const s of stats) {
      const inG = s.groups[g]!;
      const rest = zero();
      s.groups.forEach((c, h) => {
        if (h === g) return;
        rest.agree += c.agree;
        rest.disagree += c.disagree;
        rest.pass += c.pass;
      });
      if (seen(inG) === 0) continue;
      let bestScore = 0;
      for (const dir of ['agree', 'disagree'] as const) {
        const p = pOf(inG, dir),
          r = p / pOf(rest, dir);
        if (p >= T.repMinProbability && r >= T.repMinRatio) bestScore = Math.max(bestScore, p * r);
      }
      if (bestScore > 0) scored.push({ id: s.id, score: bestScore });
    }
    scored.sort((a, b) => b.score - a.score);
    return {
      id: g,
      members: placed.filter((_, p) => labels[p] === g).map((i) => participants[i]!.id),
      representative: scored.slice(0, T.repMax).map((x) => x.id),
    };
  });

  const consensus = stats
    .filter((s) => k > 0 && s.groups.every((c) => pAgree(c) >= T.consensusMin))
    .map((s) => ({ id: s.id, p: s.groups.reduce((acc, c) => acc * pAgree(c), 1) }))
    .sort((a, b) => b.p - a.p)
    .map((x) => x.id);
  const divisive = stats
    .map((s) => {
      if (k >= 2) {
        const ps = s.groups.map(pAgree);
        return { id: s.id, spread: Math.max(...ps) - Math.min(...ps) };
      }
      // One group: divisive when it splits itself (both sides at least 30 %).
      const t = seen(s.total);
      const split = t >= 2 && s.total.agree / t >= 0.3 && s.total.disagree / t >= 0.3;
      return { id: s.id, spread: split ? 1 - Math.abs(s.total.agree - s.total.disagree) / t : 0 };
    })
    .filter((x) => x.spread >= T.divisiveMinSpread)
    .sort((a, b) => b.spread - a.spread)
    .map((x) => x.id);

  const round = (v: number) => Math.round(v * 1000) / 1000;
  return {
    participants: Array.from(votesOf).filter((c) => c > 0).length,
    clustered: placed.length,
    minVotes,
    silhouette: score === null ? null : round(score),
    points: placed.map((i, p) => ({ id: participants[i]!.id, x: round(xs[p]!), y: round(ys[p]!), group: labels[p]! })),
    groups,
    consensus,
    divisive,
    statements: stats,
  };
}
