/**
 * `npm run linli -- <command>`: administration from a shell, on the same Redis as the server
 * (REDIS_URL, or the managed redis-server in LINLI_DATA_DIR: reused if running, else started and
 * stopped again).
 *
 *   create-admin [login] [--password <pw>]      a new administrator (password: --password,
 *                                               LINLI_ADMIN_PASSWORD, or generated and printed)
 *   reset-password <login> [--password <pw>]    sets a new password (generated and printed if not given)
 *   import-households <communityId> <file> [--dry-run] [--json]
 *                                               imports a roster (.csv in UTF-8/GBK, or .xlsx)
 */
import fs from 'node:fs';
import path from 'node:path';
import { DomainError, type ImportResult } from '@linli/shared';
import { loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { connectRedis, parseClusterNodes, type Redis, type RedisTarget } from '../redis/connection.ts';
import { ManagedRedis } from '../redis/managed-redis.ts';
import { AuthRepository } from '../auth/auth.repository.ts';
import { AuthService, generatePassword } from '../auth/auth.service.ts';
import { CommunitiesRepository } from '../communities/communities.repository.ts';
import { CommunitiesService } from '../communities/communities.service.ts';
import { RosterRepository } from '../roster/roster.repository.ts';
import { RosterService } from '../roster/roster.service.ts';
import { rosterFileToRawRows, tooLarge } from '../roster/roster.files.ts';

const USAGE = `Usage: npm run linli -- <command>
  create-admin [login] [--password <pw>]
  reset-password <login> [--password <pw>]
  import-households <communityId> <file.csv|file.xlsx> [--dry-run] [--json]`;

class UsageError extends Error {}

interface Args {
  positional: string[];
  flags: Map<string, string | true>;
}

function parseArgs(argv: string[]): Args {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--password') {
      const v = argv[++i];
      if (!v) throw new UsageError('--password needs a value');
      flags.set('password', v);
    } else if (a.startsWith('--password=')) flags.set('password', a.slice('--password='.length));
    else if (a.startsWith('--')) flags.set(a.slice(2), true);
    else positional.push(a);
  }
  return { positional, flags };
}

async function withRedis<T>(fn: (redis: Redis) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const logger = createLogger('warn');
  let managed: ManagedRedis | null = null;
  let url: RedisTarget | undefined = config.redisClusterNodes.length
    ? { cluster: parseClusterNodes(config.redisClusterNodes.join(',')) }
    : config.redisUrl;
  if (!url) {
    managed = new ManagedRedis({ dataDir: config.dataDir, appendfsync: 'always', logger });
    url = await managed.start();
  }
  const redis = await connectRedis(url, logger, { name: 'cli' });
  try {
    return await fn(redis);
  } finally {
    await redis.quit().catch(() => {});
    // A redis-server we started only for this command is stopped; one the server runs stays.
    if (managed && !managed.adopted) await managed.stop();
  }
}

function passwordFrom(args: Args, env?: string): { password: string; generated: boolean } {
  const given = args.flags.get('password');
  const pw = typeof given === 'string' ? given : env;
  if (pw !== undefined) {
    if (pw.length < 8) throw new UsageError('the password must be at least 8 characters');
    return { password: pw, generated: false };
  }
  return { password: generatePassword(), generated: true };
}

function printImport(result: ImportResult, json: boolean): void {
  if (json) {
    console.log(JSON.stringify(result));
    return;
  }
  const head = result.dryRun ? 'Dry run (nothing written) 试导入（未写入）' : 'Imported 已导入';
  console.log(
    `${head}: created 新增 ${result.created}, updated 更新 ${result.updated}, unchanged 未变 ${result.unchanged}, rejected 拒绝 ${result.rejected.length}`,
  );
  for (const r of result.rejected) console.log(`  line ${r.line}: ${r.code}: ${r.message}`);
}

async function run(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  const args = parseArgs(rest);
  switch (cmd) {
    case 'create-admin': {
      const login = args.positional[0] ?? 'admin';
      const { password, generated } = passwordFrom(args, process.env.LINLI_ADMIN_PASSWORD || undefined);
      await withRedis(async (redis) => {
        const auth = new AuthService(new AuthRepository(redis));
        await auth.createStaff({ login, password, displayName: '管理员', isAdmin: true });
      });
      console.log(`Created administrator "${login}".${generated ? ` Password: ${password}` : ''}`);
      return;
    }
    case 'reset-password': {
      const login = args.positional[0];
      if (!login) throw new UsageError('reset-password needs a login');
      const { password, generated } = passwordFrom(args);
      await withRedis(async (redis) => new AuthService(new AuthRepository(redis)).setPassword(login, password));
      console.log(`New password for "${login}" set.${generated ? ` Password: ${password}` : ''}`);
      return;
    }
    case 'import-households': {
      const [cid, file] = args.positional;
      if (!cid || !file) throw new UsageError('import-households needs a community id and a file');
      const stat = fs.statSync(file, { throwIfNoEntry: false });
      if (!stat?.isFile()) throw new UsageError(`no such file: ${file}`);
      if (stat.size > 5 * 1024 * 1024) throw tooLarge();
      const buf = fs.readFileSync(file);
      const raws = await rosterFileToRawRows(buf, { kind: path.extname(file).toLowerCase() === '.xlsx' ? 'xlsx' : undefined });
      const result = await withRedis(async (redis) => {
        await new CommunitiesService(new CommunitiesRepository(redis)).get(cid);
        return new RosterService(new RosterRepository(redis)).importRows(cid, raws, { dryRun: args.flags.has('dry-run') });
      });
      printImport(result, args.flags.has('json'));
      return;
    }
    default:
      throw new UsageError(cmd ? `unknown command "${cmd}"` : 'no command given');
  }
}

run(process.argv.slice(2)).then(
  () => process.exit(0),
  (err: unknown) => {
    if (err instanceof UsageError) console.error(`${err.message}\n\n${USAGE}`);
    else if (err instanceof DomainError) console.error(`${err.code}: ${err.message}`);
    else console.error(err instanceof Error ? err.message : err);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
