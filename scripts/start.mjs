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
const sources = Math.max(
  newest(path.join(root, 'web/src')),
  newest(path.join(root, 'web/messages')),
  newest(path.join(root, 'shared/src')),
);
// LINLI_NO_BUILD=1: serve the build as it is (tests of the process itself; a read-only install).
if (built < sources && !(built && process.env.LINLI_NO_BUILD === '1')) {
  console.log(built ? 'web app sources changed: rebuilding…' : 'building the web app (first start)…');
  const r = spawnSync('npm', ['run', 'build', '-w', '@linli/web'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const sys = spawnSync(process.execPath, [path.join(root, 'scripts/ensure-system.mjs'), '--runtime', '--quiet'], { stdio: 'inherit' });
if (sys.status !== 0 && !process.env.REDIS_URL) process.exit(sys.status ?? 1);

const env = { ...process.env, ...(dev ? { NODE_ENV: 'development', LINLI_LOG_LEVEL: process.env.LINLI_LOG_LEVEL ?? 'debug' } : {}) };
const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'server/src/main.ts')], { cwd: root, env, stdio: 'inherit' });

// Stopping: a process manager sends SIGTERM to this process (or to `npm start`, whose shell may
// die without passing it on: then this process is orphaned, and notices). The server gets the
// signal and stops its Redis itself; whatever still runs after STOP_MS is killed, the managed
// Redis included (its pid is in the data dir), so the port and the data are free within 10 s.
const STOP_MS = 8500;
const dataDir = path.resolve(root, process.env.LINLI_DATA_DIR ?? 'data');
let stopping = false;
function stop(sig) {
  if (stopping) return;
  stopping = true;
  if (child.exitCode === null && child.signalCode === null) child.kill(sig);
  setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    killManagedRedis();
    process.exit(1);
  }, STOP_MS).unref();
}
function killManagedRedis() {
  if (process.env.REDIS_URL) return;
  try {
    const { pid } = JSON.parse(fs.readFileSync(path.join(dataDir, 'linli-redis.json'), 'utf8'));
    if (Number.isInteger(pid) && pid > 0) process.kill(pid, 'SIGKILL');
  } catch {
    /* no state file: Redis was stopped */
  }
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => stop(sig === 'SIGHUP' ? 'SIGTERM' : sig));
// Orphaned (the parent `npm start` or its shell was killed): stop as if told to.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) stop('SIGTERM');
}, 500).unref();
child.on('exit', (code, signal) => process.exit(stopping ? (code ?? 0) : (code ?? (signal ? 0 : 1))));
