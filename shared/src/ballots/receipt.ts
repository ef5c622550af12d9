/**
 * Receipt codes: what a voter keeps to find their vote in the published record. Short enough to
 * read aloud or copy from a phone, drawn from an alphabet without look-alikes (no 0/O, 1/I/L).
 */
import { z } from 'zod';

/** 31 symbols: digits 2–9 and capitals without I, L, O. */
export const RECEIPT_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
/** 8 symbols ≈ 39.6 bits: guessing one receipt of a 2,000-vote ballot takes ~4·10⁸ tries. */
export const RECEIPT_LENGTH = 8;

/** Canonical form (upper case, no separators) or null if it cannot be a receipt. */
export function normalizeReceipt(input: string): string | null {
  const s = input.normalize('NFKC').toUpperCase().replace(/[\s-]/g, '');
  if (s.length !== RECEIPT_LENGTH) return null;
  for (const ch of s) if (!RECEIPT_ALPHABET.includes(ch)) return null;
  return s;
}

/** As shown to people: ABCD-EFGH. */
export function formatReceipt(receipt: string): string {
  return `${receipt.slice(0, 4)}-${receipt.slice(4)}`;
}

export const Receipt = z.string().transform((s, ctx) => {
  const r = normalizeReceipt(s);
  if (!r) {
    ctx.addIssue({ code: 'custom', message: `a receipt is ${RECEIPT_LENGTH} letters and digits` });
    return z.NEVER;
  }
  return r;
});
export type Receipt = z.infer<typeof Receipt>;
