/**
 * `npm run verify -- <audit log file or URL> [--cookie linli_sid=…]`: checks a ballot's audit
 * log offline. Recomputes the hash chain entry by entry (shared/src/ballots/audit.ts) and the
 * tally from the recorded votes with the voting core's countBallot, compares it with the result
 * the server wrote, and prints OK with the figures, or exactly which entry breaks and exits 1.
 * A URL needs a session cookie of a community member (`--cookie` or LINLI_COOKIE).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { canonicalJson, parseAuditLog, replayAudit, tallyRecorded, verifyChain, type BallotResult } from '@linli/shared';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

function usage(): never {
  console.error('usage: npm run verify -- <audit log file or http(s) URL> [--cookie linli_sid=…]');
  process.exit(2);
}

async function read(source: string, cookie: string | undefined): Promise<string> {
  if (/^https?:\/\//.test(source)) {
    const res = await fetch(source, { headers: cookie ? { cookie } : {} });
    if (!res.ok) throw new Error(`GET ${source}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
    return res.text();
  }
  return fs.readFileSync(source, 'utf8');
}

function describeTally(r: BallotResult): string[] {
  const out = r.tally.options.map((o) => {
    const extra = [o.owners !== undefined ? `${o.owners} owners` : '', o.areaCentiares !== undefined ? `${(o.areaCentiares / 100).toFixed(2)} m²` : ''].filter(Boolean).join(', ');
    return `  ${o.id.padEnd(12)} ${String(o.votes).padStart(6)}${extra ? `  (${extra})` : ''}`;
  });
  const t = r.turnout;
  out.push(`  turnout      ${t.voted} of ${t.eligible}${t.owners ? `; owners ${t.owners.voted}/${t.owners.total}` : ''}${t.areaCentiares ? `; area ${(t.areaCentiares.voted / 100).toFixed(2)}/${(t.areaCentiares.total / 100).toFixed(2)} m²` : ''}`);
  const passed = r.outcome.passed === null ? 'undecided (open)' : r.outcome.passed ? 'PASSED' : 'NOT PASSED';
  out.push(`  outcome      ${passed} (${r.outcome.reason})`);
  return out;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  let cookie = process.env.LINLI_COOKIE;
  const i = args.indexOf('--cookie');
  if (i >= 0) {
    cookie = args[i + 1];
    args.splice(i, 2);
  }
  const source = args[0];
  if (!source) usage();
  const entries = parseAuditLog(await read(source, cookie));
  const chain = verifyChain(entries, sha256);
  if (!chain.ok) {
    const b = chain.break;
    console.log(`FAIL: the chain breaks at entry seq ${b.seq} (line ${b.index + 1} of ${chain.entries}): ${b.reason}`);
    console.log(`  expected ${b.expected}`);
    console.log(`  found    ${b.found}`);
    return 1;
  }
  const replay = replayAudit(entries as { type: string; ballotId: string; data: unknown }[]);
  console.log(`chain OK: ${chain.entries} entries, ballot ${replay.ballotId ?? '?'}, head ${chain.head}`);
  const types = Object.entries(replay.entries).map(([t, n]) => `${t} ${n}`).join(', ');
  console.log(`  entries: ${types}`);
  if (!replay.spec || !replay.electorate) {
    console.log('OK (the ballot was never opened: no votes to count)');
    return 0;
  }
  const recomputed = tallyRecorded(replay.spec, replay.electorate, replay.recorded, replay.closed);
  console.log(`tally recomputed from the log (${replay.closed ? 'closed' : 'still open'}):`);
  for (const line of describeTally(recomputed)) console.log(line);
  if (replay.stated === undefined) {
    console.log(replay.closed ? 'OK (closed, but the server has not written its result entry yet)' : 'OK (open: no final result to compare yet)');
    return 0;
  }
  if (canonicalJson(recomputed) !== canonicalJson(replay.stated)) {
    console.log('FAIL: the result entry written by the server differs from the tally recomputed from the votes');
    console.log('  the server wrote:');
    for (const line of describeTally(replay.stated as BallotResult)) console.log(line);
    return 1;
  }
  console.log('OK: chain intact and the result entry equals the recomputed tally');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`FAIL: ${(err as Error).message}`);
    process.exit(1);
  },
);
