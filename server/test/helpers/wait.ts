/**
 * Waiting in tests: poll until a state holds (`until`), or pace a workload on purpose (`pace`).
 * Tests wait for the event or the state they then check, never a fixed time; `pace` is only for a
 * load that must be spread over time (typing rhythm, a storm over 1.5 s), never to let something settle.
 */

/** Polls `fn` every `every` ms until it returns a truthy value, and returns it; throws after `ms` naming `what`. */
export async function until<T>(fn: () => Promise<T> | T, ms = 10_000, what = 'condition', every = 25): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

/** Spreads a workload over time (the rhythm of typing, a burst at a given moment): not a wait for anything. */
export const pace = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/**
 * Waits `ms` to show that something does NOT happen, for the few places where no later event or
 * round trip is ordered after it (say which in `why`). Everywhere else, wait for a positive barrier.
 */
export const quietFor = (ms: number, why: string): Promise<void> => {
  void why;
  return new Promise((r) => setTimeout(r, ms));
};
