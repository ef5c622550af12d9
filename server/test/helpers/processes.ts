/**
 * Real parts for tests: a private redis-server on a free port, and the Linli server as a child
 * process (exactly what `npm start` runs), each stopped after the test file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, pingRedis } from '../../src/redis/managed-redis.ts';
import { until } from './wait.ts';

export const ROOT = path.resolve(import.meta.dirname, '../../..');

export function tmpDir(prefix = 'linli-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface TestRedis {
  url: string;
  port: number;
  dir: string;
  proc: ChildProcess;
  stop(): Promise<void>;
  /** Kills it hard (an outage); `start()` brings it back on the same port and data. */
  kill(): Promise<void>;
  start(): Promise<void>;
}

export async function startRedis(opts: { port?: number; dir?: string } = {}): Promise<TestRedis> {
  const dir = opts.dir ?? tmpDir('linli-redis-');
  const r: TestRedis = {
    url: '',
    port: opts.port ?? 0,
    dir,
    proc: null as unknown as ChildProcess,
    async start() {
      // redis-server cannot bind port 0 and report it: a port picked beforehand may be taken in the
      // meantime (tests run side by side). Ours must be the one answering; else, a new port.
      // A restart (after kill) keeps its port and data: clients reconnect there.
      const fixed = opts.port !== undefined || r.url !== '';
      for (let attempt = 0; ; attempt++) {
        if (!fixed) r.port = await freePort();
        r.url = `redis://127.0.0.1:${r.port}`;
        const proc = spawn(
          'redis-server',
          ['--port', String(r.port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', ''],
          { stdio: 'ignore' },
        );
        r.proc = proc;
        const port = r.port;
        try {
          await until(
            () => {
              if (proc.exitCode !== null) throw new Error(`redis-server exited (port ${port} taken?)`);
              return pingRedis(port);
            },
            10_000,
            'redis-server',
          );
          if (proc.exitCode === null) return;
        } catch (err) {
          if (fixed || attempt >= 3) throw err;
        }
      }
    },
    async kill() {
      const p = r.proc;
      const exited = new Promise((res) => p.once('exit', res));
      p.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (r.proc.exitCode !== null || r.proc.signalCode !== null) return;
      const exited = new Promise((res) => r.proc.once('exit', res));
      r.proc.kill('SIGTERM');
      await exited;
    },
  };
  await r.start();
  return r;
}

export interface TestServer {
  url: string;
  port: number;
  proc: ChildProcess;
  logs: string[];
  /** Stops with SIGTERM and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** The admin password printed on first start, if any. */
  adminPassword?: string;
}

export interface ServerOptions {
  redisUrl?: string;
  dataDir?: string;
  env?: Record<string, string>;
  port?: number;
  /** Extra node flags before the script (e.g. --cpu-prof, which NODE_OPTIONS does not allow). */
  nodeArgs?: string[];
}

/**
 * Starts `node --import tsx server/src/main.ts` and waits until /healthz answers 200. Without a
 * fixed port the server binds port 0 and its log names the port the OS gave: no window in which
 * another process (tests run side by side) can take a port picked beforehand.
 */
export async function startServer(opts: ServerOptions = {}): Promise<TestServer> {
  let port = opts.port ?? 0;
  const logs: string[] = [];
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    PORT: String(port),
    HOST: '127.0.0.1',
    LINLI_DEMO: '0',
    LINLI_ADMIN_PASSWORD: 'admin-password-1',
    LINLI_LOG_LEVEL: 'info',
    CI: 'true',
    ...(opts.redisUrl ? { REDIS_URL: opts.redisUrl } : { REDIS_URL: '' }),
    LINLI_DATA_DIR: opts.dataDir ?? tmpDir('linli-data-'),
    ...opts.env,
  };
  const proc = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', path.join(ROOT, 'server/src/main.ts')], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const onData = (d: Buffer) => logs.push(...d.toString().split('\n').filter(Boolean));
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  const exited = new Promise<number | null>((res) => proc.once('exit', (code) => res(code)));
  let dead = false;
  void exited.then(() => (dead = true));
  try {
    await until(
      async () => {
        if (dead) throw new Error(`server exited during start:\n${logs.join('\n')}`);
        const listening = logs.map((l) => /is running at http:\/\/[^\s"]*?:(\d+)/.exec(l)?.[1]).find(Boolean);
        if (!listening) return false;
        port = Number(listening);
        try {
          return (await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200;
        } catch {
          return false;
        }
      },
      60_000,
      'the Linli server',
    );
  } catch (err) {
    // A server that never answered is not left running (it would hold its port and Redis).
    if (!dead) proc.kill('SIGKILL');
    throw err;
  }
  const pw = logs.map((l) => /password: (\S+)/.exec(l)?.[1]).find(Boolean);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    proc,
    logs,
    adminPassword: pw ?? opts.env?.LINLI_ADMIN_PASSWORD ?? 'admin-password-1',
    async stop(signal = 'SIGTERM') {
      if (dead) return proc.exitCode;
      proc.kill(signal);
      return exited;
    },
  };
}

/** `npm run verify -- <args>` as a person runs it (the README's command): exit code and everything printed. */
export function runVerify(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn('npm', ['run', '--silent', 'verify', '--', ...args], {
      cwd: ROOT,
      env: { ...process.env, npm_config_loglevel: 'silent' },
    });
    let out = '';
    p.stdout!.on('data', (d) => (out += d));
    p.stderr!.on('data', (d) => (out += d));
    p.on('exit', (code) => resolve({ code, out }));
  });
}
