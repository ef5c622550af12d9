import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { areaNumber, formatArea, parseAreaCentiares, spreadsheetNumberText } from './area.ts';

const ok = (s: string | number) => {
  const r = parseAreaCentiares(s);
  if (!r.ok) throw new Error(`${String(s)} refused: ${r.message}`);
  return r.centiares;
};
const code = (s: string | number) => {
  const r = parseAreaCentiares(s);
  return r.ok ? 'ok' : r.code;
};

describe('parseAreaCentiares', () => {
  it('reads decimal text exactly into hundredths of m²', () => {
    expect(ok('88.5')).toBe(8850);
    expect(ok('88.50')).toBe(8850);
    expect(ok('88')).toBe(8800);
    expect(ok('0.01')).toBe(1);
    expect(ok('9999.99')).toBe(999999);
    expect(ok('10000')).toBe(1_000_000);
    expect(ok(' 143.80 ')).toBe(14380);
    expect(ok('056.20')).toBe(5620);
    expect(ok('88.5㎡')).toBe(8850);
    expect(ok('８８.５')).toBe(8850); // full-width digits from a Chinese IME
  });

  it('reads JSON numbers by their decimal spelling', () => {
    expect(ok(88.55)).toBe(8855);
    expect(ok(0.01)).toBe(1);
    expect(ok(9999.99)).toBe(999999);
    expect(code(1.1 + 2.2)).toBe('invalid_area'); // 3.3000000000000003: a float sum, not a registered area
  });

  it('refuses more than 2 decimals, junk, ≤ 0 and absurd areas', () => {
    expect(code('88.555')).toBe('invalid_area');
    expect(code('88.5.5')).toBe('invalid_area');
    expect(code('1e3')).toBe('invalid_area');
    expect(code('1,024')).toBe('invalid_area');
    expect(code('abc')).toBe('invalid_area');
    expect(code('')).toBe('invalid_area');
    expect(code(Number.NaN)).toBe('invalid_area');
    expect(code('0')).toBe('area_out_of_range');
    expect(code('0.00')).toBe('area_out_of_range');
    expect(code('-5')).toBe('area_out_of_range');
    expect(code(-88.5)).toBe('area_out_of_range');
    expect(code('10000.01')).toBe('area_out_of_range');
    expect(code('99999999999')).toBe('area_out_of_range');
  });

  it('round-trips every area through its text exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), (c) => {
        expect(ok(formatArea(c))).toBe(c);
        expect(ok(areaNumber(c))).toBe(c);
      }),
    );
  });
});

describe('spreadsheetNumberText', () => {
  it('recovers what Excel showed from a stored double', () => {
    expect(spreadsheetNumberText('88.549999999999997')).toBe('88.55');
    expect(spreadsheetNumberText('56.200000000000003')).toBe('56.2');
    expect(spreadsheetNumberText('100')).toBe('100');
    expect(spreadsheetNumberText('88.555')).toBe('88.555');
    expect(spreadsheetNumberText('abc')).toBe('abc');
  });
});

describe('formatArea', () => {
  it('writes two decimals', () => {
    expect(formatArea(1)).toBe('0.01');
    expect(formatArea(8850)).toBe('88.50');
    expect(areaNumber(8855)).toBe(88.55);
  });
});
