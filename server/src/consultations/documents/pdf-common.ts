/**
 * What every consultation PDF shares: an A4 pdfkit document with the Noto Sans CJK font (a subset
 * of the glyphs used is embedded, so the files open in WPS and print anywhere), Asia/Shanghai times
 * in words, areas in ㎡ with two decimals, QR codes drawn as vector squares, and streaming into a
 * response with back-pressure (no document is ever held whole in memory).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type { Writable } from 'node:stream';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { formatArea } from '@linli/shared';

/** The Simplified Chinese face inside the fonts-noto-cjk collection (STACK.md). */
export const CJK_FONT_NAME = 'NotoSansCJKsc-Regular';
const DEFAULT_FONT_FILE = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';

let fontFile: string | undefined;

/** Where the CJK collection is: $LINLI_CJK_FONT, the Debian path, or what fontconfig names. */
export function cjkFontFile(): string {
  if (fontFile) return fontFile;
  const candidates = [process.env.LINLI_CJK_FONT, DEFAULT_FONT_FILE].filter((f): f is string => !!f);
  for (const f of candidates) if (fs.existsSync(f)) return (fontFile = f);
  try {
    const listed = execFileSync('fc-list', [':lang=zh', 'file'], { encoding: 'utf8' })
      .split('\n')
      .map((l) => l.replace(/:\s*$/, '').trim())
      .filter((l) => /NotoSansCJK-Regular\.tt[cf]$/.test(l));
    if (listed[0]) return (fontFile = listed[0]);
  } catch {
    // no fontconfig: fall through to the message below
  }
  throw new Error('No Chinese font: install the fonts-noto-cjk package (npm run setup does it as root) or set LINLI_CJK_FONT');
}

export const A4 = { width: 595.28, height: 841.89 };
export const MARGIN = 42;

/** A new A4 document in the CJK font; pages are added by the caller. */
export function newA4Document(title: string): PDFKit.PDFDocument {
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    autoFirstPage: false,
    info: { Title: title, Creator: 'Linli 邻里', Producer: 'Linli 邻里 (pdfkit)' },
  });
  doc.registerFont('cjk', cjkFontFile(), CJK_FONT_NAME);
  doc.font('cjk');
  return doc;
}

/** "2026年12月20日 18:00（北京时间）" from an ISO string with offset or epoch ms. */
export function shanghaiWords(time: string | number | undefined): string {
  if (time === undefined) return '—';
  const ms = typeof time === 'number' ? time : Date.parse(time);
  if (!Number.isFinite(ms)) return '—';
  const d = new Date(ms + 8 * 3600_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日 ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}（北京时间）`;
}

/** "2026-12-20 18:00" Asia/Shanghai, for tables. */
export function shanghaiShort(time: string | number | undefined): string {
  if (time === undefined) return '';
  const ms = typeof time === 'number' ? time : Date.parse(time);
  if (!Number.isFinite(ms)) return '';
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

/** "88.50 ㎡". */
export function areaWords(centiares: number): string {
  return `${formatArea(centiares)} ㎡`;
}

/** Draws `text` as a QR code (error correction M) of `size` pt at (x, y): one path of dark squares, runs merged. */
export function drawQr(doc: PDFKit.PDFDocument, text: string, x: number, y: number, size: number): void {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  const quiet = 2;
  const cell = size / (n + 2 * quiet);
  doc.save();
  doc.rect(x, y, size, size).fill('#ffffff');
  for (let r = 0; r < n; r++) {
    let c = 0;
    while (c < n) {
      if (!qr.modules.get(r, c)) {
        c++;
        continue;
      }
      const start = c;
      while (c < n && qr.modules.get(r, c)) c++;
      doc.rect(x + (quiet + start) * cell, y + (quiet + r) * cell, (c - start) * cell, cell);
    }
  }
  doc.fill('#000000');
  doc.restore();
}

/** An empty tick box of `size` pt with its top-left at (x, y). */
export function box(doc: PDFKit.PDFDocument, x: number, y: number, size = 11): void {
  doc.save().lineWidth(0.9).rect(x, y, size, size).stroke('#000000').restore();
}

export interface StreamControl {
  /** Resolves when `out` can take more; false when the receiver went away (stop generating). */
  ready(): Promise<boolean>;
}

/**
 * Pipes `doc` into `out` and gives the generator a way to wait for the receiver: a PDF of 20,000
 * pages never sits in memory, it is made as fast as the client reads it.
 */
export function pipeWithBackPressure(doc: PDFKit.PDFDocument, out: Writable): StreamControl {
  let gone = false;
  const markGone = () => {
    gone = true;
  };
  out.once('close', markGone);
  out.once('error', markGone);
  doc.pipe(out);
  return {
    async ready() {
      if (gone || out.destroyed) return false;
      if (!out.writableNeedDrain && doc.readableLength < 1 << 20) {
        // let the pipe move what pdfkit pushed before the next page
        await new Promise((r) => setImmediate(r));
        return !gone;
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          out.off('drain', done);
          out.off('close', done);
          resolve();
        };
        out.on('drain', done);
        out.on('close', done);
      });
      return !gone && !out.destroyed;
    },
  };
}

/** Resolves when `out` has taken the whole document (or went away). */
export function finished(doc: PDFKit.PDFDocument, out: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const ok = () => resolve();
    if (out.destroyed || out.writableFinished) {
      doc.unpipe(out);
      doc.end();
      doc.resume(); // drain what is left into nowhere
      return resolve();
    }
    out.once('finish', ok);
    out.once('close', ok);
    doc.once('error', reject);
    doc.end();
  });
}
