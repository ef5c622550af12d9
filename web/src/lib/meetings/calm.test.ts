import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { calmAnnouncer } from './calm.ts';

describe('calmAnnouncer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('says the first value at once, then at most one per gap, and always the last of a burst', () => {
    const said: [number, string][] = [];
    const calm = calmAnnouncer(3000, (t) => said.push([Date.now(), t]));
    const t0 = Date.now();
    for (let i = 1; i <= 20; i++) {
      calm.push(`${i} voted`); // vote i arrives at (i − 1) × 200 ms: 20 votes over 4 s
      vi.advanceTimersByTime(200);
    }
    vi.advanceTimersByTime(10_000);
    // At 3 s the newest was vote 15 (vote 16 comes at 3 s, just after); at 6 s the final one.
    expect(said.map(([, t]) => t)).toEqual(['1 voted', '15 voted', '20 voted']);
    expect(said.map(([at]) => at - t0)).toEqual([0, 3000, 6000]);
    calm.stop();
  });

  it('does not repeat an unchanged text and stops cleanly', () => {
    const said: string[] = [];
    const calm = calmAnnouncer(1000, (t) => said.push(t));
    calm.push('a');
    vi.advanceTimersByTime(2000);
    calm.push('a'); // the gap has passed, but nothing new to say
    calm.push('b'); // the gap since 'a' has passed: said at once
    calm.push('c'); // inside the gap after 'b': waits
    calm.stop(); // the page left: 'c' is dropped
    vi.advanceTimersByTime(5000);
    expect(said).toEqual(['a', 'b']);
  });
});
