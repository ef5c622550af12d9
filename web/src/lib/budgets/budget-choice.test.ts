/** The choice page's arithmetic: left to spend, what still fits, exact yuan. */
import { describe, expect, it } from 'vitest';
import { availability, leftToSpend, yuanText } from './budget-choice.ts';

const ps = [
  { id: 'a', costFen: 60_000_00 },
  { id: 'b', costFen: 50_000_00 },
  { id: 'c', costFen: 30_000_01 },
];

describe('budget choice', () => {
  it('shows what is left and refuses what no longer fits, with the shortfall', () => {
    const chosen = new Set(['a']);
    expect(leftToSpend(100_000_00, ps, chosen)).toBe(40_000_00);
    expect(availability(ps[0]!, 100_000_00, ps, chosen)).toEqual({ chosen: true });
    expect(availability(ps[1]!, 100_000_00, ps, chosen)).toEqual({ chosen: false, fits: false, shortFen: 10_000_00 });
    expect(availability(ps[2]!, 100_000_00, ps, new Set())).toEqual({ chosen: false, fits: true });
  });
  it('writes yuan exactly', () => {
    expect(yuanText(1_234_567_89, 'en')).toBe('1,234,567.89');
    expect(yuanText(5, 'zh-CN')).toBe('0.05');
    expect(yuanText(30_000_01, 'zh-CN')).toBe('30,000.01');
  });
});
