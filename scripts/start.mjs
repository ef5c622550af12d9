#!/usr/bin/env node
// `npm start`: builds the web app if it is missing or older than its sources, makes sure
// redis-server is installed, then runs the server (which starts its own Redis unless REDIS_URL).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const dev = process.argv.includes('--dev');

function newest(dir) {
  let t = 0;
  if (!fs.existsSync(dir)) return t;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.') || e.name === 'paraglide') continue;
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

const handler = path.join(path.resolve(root, process.env.LINLI_WEB_BUILD ?? 'web/build'), 'handler.js');
const built = fs.existsSync(handler) ? fs.statSync(handler).mtimeMs : 0;
const sources = Math.max(newest(path.join(root, 'web/src')), newest(path.join(root, 'web/messages')), newest(path.join(root, 'shared/src')));
if (built < sources) {
  console.log(built ? 'web app sources changed: rebuilding…' : 'building the web app (first start)…');
  const r = spawnSync('npm', ['run', 'build', '-w', '@linli/web'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const sys = spawnSync(process.execPath, [path.join(root, 'scripts/ensure-system.mjs'), '--runtime', '--quiet'], { stdio: 'inherit' });
if (sys.status !== 0 && !process.env.REDIS_URL) process.exit(sys.status ?? 1);

const env = { ...process.env, ...(dev ? { NODE_ENV: 'development', LINLI_LOG_LEVEL: process.env.LINLI_LOG_LEVEL ?? 'debug' } : {}) };
const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'server/src/main.ts')], { cwd: root, env, stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
