// The one table `npm run bench -- peers` prints: per workload, Linli's figure, the peer's figure
// measured in the same run, and the ratio (Linli / peer). A row that lost or doubled anything makes
// the bench exit non-zero. Each workload module (docs.ts, votes.ts, joins.ts) returns rows.

export interface PeerRow {
  /** e.g. "docs 200×5/s", "votes 2,000", "joins 1,000 in 1 s". */
  workload: string;
  /** e.g. "p99 propagation", "storm total", "ack p99", "CPU". */
  metric: string;
  unit: 'ms' | '%' | 'MB' | 'KiB' | '/s' | string;
  linli: number;
  /** The peer or ceiling measured in the same run (NaN where there is none, e.g. 5,000 presence). */
  peer: number;
  /** Who the peer is: "Hocuspocus 4.7", "bare Socket.IO + Lua", "target". */
  peerName: string;
  /** Updates or votes acknowledged but missing at the end (Linli's side). */
  lost?: number;
  /** Votes counted twice (Linli's side). */
  doubled?: number;
}

const fmt = (n: number) => (Number.isNaN(n) ? '–' : n >= 100 ? Math.round(n).toLocaleString('en') : n.toFixed(n >= 10 ? 1 : 2));

/** Prints the rows as one aligned table; returns true when nothing was lost or doubled. */
export function printPeerTable(rows: PeerRow[]): boolean {
  const head = ['workload', 'metric', 'Linli', 'peer', 'ratio', 'peer is', 'lost', 'doubled'];
  const body = rows.map((r) => [
    r.workload,
    r.metric,
    `${fmt(r.linli)} ${r.unit}`,
    `${fmt(r.peer)} ${Number.isNaN(r.peer) ? '' : r.unit}`.trim(),
    Number.isNaN(r.peer) || r.peer === 0 ? '–' : `${(r.linli / r.peer).toFixed(2)}×`,
    r.peerName,
    String(r.lost ?? 0),
    String(r.doubled ?? 0),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const b of body) console.log(line(b));
  return rows.every((r) => !r.lost && !r.doubled);
}
