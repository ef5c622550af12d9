/** `npm run linli -- …` spawned for real: admin accounts, passwords and roster imports. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { ROOT, startRedis, startServer, tmpDir, type TestRedis, type TestServer } from './helpers/processes.ts';
import { Client } from './helpers/http-client.ts';
import { buildXlsx } from './helpers/xlsx.ts';

function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/src/cli/cli.ts'), ...args], {
      cwd: ROOT,
      env: { ...(process.env as Record<string, string>), CI: 'true', LINLI_ADMIN_PASSWORD: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('exit', (code) => resolve({ code, out, err }));
  });
}

describe('CLI', () => {
  let redis: TestRedis;
  let srv: TestServer;
  let admin: Client;
  let env: Record<string, string>;

  beforeAll(async () => {
    redis = await startRedis();
    srv = await startServer({ redisUrl: redis.url });
    admin = new Client(srv.url);
    await admin.login('admin', srv.adminPassword!);
    env = { REDIS_URL: redis.url };
  });
  afterAll(async () => {
    await srv?.stop();
    await redis?.stop();
  });

  it('imports a GBK CSV: dry run writes nothing, then the same service as the API writes it', async () => {
    const cid = (await admin.post('/api/communities', { name: '命令行小区' })).body.community.id;
    const dir = tmpDir();
    const file = path.join(dir, '名册.csv');
    fs.writeFileSync(
      file,
      iconv.encode('楼栋,单元,房号,面积,业主\r\n1,1,101,88.50,张伟\r\n1,1,102,88.555,王芳\r\n1,1,103,120,李娜\r\n', 'gbk'),
    );

    const dry = await cli(['import-households', cid, file, '--dry-run', '--json'], env);
    expect(dry.code, dry.err).toBe(0);
    expect(JSON.parse(dry.out)).toEqual({
      created: 2,
      updated: 0,
      unchanged: 0,
      rejected: [{ line: 3, code: 'invalid_area', message: expect.any(String), fields: ['area'], value: '88.555' }],
      warnings: [],
      dryRun: true,
    });
    expect((await admin.get(`/api/communities/${cid}/households`)).body.households).toEqual([]);

    const real = await cli(['import-households', cid, file], env);
    expect(real.code, real.err).toBe(0);
    expect(real.out).toMatch(/created 新增 2, updated 更新 0, unchanged 未变 0, rejected 拒绝 1/);
    expect(real.out).toContain('line 3: invalid_area');
    const hh = (await admin.get(`/api/communities/${cid}/households`)).body.households;
    expect(hh.map((h: any) => [h.room, h.owner, h.areaCentiares])).toEqual([
      ['101', '张伟', 8850],
      ['103', '李娜', 12000],
    ]);

    const xlsx = path.join(dir, 'roster.xlsx');
    fs.writeFileSync(
      xlsx,
      buildXlsx([
        ['楼栋', '单元', '房号', '面积', '业主'],
        [1, 1, 101, 88.5, '张伟'],
        [1, 1, 103, 120, '李娜'],
      ]),
    );
    const again = await cli(['import-households', cid, xlsx, '--json'], env);
    expect(JSON.parse(again.out)).toMatchObject({ created: 0, updated: 0, unchanged: 2 });

    const unknown = await cli(['import-households', 'no-such-community', file], env);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('not_found');
    const usage = await cli(['import-households'], env);
    expect(usage.code).toBe(2);
    expect(usage.err).toContain('Usage');
  });

  it('creates an admin and resets a password; the server accepts them', async () => {
    const made = await cli(['create-admin', 'boss'], { ...env, LINLI_ADMIN_PASSWORD: 'boss-password-1' });
    expect(made.code, made.err).toBe(0);
    await new Client(srv.url).login('boss', 'boss-password-1');
    expect((await cli(['create-admin', 'boss'], env)).code).toBe(1);

    const reset = await cli(['reset-password', 'boss'], env);
    expect(reset.code, reset.err).toBe(0);
    const pw = /Password: (\S+)/.exec(reset.out)?.[1];
    expect(pw).toBeTruthy();
    expect((await new Client(srv.url).post('/api/auth/login', { login: 'boss', password: 'boss-password-1' })).status).toBe(401);
    const c = new Client(srv.url);
    await c.login('boss', pw!);
    expect((await c.get('/api/me')).body.user).toMatchObject({ login: 'boss', isAdmin: true });
    const given = await cli(['reset-password', 'boss', '--password', 'chosen-pass-9'], env);
    expect(given.out).not.toContain('chosen-pass-9');
    await new Client(srv.url).login('boss', 'chosen-pass-9');
    expect((await cli(['reset-password', 'nobody'], env)).code).toBe(1);
  });

  it('without REDIS_URL uses the managed Redis of the data dir, and leaves none running', async () => {
    const dataDir = tmpDir('linli-cli-data-');
    const made = await cli(['create-admin', 'root'], { REDIS_URL: '', LINLI_DATA_DIR: dataDir });
    expect(made.code, made.err).toBe(0);
    const pw = /Password: (\S+)/.exec(made.out)![1]!;
    expect(pw).toHaveLength(16);
    expect(fs.existsSync(path.join(dataDir, 'linli-redis.json'))).toBe(false);
    // The account was written to the append-only file: a server on that data dir knows it.
    const s = await startServer({ dataDir, env: { LINLI_ADMIN_PASSWORD: 'admin-password-1' } });
    try {
      await new Client(s.url).login('root', pw);
      // While the server runs, the CLI reuses its Redis and leaves it running.
      const reset = await cli(['reset-password', 'root', '--password', 'root-pass-22'], { REDIS_URL: '', LINLI_DATA_DIR: dataDir });
      expect(reset.code, reset.err).toBe(0);
      await new Client(s.url).login('root', 'root-pass-22');
      expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    } finally {
      await s.stop();
    }
  });
});
