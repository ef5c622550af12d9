/**
 * Is a roster value plausible? Phones as people in mainland China write them, and areas that are
 * valid numbers but probably a typo (a 5,000 m² flat decides an Art. 278 vote as much as 50 flats).
 * Each problem is explained in plain Chinese and English, the same words on the server and the page.
 */

/** Above this area a row is imported with a warning, unless the community's setting says otherwise: 300 m². */
export const AREA_WARN_ABOVE_CENTIARES = 30_000;
/** Below this area a row is imported with a warning: 10 m² (a room, not a flat — perhaps a digit is missing). */
export const AREA_WARN_BELOW_CENTIARES = 1_000;

const MOBILE = /^1[3-9]\d{9}$/;
/** Area code (3 or 4 digits, starting 0) + 7 or 8 digits. */
const LANDLINE = /^0[1-9]\d{1,2}\d{7,8}$/;
/** A local landline written without its area code. */
const LOCAL = /^[2-9]\d{6,7}$/;
const EXTENSION = /(?:转|分机|ext\.?|x|#)\s*\d{1,6}$/i;

/**
 * True when `text` can be a phone number someone in a Chinese compound gives: a mainland mobile
 * (11 digits from 1, with or without +86), a landline with its area code (010-12345678) or without
 * it (7–8 digits), an extension after 转/ext, or an international number in + form (E.164).
 */
export function isPlausiblePhone(text: string): boolean {
  let s = text.normalize('NFKC').trim();
  if (s === '') return false;
  s = s.replace(EXTENSION, '');
  if (/[^\d+\s\-()]/.test(s)) return false;
  const compact = s.replace(/[\s\-()]/g, '');
  if (/^\+/.test(compact)) {
    const digits = compact.slice(1);
    if (!/^\d+$/.test(digits)) return false;
    if (digits.startsWith('86')) return MOBILE.test(digits.slice(2)) || LANDLINE.test(`0${digits.slice(2)}`);
    return digits.length >= 7 && digits.length <= 15;
  }
  if (!/^\d+$/.test(compact)) return false;
  const national = compact.replace(/^0086/, '').replace(/^86(?=1[3-9]\d{9}$)/, '');
  return MOBILE.test(national) || LANDLINE.test(national) || LOCAL.test(national);
}

/** Why a row is refused (nothing of it is written). */
export type RosterRejectionCode =
  'missing_field' | 'invalid_area' | 'area_out_of_range' | 'duplicate_room' | 'invalid_phone' | 'too_long' | 'invalid_text';
/** Why a row that is imported deserves a second look. */
export type RosterWarningCode = 'area_large' | 'area_small';

export type RosterField = 'building' | 'unit' | 'room' | 'area' | 'owner' | 'phone';

/** What a message needs besides its code: the cells at fault, the value, a limit, other lines. */
export interface RosterIssueParams {
  fields?: readonly RosterField[];
  value?: string;
  /** A limit: characters for too_long, m² (as text) for areas. */
  limit?: string;
  lines?: readonly number[];
}

const FIELD_ZH: Record<RosterField, string> = {
  building: '楼栋',
  unit: '单元',
  room: '房号',
  area: '面积',
  owner: '业主姓名',
  phone: '电话',
};
const FIELD_EN: Record<RosterField, string> = {
  building: 'building',
  unit: 'unit',
  room: 'room',
  area: 'area',
  owner: 'owner',
  phone: 'phone',
};

const zhList = (fs: readonly RosterField[] = []) => fs.map((f) => FIELD_ZH[f]).join('、');
const enList = (fs: readonly RosterField[] = []) => fs.map((f) => FIELD_EN[f]).join(', ');
const shown = (v = '') => (v.length > 30 ? `${v.slice(0, 30)}…` : v);

/** One problem in plain words, in Chinese (`zh`) or English (`en`). */
export function explainRosterIssue(code: RosterRejectionCode | RosterWarningCode, p: RosterIssueParams, locale: 'zh' | 'en'): string {
  const zh = locale === 'zh';
  const v = shown(p.value);
  switch (code) {
    case 'missing_field':
      return zh
        ? `这一行没有填${zhList(p.fields)}。每一行都要有楼栋、单元、房号、面积和业主姓名。`
        : `This row has no ${enList(p.fields)}. Every row needs building, unit, room, area and owner.`;
    case 'invalid_area':
      if (/^\d+\.\d{3,}$/.test(v)) {
        return zh
          ? `面积“${v}”的小数超过两位。请最多保留两位小数，例如 88.56。`
          : `The area "${v}" has more than 2 decimals. Keep at most 2, like 88.56.`;
      }
      return zh
        ? `面积“${v}”不是数字。请只填平方米数，例如 88.5。`
        : `The area "${v}" is not a number. Write the square metres only, like 88.5.`;
    case 'area_out_of_range':
      if (p.limit) {
        return zh
          ? `面积 ${v} 平方米超过了 ${p.limit} 平方米的上限，一定是填错了。`
          : `The area ${v} m² is above the limit of ${p.limit} m²; it must be a mistake.`;
      }
      return zh ? '面积必须大于 0。' : 'The area must be more than 0.';
    case 'duplicate_room':
      return zh
        ? `这个房号在第 ${(p.lines ?? []).join('、')} 行也出现了。同一户只能写一行，请删掉多余的一行（这些行都没有导入）。`
        : `The same room is also on line ${(p.lines ?? []).join(', ')}. One household, one row: delete the extra row (none of them was imported).`;
    case 'invalid_phone':
      return zh
        ? `电话“${v}”不像手机号或座机号。手机号是以 1 开头的 11 位数字（如 13800138000），座机请带区号（如 010-12345678）。不知道可以空着。`
        : `The phone "${v}" is neither a mobile nor a landline number. A mobile has 11 digits starting with 1 (13800138000); a landline has its area code (010-12345678). Leave it empty if unknown.`;
    case 'too_long':
      return zh
        ? `${zhList(p.fields)}太长了，最多 ${p.limit ?? ''} 个字。`
        : `The ${enList(p.fields)} is too long: at most ${p.limit ?? ''} characters.`;
    case 'invalid_text':
      return zh
        ? `${zhList(p.fields)}里有看不见的特殊字符（常见于从别处复制粘贴），请重新输入这一格。`
        : `The ${enList(p.fields)} holds invisible control characters (often from copy and paste). Type that cell again.`;
    case 'area_large':
      return zh
        ? `面积 ${v} 平方米比一般住户大很多（超过 ${p.limit ?? ''} 平方米）。面积决定表决的分量，请核对是不是多写了一位数。这一行仍会导入。`
        : `The area ${v} m² is much larger than a usual home (over ${p.limit ?? ''} m²). Area weighs in votes: check for an extra digit. The row is still imported.`;
    case 'area_small':
      return zh
        ? `面积 ${v} 平方米非常小（不到 ${p.limit ?? ''} 平方米），请核对是不是少写了一位数。这一行仍会导入。`
        : `The area ${v} m² is very small (under ${p.limit ?? ''} m²): check for a missing digit. The row is still imported.`;
  }
}

/** The server's one message for a problem: English, then Chinese (see web server-message.ts). */
export function bilingualRosterIssue(code: RosterRejectionCode | RosterWarningCode, p: RosterIssueParams): string {
  return `${explainRosterIssue(code, p, 'en')} ${explainRosterIssue(code, p, 'zh')}`;
}
