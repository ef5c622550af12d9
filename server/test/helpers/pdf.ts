/**
 * Reading generated PDFs in tests, the way a viewer does: pdfjs-dist (Mozilla's PDF.js, legacy
 * build for Node) parses them for page count and text, and renders a page to pixels on
 * @napi-rs/canvas (pdfjs-dist's own optional dependency) so a QR code can be decoded from the
 * picture with jsqr, exactly as the console's camera would. `renderPdfPage` also gives a PNG, e.g.
 * a printed paper for Chromium's fake camera (cons-entry's e2e test).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import jsQR from 'jsqr';

const require = createRequire(import.meta.url);
const pdfjsDir = path.dirname(require.resolve('pdfjs-dist/package.json'));

async function pdfjs() {
  return import('pdfjs-dist/legacy/build/pdf.mjs');
}

async function open(bytes: Uint8Array) {
  const { getDocument } = await pdfjs();
  return getDocument({
    data: new Uint8Array(bytes),
    standardFontDataUrl: path.join(pdfjsDir, 'standard_fonts') + '/',
    cMapUrl: path.join(pdfjsDir, 'cmaps') + '/',
    cMapPacked: true,
    useSystemFonts: false,
    disableFontFace: true,
    verbosity: 0,
  }).promise;
}

/** Number of pages and the text of each page (as extracted by PDF.js: what search and copy see). */
export async function readPdf(bytes: Uint8Array, opts: { maxPages?: number } = {}): Promise<{ pages: number; text: string[] }> {
  const doc = await open(bytes);
  const text: string[] = [];
  const upto = Math.min(doc.numPages, opts.maxPages ?? doc.numPages);
  for (let i = 1; i <= upto; i++) {
    const page = await doc.getPage(i);
    const content = await page.getTextContent();
    text.push(content.items.map((it) => ('str' in it ? it.str : '')).join(''));
  }
  const pages = doc.numPages;
  await doc.destroy();
  return { pages, text };
}

export interface RenderedPage {
  width: number;
  height: number;
  /** RGBA, 4 bytes a pixel, row by row. */
  rgba: Uint8ClampedArray;
  png: Buffer;
}

/** Renders page `pageNumber` (1-based) at `scale` (1 = 72 dpi; 2.5 ≈ 180 dpi) to RGBA and PNG. */
export async function renderPdfPage(bytes: Uint8Array, pageNumber: number, scale = 2.5): Promise<RenderedPage> {
  const { createCanvas } = await import('@napi-rs/canvas');
  const doc = await open(bytes);
  const page = await doc.getPage(pageNumber);
  const viewport = page.getViewport({ scale });
  const canvas = createCanvas(Math.ceil(viewport.width), Math.ceil(viewport.height));
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  // pdfjs wants a DOM-like canvas; @napi-rs/canvas is the one it uses itself in Node
  await page.render({ canvasContext: ctx as unknown as CanvasRenderingContext2D, viewport, canvas: canvas as unknown as HTMLCanvasElement })
    .promise;
  const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
  const png = await canvas.encode('png');
  await doc.destroy();
  return { width: canvas.width, height: canvas.height, rgba: new Uint8ClampedArray(img.data), png };
}

/** Decodes the QR code in a rendered page (jsqr, as the console does with a camera frame); null if none. */
export function decodeQr(page: Pick<RenderedPage, 'width' | 'height' | 'rgba'>): string | null {
  return jsQR(page.rgba, page.width, page.height)?.data ?? null;
}
