/**
 * Redis Cluster refuses a multi-key command, MULTI or pipeline whose keys lie in different hash
 * slots (CROSSSLOT). Every group of keys that must change together carries one hash tag (a ballot,
 * a document, a meeting, a community: see docs/SCALING.md, "Key audit"), so those stay atomic.
 * What remains cross-slot is by design not atomic: a record and a global index (a community and
 * the list of all communities), reads of many records (MGET of users), deletes of unrelated keys.
 * This wrapper runs those per key on a cluster: a MULTI/pipeline whose keys share one slot is sent
 * as it is; one that spans slots runs its commands one by one, in order (each still atomic alone).
 * Lua scripts are never split: a script's keys must share a slot (the audit fixed those that did
 * not), and Redis refuses one that does not, so nothing is half-written silently.
 */
import { createRequire } from 'node:module';
import { Command, type Cluster, type Redis } from 'ioredis';

// ioredis' own slot function; the package ships no types, and a declaration file would not reach
// the web package's type check (its e2e tests import server code).
export const calculateSlot = createRequire(import.meta.url)('cluster-key-slot') as (key: string | Buffer) => number;

type Call = [name: string, args: unknown[]];

const flat = (args: unknown[]): unknown[] => args.flatMap((a) => (Array.isArray(a) ? a : [a]));

function slotsOf(calls: Call[]): Set<number> {
  const slots = new Set<number>();
  for (const [name, args] of calls) {
    for (const key of new Command(name, flat(args) as string[]).getKeys()) slots.add(calculateSlot(key));
  }
  return slots;
}

/** A MULTI or pipeline recorder: one slot → the real thing; several → command by command. */
function recorder(cluster: Cluster, kind: 'multi' | 'pipeline'): unknown {
  const calls: Call[] = [];
  const proxy: unknown = new Proxy(
    {},
    {
      get(_t, prop) {
        if (prop === 'exec') {
          return async () => {
            if (slotsOf(calls).size <= 1) {
              const real = (cluster as unknown as Record<string, () => Record<string, (...a: unknown[]) => unknown>>)[kind]!();
              for (const [name, args] of calls) real[name]!(...args);
              return (real as unknown as { exec(): Promise<unknown> }).exec();
            }
            const out: [Error | null, unknown][] = [];
            const run = (name: string, args: unknown[]) =>
              (cluster as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[name]!(...args);
            if (kind === 'pipeline') {
              const settled = await Promise.allSettled(calls.map(([n, a]) => run(n, a)));
              for (const s of settled) out.push(s.status === 'fulfilled' ? [null, s.value] : [s.reason as Error, null]);
            } else {
              for (const [n, a] of calls) {
                try {
                  out.push([null, await run(n, a)]);
                } catch (err) {
                  out.push([err as Error, null]);
                }
              }
            }
            return out;
          };
        }
        if (prop === 'length') return calls.length;
        if (typeof prop !== 'string' || prop === 'then') return undefined;
        return (...args: unknown[]) => {
          calls.push([prop, args]);
          return proxy;
        };
      },
    },
  );
  return proxy;
}

/** Sums or collects a multi-key command run key by key when its keys span slots. */
function perKey(cluster: Cluster, name: 'mget' | 'del' | 'exists' | 'unlink') {
  const orig = (cluster as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[name]!.bind(cluster);
  return async (...args: unknown[]) => {
    const keys = flat(args) as string[];
    if (new Set(keys.map((k) => calculateSlot(k))).size <= 1) return orig(...keys);
    if (name === 'mget') return Promise.all(keys.map((k) => cluster.get(k)));
    const counts = await Promise.all(keys.map((k) => orig(k) as Promise<number>));
    return counts.reduce((a, b) => a + b, 0);
  };
}

/** Wraps a cluster client so that the code written for one Redis runs unchanged on it. */
export function clusterSafe(cluster: Cluster): Redis {
  const overrides: Record<string, unknown> = {
    multi: () => recorder(cluster, 'multi'),
    pipeline: () => recorder(cluster, 'pipeline'),
    mget: perKey(cluster, 'mget'),
    del: perKey(cluster, 'del'),
    exists: perKey(cluster, 'exists'),
    unlink: perKey(cluster, 'unlink'),
  };
  return new Proxy(cluster, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && prop in overrides) return overrides[prop];
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as unknown as Redis;
}
