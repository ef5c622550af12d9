/**
 * Issue 14, defect 7: `npm run verify` against logs that were cut or re-forged. A log with its
 * closing entries cut, or with a vote flipped and the whole chain (and the result entry) redone so
 * that it is consistent in itself, used to pass ("OK (open…)", exit 0). Now the head published
 * with the result (`GET …/result` → head) is checked with `--head <hash>:<length>`: shorter or
 * different fails; without a head a file is never reported OK (exit 3), and a URL takes the head
 * the server publishes.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entryHash, replayAudit, tallyRecorded, GENESIS_HASH, type AuditEntry } from '@linli/shared';
import { ROOT, tmpDir, type TestServer } from './helpers/processes.ts';
import { startCommunity, type CommunityFixture } from './helpers/community.ts';
import { Client } from './helpers/http-client.ts';
import type { People, Person } from './helpers/people.ts';

const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const key = () => `k-${Math.random().toString(36).slice(2)}-${Date.now()}`;

function verify(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/src/cli/verify.ts'), ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('exit', (code) => resolve({ code, out }));
  });
}

/** Re-hashes every entry from the first (what a forger with the log in hand does after a change). */
function rehash(entries: AuditEntry[]): AuditEntry[] {
  let prev = GENESIS_HASH;
  return entries.map((e, i) => {
    const next = { ...e, seq: i + 1, prevHash: prev };
    const hash = entryHash(next, sha);
    prev = hash;
    return { ...next, hash };
  });
}

/** The result entry rewritten to the tally of what the (changed) log now records: consistent in itself. */
function restate(entries: AuditEntry[]): AuditEntry[] {
  const r = replayAudit(entries);
  const result = tallyRecorded(r.spec!, r.electorate!, r.recorded, true);
  return entries.map((e) => (e.type === 'result' ? { ...e, data: { ...(e.data as object), result } } : e));
}

describe('npm run verify with the published chain head', () => {
  let srv: TestServer;
  let f: CommunityFixture | undefined;
  let admin: Client;
  let people: People;
  let meetingId: string;
  let voters: Person[];
  let dir: string;

  beforeAll(async () => {
    f = await startCommunity({ name: '审计小区' });
    ({ srv, admin, people } = f);
    const cid = f.cid;
    voters = [];
    for (let i = 0; i < 5; i++) voters.push(await people.member(cid, `居民${i + 1}`, ['resident']));
    meetingId = (await admin.post(`/api/communities/${cid}/meetings`, { title: '审计会', mode: 'online' })).body.meeting.id;
    dir = tmpDir('linli-verify-');
  });
  afterAll(async () => f?.stop());

  const as = (p: Person) => Object.assign(new Client(srv.url), { cookie: p.cookie });

  /** A closed and published ballot: 3 yes, 2 no. Returns its log and the head its result publishes. */
  async function closedBallot(secret: boolean): Promise<{ id: string; entries: AuditEntry[]; head: string }> {
    const b = (
      await admin.post(`/api/meetings/${meetingId}/ballots`, {
        title: secret ? '无记名' : '记名',
        kind: 'yes_no_abstain',
        options: [],
        rule: 'simple_majority',
        electorate: { kind: 'members' },
        secret,
      })
    ).body.ballot;
    await admin.post(`/api/ballots/${b.id}/open`);
    for (const [i, c] of ['yes', 'no', 'yes', 'no', 'yes'].entries())
      expect((await as(voters[i]!).post(`/api/ballots/${b.id}/votes`, { choice: c, idempotencyKey: key() })).status).toBe(200);
    const closed = await admin.post(`/api/ballots/${b.id}/close`);
    expect(closed.body.result.head).toBeDefined();
    await admin.post(`/api/ballots/${b.id}/publish`, { objectionDays: 0 });
    const result = (await as(voters[0]!).get(`/api/ballots/${b.id}/result`)).body;
    // The head is the one given at close: publishing appends after it and does not move it.
    expect(result.head).toEqual(closed.body.result.head);
    const entries = String((await as(voters[0]!).get(`/api/ballots/${b.id}/audit`)).body)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditEntry);
    expect(entries.map((e) => e.type).slice(-3)).toEqual(['closed', 'result', 'published']);
    expect(result.head.length).toBe(entries.length - 1);
    return { id: b.id, entries, head: `${result.head.hash}:${result.head.length}` };
  }

  const save = (name: string, entries: unknown[]) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, entries.map((e) => JSON.stringify(e)).join('\n') + '\n');
    return f;
  };

  it('accepts the published log with its head, and says a file without a head is not checked (exit 3, never 0)', async () => {
    const { entries, head } = await closedBallot(false);
    const file = save('good.jsonl', entries);
    const ok = await verify([file, '--head', head]);
    expect(ok.code, ok.out).toBe(0);
    expect(ok.out).toMatch(/head OK: entry \d+ is [0-9a-f]{64}/);
    expect(ok.out).toMatch(/OK: chain intact, it matches the published head/);
    // The other order (as Redis keeps it) is accepted too.
    const [hash, len] = head.split(':');
    expect((await verify([file, '--head', `${len}:${hash}`])).code).toBe(0);
    const unanchored = await verify([file]);
    expect(unanchored.code, unanchored.out).toBe(3);
    expect(unanchored.out).toMatch(/NOT CHECKED against a published head/);
    const bad = await verify([file, '--head', 'nonsense']);
    expect(bad.code).toBe(2);
  });

  it('fails a log with its closing entries cut', async () => {
    const { entries, head } = await closedBallot(false);
    for (const cut of [1, 2, 3]) {
      const file = save(`cut-${cut}.jsonl`, entries.slice(0, entries.length - cut));
      const r = await verify([file, '--head', head]);
      if (cut === 1) {
        // Only the publication entry gone: everything up to the head is there.
        expect(r.code, r.out).toBe(0);
        continue;
      }
      expect(r.code, r.out).toBe(1);
      expect(r.out).toMatch(/entries were cut/);
      // Without the head the cut log of a closed ballot is not passed either.
      expect((await verify([file])).code).not.toBe(0);
    }
  });

  it('fails a flipped vote with the chain and the result entry redone to match', async () => {
    const { entries, head } = await closedBallot(false);
    const i = entries.findIndex((e) => e.type === 'vote' && (e.data as { choice: string }).choice === 'no');
    const flipped = entries.map((e, j) => (j === i ? { ...e, data: { ...(e.data as object), choice: 'yes' } } : e));
    const forged = rehash(restate(flipped));
    const file = save('forged.jsonl', forged);
    // Consistent in itself: chain and tally agree …
    const alone = await verify([file]);
    expect(alone.code, alone.out).toBe(3);
    expect(alone.out).toMatch(/yes\s+4/);
    // … but not the log whose head was published.
    const r = await verify([file, '--head', head]);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toMatch(/changed and re-hashed/);
    // Votes appended after the head fail too.
    const extra = rehash([...entries, { ...entries.find((e) => e.type === 'vote')! }]);
    const more = await verify([save('extra.jsonl', extra), '--head', head]);
    expect(more.code, more.out).toBe(1);
  });

  it('checks a secret ballot: one listed ballot per vote entry, and the head', async () => {
    const { id, entries, head } = await closedBallot(true);
    const file = save('secret.jsonl', entries);
    const ok = await verify([file, '--head', head]);
    expect(ok.code, ok.out).toBe(0);
    expect(ok.out).toMatch(/yes\s+3/);
    // A ballot dropped from the result entry's list (and the tally restated, the chain redone).
    const dropped = entries.map((e) =>
      e.type === 'result'
        ? { ...e, data: { ...(e.data as { ballots: unknown[] }), ballots: (e.data as { ballots: unknown[] }).ballots.slice(1) } }
        : e,
    );
    const r = await verify([save('secret-dropped.jsonl', rehash(restate(dropped)))]);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toMatch(/5 votes were accepted but the result entry lists 4 ballots/);
    // By URL: the head comes from the server's own result.
    const byUrl = await verify([`${srv.url}/api/ballots/${id}/audit`, '--cookie', voters[1]!.cookie]);
    expect(byUrl.code, byUrl.out).toBe(0);
    expect(byUrl.out).toMatch(/from the result published by the server/);
  });

  it('puts the head in the minutes beside each result', async () => {
    const { id, head } = await closedBallot(false);
    const md = (await admin.get(`/api/meetings/${meetingId}/minutes`)).body;
    expect(JSON.stringify(md)).toContain(head);
    expect(id).toBeTruthy();
  });
});
