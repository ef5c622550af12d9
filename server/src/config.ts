/** Configuration from the environment, parsed with zod; a bad value stops start-up naming it. */
import path from 'node:path';
import { z } from 'zod';

const bool01 = z
  .enum(['0', '1', 'true', 'false', ''])
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : v === '1' || v === 'true'));

export const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  LINLI_DATA_DIR: z.string().min(1).default('./data'),
  LINLI_ADMIN_PASSWORD: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(8, 'must be at least 8 characters').optional()),
  LINLI_DEMO: bool01,
  LINLI_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LINLI_WEB_BUILD: z.string().optional(),
  LINLI_TRUST_PROXY: bool01,
  LINLI_REDIS_APPENDFSYNC: z.enum(['always', 'everysec']).default('always'),
  NODE_ENV: z.string().optional(),
  /** Roster rows with a larger area (m²) are imported with a warning to check them. */
  LINLI_ROSTER_AREA_WARN_M2: z.coerce.number().positive().max(10_000).default(300),
});

export interface Config {
  port: number;
  host: string;
  redisUrl?: string;
  dataDir: string;
  adminPassword?: string;
  demo: boolean;
  logLevel: string;
  webBuildDir: string;
  trustProxy: boolean;
  appendfsync: 'always' | 'everysec';
  dev: boolean;
  /** LINLI_ROSTER_AREA_WARN_M2 in centiares. */
  rosterAreaWarnCentiares: number;
}

export class ConfigError extends Error {}

/** Reads and validates the environment. Throws ConfigError with every bad variable named. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const r = ConfigSchema.safeParse(env);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join('.')}=${JSON.stringify(env[String(i.path[0])] ?? '')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = r.data;
  const root = path.resolve(import.meta.dirname, '../..');
  return {
    port: c.PORT,
    host: c.HOST,
    redisUrl: c.REDIS_URL,
    dataDir: path.resolve(c.LINLI_DATA_DIR),
    adminPassword: c.LINLI_ADMIN_PASSWORD,
    demo: c.LINLI_DEMO ?? true,
    logLevel: c.LINLI_LOG_LEVEL,
    webBuildDir: path.resolve(c.LINLI_WEB_BUILD ?? path.join(root, 'web/build')),
    trustProxy: c.LINLI_TRUST_PROXY ?? false,
    appendfsync: c.LINLI_REDIS_APPENDFSYNC,
    dev: c.NODE_ENV === 'development',
    rosterAreaWarnCentiares: Math.round(c.LINLI_ROSTER_AREA_WARN_M2 * 100),
  };
}
