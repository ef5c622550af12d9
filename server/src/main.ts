/** Entry point: config → Redis (managed or given) → server → listen; graceful shutdown. */
import { loadConfig, ConfigError, type Config } from './config.ts';
import { createLogger, type Logger } from './logger.ts';
import { ManagedRedis } from './redis/managed-redis.ts';
import { connectRedis, parseClusterNodes, type RedisTarget } from './redis/connection.ts';
import { setDurability } from './redis/durable.ts';
import { createLinliServer, type LinliServer } from './server.ts';
import type { AppContext } from './context.ts';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  let managed: ManagedRedis | null = null;
  let server: LinliServer | null = null;
  let shuttingDown = false;
  let ctx: AppContext | null = null;
  const stopController = new AbortController();

  process.on('exit', () => managed?.stopSync());
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception: stopping');
    managed?.stopSync();
    process.exit(1);
  });
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled promise rejection'));

  async function shutdown(signal: string): Promise<void> {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    stopController.abort();
    const force = setTimeout(() => {
      logger.error('shutdown took over 9 s: exiting anyway');
      managed?.stopSync();
      process.exit(1);
    }, 9000);
    force.unref();
    try {
      if (server) {
        server.http.close();
        await server.close();
      }
      await ctx?.redis.quit().catch(() => {});
      await managed?.stop();
    } catch (err) {
      logger.error({ err }, 'error during shutdown');
    }
    logger.info('stopped');
    process.exit(0);
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  let redisUrl: RedisTarget | undefined = config.redisClusterNodes.length
    ? { cluster: parseClusterNodes(config.redisClusterNodes.join(',')) }
    : config.redisUrl;
  if (!redisUrl) {
    managed = new ManagedRedis({ dataDir: config.dataDir, appendfsync: config.appendfsync, logger });
    try {
      redisUrl = await managed.start();
    } catch (err) {
      logger.fatal((err as Error).message);
      process.exit(1);
    }
  }
  const redis = await connectRedis(redisUrl, logger, { name: 'main' });
  setDurability(redis, { replicas: config.waitReplicas, ms: config.waitMs });
  if (config.waitReplicas > 0)
    logger.info({ replicas: config.waitReplicas, ms: config.waitMs }, 'durable acks: votes and edits wait for replicas');
  ctx = {
    config,
    logger,
    redis,
    newRedis: (name, opts) => connectRedis(redisUrl!, logger, { name, ...opts }),
    stopping: stopController.signal,
  };
  server = await createLinliServer(ctx);
  if (shuttingDown) return;
  const seeded = await server.seed();
  await new Promise<void>((resolve, reject) => {
    server!.http.once('error', reject);
    server!.http.listen(config.port, config.host, () => resolve());
  });
  const addr = server.http.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  logger.info({ port, url: `http://${shown}:${port}` }, `Linli 邻里 is running at http://${shown}:${port}`);
  if (seeded.adminPassword) {
    logger.warn(
      `First start: sign in as "admin" with password: ${seeded.adminPassword}  (shown once; change it with npm run linli -- reset-password admin)`,
    );
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

export type { Logger };
