#!/usr/bin/env node
// The participant page must ship ≤ 82 KB of JavaScript, gzipped (issue 8: old phones, slow networks;
// 80 KB until the questions tab with its live counts came to the phone, issue 19).
// Measured from the build: the client entry, the page's layouts and leaf, and every chunk they import
// statically (what the browser must fetch before the page works), each gzipped at level 9.
// Usage: node scripts/check-bundle-budget.mjs [routeId] [budgetKB]
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const ROUTE = process.argv[2] ?? '/m/[meetingId]';
const BUDGET_KB = Number(process.argv[3] ?? 82);
const web = path.join(import.meta.dirname, '..', 'web', '.svelte-kit');
const client = path.join(web, 'output', 'client');
const manifestFile = path.join(client, '.vite', 'manifest.json');
const appFile = path.join(web, 'generated', 'client-optimized', 'app.js');

if (!fs.existsSync(manifestFile) || !fs.existsSync(appFile)) {
  console.error('bundle budget: no build found; run `npm run build` first');
  process.exit(1);
}
const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
const app = fs.readFileSync(appFile, 'utf8');
const entry = new RegExp(`"${ROUTE.replace(/[[\]()/]/g, (c) => '\\' + c)}":\\s*\\[([-~]?\\d+)(?:,\\s*\\[([\\d,\\s]*)\\])?`).exec(app);
if (!entry) {
  console.error(`bundle budget: route ${ROUTE} not found in the build`);
  process.exit(1);
}
// Node 0 is the root layout, 1 the root error page; then the route's layouts and its leaf.
// A leaf with a server load is written `~16` (older kits: `-16`): the number is the node.
const node = (s) => Number(s.trim().replace(/^[-~]/, ''));
const nodes = new Set([
  0,
  1,
  node(entry[1]),
  ...(entry[2] ?? '')
    .split(',')
    .filter((s) => s.trim())
    .map(node),
]);
const roots = Object.keys(manifest).filter(
  (k) =>
    k.endsWith('/client/entry.js') ||
    k.endsWith('client-optimized/app.js') ||
    [...nodes].some((n) => k.endsWith(`client-optimized/nodes/${n}.js`)),
);

const files = new Map();
const visit = (key) => {
  const chunk = manifest[key];
  if (!chunk || files.has(chunk.file)) return;
  files.set(chunk.file, key);
  for (const dep of chunk.imports ?? []) visit(dep);
};
roots.forEach(visit);

let total = 0;
const rows = [...files.keys()].map((file) => {
  const gz = zlib.gzipSync(fs.readFileSync(path.join(client, file)), { level: 9 }).length;
  total += gz;
  return { file, gz };
});
rows.sort((a, b) => b.gz - a.gz);
for (const r of rows.slice(0, 8)) console.log(`  ${(r.gz / 1024).toFixed(1).padStart(6)} KB  ${r.file}`);
const kb = total / 1024;
console.log(`bundle budget: ${ROUTE} ships ${kb.toFixed(1)} KB of JavaScript gzipped in ${rows.length} files (budget ${BUDGET_KB} KB)`);
if (kb > BUDGET_KB) {
  console.error(`bundle budget: OVER by ${(kb - BUDGET_KB).toFixed(1)} KB`);
  process.exit(1);
}
