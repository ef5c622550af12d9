/** The opinion round as the pages receive it from GET /api/opinions/:id and /map (see docs/API.md). */
import type { OpinionMapView, Statement } from '@linli/shared';

export type MapView = OpinionMapView;

export type { Statement };

/** Group 0 → "A". */
export const groupName = (g: number): string => String.fromCharCode(65 + g);

/** Colours of the groups: distinct hues, each ≥ 3:1 against white and the dark surface as a fill edge. */
export const GROUP_COLOURS = ['#0b5cad', '#b3261e', '#17703a', '#8a5a00', '#6f42c1'];

/** The convex hull of 2-D points (monotone chain), counter-clockwise; fewer than 3 points as given. */
export function convexHull(points: { x: number; y: number }[]): { x: number; y: number }[] {
  const p = [...new Map(points.map((q) => [`${q.x},${q.y}`, q])).values()].sort((a, b) => a.x - b.x || a.y - b.y);
  if (p.length < 3) return p;
  const cross = (o: { x: number; y: number }, a: { x: number; y: number }, b: { x: number; y: number }) =>
    (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
  const lower: typeof p = [];
  for (const q of p) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, q) <= 0) lower.pop();
    lower.push(q);
  }
  const upper: typeof p = [];
  for (const q of [...p].reverse()) {
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, q) <= 0) upper.pop();
    upper.push(q);
  }
  return [...lower.slice(0, -1), ...upper.slice(0, -1)];
}
