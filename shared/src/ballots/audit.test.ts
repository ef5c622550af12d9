import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { GENESIS_HASH, bodyText, canonicalJson, entryHash, headerText, parseAuditLog, verifyChain, type AuditEntry } from './audit.ts';
import { clauseConsensus, type ClauseBinding } from './consensus.ts';
import { formatReceipt, normalizeReceipt } from './receipt.ts';

const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

function chain(n: number): AuditEntry[] {
  const out: AuditEntry[] = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const e = {
      seq: i,
      type: 'vote',
      at: 1_700_000_000_000 + i,
      ballotId: 'b1',
      data: { receipt: `R${i}`, choice: i % 2 ? 'yes' : 'no', 名: '张三' },
      prevHash: prev,
    };
    const hash = entryHash(e, sha);
    out.push({ ...e, hash });
    prev = hash;
  }
  return out;
}

describe('canonicalJson', () => {
  it('sorts keys at every depth, keeps array order, no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,1]},"b":1}');
    expect(canonicalJson({ z: undefined, a: null })).toBe('{"a":null}');
    expect(() => canonicalJson({ a: Number.NaN })).toThrow();
  });
  it('does not depend on key insertion order', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.oneof(fc.integer(), fc.string(), fc.boolean())), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(obj));
        expect(JSON.parse(canonicalJson(obj))).toEqual(obj);
      }),
    );
  });
});

describe('verifyChain', () => {
  it('accepts an intact chain and reports its head', () => {
    const log = chain(5);
    expect(verifyChain(log, sha)).toEqual({ ok: true, entries: 5, head: log[4]!.hash });
  });

  it('hashes exactly the documented texts', () => {
    const [e] = chain(1);
    const body = sha('{"ballotId":"b1","data":{"choice":"yes","receipt":"R1","名":"张三"},"type":"vote"}');
    expect(bodyText(e!)).toBe('{"ballotId":"b1","data":{"choice":"yes","receipt":"R1","名":"张三"},"type":"vote"}');
    expect(e!.hash).toBe(sha(`1\n1700000000001\n${GENESIS_HASH}\n${body}`));
    expect(headerText(e!, body)).toBe(`1\n1700000000001\n${GENESIS_HASH}\n${body}`);
  });

  it('fails at the changed entry, with the expected and the found hash', () => {
    const log = chain(6);
    log[3] = { ...log[3]!, data: { ...(log[3]!.data as object), choice: 'yes' } };
    const r = verifyChain(log, sha);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.break).toMatchObject({ seq: 4, index: 3, reason: 'bad_hash', found: log[3]!.hash });
    expect(r.break.expected).not.toBe(log[3]!.hash);
  });

  it('fails after a removed entry, and at a re-hashed forgery the next entry does not point to', () => {
    const removed = chain(5).filter((e) => e.seq !== 3);
    expect(verifyChain(removed, sha)).toMatchObject({ ok: false, break: { index: 2, reason: 'bad_seq', expected: '3', found: '4' } });
    const log = chain(5);
    const forged = { ...log[1]!, data: { receipt: 'R2', choice: 'no' } };
    log[1] = { ...forged, hash: entryHash(forged, sha) };
    expect(verifyChain(log, sha)).toMatchObject({ ok: false, break: { seq: 3, reason: 'bad_prev_hash' } });
  });

  it('reads JSON lines, an array and {entries}', () => {
    const log = chain(3);
    const lines = log.map((e) => JSON.stringify(e)).join('\n') + '\n';
    expect(parseAuditLog(lines)).toEqual(log);
    expect(parseAuditLog(JSON.stringify(log))).toEqual(log);
    expect(parseAuditLog(JSON.stringify({ entries: log }))).toEqual(log);
  });
});

describe('receipts', () => {
  it('normalises what people type and refuses look-alikes', () => {
    expect(normalizeReceipt('abcd-efgh')).toBe('ABCDEFGH');
    expect(normalizeReceipt(' ABCD EFGH ')).toBe('ABCDEFGH');
    expect(normalizeReceipt('ABCD-EFG0')).toBeNull();
    expect(normalizeReceipt('ABC')).toBeNull();
    expect(formatReceipt('ABCDEFGH')).toBe('ABCD-EFGH');
  });
});

describe('clauseConsensus', () => {
  const b = (status: ClauseBinding['status'], textHash: string | null, extra: Partial<ClauseBinding> = {}): ClauseBinding => ({
    clauseId: 'c1',
    conventionId: 'v1',
    communityId: 'x',
    ballotId: 'b1',
    title: 't',
    textHash,
    status,
    at: 1,
    ...extra,
  });
  it('gives each state', () => {
    expect(clauseConsensus(null, 'h1')).toBe('not_voted');
    expect(clauseConsensus(b('voting', 'h1'), 'h2')).toBe('voting');
    expect(clauseConsensus(b('passed', 'h1'), 'h1')).toBe('passed');
    expect(clauseConsensus(b('failed', 'h1'), 'h1')).toBe('failed');
    expect(clauseConsensus(b('passed', 'h1'), 'h2')).toBe('changed_since_vote');
    expect(clauseConsensus(b('passed', 'h1', { clauseChanged: true }), 'h1')).toBe('changed_since_vote');
    expect(clauseConsensus(b('passed', 'h1'), null)).toBe('passed');
  });
});
