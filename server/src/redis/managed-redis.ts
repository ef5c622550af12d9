/**
 * A private redis-server for `npm start` when REDIS_URL is unset: 127.0.0.1, a free port, data and
 * append-only file in the data dir. Stopped on exit; a leftover one from a hard kill is found by its
 * state file and reused (or stopped); restarted on the same data and port if it dies while we run.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from '../logger.ts';

interface StateFile {
  pid: number;
  port: number;
}

export interface ManagedRedisOptions {
  dataDir: string;
  appendfsync: 'always' | 'everysec';
  logger: Logger;
}

/** Finds redis-server, installing it with apt-get when we are root; otherwise explains how. */
export function ensureRedisServerBinary(logger: Logger): string {
  const found = which('redis-server');
  if (found) return found;
  if (process.getuid?.() === 0 && which('apt-get')) {
    logger.warn('redis-server is missing: installing it with apt-get (once)');
    const r = spawnSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server'], {
      stdio: 'inherit',
    });
    const again = r.status === 0 ? which('redis-server') : null;
    if (again) return again;
  }
  throw new Error(
    'redis-server is not installed. Install it with:\n  sudo apt-get install -y redis-server\nor set REDIS_URL to an existing Redis.',
  );
}

function which(cmd: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  const out = r.stdout.trim();
  return r.status === 0 && out ? out : null;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Sends PING over a raw socket: true when a Redis answers PONG within `ms`. */
export function pingRedis(port: number, ms = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(ms, () => done(false));
    sock.on('error', () => done(false));
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => done(d.toString().includes('PONG')));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(test: () => Promise<boolean> | boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await test()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

export class ManagedRedis {
  readonly #opts: ManagedRedisOptions;
  readonly #stateFile: string;
  #child: ChildProcess | null = null;
  #pid = 0;
  #port = 0;
  #stopping = false;
  #bin = '';

  constructor(opts: ManagedRedisOptions) {
    this.#opts = opts;
    this.#stateFile = path.join(opts.dataDir, 'linli-redis.json');
  }

  get url(): string {
    return `redis://127.0.0.1:${this.#port}`;
  }
  get port(): number {
    return this.#port;
  }
  get pid(): number {
    return this.#pid;
  }
  /** True when start() found a redis-server left running (e.g. by `npm start`) and reused it. */
  get adopted(): boolean {
    return this.#pid !== 0 && this.#child === null;
  }

  /** Starts (or adopts a leftover) redis-server and resolves once it answers PING. */
  async start(): Promise<string> {
    const log = this.#opts.logger;
    fs.mkdirSync(this.#opts.dataDir, { recursive: true });
    this.#bin = ensureRedisServerBinary(log);
    const left = this.#readState();
    if (left && alive(left.pid)) {
      if (await pingRedis(left.port)) {
        log.info({ pid: left.pid, port: left.port }, 'reusing the redis-server left running by an earlier start');
        this.#pid = left.pid;
        this.#port = left.port;
        this.#watchAdopted();
        return this.url;
      }
      log.warn({ pid: left.pid }, 'stopping a leftover redis-server that does not answer');
      await this.#killPid(left.pid);
    }
    this.#port = left?.port && (await portFree(left.port)) ? left.port : await freePort();
    await this.#spawn();
    return this.url;
  }

  async #spawn(): Promise<void> {
    const dir = this.#opts.dataDir;
    const args = [
      '--port',
      String(this.#port),
      '--bind',
      '127.0.0.1',
      '--protected-mode',
      'yes',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      this.#opts.appendfsync,
      '--save',
      '',
      '--daemonize',
      'no',
      '--logfile',
      path.join(dir, 'redis.log'),
    ];
    // Own process group: a Ctrl-C in the terminal reaches us, and we stop Redis after a flush.
    const child = spawn(this.#bin, args, { stdio: 'ignore', detached: true });
    this.#child = child;
    this.#pid = child.pid ?? 0;
    fs.writeFileSync(this.#stateFile, JSON.stringify({ pid: this.#pid, port: this.#port } satisfies StateFile));
    child.on('exit', (code, signal) => {
      if (this.#child !== child) return;
      this.#child = null;
      if (this.#stopping) return;
      this.#opts.logger.error({ code, signal }, 'managed redis-server died: restarting it on the same data and port');
      setTimeout(() => void this.#respawn(), 200);
    });
    const up = await waitFor(() => pingRedis(this.#port), 15_000);
    if (!up) throw new Error(`redis-server did not answer on 127.0.0.1:${this.#port} (see ${path.join(dir, 'redis.log')})`);
    this.#opts.logger.info({ port: this.#port, pid: this.#pid, dir }, 'managed redis-server is up');
  }

  async #respawn(): Promise<void> {
    if (this.#stopping) return;
    try {
      await this.#spawn();
      this.#opts.logger.info('managed redis-server restarted');
    } catch (err) {
      this.#opts.logger.error({ err }, 'could not restart redis-server; retrying');
      setTimeout(() => void this.#respawn(), 1000);
    }
  }

  /** An adopted process is not our child: poll it, and respawn if it goes away. */
  #watchAdopted(): void {
    const timer = setInterval(() => {
      if (this.#stopping || this.#child) return clearInterval(timer);
      if (!alive(this.#pid)) {
        clearInterval(timer);
        this.#opts.logger.error('adopted redis-server died: restarting it on the same data and port');
        void this.#respawn();
      }
    }, 1000);
    timer.unref();
  }

  async #killPid(pid: number): Promise<void> {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      return;
    }
    if (!(await waitFor(() => !alive(pid), 8000))) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }

  /** Stops Redis (SIGTERM lets it finish the AOF) and removes the state file. */
  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.#pid) await this.#killPid(this.#pid);
    try {
      fs.rmSync(this.#stateFile);
    } catch {
      /* fine */
    }
  }

  /** Synchronous last resort for process 'exit' (a crash): signal Redis so it is not orphaned. */
  stopSync(): void {
    this.#stopping = true;
    if (this.#pid && alive(this.#pid)) {
      try {
        process.kill(this.#pid, 'SIGTERM');
      } catch {
        /* gone */
      }
    }
  }

  #readState(): StateFile | null {
    try {
      const s = JSON.parse(fs.readFileSync(this.#stateFile, 'utf8')) as StateFile;
      return Number.isInteger(s.pid) && Number.isInteger(s.port) ? s : null;
    } catch {
      return null;
    }
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}
