/**
 * Registered floor areas, exact: integer hundredths of a m² (centiares), parsed from decimal text
 * digit by digit so that no floating-point rounding ever enters a count (DOMAIN.md "Counting rules").
 */

/** Largest area accepted for one household: 10,000 m² (anything above is a typo). */
export const AREA_MAX_CENTIARES = 1_000_000;

export type AreaParse = { ok: true; centiares: number } | { ok: false; code: 'invalid_area' | 'area_out_of_range'; message: string };

// Units people type after the number in Chinese spreadsheets.
const UNIT_SUFFIX = /\s*(m²|m2|㎡|平方米|平米|平)$/i;

/**
 * Parses a decimal m² string ("88.5", "88.50", " 1024 ", "88.5㎡") into centiares exactly.
 * More than two decimals, signs, exponents and thousands separators are refused.
 */
export function parseAreaCentiares(input: string | number): AreaParse {
  const text = typeof input === 'number' ? numberToDecimal(input) : input.normalize('NFKC').trim().replace(UNIT_SUFFIX, '');
  if (text === null) return { ok: false, code: 'invalid_area', message: `area "${String(input)}" is not a finite number of m²` };
  if (/^-\s*\d+(\.\d*)?$/.test(text)) return { ok: false, code: 'area_out_of_range', message: 'area must be more than 0 m²' };
  const m = /^(\d+)(?:\.(\d*))?$/.exec(text);
  if (!m) return { ok: false, code: 'invalid_area', message: `area "${String(input)}" is not a number of m² (e.g. 88.50)` };
  const whole = m[1]!.replace(/^0+(?=\d)/, '');
  const frac = m[2] ?? '';
  if (frac.length > 2) {
    return { ok: false, code: 'invalid_area', message: `area "${String(input)}" has more than 2 decimals` };
  }
  if (whole.length > 7) return { ok: false, code: 'area_out_of_range', message: `area "${String(input)}" m² is absurdly large` };
  const centiares = Number(whole) * 100 + Number(frac.padEnd(2, '0'));
  if (centiares <= 0) return { ok: false, code: 'area_out_of_range', message: 'area must be more than 0 m²' };
  if (centiares > AREA_MAX_CENTIARES) {
    return {
      ok: false,
      code: 'area_out_of_range',
      message: `area ${formatArea(centiares)} m² is more than ${AREA_MAX_CENTIARES / 100} m²`,
    };
  }
  return { ok: true, centiares };
}

/**
 * A JSON number's shortest decimal spelling (what JSON.stringify writes), so 88.55 reads as "88.55"
 * and 0.1 + 0.2 reads as "0.30000000000000004" (refused: more than 2 decimals).
 */
function numberToDecimal(n: number): string | null {
  if (!Number.isFinite(n)) return null;
  const s = String(n);
  return /e/i.test(s) ? null : s;
}

/**
 * Spreadsheet cells hold binary doubles: Excel may store 88.55 as "88.549999999999997". Rounding to
 * 15 significant digits recovers what the user typed and saw in Excel (Excel shows 15 digits).
 */
export function spreadsheetNumberText(raw: string): string {
  const n = Number(raw);
  if (!Number.isFinite(n) || !/^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(raw.trim())) return raw;
  const p = n.toPrecision(15);
  if (/e/i.test(p)) return raw;
  return p.includes('.') ? p.replace(/0+$/, '').replace(/\.$/, '') : p;
}

/** "88.50": the exact decimal text of an area. */
export function formatArea(centiares: number): string {
  const whole = Math.trunc(centiares / 100);
  const frac = String(centiares % 100).padStart(2, '0');
  return `${whole}.${frac}`;
}

/** The area as a JS number of m² for display (at most 2 decimals). Never count with it. */
export function areaNumber(centiares: number): number {
  return Number(formatArea(centiares));
}
