/** `npm start` without REDIS_URL: the private redis-server, its life cycle, and shutdown. */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, startServer, tmpDir } from './helpers/processes.ts';
import { pingRedis } from '../src/redis/managed-redis.ts';
import { until } from './helpers/wait.ts';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const state = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'linli-redis.json'), 'utf8')) as { pid: number; port: number };

describe('managed redis-server', () => {
  it('starts Redis with an append-only file, stops it on SIGTERM, exits 0 within 10 s', async () => {
    const dir = tmpDir();
    const s = await startServer({ dataDir: dir });
    const { pid, port } = state(dir);
    expect(await pingRedis(port)).toBe(true);
    // Data survives: the append-only file is on.
    await until(() => fs.existsSync(path.join(dir, 'appendonlydir')), 5000);
    const t0 = Date.now();
    const code = await s.stop('SIGTERM');
    expect(code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
    await until(() => !alive(pid), 5000);
    expect(fs.existsSync(path.join(dir, 'linli-redis.json'))).toBe(false);
  });

  it('after a hard kill, the next start reuses the leftover Redis and keeps the data', async () => {
    const dir = tmpDir();
    const first = await startServer({ dataDir: dir });
    const { pid } = state(dir);
    await first.stop('SIGKILL');
    expect(alive(pid)).toBe(true); // orphaned, as after a power cut of the Node process
    const second = await startServer({ dataDir: dir });
    expect(second.logs.join('\n')).toContain('reusing the redis-server');
    expect(state(dir).pid).toBe(pid);
    // The admin created on the first start still signs in: same data.
    const r = await fetch(`${second.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'admin', password: 'admin-password-1' }),
    });
    expect(r.status).toBe(200);
    expect(await second.stop()).toBe(0);
    await until(() => !alive(pid), 5000);
  });

  it('restarts Redis on the same port and data when it dies while the server runs', async () => {
    const dir = tmpDir();
    const s = await startServer({ dataDir: dir });
    const before = state(dir);
    process.kill(before.pid, 'SIGKILL');
    await until(async () => (await fetch(`${s.url}/healthz`)).status === 503, 5000).catch(() => {});
    await until(async () => (await fetch(`${s.url}/healthz`)).status === 200 && state(dir).pid !== before.pid, 15_000);
    expect(state(dir).port).toBe(before.port);
    expect(s.logs.join('\n')).toMatch(/redis-server died: restarting/);
    expect(await s.stop()).toBe(0);
  });

  it('prints the first admin password once when none is configured', async () => {
    const dir = tmpDir();
    const s = await startServer({ dataDir: dir, env: { LINLI_ADMIN_PASSWORD: '' } });
    const line = s.logs.find((l) => l.includes('password:'));
    expect(line).toBeDefined();
    const pw = /password: (\S+)/.exec(line!)![1]!;
    const r = await fetch(`${s.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'admin', password: pw }),
    });
    expect(r.status).toBe(200);
    await s.stop();
  });

  it('refuses to start on a bad configuration value, naming it', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/src/main.ts')], {
      cwd: ROOT,
      env: { ...process.env, PORT: 'not-a-port', REDIS_URL: 'http://wrong' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code).toBe(2);
    expect(out).toContain('PORT');
    expect(out).toContain('REDIS_URL');
  });
});
