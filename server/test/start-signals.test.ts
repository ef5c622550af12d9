/**
 * `npm start` under a process manager: SIGTERM to the start script's own process, or to the
 * `npm start` process in front of it (whose shell used to die without passing the signal on),
 * stops everything within 10 s: the port is free again and the managed redis-server is gone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../src/redis/managed-redis.ts';
import { ROOT, tmpDir } from './helpers/processes.ts';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
async function until(test: () => Promise<boolean> | boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await test()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return test();
}

/** Starts the app as an operator would (`node scripts/start.mjs`, or `npm start`), managed Redis included. */
async function start(cmd: 'node' | 'npm'): Promise<{ proc: ChildProcess; port: number; redisPid: number; logs: string[] }> {
  const port = await freePort();
  const dataDir = tmpDir('linli-start-');
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    PORT: String(port),
    HOST: '127.0.0.1',
    LINLI_DEMO: '0',
    LINLI_DATA_DIR: dataDir,
    LINLI_ADMIN_PASSWORD: 'admin-password-1',
    LINLI_NO_BUILD: '1',
    REDIS_URL: '',
  };
  delete env.REDIS_URL;
  const proc =
    cmd === 'node'
      ? spawn(process.execPath, ['scripts/start.mjs'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn('npm', ['start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: string[] = [];
  proc.stdout!.on('data', (d: Buffer) => logs.push(d.toString()));
  proc.stderr!.on('data', (d: Buffer) => logs.push(d.toString()));
  const up = await until(async () => {
    try {
      return (await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200;
    } catch {
      return false;
    }
  }, 90_000);
  if (!up) throw new Error(`did not start:\n${logs.join('')}`);
  const { pid } = JSON.parse(fs.readFileSync(path.join(dataDir, 'linli-redis.json'), 'utf8')) as { pid: number };
  expect(alive(pid)).toBe(true);
  return { proc, port, redisPid: pid, logs };
}

describe('npm start and signals', () => {
  it('SIGTERM to `node scripts/start.mjs` frees the port and stops its redis-server within 10 s', async () => {
    const app = await start('node');
    const t = Date.now();
    app.proc.kill('SIGTERM');
    const stopped = await until(async () => !alive(app.redisPid) && (await portFree(app.port)) && app.proc.exitCode !== null, 10_000);
    console.log(`node scripts/start.mjs: everything stopped ${Date.now() - t} ms after SIGTERM`);
    expect(stopped, app.logs.join('')).toBe(true);
    expect(app.proc.exitCode).toBe(0);
  }, 150_000);

  it('SIGTERM to the `npm start` process does the same (the server is not left holding the port)', async () => {
    const app = await start('npm');
    const t = Date.now();
    app.proc.kill('SIGTERM');
    const stopped = await until(async () => !alive(app.redisPid) && (await portFree(app.port)), 10_000);
    console.log(`npm start: everything stopped ${Date.now() - t} ms after SIGTERM`);
    expect(stopped, app.logs.join('')).toBe(true);
  }, 150_000);
});
