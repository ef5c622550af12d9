/**
 * Paper codes (纸质表决票编号): what identifies one household's ballot paper of one consultation,
 * printed as a QR code and as typed text "K7QM-0A3F-X". Three parts, from the receipt alphabet (no
 * 0/O, 1/I/L look-alikes): the consultation's 4-symbol code, the household's serial on that
 * consultation in 4 symbols (up to 31⁴ − 1 = 923,520 households), and one check symbol (a weighted
 * sum mod 31), which catches every single mistyped symbol and every swap of two neighbours. Pure, no I/O.
 */
import { RECEIPT_ALPHABET } from '../ballots/receipt.ts';

const A = RECEIPT_ALPHABET;
const N = A.length; // 31
export const PAPER_CODE_LENGTH = 9;
export const CONSULTATION_CODE_LENGTH = 4;
export const MAX_PAPER_SERIAL = N ** 4 - 1;

/**
 * The check symbol over `body` (symbols of the alphabet): position weights 1, 2, … and the check
 * symbol's weight so that Σ weight·value ≡ 0 (mod 31). 31 is prime and every weight is below it,
 * so every single mistyped symbol changes the sum; neighbouring weights differ by 1, so every swap
 * of two different neighbours (the check symbol included) changes it too. (Luhn mod N misses the
 * swap of the first and last symbols of the alphabet, "A9" ↔ "9A".)
 */
export function checkSymbol(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum += (i + 1) * A.indexOf(body[i]!);
  const w = body.length + 1;
  let inv = 1;
  while ((w * inv) % N !== 1) inv++;
  return A[(((N - (sum % N)) % N) * inv) % N]!;
}

function serialSymbols(serial: number): string {
  if (!Number.isInteger(serial) || serial < 1 || serial > MAX_PAPER_SERIAL)
    throw new RangeError(`paper serial ${serial} outside 1..${MAX_PAPER_SERIAL}`);
  let s = '';
  let n = serial;
  for (let i = 0; i < 4; i++) {
    s = A[n % N]! + s;
    n = Math.floor(n / N);
  }
  return s;
}

/** The canonical code (9 symbols, no separators) of household `serial` on consultation `consultationCode`. */
export function encodePaperCode(consultationCode: string, serial: number): string {
  if (consultationCode.length !== CONSULTATION_CODE_LENGTH || [...consultationCode].some((c) => !A.includes(c))) {
    throw new RangeError(`a consultation code is ${CONSULTATION_CODE_LENGTH} symbols of the receipt alphabet`);
  }
  const body = consultationCode + serialSymbols(serial);
  return body + checkSymbol(body);
}

/** As printed and shown: K7QM-0A3F-X. */
export function formatPaperCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8)}`;
}

export interface PaperCodeParts {
  /** Canonical 9-symbol code. */
  code: string;
  consultationCode: string;
  serial: number;
}

/**
 * Reads a typed or scanned code: case, spaces, dashes and full-width forms do not matter, and
 * the last 9 symbols of a URL or other scanned text count (`https://…/p/K7QM-0A3F-X`). Null when
 * it is not a code or its check symbol does not match (a typo).
 */
export function parsePaperCode(input: string): PaperCodeParts | null {
  const tail = input.normalize('NFKC').toUpperCase().trim().split('/').pop() ?? '';
  const s = tail.replace(/[\s-]/g, '');
  if (s.length !== PAPER_CODE_LENGTH) return null;
  for (const ch of s) if (!A.includes(ch)) return null;
  if (checkSymbol(s.slice(0, 8)) !== s[8]) return null;
  let serial = 0;
  for (const ch of s.slice(4, 8)) serial = serial * N + A.indexOf(ch);
  if (serial < 1) return null;
  return { code: s, consultationCode: s.slice(0, 4), serial };
}

/** The text of a paper's QR code: a link any phone camera opens, ending in the canonical code. */
export function paperQrText(baseUrl: string, code: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/p/${formatPaperCode(code)}`;
}
