/** The map's geometry helpers: convex hull of a group's dots, and group names. */
import { describe, expect, it } from 'vitest';
import { convexHull, groupName } from './opinion-types';

describe('opinion map geometry', () => {
  it('keeps the corners of a square and drops the inside and duplicate points', () => {
    const hull = convexHull([
      { x: 0, y: 0 },
      { x: 1, y: 0 },
      { x: 1, y: 1 },
      { x: 0, y: 1 },
      { x: 0.5, y: 0.5 },
      { x: 1, y: 1 },
    ]);
    expect(hull).toHaveLength(4);
    expect(hull).toEqual(
      expect.arrayContaining([
        { x: 0, y: 0 },
        { x: 1, y: 0 },
        { x: 1, y: 1 },
        { x: 0, y: 1 },
      ]),
    );
  });
  it('returns fewer than three distinct points as they are (drawn as a circle)', () => {
    expect(
      convexHull([
        { x: 0.2, y: 0.2 },
        { x: 0.2, y: 0.2 },
      ]),
    ).toEqual([{ x: 0.2, y: 0.2 }]);
    expect(convexHull([])).toEqual([]);
  });
  it('names groups A, B, C…', () => {
    expect([0, 1, 4].map(groupName)).toEqual(['A', 'B', 'E']);
  });
});
