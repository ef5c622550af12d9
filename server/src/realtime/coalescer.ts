/**
 * The one coalescer of live broadcasts (meeting state, ballot tallies, consultation progress,
 * deliberation). Changes to one subject (a meeting, a ballot…) that come faster than a broadcast is
 * useful are folded into one run, and the run reads the store when it starts, so the last run after
 * the last change carries everything. Pure timing, no I/O: a cross-process gate in Redis stays in
 * the run, which answers `{ retryInMs }` when another process holds it.
 */

export interface CoalescerTiming {
  /** Least time between the starts of two runs of one subject in this process (default 0). */
  gapMs?: number;
  /** Run only after this long without a new change (default 0: as soon as the gap allows)… */
  quietMs?: number;
  /** …but never later than this after the first change not yet run (default: no limit). */
  maxWaitMs?: number;
  /** A run that threw is tried again this long after (default: dropped; the next change runs again). */
  retryOnErrorMs?: number;
}

/** What a run answers: nothing when done, or when to try again (its changes stay pending). */
export type CoalescedRun = void | { retryInMs: number };

export interface CoalescerOptions<T> {
  /** The key changes are folded by (default: the subject as a string). */
  keyOf?: (subject: T) => string;
  /** Told about a run that threw (the broadcaster logs it). */
  onError?: (err: unknown, subject: T) => void;
  /** Monotonic clock in ms (tests may pass their own). */
  now?: () => number;
  /**
   * After a run with nothing pending, keep its time this long (ms) so that the next change still
   * waits the gap (default 0: forgotten at once, so the next change runs at once).
   */
  holdAfterRunMs?: (subject: T) => number;
}

export interface ScheduleOptions {
  /** This change's gap instead of `timing.gapMs`; a shorter one cuts a longer pending wait short. */
  gapMs?: number;
}

interface Pending<T> {
  subject: T;
  timer: ReturnType<typeof setTimeout> | null;
  /** When the armed timer fires. */
  dueAt: number;
  /** The gap of the changes not yet run (the shortest asked for); null: the default. */
  gapMs: number | null;
  /** Forgets an idle subject once its hold after a run has passed. */
  forget: ReturnType<typeof setTimeout> | null;
  running: boolean;
  /** First change not yet taken by a run (null: nothing pending). */
  firstAt: number | null;
  lastAt: number;
  lastRunAt: number;
}

/**
 * Folds `schedule(subject)` calls into runs of `run(subject)`: at most one run of a subject at a
 * time, a change during a run gets a run after it, and runs of one subject start at least `gapMs`
 * (or the change's own gap) apart while changes keep coming. A subject with nothing pending is
 * forgotten after its run, or after `holdAfterRunMs`.
 */
export class Coalescer<T = string> {
  readonly #pending = new Map<string, Pending<T>>();
  readonly #keyOf: (subject: T) => string;
  readonly #now: () => number;
  #stopped = false;

  constructor(
    private readonly timing: CoalescerTiming,
    private readonly run: (subject: T) => Promise<CoalescedRun>,
    private readonly options: CoalescerOptions<T> = {},
  ) {
    this.#keyOf = options.keyOf ?? String;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Notes a change of `subject`: a run follows, now or when the timing allows. */
  schedule(subject: T, options: ScheduleOptions = {}): void {
    if (this.#stopped) return;
    const key = this.#keyOf(subject);
    const now = this.#now();
    let e = this.#pending.get(key);
    if (!e) {
      e = { subject, timer: null, dueAt: 0, gapMs: null, forget: null, running: false, firstAt: null, lastAt: now, lastRunAt: -Infinity };
      this.#pending.set(key, e);
    }
    if (e.forget) clearTimeout(e.forget);
    e.forget = null;
    e.subject = subject;
    e.lastAt = now;
    e.firstAt ??= now;
    const gap = options.gapMs ?? this.timing.gapMs ?? 0;
    e.gapMs = e.gapMs === null ? gap : Math.min(e.gapMs, gap);
    if (e.running) return;
    const due = this.#due(e);
    if (e.timer) {
      // An armed timer re-checks when it fires (a quiet period that grew); only a shorter gap re-arms.
      if (due >= e.dueAt) return;
      clearTimeout(e.timer);
    }
    this.#arm(key, e, due - now);
  }

  /** How many subjects have a run pending or going (for tests and leak checks). */
  get size(): number {
    return this.#pending.size;
  }

  /** Cancels every pending run; later changes are ignored. */
  stop(): void {
    this.#stopped = true;
    for (const e of this.#pending.values()) {
      if (e.timer) clearTimeout(e.timer);
      if (e.forget) clearTimeout(e.forget);
    }
    this.#pending.clear();
  }

  #due(e: Pending<T>): number {
    const { quietMs = 0, maxWaitMs = Infinity } = this.timing;
    const gapMs = e.gapMs ?? this.timing.gapMs ?? 0;
    return Math.max(e.lastRunAt + gapMs, Math.min(e.lastAt + quietMs, (e.firstAt ?? e.lastAt) + maxWaitMs));
  }

  #arm(key: string, e: Pending<T>, ms: number): void {
    if (this.#stopped) return;
    e.dueAt = this.#now() + Math.max(0, ms);
    e.timer = setTimeout(() => void this.#attempt(key), Math.max(0, ms));
  }

  async #attempt(key: string): Promise<void> {
    const e = this.#pending.get(key);
    if (!e || this.#stopped) return;
    e.timer = null;
    const now = this.#now();
    // More changes came since the timer was set (quiet period): wait for the rest.
    const wait = this.#due(e) - now;
    if (wait > 1) return this.#arm(key, e, wait);
    const before = { firstAt: e.firstAt, lastRunAt: e.lastRunAt, gapMs: e.gapMs };
    // Taken before the run reads the store: a change after this point gets a run of its own.
    e.firstAt = null;
    e.gapMs = null;
    e.lastRunAt = now;
    e.running = true;
    try {
      const out = await this.run(e.subject);
      if (out) {
        // Not run (a gate elsewhere): the changes stay pending, and this did not count as a run.
        e.firstAt = before.firstAt ?? e.firstAt ?? this.#now();
        e.lastRunAt = before.lastRunAt;
        e.gapMs = Math.min(before.gapMs ?? Infinity, e.gapMs ?? Infinity);
        this.#arm(key, e, out.retryInMs);
        return;
      }
    } catch (err) {
      this.options.onError?.(err, e.subject);
      if (this.timing.retryOnErrorMs !== undefined) {
        e.firstAt ??= this.#now();
        e.gapMs ??= before.gapMs;
        this.#arm(key, e, this.timing.retryOnErrorMs);
        return;
      }
    } finally {
      e.running = false;
    }
    if (e.timer || this.#stopped) return;
    if (e.firstAt !== null) return this.#arm(key, e, this.#due(e) - this.#now());
    const hold = this.options.holdAfterRunMs?.(e.subject) ?? 0;
    if (hold <= 0) {
      this.#pending.delete(key);
      return;
    }
    const idle = e;
    idle.forget = setTimeout(() => {
      if (this.#pending.get(key) === idle && !idle.timer && !idle.running && idle.firstAt === null) this.#pending.delete(key);
    }, hold);
    idle.forget.unref?.();
  }
}
