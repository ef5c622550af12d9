#!/usr/bin/env node
// `npm run bench`: runs every scripts/bench/*.bench.{mjs,ts} in turn. Each prints its own figures,
// as ratios against a baseline measured in the same run where it can. Nothing here asserts times.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const dir = path.join(import.meta.dirname, 'bench');
const only = process.argv[2];
const files = fs
  .readdirSync(dir)
  .filter((f) => /\.bench\.(mjs|ts)$/.test(f) && (!only || f.includes(only)))
  .sort();
let failed = 0;
for (const f of files) {
  console.log(`\n=== ${f} ===`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(dir, f)], { stdio: 'inherit', cwd: path.resolve(dir, '../..') });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
