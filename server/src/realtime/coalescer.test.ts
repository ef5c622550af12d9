/**
 * The coalescer's timing with fake timers: the leading run, folding a burst, quiet period and
 * longest wait (the ballots' tally), a gate held elsewhere, errors, and forgetting idle subjects.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Coalescer, type CoalescedRun, type CoalescerTiming } from './coalescer.ts';

/** A coalescer whose runs record their start time (ms since the test began) and subject. */
function setup(timing: CoalescerTiming, answer: (n: number) => CoalescedRun | Error = () => undefined, runMs = 0) {
  const start = Date.now();
  const runs: { at: number; subject: string }[] = [];
  const errors: unknown[] = [];
  const c = new Coalescer<string>(
    timing,
    async (subject) => {
      runs.push({ at: Date.now() - start, subject });
      if (runMs) await new Promise((r) => setTimeout(r, runMs));
      const out = answer(runs.length);
      if (out instanceof Error) throw out;
      return out;
    },
    { now: () => Date.now(), onError: (err) => errors.push(err) },
  );
  return { c, runs, errors, at: () => runs.map((r) => r.at) };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('Coalescer with a gap (meeting state, deliberation)', () => {
  it('runs the first change at once and folds changes during a run into one run a gap after it', async () => {
    const { c, at } = setup({ gapMs: 250 }, undefined, 20);
    c.schedule('m1');
    await vi.advanceTimersByTimeAsync(0);
    expect(at()).toEqual([0]);
    for (let i = 0; i < 5; i++) {
      await vi.advanceTimersByTimeAsync(3);
      c.schedule('m1');
    }
    await vi.advanceTimersByTimeAsync(1000);
    expect(at()).toEqual([0, 250]);
    expect(c.size).toBe(0);
  });

  it('folds changes waiting for the gap, and keeps subjects apart', async () => {
    const { c, runs } = setup({ gapMs: 250 }, undefined, 100);
    c.schedule('a');
    c.schedule('b');
    await vi.advanceTimersByTimeAsync(50);
    c.schedule('a');
    await vi.advanceTimersByTimeAsync(150);
    c.schedule('a');
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toEqual([
      { at: 0, subject: 'a' },
      { at: 0, subject: 'b' },
      { at: 250, subject: 'a' },
    ]);
  });

  it('forgets a subject after a run with nothing pending: the next change goes out at once', async () => {
    const { c, at } = setup({ gapMs: 250 });
    c.schedule('m1');
    await vi.advanceTimersByTimeAsync(100);
    expect(c.size).toBe(0);
    c.schedule('m1');
    await vi.advanceTimersByTimeAsync(0);
    expect(at()).toEqual([0, 100]);
  });

  it('drops a run that threw unless told to retry, and reports the error', async () => {
    const boom = new Error('redis down');
    const { c, at, errors } = setup({ gapMs: 250 }, (n) => (n === 1 ? boom : undefined));
    c.schedule('m1');
    await vi.advanceTimersByTimeAsync(1000);
    expect(at()).toEqual([0]);
    expect(errors).toEqual([boom]);
    expect(c.size).toBe(0);
  });
});

describe('Coalescer with a quiet period and a longest wait (ballot tallies)', () => {
  const timing = { quietMs: 30, maxWaitMs: 500 };

  it('runs once, a quiet period after the last of a few changes', async () => {
    const { c, at } = setup(timing);
    for (let i = 0; i < 4; i++) {
      c.schedule('b1');
      await vi.advanceTimersByTimeAsync(10);
    }
    await vi.advanceTimersByTimeAsync(1000);
    expect(at()).toEqual([60]);
  });

  it('runs at most every longest wait during a storm, and once after its end', async () => {
    const { c, at } = setup(timing);
    for (let t = 0; t < 1200; t += 10) {
      c.schedule('b1');
      await vi.advanceTimersByTimeAsync(10);
    }
    await vi.advanceTimersByTimeAsync(1000);
    expect(at()).toEqual([500, 1000, 1220]);
  });

  it('keeps the changes pending when the run answers a retry (gate held by another process)', async () => {
    const { c, at } = setup(timing, (n) => (n === 1 ? { retryInMs: 120 } : undefined));
    c.schedule('b1');
    await vi.advanceTimersByTimeAsync(1000);
    expect(at()).toEqual([30, 150]);
    expect(c.size).toBe(0);
  });

  it('retries a run that threw when retryOnErrorMs is set', async () => {
    const { c, at, errors } = setup({ ...timing, retryOnErrorMs: 150 }, (n) => (n === 1 ? new Error('x') : undefined));
    c.schedule('b1');
    await vi.advanceTimersByTimeAsync(1000);
    expect(at()).toEqual([30, 180]);
    expect(errors).toHaveLength(1);
  });
});

describe('Coalescer life', () => {
  it('folds by keyOf and runs with the latest subject', async () => {
    const seen: { kind: string; id: string }[] = [];
    const c = new Coalescer<{ kind: string; id: string }>({ gapMs: 100 }, async (s) => void seen.push(s), {
      keyOf: (s) => `${s.kind}\n${s.id}`,
    });
    c.schedule({ kind: 'questions', id: 'm1' });
    c.schedule({ kind: 'wordcloud', id: 'm1' });
    await vi.advanceTimersByTimeAsync(500);
    expect(seen.map((s) => s.kind)).toEqual(['questions', 'wordcloud']);
  });

  it('stop cancels pending runs and ignores later changes', async () => {
    const { c, at } = setup({ quietMs: 30 });
    c.schedule('b1');
    c.stop();
    c.schedule('b2');
    await vi.advanceTimersByTimeAsync(1000);
    expect(at()).toEqual([]);
    expect(c.size).toBe(0);
  });
});

describe('Coalescer with a gap per change and a hold after the run (meeting attendance in a big room)', () => {
  it('a shorter gap cuts a longer pending wait short; the longer one applies when alone', async () => {
    const start = Date.now();
    const runs: number[] = [];
    const c = new Coalescer<string>({ gapMs: 250 }, async () => void runs.push(Date.now() - start), {
      now: () => Date.now(),
      holdAfterRunMs: () => 1000,
    });
    const at = () => runs;
    c.schedule('m1', { gapMs: 1000 });
    await vi.advanceTimersByTimeAsync(0);
    c.schedule('m1', { gapMs: 1000 });
    await vi.advanceTimersByTimeAsync(100);
    expect(at()).toEqual([0]);
    c.schedule('m1'); // the default gap (an agenda change)
    await vi.advanceTimersByTimeAsync(1000);
    expect(at()).toEqual([0, 250]);
    c.schedule('m1', { gapMs: 1000 });
    await vi.advanceTimersByTimeAsync(2000);
    expect(at()).toEqual([0, 250, 1250]);
  });

  it('without a hold, a change after a finished run runs at once; with one, it waits the gap', async () => {
    const free = setup({ gapMs: 500 });
    free.c.schedule('m1');
    await vi.advanceTimersByTimeAsync(10);
    free.c.schedule('m1');
    await vi.advanceTimersByTimeAsync(0);
    expect(free.at()).toEqual([0, 10]);

    const start = Date.now();
    const runs: number[] = [];
    const held = new Coalescer<string>({ gapMs: 500 }, async () => void runs.push(Date.now() - start), {
      now: () => Date.now(),
      holdAfterRunMs: () => 500,
    });
    held.schedule('m1');
    await vi.advanceTimersByTimeAsync(10);
    held.schedule('m1');
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toEqual([0, 500]);
    // The hold passes: the subject is forgotten, and the next change runs at once.
    await vi.advanceTimersByTimeAsync(1000);
    expect(held.size).toBe(0);
    held.schedule('m1');
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toEqual([0, 500, 2010]);
  });
});
