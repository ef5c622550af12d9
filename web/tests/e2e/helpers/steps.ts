/**
 * Named steps for the long end-to-end tests: `await step('the owner votes', async () => …)` runs
 * the step and, when it fails, rethrows with `step "the owner votes": ` before the message, so a
 * red run says which part of a 200-line scenario broke (LINLI_E2E_STEPS=1 logs each step's time).
 * Re-exported from the server tests' wait helpers: `until` polls a state (in beforeAll, where
 * expect.poll cannot run), `pace` spreads a workload over time, and `quietFor` is the one named
 * wait for showing that something does NOT happen where no later event is ordered after it.
 */
import { expect, onTestFailed } from 'vitest';

let current: { test: string | undefined; step: string } | null = null;

export async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const test = expect.getState().currentTestName;
  // A timeout never rejects the step's promise: name the step that was running when the test failed.
  if (current?.test !== test) onTestFailed(() => console.error(`failed during step "${current?.step}" of "${test}"`));
  current = { test, step: name };
  const t0 = Date.now();
  try {
    const out = await fn();
    if (process.env.LINLI_E2E_STEPS) console.log(`  step "${name}": ${Date.now() - t0} ms`);
    return out;
  } catch (err) {
    if (err instanceof Error) {
      err.message = `step "${name}": ${err.message}`;
      throw err;
    }
    throw new Error(`step "${name}": ${String(err)}`);
  }
}

export { pace, quietFor, until } from '../../../../server/test/helpers/wait.ts';
