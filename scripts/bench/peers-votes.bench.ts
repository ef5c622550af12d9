// `npm run bench -- peers-votes`: the vote-storm and join/presence rows of the peers table on their
// own (the full `npm run bench -- peers` prints them with the document rows). BENCH_PEERS_PART=votes
// or =joins runs one half. Exits non-zero when a run lost or doubled anything.
import { printPeerTable, type PeerRow } from './peers/table.ts';
import { runJoinRows } from './peers/joins.ts';
import { runVoteRows } from './peers/votes.ts';
import { loadAverage } from './peers/phones.ts';

const part = process.env.BENCH_PEERS_PART;
const rows: PeerRow[] = [];
if (part !== 'joins') rows.push(...(await runVoteRows()));
if (part !== 'votes') rows.push(...(await runJoinRows()));
console.log(`\nLinli beside the bare ceiling and the targets (load average ${loadAverage()})`);
process.exit(printPeerTable(rows) ? 0 : 1);
