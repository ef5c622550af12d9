/**
 * The roster parser, pure: a table (header + rows, from CSV, .xlsx or JSON) becomes valid household
 * rows and a list of refused rows with their line numbers. No I/O; the server decodes files.
 */
import { DomainError } from '../common/errors.ts';
import { AREA_MAX_CENTIARES, formatArea, parseAreaCentiares, spreadsheetNumberText } from './area.ts';
import {
  AREA_WARN_ABOVE_CENTIARES,
  AREA_WARN_BELOW_CENTIARES,
  bilingualRosterIssue,
  isPlausiblePhone,
  type RosterIssueParams,
} from './plausibility.ts';
import { ROSTER_MAX_ROWS, type RosterRejection, type RosterWarning } from './schemas.ts';
import { unsafeCharacter } from '../common/text.ts';

/** A household row that passed every check, with the line it came from. */
export interface RosterRow {
  line: number;
  building: string;
  unit: string;
  room: string;
  areaCentiares: number;
  owner: string;
  phone?: string;
}

export interface RosterParse {
  rows: RosterRow[];
  rejected: RosterRejection[];
  warnings: RosterWarning[];
}

/** A row before checks: raw cell values by column name. */
export interface RawRosterRow {
  line: number;
  building?: unknown;
  unit?: unknown;
  room?: unknown;
  area?: unknown;
  owner?: unknown;
  phone?: unknown;
}

export const ROSTER_COLUMNS = ['building', 'unit', 'room', 'area', 'owner', 'phone'] as const;
export type RosterColumn = (typeof ROSTER_COLUMNS)[number];
const REQUIRED: RosterColumn[] = ['building', 'unit', 'room', 'area', 'owner'];

/** Header names accepted for each column (English, and what Chinese spreadsheets say). */
const HEADER_ALIASES: Record<RosterColumn, string[]> = {
  building: ['building', '楼栋', '楼号', '栋', '幢', '楼栋号'],
  unit: ['unit', '单元', '单元号'],
  room: ['room', '房号', '房间号', '室', '门牌号'],
  area: [
    'area',
    '面积',
    '建筑面积',
    '专有部分面积',
    '面积(m²)',
    '面积(㎡)',
    '面积(平方米)',
    '建筑面积(㎡)',
    '建筑面积(m²)',
    '建筑面积(平方米)',
  ],
  owner: ['owner', '业主', '业主姓名', '姓名', '产权人'],
  phone: ['phone', '电话', '手机', '手机号', '联系电话', '电话号码'],
};

const normHeader = (h: unknown) =>
  String(h ?? '')
    .normalize('NFKC')
    .replace(/^\uFEFF/, '')
    .replace(/\s+/g, '')
    .toLowerCase();

/**
 * Maps a header row to column positions. Throws a 400 naming the missing columns, so a file with
 * the wrong header is refused as a whole rather than read as garbage.
 */
export function mapHeader(header: readonly unknown[]): Partial<Record<RosterColumn, number>> {
  const map: Partial<Record<RosterColumn, number>> = {};
  header.forEach((cell, i) => {
    const h = normHeader(cell);
    for (const col of ROSTER_COLUMNS) {
      if (map[col] === undefined && HEADER_ALIASES[col].some((a) => normHeader(a) === h)) map[col] = i;
    }
  });
  const missing = REQUIRED.filter((c) => map[c] === undefined);
  if (missing.length > 0) {
    throw new DomainError(
      'validation_failed',
      `The header row must name the columns building,unit,room,area,owner[,phone] (or 楼栋,单元,房号,面积,业主[,电话]); missing: ${missing.join(', ')}. 表头缺少列：${missing.map((c) => HEADER_ALIASES[c][1]).join('、')}。第一行请写：楼栋、单元、房号、面积、业主（电话可加可不加），也可以下载模板照着填。`,
      { issues: missing.map((m) => ({ path: `header.${m}`, message: 'column missing' })) },
    );
  }
  return map;
}

/**
 * A whole table (header row, possibly after a title row) to raw rows. `lines[i]` is the file line of table row i
 * (CSV records can span lines); by default row i is line i + 1. Blank rows are skipped.
 * `spreadsheet`: numeric cells came from .xlsx and are read as Excel shows them.
 */
export function tableToRawRows(
  table: readonly (readonly unknown[])[],
  opts: { lines?: readonly number[]; spreadsheet?: boolean } = {},
): RawRosterRow[] {
  const isBlank = (cells: readonly unknown[]) => cells.every((c) => c === null || c === undefined || String(c).trim() === '');
  const first = table.findIndex((r) => !isBlank(r));
  if (first < 0) throw new DomainError('validation_failed', 'The file is empty. 文件为空。');
  // Chinese rosters often open with a title row (“XX小区业主名册”): the header is the first row that
  // names the columns, among the first few.
  let headerAt = first;
  let map: Partial<Record<RosterColumn, number>> | null = null;
  for (let i = first; i < Math.min(table.length, first + 5) && !map; i++) {
    try {
      map = mapHeader(table[i]!);
      headerAt = i;
    } catch {
      /* not the header */
    }
  }
  map ??= mapHeader(table[first]!);
  const out: RawRosterRow[] = [];
  if (table.length - 1 - headerAt > ROSTER_MAX_ROWS) throw tooManyRows(table.length - 1 - headerAt);
  for (let i = headerAt + 1; i < table.length; i++) {
    const cells = table[i]!;
    if (isBlank(cells)) continue;
    const row: RawRosterRow = { line: opts.lines?.[i] ?? i + 1 };
    for (const col of ROSTER_COLUMNS) {
      const at = map[col];
      if (at === undefined) continue;
      let v = cells[at];
      if (opts.spreadsheet && col === 'area' && typeof v === 'string') v = spreadsheetNumberText(v);
      row[col] = v;
    }
    out.push(row);
  }
  return out;
}

export function tooManyRows(n: number): DomainError {
  return new DomainError(
    'too_large',
    `The roster has ${n} rows; at most ${ROSTER_MAX_ROWS} may be imported at once. 超过 ${ROSTER_MAX_ROWS} 行。`,
  );
}

/** NFKC (full-width digits → ASCII), trimmed, inner whitespace collapsed. */
export function cleanText(v: unknown): string {
  if (v === null || v === undefined) return '';
  return String(v).normalize('NFKC').replace(/\s+/g, ' ').trim();
}

/** The identity of a household inside one community: building + unit + room, case-insensitive. */
export function householdKey(building: string, unit: string, room: string): string {
  return [building, unit, room].map((s) => cleanText(s).toLowerCase()).join('\u001f');
}

/** "3栋2单元1201": building/unit/room as written on a slip, without doubling 栋/单元 if already there. */
export function formatAddress(h: { building: string; unit: string; room: string }): string {
  const b = /[栋幢座楼号]$/.test(h.building) ? h.building : `${h.building}栋`;
  const u = /单元$/.test(h.unit) ? h.unit : `${h.unit}单元`;
  return `${b}${u}${h.room}`;
}

/**
 * An owner's name normalised so that one owner holding several units counts once
 * (DOMAIN.md, Civil Code Art. 278): width, case and all whitespace ignored.
 */
export function normalizeOwnerName(owner: string): string {
  return owner.normalize('NFKC').replace(/\s+/g, '').toLowerCase();
}

const LIMITS: Record<'building' | 'unit' | 'room' | 'owner', number> = { building: 40, unit: 40, room: 40, owner: 80 };

export interface RosterCheckOptions {
  /** Areas above this are imported with a warning (default 300 m²). */
  areaWarnAboveCentiares?: number;
  /** Areas below this are imported with a warning (default 10 m²). */
  areaWarnBelowCentiares?: number;
}

type Checked = { ok: true; row: RosterRow; warning?: RosterWarning } | { ok: false; rejection: RosterRejection };

/** Checks one raw row: its cleaned household fields (perhaps with a warning), or the reason it is refused. */
export function checkRow(raw: RawRosterRow, opts: RosterCheckOptions = {}): Checked {
  const reject = (code: RosterRejection['code'], p: RosterIssueParams): Checked => ({
    ok: false,
    rejection: {
      line: raw.line,
      code,
      message: bilingualRosterIssue(code, p),
      ...p,
      ...(p.value !== undefined ? { value: p.value.slice(0, 40) } : {}),
    } as RosterRejection,
  });
  const fields = { building: cleanText(raw.building), unit: cleanText(raw.unit), room: cleanText(raw.room), owner: cleanText(raw.owner) };
  const areaText = typeof raw.area === 'number' ? raw.area : cleanText(raw.area);
  const present: Record<string, boolean> = {
    ...Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v !== ''])),
    area: areaText !== '',
  };
  const missing = REQUIRED.filter((c) => !present[c]);
  if (missing.length > 0) return reject('missing_field', { fields: missing });
  for (const [k, v] of Object.entries(fields) as [keyof typeof LIMITS, string][]) {
    if (v.length > LIMITS[k]) return reject('too_long', { fields: [k], limit: String(LIMITS[k]) });
    // Control, zero-width and text-direction characters would break keys, exports and look-alike checks.
    if (unsafeCharacter(v)) return reject('invalid_text', { fields: [k] });
  }
  const area = parseAreaCentiares(areaText);
  if (!area.ok) {
    const value = String(areaText);
    const tooBig = area.code === 'area_out_of_range' && Number(value.replace(/[^\d.-]/g, '')) > 0;
    return reject(area.code, { fields: ['area'], value, ...(tooBig ? { limit: String(AREA_MAX_CENTIARES / 100) } : {}) });
  }
  const phone = cleanText(raw.phone);
  if (phone && !isPlausiblePhone(phone)) return reject('invalid_phone', { fields: ['phone'], value: phone });
  const row: RosterRow = { line: raw.line, ...fields, areaCentiares: area.centiares, ...(phone ? { phone } : {}) };
  const above = opts.areaWarnAboveCentiares ?? AREA_WARN_ABOVE_CENTIARES;
  const below = opts.areaWarnBelowCentiares ?? AREA_WARN_BELOW_CENTIARES;
  const warn = (code: RosterWarning['code'], limit: number): Checked => {
    const p: RosterIssueParams = { fields: ['area'], value: formatAreaShort(area.centiares), limit: formatAreaShort(limit) };
    return { ok: true, row, warning: { line: raw.line, code, message: bilingualRosterIssue(code, p), ...p } as RosterWarning };
  };
  if (area.centiares > above) return warn('area_large', above);
  if (area.centiares < below) return warn('area_small', below);
  return { ok: true, row };
}

/** "88.5", "5000", "0.01": an area as people write it (no trailing zeros). */
function formatAreaShort(centiares: number): string {
  return formatArea(centiares).replace(/\.?0+$/, '');
}

/**
 * Checks every row. A room (building + unit + room) that appears more than once in one file is
 * refused on every line it appears on: the file does not say which of them is right.
 */
export function parseRoster(raws: readonly RawRosterRow[], opts: RosterCheckOptions = {}): RosterParse {
  if (raws.length > ROSTER_MAX_ROWS) throw tooManyRows(raws.length);
  const rejected: RosterRejection[] = [];
  const checked: RosterRow[] = [];
  const warningByLine = new Map<number, RosterWarning>();
  for (const raw of raws) {
    const r = checkRow(raw, opts);
    if (r.ok) {
      checked.push(r.row);
      if (r.warning) warningByLine.set(r.row.line, r.warning);
    } else rejected.push(r.rejection);
  }
  const linesByKey = new Map<string, number[]>();
  for (const row of checked) {
    const key = householdKey(row.building, row.unit, row.room);
    const lines = linesByKey.get(key);
    if (lines) lines.push(row.line);
    else linesByKey.set(key, [row.line]);
  }
  const rows: RosterRow[] = [];
  for (const row of checked) {
    const lines = linesByKey.get(householdKey(row.building, row.unit, row.room))!;
    if (lines.length === 1) rows.push(row);
    else {
      const p: RosterIssueParams = { lines: lines.filter((l) => l !== row.line) };
      rejected.push({
        line: row.line,
        code: 'duplicate_room',
        message: bilingualRosterIssue('duplicate_room', p),
        ...p,
      } as RosterRejection);
    }
  }
  rejected.sort((a, b) => a.line - b.line);
  // Warnings only for rows that are imported (a refused duplicate needs no second warning).
  const warnings = rows.flatMap((r) => warningByLine.get(r.line) ?? []).sort((a, b) => a.line - b.line);
  return { rows, rejected, warnings };
}
