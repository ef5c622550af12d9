/** Configuration from the environment, parsed with zod; a bad value stops start-up naming it. */
import net from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { DocLimitsEnv, docLimitsOf, type DocLimits } from './yjs/yjs.limits.ts';

const bool01 = z
  .enum(['0', '1', 'true', 'false', ''])
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : v === '1' || v === 'true'));

/** Names Express ('trust proxy', proxy-addr) knows for address ranges. */
const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isProxyAddress(v: string): boolean {
  if (PROXY_NAMES.has(v)) return true;
  const [ip, bits, extra] = v.split('/');
  if (extra !== undefined || !ip || !net.isIP(ip)) return false;
  if (bits === undefined) return true;
  const max = net.isIPv4(ip) ? 32 : 128;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= max;
}

/**
 * How many proxies (or which ones) sit in front of us. Off: the socket's address is the client.
 * `1`/`true`: one hop (the right-most X-Forwarded-For entry is the client), `n`: n hops, or a
 * comma list of proxy addresses/CIDRs (loopback, linklocal, uniquelocal too).
 */
const TrustProxy = z
  .string()
  .optional()
  .transform((v, ctx): false | number | string[] => {
    const t = (v ?? '').trim();
    if (t === '' || t === '0' || t === 'false') return false;
    if (t === 'true') return 1;
    if (/^\d+$/.test(t)) return Math.min(Number(t), 32);
    const list = t
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
    const bad = list.filter((x) => !isProxyAddress(x));
    if (bad.length)
      ctx.addIssue({
        code: 'custom',
        message: `must be 0, a number of proxy hops, or a list of proxy addresses/CIDRs (not ${bad.join(', ')})`,
      });
    return list;
  });

const positive = (def: number) => z.coerce.number().min(0).default(def);

export const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  /** Seed nodes of a Redis Cluster, `host:port,host:port,…`; wins over REDIS_URL. */
  REDIS_CLUSTER_NODES: z
    .string()
    .optional()
    .transform((v) => (v ?? '').trim())
    .refine((v) => v === '' || v.split(',').every((s) => /^\[?[^\]\s,]+?\]?:\d{1,5}$/.test(s.trim())), 'must be host:port,host:port,…'),
  /** Durable acks (server/src/redis/durable.ts): replicas that must confirm a vote or an edit. */
  LINLI_WAIT_REPLICAS: z.coerce.number().int().min(0).max(16).optional(),
  LINLI_WAIT_MS: z.coerce.number().int().min(1).max(60_000).default(1000),
  LINLI_DATA_DIR: z.string().min(1).default('./data'),
  LINLI_ADMIN_PASSWORD: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(8, 'must be at least 8 characters').optional()),
  LINLI_DEMO: bool01,
  LINLI_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LINLI_WEB_BUILD: z.string().optional(),
  LINLI_TRUST_PROXY: TrustProxy,
  /** Strict-Transport-Security max-age on answers to requests that came over TLS; 0 sends none. */
  LINLI_HSTS_MAX_AGE: z.coerce
    .number()
    .int()
    .min(0)
    .default(180 * 24 * 3600),
  LINLI_LIMIT_ADDRESS_FAILURES: positive(10),
  LINLI_LIMIT_FAILURES_PER_SUCCESS: positive(0.5),
  LINLI_LIMIT_ACCOUNT_ADDRESS_FAILURES: positive(5),
  LINLI_LIMIT_ACCOUNT_FAILURES: positive(50),
  LINLI_LIMIT_WINDOW: z.coerce
    .number()
    .int()
    .min(1)
    .default(15 * 60),
  LINLI_LIMIT_FIRST_DELAY: z.coerce.number().int().min(1).default(1),
  LINLI_LIMIT_MAX_DELAY: z.coerce
    .number()
    .int()
    .min(1)
    .default(15 * 60),
  LINLI_REDIS_APPENDFSYNC: z.enum(['always', 'everysec']).default('always'),
  NODE_ENV: z.string().optional(),
  /** Roster rows with a larger area (m²) are imported with a warning to check them. */
  LINLI_ROSTER_AREA_WARN_M2: z.coerce.number().positive().max(10_000).default(300),
  /** The live document server's limits, LINLI_YJS_* (server/src/yjs/yjs.limits.ts). */
  ...DocLimitsEnv.shape,
});

export interface Config {
  port: number;
  host: string;
  redisUrl?: string;
  /** REDIS_CLUSTER_NODES as a list (empty: one Redis). */
  redisClusterNodes: string[];
  /**
   * Durable acks: before a vote or an edit is acknowledged, this many replicas must hold it
   * (WAIT), within waitMs. 0 = off. Default: 1 on a cluster, 0 on one Redis.
   */
  waitReplicas: number;
  waitMs: number;
  dataDir: string;
  adminPassword?: string;
  demo: boolean;
  logLevel: string;
  webBuildDir: string;
  /** Express 'trust proxy': false, a number of hops, or proxy addresses/CIDRs. */
  trustProxy: false | number | string[];
  hstsMaxAge: number;
  limits: FailureLimits;
  appendfsync: 'always' | 'everysec';
  dev: boolean;
  /** NODE_ENV=production: no demo unless LINLI_DEMO=1, and then random demo passwords. */
  production: boolean;
  /** LINLI_ROSTER_AREA_WARN_M2 in centiares. */
  rosterAreaWarnCentiares: number;
  /** Limits and timings of the live document server (LINLI_YJS_*). */
  yjs: DocLimits;
}

/** Failure limits (server/src/http/rate-limit.ts): failures free before delays start. */
export interface FailureLimits {
  /** Failures per address (all accounts and codes) before delays… */
  addressFailures: number;
  /** …plus this many per distinct success from that address (a hall behind one NAT). */
  failuresPerSuccess: number;
  /** Failed passwords per (account, address or known device). */
  accountAddressFailures: number;
  /** Failed passwords per account from everywhere; browsers that signed in to it before are exempt. */
  accountFailures: number;
  /** Seconds a failure is remembered (from the latest one). */
  windowSeconds: number;
  /** The first delay in seconds; it doubles with each further failure, up to maxDelaySeconds. */
  firstDelaySeconds: number;
  maxDelaySeconds: number;
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
    redisClusterNodes: c.REDIS_CLUSTER_NODES ? c.REDIS_CLUSTER_NODES.split(',').map((x) => x.trim()) : [],
    waitReplicas: c.LINLI_WAIT_REPLICAS ?? (c.REDIS_CLUSTER_NODES ? 1 : 0),
    waitMs: c.LINLI_WAIT_MS,
    dataDir: path.resolve(c.LINLI_DATA_DIR),
    adminPassword: c.LINLI_ADMIN_PASSWORD,
    demo: c.LINLI_DEMO ?? c.NODE_ENV !== 'production',
    logLevel: c.LINLI_LOG_LEVEL,
    webBuildDir: path.resolve(c.LINLI_WEB_BUILD ?? path.join(root, 'web/build')),
    trustProxy: c.LINLI_TRUST_PROXY,
    hstsMaxAge: c.LINLI_HSTS_MAX_AGE,
    limits: {
      addressFailures: c.LINLI_LIMIT_ADDRESS_FAILURES,
      failuresPerSuccess: c.LINLI_LIMIT_FAILURES_PER_SUCCESS,
      accountAddressFailures: c.LINLI_LIMIT_ACCOUNT_ADDRESS_FAILURES,
      accountFailures: c.LINLI_LIMIT_ACCOUNT_FAILURES,
      windowSeconds: c.LINLI_LIMIT_WINDOW,
      firstDelaySeconds: c.LINLI_LIMIT_FIRST_DELAY,
      maxDelaySeconds: c.LINLI_LIMIT_MAX_DELAY,
    },
    appendfsync: c.LINLI_REDIS_APPENDFSYNC,
    dev: c.NODE_ENV === 'development',
    production: c.NODE_ENV === 'production',
    rosterAreaWarnCentiares: Math.round(c.LINLI_ROSTER_AREA_WARN_M2 * 100),
    yjs: docLimitsOf(c),
  };
}
