/**
 * Unzips an .xlsx with a byte budget, streaming: a zip bomb (203 KB that inflates to 200 MB of
 * whitespace) is stopped as soon as the inflated bytes pass the budget, before they are all in
 * memory. Sizes declared in the zip headers are not trusted; the bytes that come out are counted.
 * fflate reads the zip container as a stream; each entry is inflated by Node's zlib (native, ~10×
 * faster than fflate's inflate) with `maxOutputLength` set to what is left of the budget, so zlib
 * itself stops at the limit.
 */
import zlib from 'node:zlib';
import { Unzip, zipSync, type UnzipFile } from 'fflate';
import { DomainError } from '@linli/shared/common/errors';

/** Most bytes the XML parts of one roster .xlsx may inflate to (20,000 rows take about 6 MB). */
export const XLSX_MAX_INFLATED_BYTES = 48 * 1024 * 1024;
/** Most entries one .xlsx may hold (a workbook from Excel or WPS has 10 to 30). */
export const XLSX_MAX_ENTRIES = 500;
/** Compressed bytes pushed into the zip reader at a time. */
const PUSH_BYTES = 64 * 1024;

export interface UnzipLimits {
  maxInflatedBytes?: number;
  maxEntries?: number;
}

/** Only these parts are read (the sheet, shared strings, styles, relations); images etc. are skipped. */
const wanted = (name: string) => name.endsWith('.xml') || name.endsWith('.rels');

export function inflatedTooLarge(max: number): DomainError {
  const mb = Math.round(max / 1024 / 1024);
  return new DomainError(
    'too_large',
    `The .xlsx file unpacks to more than ${mb} MB; a roster needs far less, so it was not read. Save it again from Excel or send a CSV. Excel 文件解压后超过 ${mb} MB（名册用不了这么大），没有读取。请用 Excel 重新保存，或改用 CSV 文件。`,
  );
}

export function tooManyEntries(max: number): DomainError {
  return new DomainError(
    'too_large',
    `The .xlsx file holds more than ${max} parts; a roster has a few dozen, so it was not read. Excel 文件内部的部件超过 ${max} 个（正常的名册只有几十个），没有读取。`,
  );
}

function unreadable(why: string): DomainError {
  return new DomainError('validation_failed', `The .xlsx file cannot be read (${why}). Excel 文件无法读取，请用 Excel 重新保存后再试。`);
}

/**
 * The XML parts of an .xlsx, inflated within the budget. Throws 413 `too_large` when the inflated
 * bytes or the number of entries pass the limits, 400 when the zip is broken.
 */
export function unzipXlsxParts(buf: Uint8Array, limits: UnzipLimits = {}): Record<string, Uint8Array> {
  const maxBytes = limits.maxInflatedBytes ?? XLSX_MAX_INFLATED_BYTES;
  const maxEntries = limits.maxEntries ?? XLSX_MAX_ENTRIES;
  const files: Record<string, Uint8Array> = {};
  let inflated = 0;
  let entries = 0;
  let failure: DomainError | null = null;

  /** A DEFLATE entry: its compressed bytes are collected, then inflated natively within the budget left. */
  class BudgetedInflate {
    static compression = 8;
    ondata!: (err: Error | null, data: Uint8Array, final: boolean) => void;
    #packed: Uint8Array[] = [];
    push(chunk: Uint8Array, final: boolean): void {
      this.#packed.push(chunk);
      if (!final) return;
      const left = maxBytes - inflated;
      let out: Buffer;
      try {
        out = zlib.inflateRawSync(concat(this.#packed), { maxOutputLength: Math.max(1, left + 1) });
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) return void (failure ??= inflatedTooLarge(maxBytes));
        return this.ondata(err as Error, new Uint8Array(0), true);
      } finally {
        this.#packed = [];
      }
      this.ondata(null, out, true);
    }
  }

  const unzip = new Unzip((file: UnzipFile) => {
    if (failure) return;
    entries++;
    if (entries > maxEntries) return void (failure = tooManyEntries(maxEntries));
    if (!wanted(file.name)) return; // never started: its bytes are skipped, not inflated
    if (file.name in files) return void (failure = unreadable(`${file.name} appears twice`));
    const chunks: Uint8Array[] = [];
    file.ondata = (err, data, final) => {
      if (failure) return;
      if (err) return void (failure = unreadable(err.message));
      inflated += data.length;
      if (inflated > maxBytes) {
        chunks.length = 0;
        return void (failure = inflatedTooLarge(maxBytes));
      }
      chunks.push(data);
      if (final) files[file.name] = concat(chunks);
    };
    file.start();
  });
  unzip.register(BudgetedInflate);

  try {
    for (let at = 0; at < buf.length && !failure; at += PUSH_BYTES) {
      const end = Math.min(at + PUSH_BYTES, buf.length);
      unzip.push(buf.subarray(at, end), end === buf.length);
    }
  } catch (err) {
    failure ??= unreadable((err as Error).message);
  }
  if (failure) throw failure;
  return files;
}

/** The parts again as a zip without compression, for the spreadsheet reader (cheap: no deflate). */
export function storedZip(parts: Record<string, Uint8Array>): Buffer {
  return Buffer.from(zipSync(parts, { level: 0 }));
}

function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
