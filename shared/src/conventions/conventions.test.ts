import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { clauseTextHash, normalizeClauseText, sha256Hex } from './text-hash.ts';
import { diffClauses, diffText } from './diff.ts';
import { conventionDocName, conventionIdOfDoc } from './schemas.ts';

const nodeSha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

describe('clause text hash', () => {
  it('is sha256 of the normalised text (known vectors and Node’s own sha256)', () => {
    expect(sha256Hex(new Uint8Array())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(clauseTextHash('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(clauseTextHash('晚上22:00至次日7:00保持安静。')).toBe(nodeSha('晚上22:00至次日7:00保持安静。'));
    // Lengths around the 55/56/64-byte padding boundaries.
    for (const n of [55, 56, 63, 64, 65, 119, 120, 1000])
      expect(sha256Hex(new TextEncoder().encode('a'.repeat(n)))).toBe(nodeSha('a'.repeat(n)));
  });

  it('agrees with node:crypto on any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (s) => {
        expect(clauseTextHash(s)).toBe(nodeSha(normalizeClauseText(s)));
      }),
      { numRuns: 300 },
    );
  });

  it('ignores how whitespace and composed characters were typed', () => {
    const a = clauseTextHash('禁止  高空抛物。\n违者 依法处理。');
    expect(clauseTextHash('  禁止 高空抛物。 违者\u3000依法处理。 ')).toBe(a);
    expect(clauseTextHash('禁止\t高空抛物。\r\n违者 依法处理。')).toBe(a);
    expect(clauseTextHash('Cafe\u0301')).toBe(clauseTextHash('Café'));
    expect(clauseTextHash('禁止高空抛物。')).not.toBe(clauseTextHash('禁止高空抛物！'));
  });
});

describe('character diff', () => {
  it('marks single changed Chinese characters, not whole phrases', () => {
    const parts = diffText('晚上十点后保持安静', '晚上十一点后保持安静');
    expect(parts.filter((p) => p.added).map((p) => p.value)).toEqual(['一']);
    expect(parts.filter((p) => p.removed)).toEqual([]);
    expect(
      parts
        .filter((p) => !p.added)
        .map((p) => p.value)
        .join(''),
    ).toBe('晚上十点后保持安静');
    expect(
      parts
        .filter((p) => !p.removed)
        .map((p) => p.value)
        .join(''),
    ).toBe('晚上十一点后保持安静');
  });

  it('reassembles both sides for any pair of texts', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), fc.string({ maxLength: 60 }), (a, b) => {
        const parts = diffText(a, b);
        expect(
          parts
            .filter((p) => !p.added)
            .map((p) => p.value)
            .join(''),
        ).toBe(a);
        expect(
          parts
            .filter((p) => !p.removed)
            .map((p) => p.value)
            .join(''),
        ).toBe(b);
      }),
    );
  });

  it('matches clauses by id: added, removed (kept in place), changed, same, moved', () => {
    const from = [
      { id: 'a', text: '第一' },
      { id: 'b', text: '第二' },
      { id: 'c', text: '第三' },
      { id: 'd', text: '第四' },
    ];
    const to = [
      { id: 'd', text: '第四' },
      { id: 'a', text: '第一条' },
      { id: 'e', text: '新的' },
    ];
    const d = diffClauses(from, to);
    expect(d.map((x) => [x.clauseId, x.status, x.number])).toEqual([
      ['d', 'same', 1],
      ['a', 'changed', 2],
      ['b', 'removed', 2],
      ['c', 'removed', 3],
      ['e', 'added', 3],
    ]);
    expect(d[1]!.parts.filter((p) => p.added).map((p) => p.value)).toEqual(['条']);
  });
});

describe('document names', () => {
  it('round-trip a convention id and refuse other names', () => {
    expect(conventionIdOfDoc(conventionDocName('abc_DEF-1'))).toBe('abc_DEF-1');
    expect(conventionIdOfDoc('meeting-abc')).toBeNull();
    expect(conventionIdOfDoc('conv-a/b')).toBeNull();
  });
});
