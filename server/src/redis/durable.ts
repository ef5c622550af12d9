/**
 * Durable acknowledgements. Redis replicates asynchronously: a master that dies right after it
 * answered a write can take that write with it when its replica is promoted. Before Linli
 * acknowledges a vote (online or paper) or an edit, it asks the master that took the write to
 * WAIT until `replicas` replicas hold it, for at most `ms`. Fewer in time → the write fails as
 * `unavailable` (HTTP 503): the phone retries with the same idempotency key and is counted once
 * (the cast script answers the retry with the same receipt, and the retry WAITs again).
 *
 * Guarantee per setting (docs/SCALING.md, "Durable acks"):
 *   replicas = 0: acknowledged once the master has it (and its AOF, with appendfsync always on a
 *                 single Redis). A master lost before its replica copied the write loses it.
 *   replicas ≥ 1: acknowledged only when that many replicas hold it too; a failover promotes a
 *                 replica, and Redis Cluster promotes the most up-to-date one, so a single machine
 *                 lost never loses an acknowledged write. (Two lost at once — a master and the
 *                 replica that confirmed — can.)
 *
 * WAIT counts the writes made on its own connection: on a cluster it is sent to the connection
 * of the master that holds the key's slot, the one the write went through.
 */
import { calculateSlot } from './cluster-safe.ts';
import { DomainError } from '@linli/shared';
import { isCluster, type Redis } from './connection.ts';

export interface Durability {
  replicas: number;
  ms: number;
}

const settings = new WeakMap<object, Durability>();

/** Turns durable acks on (replicas > 0) or off for every write made through `redis`. */
export function setDurability(redis: Redis, d: Durability): void {
  settings.set(redis, d);
}

export function durabilityOf(redis: Redis): Durability {
  return settings.get(redis) ?? { replicas: 0, ms: 0 };
}

interface ClusterInternals {
  slots: string[][];
  connectionPool: { getInstanceByKey(key: string): Redis | undefined };
}

/** The connection a write of `key` went through. */
function connectionFor(redis: Redis, key: string): Redis {
  if (!isCluster(redis)) return redis;
  const c = redis as unknown as ClusterInternals;
  const nodeKey = c.slots[calculateSlot(key)]?.[0];
  const node = nodeKey ? c.connectionPool.getInstanceByKey(nodeKey) : undefined;
  if (!node)
    throw new DomainError(
      'unavailable',
      'The data store is changing masters; nothing was confirmed. Try again shortly. 正在切换，请稍后重试。',
    );
  return node;
}

/**
 * Resolves once the write just made to `key` is held by the configured number of replicas;
 * throws DomainError('unavailable') when they do not confirm in time. A no-op when off.
 */
export async function confirmDurable(redis: Redis, key: string): Promise<void> {
  const d = durabilityOf(redis);
  if (d.replicas <= 0) return;
  let acked: number;
  try {
    acked = Number(await connectionFor(redis, key).call('WAIT', String(d.replicas), String(d.ms)));
  } catch (err) {
    if (err instanceof DomainError) throw err;
    throw new DomainError(
      'unavailable',
      'The data store did not confirm the write; try again (a retry is counted once). 未能确认保存，请重试。',
    );
  }
  if (acked < d.replicas) {
    throw new DomainError(
      'unavailable',
      `Only ${acked} of ${d.replicas} replicas confirmed in ${d.ms} ms; try again (a retry is counted once). 副本未确认，请重试。`,
    );
  }
}
