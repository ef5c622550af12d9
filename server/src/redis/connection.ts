/**
 * ioredis connections: reconnect with backoff, and fail fast (no offline queue) while Redis is away.
 * One Redis (a `redis://` URL, the default) or a Redis Cluster (REDIS_CLUSTER_NODES): both are
 * handed to features under the one `Redis` type, since ioredis' Cluster speaks the same commands
 * and routes each by its key's hash slot. Code that cannot be slot-routed (blocking reads over many
 * keys, CLIENT UNBLOCK) asks `isCluster()` and takes its per-slot path.
 */
import { Redis, Cluster } from 'ioredis';
import type { Logger } from '../logger.ts';
import { clusterSafe } from './cluster-safe.ts';

export type { Redis };

export interface RedisOptions {
  /** Blocking readers (XREAD BLOCK) must not time out on a command timer. */
  blocking?: boolean;
  name?: string;
  /** Queue commands while disconnected instead of failing them (for library-owned loops). */
  offlineQueue?: boolean;
}

/** Where Redis is: a URL for one server, or the seed nodes of a cluster. */
export type RedisTarget = string | { cluster: { host: string; port: number }[]; password?: string };

/** Parses `host:port,host:port` (REDIS_CLUSTER_NODES). */
export function parseClusterNodes(list: string): { host: string; port: number }[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(s);
      if (!m) throw new Error(`not host:port: ${s}`);
      return { host: m[1]!, port: Number(m[2]) };
    });
}

/** True for a connection made from REDIS_CLUSTER_NODES. */
export function isCluster(redis: Redis): boolean {
  return (redis as unknown as { isCluster?: boolean }).isCluster === true;
}

/** Opens a connection and resolves once it is ready. */
export async function connectRedis(target: RedisTarget, logger: Logger, opts: RedisOptions = {}): Promise<Redis> {
  const common = {
    lazyConnect: true,
    connectionName: opts.name ? `linli:${opts.name}` : 'linli',
    enableOfflineQueue: opts.offlineQueue ?? false,
    maxRetriesPerRequest: opts.offlineQueue ? null : 1,
    commandTimeout: opts.blocking ? undefined : 5000,
    retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
  };
  let redis: Redis;
  if (typeof target === 'string') {
    // Commands issued in the same tick leave in one write (a vote storm's thousands of reads and
    // scripts would otherwise each cost a syscall). Not on a blocking reader, whose XREAD BLOCK must
    // not hold other commands back; not on a cluster, where a pipeline meeting a failover (MOVED,
    // TRYAGAIN) is retried less surely than single commands.
    // ioredis 6.0.0 loses the command name of callBuffer() inside an auto-pipeline (it puts it back
    // for call() only): the commands sent through callBuffer (the documents' load script) stay out.
    redis = new Redis(target, { ...common, enableAutoPipelining: !opts.blocking, autoPipeliningIgnoredCommands: ['EVAL', 'eval'] });
  } else {
    // During a failover the cluster answers MOVED/CLUSTERDOWN for a few seconds: the client
    // refreshes its slot map and retries (retryDelayOnClusterDown), bounded by the command timer.
    // The offline queue stays on inside the cluster client (it holds commands while the slot map
    // is refreshed); fail-fast comes from commandTimeout and maxRetriesPerRequest.
    const cluster = new Cluster(target.cluster, {
      lazyConnect: true,
      enableOfflineQueue: true,
      scaleReads: 'master',
      retryDelayOnClusterDown: 200,
      retryDelayOnFailover: 200,
      retryDelayOnTryAgain: 200,
      // Two nodes can point at each other for a moment while a replica takes over.
      retryDelayOnMoved: 100,
      maxRedirections: 32,
      slotsRefreshTimeout: 2000,
      clusterRetryStrategy: (times: number) => Math.min(100 * times, 2000),
      redisOptions: {
        connectionName: common.connectionName,
        maxRetriesPerRequest: common.maxRetriesPerRequest,
        // Blocking reads on a cluster block for at most 5 s (the Socket.IO adapter) or not at all
        // (the per-slot document reader): a timer still ends a read sent to a master that died.
        commandTimeout: common.commandTimeout ?? 15_000,
        password: target.password,
      },
    });
    redis = clusterSafe(cluster);
  }
  let down = false;
  redis.on('error', (err: Error) => {
    if (!down) logger.warn({ err: err.message, name: opts.name }, 'redis connection error');
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger.info({ name: opts.name }, 'redis connection is back');
    down = false;
  });
  await redis.connect();
  return redis;
}

/** Waits for a connection to be ready again (used by loops that survive an outage). */
export function whenReady(redis: Redis, ms = 60_000): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new Error('redis not ready'));
    }, ms);
    const onReady = () => {
      clearTimeout(t);
      resolve();
    };
    redis.once('ready', onReady);
  });
}
