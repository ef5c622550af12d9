#!/usr/bin/env node
// `npm test`: system packages → build → every vitest project (unit, integration against a real
// Redis, Chromium end to end) → the phone page's JavaScript budget → typecheck → lint. Ends with one summary line.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const run = (cmd, args) =>
  spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, FORCE_COLOR: process.env.CI ? '0' : '1' } }).status ?? 1;
const extra = process.argv.slice(2);

if (run(process.execPath, ['scripts/ensure-system.mjs']) !== 0) process.exit(1);
if (run('npm', ['run', 'build', '-w', '@linli/web']) !== 0) process.exit(1);

const report = path.join(root, 'test-results/vitest.json');
fs.mkdirSync(path.dirname(report), { recursive: true });
fs.rmSync(report, { force: true });
const vitest = run(process.execPath, [
  'node_modules/vitest/vitest.mjs',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
  ...extra,
]);
const budget = run(process.execPath, ['scripts/check-bundle-budget.mjs']);
// Static checks count as tests too: types across the three packages (tsc, svelte-check) and lint.
const typecheck = run('npm', ['run', '--silent', 'typecheck']);
const lint = run('npm', ['run', '--silent', 'lint']);

let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const r = JSON.parse(fs.readFileSync(report, 'utf8'));
  passed = r.numPassedTests;
  failed = r.numFailedTests + (r.numTotalTestSuites > 0 && r.success === false && r.numFailedTests === 0 ? 1 : 0);
  skipped = r.numPendingTests + r.numTodoTests;
} catch {
  failed += 1;
}
for (const [name, code] of [
  ['bundle budget', budget],
  ['typecheck', typecheck],
  ['lint', lint],
]) {
  if (code !== 0) {
    failed += 1;
    console.error(`${name} failed`);
  }
}
console.log(`\nTests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(vitest !== 0 || budget !== 0 || typecheck !== 0 || lint !== 0 || passed === 0 ? 1 : 0);
