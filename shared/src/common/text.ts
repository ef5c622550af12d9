/**
 * Free text that people type (names, titles, descriptions, comments, motions, minutes): one zod
 * helper for every such field. It trims, normalises to NFC, and refuses characters that can hide
 * or disguise what a reader sees: control characters (C0, DEL, C1; newline and tab only where the
 * field is multi-line), bidi overrides and isolates (U+202A–202E, U+2066–2069), zero-width
 * characters (U+200B–200D, U+2060, U+FEFF) and unpaired surrogates.
 *
 * Also the fold that compares display names: `nameKey()` maps look-alikes (full-width letters,
 * case, spaces, invisible characters, Cyrillic/Greek homoglyphs, 0/o, 1/l) to one key, so a guest
 * cannot call themselves `Admin`, `аdmin` or `王 芳` beside the staff member 王芳.
 */
import { z } from 'zod';

/** Characters refused in every free-text field (multi-line fields allow \n and \t). */
// With the `u` flag a valid surrogate pair is one code point: only an unpaired half matches D800–DFFF.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE_SINGLE = /[\u0000-\u001F\u007F-\u009F\u200B-\u200D\u2060\uFEFF\u202A-\u202E\u2066-\u2069\uD800-\uDFFF]/u;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const UNSAFE_MULTI = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200B-\u200D\u2060\uFEFF\u202A-\u202E\u2066-\u2069\uD800-\uDFFF]/u;

/** The first refused character of `s` as `U+XXXX`, or null when the text is safe. */
export function unsafeCharacter(s: string, multiline = false): string | null {
  const m = (multiline ? UNSAFE_MULTI : UNSAFE_SINGLE).exec(s);
  if (!m) return null;
  return `U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The bilingual message of a refused character. */
export function unsafeTextMessage(code: string): string {
  return `contains the invisible or control character ${code} (zero-width, text-direction or control); please retype it. 含有不可见字符或控制字符 ${code}（零宽、文字方向或控制符），请重新输入。`;
}

export interface SafeTextOptions {
  /** Most characters after trimming (NFC). */
  max: number;
  /** Fewest characters; 1 gives the message "required". */
  min?: number;
  /** Allows newline and tab (descriptions, comments, minutes); CRLF and CR become LF. */
  multiline?: boolean;
}

/**
 * A free-text field: trimmed, CRLF → LF (multi-line), NFC-normalised, unsafe characters refused
 * with a clear bilingual message, then the length limits. Returns a plain `ZodString`, so
 * `.optional()`, `.nullable()` and `.default()` chain as before.
 */
export function safeText(opts: SafeTextOptions): z.ZodString {
  let s = z.string().trim();
  if (opts.multiline) s = s.overwrite((v) => v.replace(/\r\n?/g, '\n'));
  s = s.normalize('NFC').check((ctx) => {
    const bad = unsafeCharacter(ctx.value, opts.multiline === true);
    if (bad) ctx.issues.push({ code: 'custom', message: unsafeTextMessage(bad), input: ctx.value });
  });
  if (opts.min !== undefined) s = s.min(opts.min, opts.min === 1 ? 'required' : `at least ${opts.min} characters`);
  return s.max(opts.max);
}

/** Latin look-alikes from Cyrillic and Greek, and digits that pass for letters. */
const CONFUSABLES: Record<string, string> = {
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  і: 'l',
  ї: 'l',
  ј: 'j',
  ѕ: 's',
  ԁ: 'd',
  һ: 'h',
  ԛ: 'q',
  ԝ: 'w',
  α: 'a',
  β: 'b',
  ε: 'e',
  η: 'n',
  ι: 'l',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  ω: 'w',
  ɑ: 'a',
  ɡ: 'g',
  ı: 'l',
  ɩ: 'l',
  '0': 'o',
  '1': 'l',
  i: 'l',
  '|': 'l',
};

/**
 * The key two display names share when they look alike: NFKC (full-width → ASCII), case fold,
 * no spaces, punctuation-like separators or default-ignorable characters, confusables folded,
 * and `rn` read as `m`.
 */
export function nameKey(name: string): string {
  const folded = name.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC');
  const bare = folded.replace(/[\s\p{Default_Ignorable_Code_Point}\p{Cf}._\-·・'"`]/gu, '');
  return [...bare.normalize('NFD').replace(/\p{Mn}/gu, '')]
    .map((c) => CONFUSABLES[c] ?? c)
    .join('')
    .replace(/rn/g, 'm');
}

/** True when `name` looks like one of `staffNames` (display names or logins of staff). */
export function looksLikeAny(name: string, staffNames: Iterable<string>): boolean {
  const key = nameKey(name);
  if (!key) return false;
  for (const s of staffNames) if (nameKey(s) === key) return true;
  return false;
}
