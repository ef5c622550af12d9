/**
 * Roster files to raw rows: CSV in UTF-8 (with or without BOM) or GBK/GB18030 — what Excel saves
 * in China — and .xlsx. Decoding only; the checks are the shared parser's. Runs in the roster
 * worker thread (roster.parser.ts), hence the narrow imports of @linli/shared (a faster start).
 */
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { readSheet } from 'read-excel-file/node';
import { DomainError } from '@linli/shared/common/errors';
import { tableToRawRows, type RawRosterRow } from '@linli/shared/roster/roster';
import { ROSTER_MAX_BYTES } from '@linli/shared/roster/schemas';
import { storedZip, unzipXlsxParts, type UnzipLimits } from './xlsx-unzip.ts';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export type RosterFileKind = 'csv' | 'xlsx';

/** Kind of a roster file by its bytes: .xlsx is a zip (PK\x03\x04), anything else is read as CSV. */
export function sniffKind(buf: Buffer): RosterFileKind {
  return buf.length >= 4 && buf[0] === 0x50 && buf[1] === 0x4b && buf[2] === 0x03 && buf[3] === 0x04 ? 'xlsx' : 'csv';
}

/**
 * Bytes → text. Valid UTF-8 (BOM dropped) is UTF-8; anything else is decoded as GB18030, the
 * superset of GBK/GB2312. A declared charset of the GB family is trusted directly.
 */
export function decodeCsvBytes(buf: Buffer, declaredCharset?: string): { text: string; encoding: 'utf8' | 'gb18030' } {
  const cs = declaredCharset?.toLowerCase();
  if (cs && /^(gbk|gb2312|gb18030|cp936|x-gbk)$/.test(cs)) return { text: iconv.decode(buf, 'gb18030'), encoding: 'gb18030' };
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(buf);
    return { text, encoding: 'utf8' };
  } catch {
    return { text: iconv.decode(buf, 'gb18030'), encoding: 'gb18030' };
  }
}

/** CSV text → raw rows, each with the file line its record starts on. Comma or tab separated. */
export function csvToRawRows(text: string): RawRosterRow[] {
  const body = text.replace(/^\uFEFF/, '');
  const firstLine = body.slice(0, body.search(/\r?\n|$/));
  const delimiter = firstLine.includes('\t') && !firstLine.includes(',') ? '\t' : ',';
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(body, {
      delimiter,
      info: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
    }) as unknown as typeof records;
  } catch (err) {
    const line = (err as { lines?: number }).lines;
    throw new DomainError(
      'validation_failed',
      `The CSV cannot be read${line ? ` near line ${line}` : ''}: ${(err as Error).message}. CSV 文件格式错误。`,
    );
  }
  const table: string[][] = [];
  const lines: number[] = [];
  let prevEnd = 0;
  for (const r of records) {
    table.push(r.record);
    lines.push(prevEnd + 1);
    prevEnd = r.info.lines;
  }
  return tableToRawRows(table, { lines });
}

/**
 * .xlsx bytes → raw rows of the first sheet; numbers read as Excel shows them. The zip is first
 * inflated within a byte budget (a zip bomb is refused with 413 before it fills the memory).
 */
export async function xlsxToRawRows(buf: Buffer, limits: UnzipLimits = {}): Promise<RawRosterRow[]> {
  const parts = unzipXlsxParts(buf, limits);
  let sheet: unknown[][];
  try {
    sheet = (await readSheet(storedZip(parts), { parseNumber: (s: string) => s })) as unknown[][];
  } catch (err) {
    throw new DomainError('validation_failed', `The .xlsx file cannot be read: ${(err as Error).message}. Excel 文件无法读取。`);
  }
  const table = sheet.map((row) => row.map((c) => (c instanceof Date ? c.toISOString().slice(0, 10) : c)));
  return tableToRawRows(table, { spreadsheet: true });
}

/** Any roster file (CSV in any supported encoding, or .xlsx) → raw rows. */
export async function rosterFileToRawRows(
  buf: Buffer,
  opts: { kind?: RosterFileKind; charset?: string; limits?: UnzipLimits } = {},
): Promise<RawRosterRow[]> {
  if (buf.length > ROSTER_MAX_BYTES) throw tooLarge();
  const kind = opts.kind ?? sniffKind(buf);
  if (kind === 'xlsx') return xlsxToRawRows(buf, opts.limits);
  return csvToRawRows(decodeCsvBytes(buf, opts.charset).text);
}

export function tooLarge(): DomainError {
  return new DomainError('too_large', `The roster file is larger than ${ROSTER_MAX_BYTES / 1024 / 1024} MB. 文件超过 5 MB。`);
}
