/**
 * Numeric helpers of the opinion map, pure: the silhouette that chooses the number of groups, the
 * adjusted Rand index that tests compare groupings with, and the power iteration that finds the two
 * principal axes of large rounds fast (small ones go through ml-pca in clustering.ts).
 */

/**
 * Mean silhouette of `labels` over 2-D points (clusters of one member score 0). O(n × sample): above
 * `sample` points the mean is taken over an evenly spaced sample of them (each against all points).
 */
export function silhouette(xs: Float64Array, ys: Float64Array, labels: number[], k: number, sample = 800): number {
  const n = labels.length;
  const step = n > sample ? n / sample : 1;
  const picked = n > sample ? Array.from({ length: sample }, (_, s) => Math.floor(s * step)) : Array.from({ length: n }, (_, i) => i);
  const sizes = new Array<number>(k).fill(0);
  for (const l of labels) sizes[l]!++;
  const sums = new Float64Array(k);
  let total = 0;
  for (const i of picked) {
    sums.fill(0);
    const xi = xs[i]!,
      yi = ys[i]!;
    for (let j = 0; j < n; j++) {
      const dx = xi - xs[j]!,
        dy = yi - ys[j]!;
      sums[labels[j]!]! += Math.sqrt(dx * dx + dy * dy);
    }
    const own = labels[i]!;
    if (sizes[own]! <= 1) continue;
    const a = sums[own]! / (sizes[own]! - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && sizes[c]! > 0) b = Math.min(b, sums[c]! / sizes[c]!);
    const d = Math.max(a, b);
    total += d === 0 ? 0 : (b - a) / d;
  }
  return total / picked.length;
}

/** The adjusted Rand index of two labelings of the same items (1 = identical partitions). */
export function adjustedRandIndex(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  const table = new Map<string, number>();
  const ra = new Map<number, number>(),
    rb = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const key = `${a[i]}|${b[i]}`;
    table.set(key, (table.get(key) ?? 0) + 1);
    ra.set(a[i]!, (ra.get(a[i]!) ?? 0) + 1);
    rb.set(b[i]!, (rb.get(b[i]!) ?? 0) + 1);
  }
  const c2 = (x: number) => (x * (x - 1)) / 2;
  let index = 0;
  for (const v of table.values()) index += c2(v);
  let sa = 0,
    sb = 0;
  for (const v of ra.values()) sa += c2(v);
  for (const v of rb.values()) sb += c2(v);
  const expected = (sa * sb) / c2(n);
  const max = (sa + sb) / 2;
  return max === expected ? 1 : (index - expected) / (max - expected);
}

/**
 * The top two principal axes of a centred n × m matrix by subspace (power) iteration over typed
 * arrays, as Pol.is computes its map. Used for large rounds: ml-pca's NIPALS took over 2 s at
 * 2,000 × 300 (ml-matrix works element by element), this takes a tenth of that.
 */
export function powerIterationProjection(
  x: Float64Array,
  n: number,
  m: number,
  maxIterations = 80,
): { xs: Float64Array; ys: Float64Array } {
  const v1 = new Float64Array(m),
    v2 = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    v1[j] = 1 + (j % 7) / 7; // fixed start: the same matrix always gives the same axes
    v2[j] = j % 2 ? 1 : -1 + (j % 5) / 10;
  }
  const p1 = new Float64Array(n),
    p2 = new Float64Array(n);
  const orthonormalise = (a: Float64Array, b: Float64Array) => {
    let na = 0;
    for (let j = 0; j < m; j++) na += a[j]! * a[j]!;
    na = Math.sqrt(na) || 1;
    let dot = 0;
    for (let j = 0; j < m; j++) {
      a[j]! /= na;
      dot += a[j]! * b[j]!;
    }
    let nb = 0;
    for (let j = 0; j < m; j++) {
      b[j]! -= dot * a[j]!;
      nb += b[j]! * b[j]!;
    }
    nb = Math.sqrt(nb) || 1;
    for (let j = 0; j < m; j++) b[j]! /= nb;
  };
  const projectOnto = (a: Float64Array, b: Float64Array) => {
    for (let i = 0; i < n; i++) {
      let s1 = 0,
        s2 = 0;
      const o = i * m;
      for (let j = 0; j < m; j++) {
        const v = x[o + j]!;
        s1 += v * a[j]!;
        s2 += v * b[j]!;
      }
      p1[i] = s1;
      p2[i] = s2;
    }
  };
  orthonormalise(v1, v2);
  const w1 = new Float64Array(m),
    w2 = new Float64Array(m);
  for (let it = 0; it < maxIterations; it++) {
    projectOnto(v1, v2);
    w1.fill(0);
    w2.fill(0);
    for (let i = 0; i < n; i++) {
      const o = i * m,
        a = p1[i]!,
        b = p2[i]!;
      for (let j = 0; j < m; j++) {
        const v = x[o + j]!;
        w1[j]! += v * a;
        w2[j]! += v * b;
      }
    }
    orthonormalise(w1, w2);
    let c1 = 0,
      c2 = 0;
    for (let j = 0; j < m; j++) {
      c1 += w1[j]! * v1[j]!;
      c2 += w2[j]! * v2[j]!;
    }
    v1.set(w1);
    v2.set(w2);
    // Converged when the axes stop turning (cosine to the previous ones ~1).
    if (1 - Math.abs(c1) < 1e-9 && 1 - Math.abs(c2) < 1e-6) break;
  }
  projectOnto(v1, v2);
  return { xs: Float64Array.from(p1), ys: Float64Array.from(p2) };
}
