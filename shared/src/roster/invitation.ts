/**
 * Invitation codes printed on slips: letters and digits without look-alikes (no 0/O, 1/I/L),
 * 11 characters ≈ 54.5 bits, shown grouped as ABCD-EFGH-JKL. Generation (crypto.randomInt) is the
 * server's; reading and formatting are here so the web and the server agree.
 */
export const INVITATION_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const INVITATION_CODE_LENGTH = 11;
/** log2(31^11) ≈ 54.5 bits of entropy. */
export const INVITATION_CODE_BITS = INVITATION_CODE_LENGTH * Math.log2(INVITATION_ALPHABET.length);

/**
 * The canonical form of a typed or scanned code: upper case, no dashes or spaces, full-width folded.
 * Returns null unless it is exactly a code's shape (so garbage never reaches Redis).
 */
export function normalizeInvitationCode(input: string): string | null {
  const s = input
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[\s\-_.·]/g, '');
  if (s.length !== INVITATION_CODE_LENGTH) return null;
  for (const ch of s) if (!INVITATION_ALPHABET.includes(ch)) return null;
  return s;
}

/** "ABCDEFGHJKL" → "ABCD-EFGH-JKL". */
export function formatInvitationCode(code: string): string {
  return code.match(/.{1,4}/g)?.join('-') ?? code;
}
