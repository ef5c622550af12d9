#!/usr/bin/env node
// Installs what the machine lacks for Linli: redis-server (always), and for tests Chromium and
// CJK fonts, and nginx for `npm run test:cluster` (the load balancer in front of three processes). As root it uses apt-get; otherwise it names the command to run and exits 1.
// Usage: node scripts/ensure-system.mjs [--runtime] [--quiet]
import { spawnSync } from 'node:child_process';

const runtimeOnly = process.argv.includes('--runtime');
const quiet = process.argv.includes('--quiet');

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const hasCjkFont = () =>
  spawnSync('sh', ['-c', 'fc-list 2>/dev/null | grep -qi "Noto Sans CJK\\|Noto Serif CJK"'], { stdio: 'ignore' }).status === 0 ||
  spawnSync('sh', ['-c', 'ls /usr/share/fonts/opentype/noto/NotoSansCJK* >/dev/null 2>&1'], { stdio: 'ignore' }).status === 0;

const wanted = [{ pkg: 'redis-server', ok: () => has('redis-server') }];
if (!runtimeOnly) {
  wanted.push({ pkg: 'chromium', ok: () => has('chromium') || has('chromium-browser') });
  wanted.push({ pkg: 'fonts-noto-cjk', ok: hasCjkFont });
  wanted.push({ pkg: 'nginx', ok: () => has('nginx') || spawnSync('sh', ['-c', 'test -x /usr/sbin/nginx'], { stdio: 'ignore' }).status === 0 });
}
const missing = wanted.filter((w) => !w.ok()).map((w) => w.pkg);
if (missing.length === 0) {
  if (!quiet) console.log('system packages: all present (redis-server' + (runtimeOnly ? '' : ', chromium, fonts-noto-cjk, nginx') + ')');
  process.exit(0);
}

const cmd = `apt-get update && apt-get install -y ${missing.join(' ')}`;
if (process.getuid?.() === 0 && has('apt-get')) {
  console.log(`installing missing system packages: ${missing.join(', ')}`);
  const r = spawnSync('sh', ['-c', `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${missing.join(' ')}`], {
    stdio: 'inherit',
  });
  if (r.status !== 0) {
    console.error(`apt-get failed; run it yourself:\n  ${cmd}`);
    process.exit(1);
  }
  process.exit(0);
}
console.error(`Missing system packages: ${missing.join(', ')}. Install them with:\n  sudo ${cmd}`);
process.exit(1);
