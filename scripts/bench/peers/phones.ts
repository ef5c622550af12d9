// Shared pieces of the votes and joins workloads of `npm run bench -- peers`: a private
// redis-server with the managed Redis's durability (append-only file, fsync on every write), many
// Socket.IO phones, percentiles, and the CPU and memory of a process read from /proc. The vote and
// join modules start what they need from here and stop it; nothing here asserts times.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { io as ioc, type Socket } from 'socket.io-client';
import { freePort, pingRedis } from '../../../server/src/redis/managed-redis.ts';
import { ROOT, tmpDir } from '../../../server/test/helpers/processes.ts';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The p-th percentile (nearest rank) of `xs`; NaN for none. */
export const pct = (xs: readonly number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
};
export const median = (xs: readonly number[]) => pct(xs, 50);

export interface BenchRedis {
  url: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

/** A private redis-server as the managed one runs: AOF with appendfsync always. */
export async function startBenchRedis(): Promise<BenchRedis> {
  const port = await freePort();
  const proc = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      tmpDir('linli-peers-redis-'),
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--save',
      '',
    ],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 200 && !(await pingRedis(port)); i++) await sleep(50);
  return {
    url: `redis://127.0.0.1:${port}`,
    proc,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

/** One phone: a Socket.IO client over WebSocket with the session cookie, as the web app connects. */
export function connect(url: string, cookie = ''): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = ioc(url, {
      path: '/socket.io',
      transports: ['websocket'],
      extraHeaders: cookie ? { cookie } : {},
      reconnection: false,
      timeout: 30_000,
    });
    s.once('connect', () => resolve(s));
    s.once('connect_error', reject);
  });
}

/** Connects one phone per cookie, `batch` at a time. */
export async function connectAll(url: string, cookies: readonly string[], batch = 200): Promise<Socket[]> {
  const out: Socket[] = [];
  for (let i = 0; i < cookies.length; i += batch) out.push(...(await Promise.all(cookies.slice(i, i + batch).map((c) => connect(url, c)))));
  return out;
}

/** Resident memory of a process in MB. */
export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** CPU time (user + system) a process has used so far, in ms. */
export function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

/** The one-minute load average, printed beside every figure. */
export const loadAverage = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** A TypeScript child process (`node --import tsx file`) that prints `ready <port>` when listening. */
export async function startTsChild(
  file: string,
  env: Record<string, string>,
  nodeArgs: string[] = [],
): Promise<{ proc: ChildProcess; port: number; logs: string[]; stop(): Promise<void> }> {
  const proc = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path.join(ROOT, file)], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (d: Buffer) => {
      for (const line of d.toString().split('\n').filter(Boolean)) {
        logs.push(line);
        const m = /^ready (\d+)/.exec(line);
        if (m) resolve(Number(m[1]));
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`${file} exited (${code}):\n${logs.join('\n')}`)));
  });
  return {
    proc,
    port,
    logs,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    },
  };
}
