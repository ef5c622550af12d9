import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RECEIPT_ALPHABET } from '../ballots/receipt.ts';
import { encodePaperCode, formatPaperCode, MAX_PAPER_SERIAL, paperQrText, parsePaperCode } from './paper-code.ts';

const codeArb = fc.string({ unit: fc.constantFrom(...RECEIPT_ALPHABET), minLength: 4, maxLength: 4 });

describe('paper codes', () => {
  it('round-trips any consultation code and serial, typed with dashes, spaces or lower case, or scanned as a URL', () => {
    fc.assert(
      fc.property(codeArb, fc.integer({ min: 1, max: MAX_PAPER_SERIAL }), (c, serial) => {
        const code = encodePaperCode(c, serial);
        expect(code).toHaveLength(9);
        for (const typed of [
          code,
          formatPaperCode(code),
          formatPaperCode(code).toLowerCase().replace(/-/g, ' '),
          paperQrText('https://linli.example/', code),
        ]) {
          expect(parsePaperCode(typed)).toEqual({ code, consultationCode: c, serial });
        }
      }),
    );
  });

  it('refuses every single mistyped symbol and every swap of two different neighbours', () => {
    fc.assert(
      fc.property(
        codeArb,
        fc.integer({ min: 1, max: MAX_PAPER_SERIAL }),
        fc.nat(8),
        fc.constantFrom(...RECEIPT_ALPHABET),
        (c, serial, at, sym) => {
          const code = encodePaperCode(c, serial);
          if (code[at] !== sym) expect(parsePaperCode(code.slice(0, at) + sym + code.slice(at + 1))).toBeNull();
          if (at < 8 && code[at] !== code[at + 1]) {
            const swapped = code.slice(0, at) + code[at + 1] + code[at] + code.slice(at + 2);
            expect(parsePaperCode(swapped)).toBeNull();
          }
        },
      ),
    );
  });

  it('refuses what cannot be a code', () => {
    for (const s of ['', 'K7QM-0A3F', 'K7QM-0A3F-XX', 'K7QM-0A3F-0', 'I1O0-AAAA-B']) expect(parsePaperCode(s)).toBeNull();
    expect(() => encodePaperCode('K7QM', 0)).toThrow(RangeError);
    expect(() => encodePaperCode('K7Q', 5)).toThrow(RangeError);
  });
});
