#!/usr/bin/env node
// Installs what the machine lacks for Linli: redis-server and fonts-noto-cjk (always: the server
// draws the consultation PDFs with NotoSansCJK-Regular.ttc), and for tests Chromium. As root it
// uses apt-get; otherwise it names the command to run and exits 1 (at --runtime a missing font
// only warns: the server runs, and the PDF routes answer with a clear error until it is installed), and
// nginx for `npm run test:cluster` (the load balancer in front of three processes).
// Usage: node scripts/ensure-system.mjs [--runtime] [--quiet]
import { spawnSync } from 'node:child_process';

const runtimeOnly = process.argv.includes('--runtime');
const quiet = process.argv.includes('--quiet');

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
// The PDFs need the Sans Regular collection file itself (STACK.md), not just any CJK font.
const hasCjkFont = () =>
  spawnSync(
    'sh',
    [
      '-c',
      'ls /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc >/dev/null 2>&1 || fc-list :lang=zh file 2>/dev/null | grep -q NotoSansCJK-Regular',
    ],
    { stdio: 'ignore' },
  ).status === 0;

const wanted = [
  { pkg: 'redis-server', ok: () => has('redis-server') },
  { pkg: 'fonts-noto-cjk', ok: hasCjkFont, optionalAtRuntime: true },
];
if (!runtimeOnly) {
  wanted.push({ pkg: 'chromium', ok: () => has('chromium') || has('chromium-browser') });
  wanted.push({
    pkg: 'nginx',
    ok: () => has('nginx') || spawnSync('sh', ['-c', 'test -x /usr/sbin/nginx'], { stdio: 'ignore' }).status === 0,
  });
}
const missing = wanted.filter((w) => !w.ok()).map((w) => w.pkg);
if (missing.length === 0) {
  if (!quiet) console.log('system packages: all present (redis-server, fonts-noto-cjk' + (runtimeOnly ? '' : ', chromium, nginx') + ')');
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
const fatal = wanted.filter((w) => missing.includes(w.pkg) && !(runtimeOnly && w.optionalAtRuntime));
if (fatal.length === 0)
  console.error('(fonts-noto-cjk: the server starts, but ballot papers, notices and other PDFs fail until it is installed)');
process.exit(fatal.length ? 1 : 0);
