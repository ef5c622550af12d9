/**
 * `npm run verify -- <audit log file or URL> --head <hash>:<length> [--cookie linli_sid=…]`:
 * checks a ballot's audit log offline. Recomputes the hash chain entry by entry
 * (shared/src/ballots/audit.ts) and the tally from the recorded votes with the voting core's
 * countBallot, compares it with the result the server wrote, and compares the log with the chain
 * head published with the result (result page, exports, `GET /api/ballots/:id/result` → `head`).
 * A log that is shorter than the head (entries cut), differs at it (a vote changed and the chain
 * re-hashed), or holds anything but `published` after it fails.
 *
 * Exit codes: 0 OK (checked against the head); 1 FAIL, saying exactly what and where; 2 usage;
 * 3 consistent, but not checked against a published head (a file without `--head`: a cut or
 * re-hashed log cannot be told from the published one without it).
 * A URL needs a session cookie of a community member (`--cookie` or LINLI_COOKIE); without
 * `--head` the head is read from that server's result of the ballot.
 * A written consultation's log (same chain; first entry `created` with questions) is recounted
 * question by question with tallyConsultation (shared/src/consultations/audit.ts).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import {
  AuditEntry,
  canonicalJson,
  checkChainHead,
  formatChainHead,
  isBudgetLog,
  isConsultationLog,
  replayBudgetAudit,
  recountConsultation,
  replayConsultationAudit,
  parseAuditLog,
  parseChainHead,
  replayAudit,
  tallyRecorded,
  verifyChain,
  type BallotResult,
  type ChainHead,
} from '@linli/shared';

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

function usage(why?: string): never {
  if (why) console.error(why);
  console.error('usage: npm run verify -- <audit log file or http(s) URL> --head <hash>:<length> [--cookie linli_sid=…]');
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

/** The head the server publishes with the ballot's result (null while the ballot is open). */
async function publishedHead(auditUrl: string, cookie: string | undefined): Promise<{ head: ChainHead | null; status: string }> {
  const u = new URL(auditUrl);
  u.pathname = u.pathname.replace(/\/audit$/, '/result');
  u.search = '';
  const r = JSON.parse(await read(u.toString(), cookie)) as { head?: ChainHead; status: string };
  return { head: r.head ?? null, status: r.status };
}

function describeTally(r: BallotResult): string[] {
  const out = r.tally.options.map((o) => {
    const extra = [
      o.owners !== undefined ? `${o.owners} owners` : '',
      o.areaCentiares !== undefined ? `${(o.areaCentiares / 100).toFixed(2)} m²` : '',
    ]
      .filter(Boolean)
      .join(', ');
    return `  ${o.id.padEnd(12)} ${String(o.votes).padStart(6)}${extra ? `  (${extra})` : ''}`;
  });
  const t = r.turnout;
  out.push(
    `  turnout      ${t.voted} of ${t.eligible}${t.owners ? `; owners ${t.owners.voted}/${t.owners.total}` : ''}${t.areaCentiares ? `; area ${(t.areaCentiares.voted / 100).toFixed(2)}/${(t.areaCentiares.total / 100).toFixed(2)} m²` : ''}`,
  );
  const passed = r.outcome.passed === null ? 'undecided (open)' : r.outcome.passed ? 'PASSED' : 'NOT PASSED';
  out.push(`  outcome      ${passed} (${r.outcome.reason})`);
  return out;
}

function takeFlag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (v === undefined) usage(`${name} needs a value`);
  args.splice(i, 2);
  return v;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const cookie = takeFlag(args, '--cookie') ?? process.env.LINLI_COOKIE;
  const headArg = takeFlag(args, '--head');
  const source = args[0];
  if (!source) usage();
  let head: ChainHead | null = null;
  let headFrom = '--head';
  if (headArg !== undefined) {
    head = parseChainHead(headArg);
    if (!head) usage(`--head: expected <64 hex digits>:<length>, got "${headArg}"`);
  }
  const url = /^https?:\/\//.test(source);
  let serverSaysOpen = false;
  if (!head && url) {
    const p = await publishedHead(source, cookie);
    head = p.head;
    headFrom = 'the result published by the server';
    serverSaysOpen = p.status === 'open' || p.status === 'draft';
  }
  const entries = parseAuditLog(await read(source, cookie));
  const chain = verifyChain(entries, sha256);
  if (!chain.ok) {
    const b = chain.break;
    console.log(`FAIL: the chain breaks at entry seq ${b.seq} (line ${b.index + 1} of ${chain.entries}): ${b.reason}`);
    console.log(`  expected ${b.expected}`);
    console.log(`  found    ${b.found}`);
    return 1;
  }
  if (isConsultationLog(entries as AuditEntry[]))
    return verifyConsultation(entries as AuditEntry[], chain.head, head, headFrom, serverSaysOpen);
  if (isBudgetLog(entries as AuditEntry[])) return verifyBudget(entries as AuditEntry[], chain.head, head, headFrom);
  const replay = replayAudit(entries as AuditEntry[]);
  console.log(`chain OK: ${chain.entries} entries, ballot ${replay.ballotId ?? '?'}, last hash ${chain.head}`);
  const types = Object.entries(replay.entries)
    .map(([t, n]) => `${t} ${n}`)
    .join(', ');
  console.log(`  entries: ${types}`);
  if (head) {
    const h = checkChainHead(entries as AuditEntry[], head);
    if (!h.ok) {
      console.log(`FAIL: the log does not match the published head ${formatChainHead(head)} (from ${headFrom}): ${h.message}`);
      return 1;
    }
    console.log(
      `head OK: entry ${head.length} is ${head.hash} (from ${headFrom})${h.after ? `; then ${h.after} entry(ies) of publication` : ''}`,
    );
  }
  for (const p of replay.problems) console.log(`FAIL: ${p}`);
  if (replay.problems.length) return 1;
  const verdict = (ok: string): number => {
    if (head || serverSaysOpen) {
      console.log(ok);
      return 0;
    }
    console.log(
      `${ok.replace(/^OK/, 'CONSISTENT')}; NOT CHECKED against a published head: a log with entries cut, or changed and re-hashed, looks the same. Pass --head <hash>:<length> as published with the result.`,
    );
    return 3;
  };
  if (!replay.spec || !replay.electorate) return verdict('OK (the ballot was never opened: no votes to count)');
  const recomputed = tallyRecorded(replay.spec, replay.electorate, replay.recorded, replay.closed);
  console.log(`tally recomputed from the log (${replay.closed ? 'closed' : 'still open'}):`);
  for (const line of describeTally(recomputed)) console.log(line);
  if (replay.stated === undefined) {
    if (head && replay.closed) {
      console.log('FAIL: the ballot is closed but the log has no result entry');
      return 1;
    }
    return verdict(
      replay.closed ? 'OK (closed, but the server has not written its result entry yet)' : 'OK (open: no final result to compare yet)',
    );
  }
  if (canonicalJson(recomputed) !== canonicalJson(replay.stated)) {
    console.log('FAIL: the result entry written by the server differs from the tally recomputed from the votes');
    console.log('  the server wrote:');
    for (const line of describeTally(replay.stated as BallotResult)) console.log(line);
    return 1;
  }
  return verdict('OK: chain intact, it matches the published head, and the result entry equals the recomputed tally');
}

/** The consultation branch: chain already OK; head, then the recount of every question. */
function verifyConsultation(
  entries: AuditEntry[],
  last: string,
  head: ChainHead | null,
  headFrom: string,
  serverSaysOpen: boolean,
): number {
  const r = replayConsultationAudit(entries);
  console.log(`chain OK: ${entries.length} entries, consultation ${r.consultationId ?? '?'}, last hash ${last}`);
  if (head) {
    const h = checkChainHead(entries, head);
    if (!h.ok) {
      console.log(`FAIL: the log does not match the published head ${formatChainHead(head)} (from ${headFrom}): ${h.message}`);
      return 1;
    }
    console.log(`head OK: entry ${head.length} is ${head.hash} (from ${headFrom})`);
  }
  for (const p of r.problems) console.log(`FAIL: ${p}`);
  if (r.problems.length) return 1;
  const done = (ok: string) => {
    if (head || serverSaysOpen) return (console.log(ok), 0);
    console.log(
      `${ok.replace(/^OK/, 'CONSISTENT')}; NOT CHECKED against a published head. Pass --head <hash>:<length> as published with the result.`,
    );
    return 3;
  };
  if (!r.stated) return done(r.closed ? 'OK (closed, no result entry yet)' : 'OK (open: no final result to compare yet)');
  const recount = recountConsultation(r);
  if (!recount || canonicalJson(recount) !== canonicalJson(r.stated)) {
    console.log('FAIL: the result entry written by the server differs from the recount of the answers in the log');
    return 1;
  }
  for (const q of recount.questions as { id: string; outcome: { passed: boolean | null; reason: string }; winners: string[] | null }[]) {
    console.log(
      `  ${q.id.padEnd(6)} ${q.outcome.passed ? 'PASSED' : 'NOT PASSED'} (${q.outcome.reason})${q.winners ? ` winners ${q.winners.join(', ')}` : ''}`,
    );
  }
  return done('OK: chain intact, and the result entry equals the recount of every question');
}

/** The budget branch (民生微实事): chain already OK; head, then the funding result recounted from the choices. */
function verifyBudget(entries: AuditEntry[], last: string, head: ChainHead | null, headFrom: string): number {
  const r = replayBudgetAudit(entries);
  console.log(`chain OK: ${entries.length} entries, budget ${r.budgetId ?? '?'}, ${r.choices} choices, last hash ${last}`);
  if (head) {
    const h = checkChainHead(entries, head);
    if (!h.ok)
      return (console.log(`FAIL: the log does not match the published head ${formatChainHead(head)} (from ${headFrom}): ${h.message}`), 1);
    console.log(`head OK: entry ${head.length} is ${head.hash} (from ${headFrom})`);
  }
  for (const p of r.problems) console.log(`FAIL: ${p}`);
  if (r.problems.length) return 1;
  if (!r.stated)
    return (console.log(r.closed ? 'OK (closed, no result entry yet)' : 'OK (open: no final result to compare yet)'), head ? 0 : 3);
  if (!r.recount || canonicalJson(r.recount) !== canonicalJson(r.stated))
    return (console.log('FAIL: the result entry written by the server differs from the recount of the choices in the log'), 1);
  const ok = `OK: chain intact, and the result entry equals the recount (spent ${String(r.recount.spentFen)} fen)`;
  if (head) return (console.log(ok), 0);
  console.log(
    `${ok.replace(/^OK/, 'CONSISTENT')}; NOT CHECKED against a published head. Pass --head <hash>:<length> as published with the result.`,
  );
  return 3;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`FAIL: ${(err as Error).message}`);
    process.exit(1);
  },
);
