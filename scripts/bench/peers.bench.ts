// `npm run bench -- peers`: Linli beside its peers in one run and one table (issue 16): documents
// against stock Hocuspocus (peers/docs.ts), vote storms against a bare Socket.IO + Lua ceiling
// (peers/votes.ts) and joins / presence (peers/joins.ts). Each workload module starts and stops
// what it needs. Exits non-zero when any row lost or doubled anything. Nothing here asserts times.
// BENCH_PEERS=docs,votes,joins picks workloads.
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { printPeerTable, type PeerRow } from './peers/table.ts';

const only = (process.env.BENCH_PEERS ?? 'docs,votes,joins').split(',');
const load = () =>
  execSync('uptime')
    .toString()
    .trim()
    .replace(/^.*load/, 'load');

/** A workload module and the function in it; absent modules (not written yet) give a "not yet" row. */
const workloads: { key: string; file: string; fn: string }[] = [
  { key: 'docs', file: 'docs.ts', fn: 'runDocRows' },
  { key: 'votes', file: 'votes.ts', fn: 'runVoteRows' },
  { key: 'joins', file: 'joins.ts', fn: 'runJoinRows' },
];

const rows: PeerRow[] = [];
let failed = false;
console.log(`start: ${load()}`);
for (const w of workloads.filter((x) => only.includes(x.key))) {
  const file = path.join(import.meta.dirname, 'peers', w.file);
  const notYet = (why: string): PeerRow => ({ workload: w.key, metric: `not yet: ${why}`, unit: '', linli: NaN, peer: NaN, peerName: '–' });
  if (!fs.existsSync(file)) {
    rows.push(notYet(`peers/${w.file} missing`));
    continue;
  }
  try {
    const mod = (await import(file)) as Record<string, () => Promise<PeerRow[]>>;
    const run = mod[w.fn];
    if (typeof run !== 'function') {
      rows.push(notYet(`${w.fn} not exported`));
      continue;
    }
    console.log(`\n--- ${w.key} (${load()})`);
    rows.push(...(await run()));
  } catch (err) {
    failed = true;
    console.error(`${w.key} failed:`, err);
    rows.push(notYet(`failed: ${(err as Error).message.slice(0, 60)}`));
  }
}
console.log(`\nend: ${load()}\n`);
const clean = printPeerTable(rows);
if (!clean) console.log('\nSome row lost or doubled something: failing.');
process.exit(clean && !failed ? 0 : 1);
