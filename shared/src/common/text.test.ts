import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { looksLikeAny, nameKey, safeText, unsafeCharacter } from './text.ts';
import { MemberCreate } from '../members/schemas.ts';
import { BallotCreate } from '../ballots/schemas.ts';
import { ProblemCreate } from '../problems/schemas.ts';
import { MeetingJoinRequest, MinutesUpdate, MotionPropose } from '../meetings/schemas.ts';
import { CommentCreate, ConventionCreate } from '../conventions/schemas.ts';
import { CommunityCreate } from '../communities/schemas.ts';
import { DisplayNameUpdate } from '../auth/schemas.ts';

const REFUSED = [
  '\u0000',
  '\u001B',
  '\u007F',
  '\u0085',
  '\u009F',
  '\u202A',
  '\u202E',
  '\u2066',
  '\u2069',
  '\u200B',
  '\u200C',
  '\u200D',
  '\u2060',
  '\uFEFF',
  '\uD800',
  '\uDFFF',
];
const line = safeText({ max: 200, min: 1 });
const multi = safeText({ max: 200, multiline: true });

describe('safeText', () => {
  it('refuses each control, bidi, zero-width character and lone surrogate inside a word, naming it', () => {
    for (const c of REFUSED) {
      const r = line.safeParse(`ad${c}min`);
      expect(r.success, JSON.stringify(c)).toBe(false);
      expect(r.error!.issues[0]!.message).toContain(`U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
      expect(r.error!.issues[0]!.message).toMatch(/请重新输入/);
      expect(multi.safeParse(`ad${c}min`).success).toBe(false);
    }
  });

  it('allows newline and tab only in multi-line fields, and turns CRLF into LF', () => {
    expect(line.safeParse('a\nb').success).toBe(false);
    expect(line.safeParse('a\tb').success).toBe(false);
    expect(multi.parse('a\r\nb\tc\rd')).toBe('a\nb\tc\nd');
  });

  it('normalises to NFC and keeps emoji, CJK and accents', () => {
    expect(line.parse(' e\u0301té ')).toBe('été');
    expect(line.parse('王阿姨 😀 3栋')).toBe('王阿姨 😀 3栋');
  });

  it('property: whatever it accepts is NFC and has no refused character; safe text passes unchanged', () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.oneof(
            fc.constantFrom(...REFUSED, '\r', '\n', '\t', 'e\u0301', '\u00A0', '😀'),
            fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
          ),
          maxLength: 40,
        }),
        (s) => {
          const r = multi.safeParse(s);
          if (r.success) {
            expect(r.data).toBe(r.data.normalize('NFC'));
            expect(unsafeCharacter(r.data, true)).toBeNull();
          } else {
            expect(unsafeCharacter(s.trim().replace(/\r\n?/g, '\n').normalize('NFC'), true) !== null || s.trim().length > 200).toBe(true);
          }
        },
      ),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'王阿姨abcXYZ 0123，。!?😀é'), minLength: 1, maxLength: 40 }), (s) => {
        fc.pre(s.trim().length > 0);
        expect(line.parse(s)).toBe(s.trim().normalize('NFC'));
      }),
    );
  });

  it('is used by the free-text fields of the payloads', () => {
    const bidi = 'evil\u202Etxt.exe';
    expect(MemberCreate.safeParse({ displayName: 'ad\u200Bmin', roles: ['resident'] }).success).toBe(false);
    expect(DisplayNameUpdate.safeParse({ displayName: 'ad\u200Bmin' }).success).toBe(false);
    expect(MeetingJoinRequest.safeParse({ joinCode: '123456', displayName: `x${bidi}` }).success).toBe(false);
    expect(BallotCreate.safeParse({ title: bidi }).success).toBe(false);
    expect(ProblemCreate.safeParse({ title: 'ok', description: `nul\u0000` }).success).toBe(false);
    expect(ProblemCreate.safeParse({ title: 'ok', description: '第一行\n第二行' }).success).toBe(true);
    expect(MotionPropose.safeParse({ text: `esc\u001B[31m` }).success).toBe(false);
    expect(MinutesUpdate.safeParse({ markdown: `# 纪要\n\n- ${bidi}` }).success).toBe(false);
    expect(ConventionCreate.safeParse({ title: bidi }).success).toBe(false);
    expect(CommentCreate.safeParse({ clauseId: 'c1', text: 'a\uD800' }).success).toBe(false);
    expect(CommunityCreate.safeParse({ name: `幸福\u2066小区` }).success).toBe(false);
  });
});

describe('look-alike display names', () => {
  it('folds width, case, spaces, invisible characters and homoglyphs to one key', () => {
    expect(nameKey('ＡＤＭＩＮ')).toBe(nameKey('admin'));
    expect(nameKey('Аdmin')).toBe(nameKey('admin')); // Cyrillic А
    expect(nameKey('ad min')).toBe(nameKey('admin'));
    expect(nameKey('adm1n')).toBe(nameKey('admin'));
    expect(nameKey('adrnin')).toBe(nameKey('admin'));
    expect(nameKey('王 芳')).toBe(nameKey('王芳'));
    expect(nameKey('王\u3000芳')).toBe(nameKey('王芳'));
  });
  it('matches staff names and logins, not different names', () => {
    const staff = ['周老师', 'zhou', '管理员', 'admin'];
    expect(looksLikeAny('Ａdmin', staff)).toBe(true);
    expect(looksLikeAny('周 老师', staff)).toBe(true);
    expect(looksLikeAny('周老师的邻居', staff)).toBe(false);
    expect(looksLikeAny('王阿姨', staff)).toBe(false);
    expect(looksLikeAny('   ', staff)).toBe(false);
  });
  it('property: spaces and case never make a name differ', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'abcdefxyz王芳李'), minLength: 1, maxLength: 12 }), fc.nat(12), (s, at) => {
        const spaced = `${s.slice(0, at)} ${s.slice(at)}`.toUpperCase();
        expect(looksLikeAny(spaced, [s])).toBe(true);
      }),
    );
  });
});
