/**
 * Ballot papers (表决票): one A4 paper per household of a written consultation, with the compound
 * and consultation, the organiser, the household's address and registered area, every question with
 * tick boxes (elections: one row per candidate), how to fill it in, the signature and date line, the
 * return deadline (Asia/Shanghai) and the paper's QR code and typed code (paper-code.ts) that paper
 * entry scans or types. Written against plain data; streams page by page into any Writable.
 */
import type { Writable } from 'node:stream';
import { formatPaperCode, paperQrText, type Consultation, type Question } from '@linli/shared';
import { A4, MARGIN, areaWords, box, drawQr, finished, newA4Document, pipeWithBackPressure, shanghaiWords } from './pdf-common.ts';
import { fixedAnswers, howToAnswer } from './words.ts';

/** One household as printed on its paper (a subset of the service's householdsOf row). */
export interface PaperHousehold {
  householdId: string;
  address: string;
  building: string;
  areaCentiares: number;
  owner?: string;
  /** Canonical 9-symbol code (encodePaperCode). */
  paperCode: string;
}

export type PaperConsultation = Pick<Consultation, 'id' | 'title' | 'organiser' | 'opensAt' | 'closesAt' | 'questions' | 'secret'>;

export interface PapersInput {
  consultation: PaperConsultation;
  /** The compound as printed: "阳光花园". */
  communityName: string;
  households: readonly PaperHousehold[];
  /** Public address of the web app; QR codes link to `<baseUrl>/p/<code>`. */
  baseUrl: string;
}

const BOTTOM = A4.height - MARGIN - 78; // room kept for the signature block
const CONTENT_WIDTH = A4.width - 2 * MARGIN;
const QR_SIZE = 92;

function organiserLine(c: PaperConsultation): string {
  return c.organiser ? `组织者：${c.organiser.name}` : '';
}

function header(doc: PDFKit.PDFDocument, input: PapersInput, h: PaperHousehold, continued: boolean): number {
  const c = input.consultation;
  const x = MARGIN;
  let y = MARGIN;
  doc
    .fontSize(11)
    .fillColor('#000000')
    .text(input.communityName, x, y, { width: CONTENT_WIDTH - QR_SIZE - 10 });
  y = doc.y + 2;
  doc.fontSize(20).text(continued ? '表决票（续页）' : '表决票', x, y, { width: CONTENT_WIDTH - QR_SIZE - 10 });
  y = doc.y + 2;
  doc.fontSize(13).text(c.title, x, y, { width: CONTENT_WIDTH - QR_SIZE - 10 });
  y = doc.y + 2;
  const org = organiserLine(c);
  if (org) {
    doc.fontSize(10).text(org, x, y, { width: CONTENT_WIDTH - QR_SIZE - 10 });
    y = doc.y;
  }
  drawQr(doc, paperQrText(input.baseUrl, h.paperCode), A4.width - MARGIN - QR_SIZE, MARGIN, QR_SIZE);
  doc.fontSize(10).text(`编号 ${formatPaperCode(h.paperCode)}`, A4.width - MARGIN - QR_SIZE - 20, MARGIN + QR_SIZE + 2, {
    width: QR_SIZE + 20,
    align: 'center',
  });
  y = Math.max(y, MARGIN + QR_SIZE + 16) + 6;
  // the household: address, owner, registered area
  doc.save().lineWidth(0.8).rect(x, y, CONTENT_WIDTH, 40).stroke().restore();
  doc.fontSize(12).text(`房屋：${h.address}`, x + 8, y + 5, { width: CONTENT_WIDTH / 2 - 8, lineBreak: false, ellipsis: true });
  doc.text(`专有面积：${areaWords(h.areaCentiares)}`, x + CONTENT_WIDTH / 2, y + 5, { width: CONTENT_WIDTH / 2 - 8, lineBreak: false });
  doc.fontSize(10).text(`业主：${h.owner ?? ''}`, x + 8, y + 23, { width: CONTENT_WIDTH / 2 - 8, lineBreak: false, ellipsis: true });
  doc.text(`表决票编号：${formatPaperCode(h.paperCode)}`, x + CONTENT_WIDTH / 2, y + 23, {
    width: CONTENT_WIDTH / 2 - 8,
    lineBreak: false,
  });
  y += 48;
  if (!continued) {
    const secret = c.secret ? '本次表决不记名：录入后选择不与房屋关联。' : '';
    doc
      .fontSize(9.5)
      .text(
        `填写说明：每个事项在所选答案前的方框内打“√”（同意、反对、弃权只选一项；选举对每位候选人分别选）；未填写的事项视为未参与该事项的表决，同一事项多选视为无效。一户一票：已用手机或在现场表决的，本票不再计入。${secret}`,
        x,
        y,
        { width: CONTENT_WIDTH },
      );
    y = doc.y + 6;
  }
  return y;
}

function choiceRow(doc: PDFKit.PDFDocument, labels: { label: string }[], x: number, y: number, width: number): number {
  let cx = x;
  let cy = y;
  doc.fontSize(11);
  for (const { label } of labels) {
    const w = 16 + doc.widthOfString(label) + 18;
    if (cx + w > x + width) {
      cx = x;
      cy += 18;
    }
    box(doc, cx, cy + 2);
    doc.text(label, cx + 16, cy, { lineBreak: false });
    cx += w;
  }
  return cy + 18;
}

/** Kinds answered with one short row of fixed boxes: printed on the title's own line, right-aligned. */
const inlineKinds = new Set(['yes_no_abstain', 'consent']);
const INLINE_BOXES_WIDTH = 210;

function questionHeight(doc: PDFKit.PDFDocument, q: Question, i: number): number {
  const inline = inlineKinds.has(q.kind);
  doc.fontSize(12);
  let hgt = doc.heightOfString(`${i + 1}. ${q.title}`, { width: inline ? CONTENT_WIDTH - INLINE_BOXES_WIDTH : CONTENT_WIDTH }) + 4;
  if (q.description) hgt += doc.fontSize(9.5).heightOfString(q.description, { width: CONTENT_WIDTH - 12 }) + 2;
  if (inline) return hgt + 6;
  hgt += 14;
  if (q.kind === 'election') hgt += 18 * ((q.options?.length ?? 0) + 1);
  else if (fixedAnswers(q)) hgt += 22;
  else hgt += 18 * (q.options?.length ?? 0);
  return hgt + 6;
}

function question(doc: PDFKit.PDFDocument, q: Question, i: number, y: number): number {
  const x = MARGIN;
  const fixed = fixedAnswers(q);
  if (inlineKinds.has(q.kind) && fixed) {
    const top = y;
    doc.fontSize(12).text(`${i + 1}. ${q.title}`, x, y, { width: CONTENT_WIDTH - INLINE_BOXES_WIDTH });
    y = doc.y;
    choiceRow(doc, fixed, A4.width - MARGIN - INLINE_BOXES_WIDTH + 12, top, INLINE_BOXES_WIDTH);
    if (q.description) {
      doc
        .fontSize(9.5)
        .fillColor('#333333')
        .text(q.description, x + 12, y + 1, { width: CONTENT_WIDTH - 12 });
      doc.fillColor('#000000');
      y = doc.y;
    }
    doc
      .save()
      .lineWidth(0.3)
      .moveTo(x, y + 3)
      .lineTo(A4.width - MARGIN, y + 3)
      .stroke('#bbbbbb')
      .restore();
    return y + 8;
  }
  doc.fontSize(12).text(`${i + 1}. ${q.title}`, x, y, { width: CONTENT_WIDTH });
  y = doc.y + 1;
  if (q.description) {
    doc
      .fontSize(9.5)
      .fillColor('#333333')
      .text(q.description, x + 12, y, { width: CONTENT_WIDTH - 12 });
    doc.fillColor('#000000');
    y = doc.y + 1;
  }
  doc
    .fontSize(9)
    .fillColor('#333333')
    .text(`（${howToAnswer(q)}）`, x + 12, y, { width: CONTENT_WIDTH - 12 });
  doc.fillColor('#000000');
  y = doc.y + 3;
  if (q.kind === 'election') {
    const nameWidth = 200;
    doc.fontSize(10).text('候选人', x + 12, y, { width: nameWidth, lineBreak: false });
    ['同意', '反对', '弃权'].forEach((w, k) => doc.text(w, x + 12 + nameWidth + k * 70, y, { lineBreak: false }));
    y += 18;
    for (const o of q.options ?? []) {
      doc.fontSize(11).text(o.label, x + 12, y, { width: nameWidth - 8, lineBreak: false, ellipsis: true });
      for (let k = 0; k < 3; k++) box(doc, x + 12 + nameWidth + k * 70 + 6, y + 2);
      doc
        .save()
        .lineWidth(0.3)
        .moveTo(x + 12, y + 16)
        .lineTo(x + 12 + nameWidth + 200, y + 16)
        .stroke('#999999')
        .restore();
      y += 18;
    }
    return y + 6;
  }
  if (fixed) return choiceRow(doc, fixed, x + 12, y, CONTENT_WIDTH - 12) + 6;
  for (const o of q.options ?? []) {
    box(doc, x + 12, y + 2, q.kind === 'ranked' ? 14 : 11);
    doc.fontSize(11).text(o.label, x + 32, y, { width: CONTENT_WIDTH - 32, lineBreak: false, ellipsis: true });
    y += 18;
  }
  return y + 6;
}

function footer(doc: PDFKit.PDFDocument, input: PapersInput, h: PaperHousehold): void {
  const x = MARGIN;
  const y = A4.height - MARGIN - 70;
  doc
    .save()
    .lineWidth(0.6)
    .moveTo(x, y)
    .lineTo(A4.width - MARGIN, y)
    .stroke()
    .restore();
  doc
    .fontSize(12)
    .text('业主（签字）：______________________      日期：________年____月____日', x, y + 10, { width: CONTENT_WIDTH, lineBreak: false });
  doc.fontSize(9.5).text(`请于 ${shanghaiWords(input.consultation.closesAt)} 前交回楼栋长或物业服务中心；截止后交回的不计入。`, x, y + 34, {
    width: CONTENT_WIDTH,
    lineBreak: false,
  });
  doc
    .fontSize(8)
    .fillColor('#555555')
    .text(`${formatPaperCode(h.paperCode)} · ${h.address}`, x, y + 52, { width: CONTENT_WIDTH, lineBreak: false, ellipsis: true });
  doc.fillColor('#000000');
}

/** Draws one household's paper: one page, or more when the questions do not fit on one. */
export function drawPaper(doc: PDFKit.PDFDocument, input: PapersInput, h: PaperHousehold): void {
  doc.addPage();
  let y = header(doc, input, h, false);
  input.consultation.questions.forEach((q, i) => {
    if (y + questionHeight(doc, q, i) > BOTTOM && y > MARGIN + 200) {
      footer(doc, input, h);
      doc.addPage();
      y = header(doc, input, h, true);
    }
    y = question(doc, q, i, y);
  });
  footer(doc, input, h);
}

/** Pages of one paper (the same for every household: only the address line differs, and it never wraps). */
export function pagesPerPaper(input: Omit<PapersInput, 'households'>): number {
  const doc = newA4Document('measure');
  let pages = 0;
  doc.on('pageAdded', () => pages++);
  drawPaper(
    doc,
    { ...input, households: [] },
    { householdId: 'x', address: '1栋1单元101', building: '1', areaCentiares: 10000, owner: '某某', paperCode: 'AAAAAAAAA' },
  );
  return pages;
}

/**
 * pdfkit caches the glyph layout of every distinct word for the life of the document; each
 * household adds its own address, owner and code, so at 20,000 papers the cache, not the output,
 * would fill the memory (about 13 KB a paper). Emptying it now and then keeps the memory flat;
 * the shared words (questions, headings) are laid out again once.
 */
function trimLayoutCache(doc: PDFKit.PDFDocument): void {
  const families = (doc as unknown as { _fontFamilies?: Record<string, { layoutCache?: object }> })._fontFamilies;
  for (const f of Object.values(families ?? {})) if (f.layoutCache) f.layoutCache = Object.create(null) as object;
}

export interface PrintProgress {
  papers: number;
  pages: number;
  totalPapers: number;
  totalPages: number;
}

/**
 * Streams the papers of `input.households` (in the order given) into `out` and ends it. Waits for
 * the receiver between papers; stops early when it goes away. `onProgress` is called every
 * `every` papers and at the end.
 */
export async function streamPapersPdf(
  input: PapersInput,
  out: Writable,
  opts: { pagesPerPaper?: number; onProgress?: (p: PrintProgress) => void; every?: number } = {},
): Promise<PrintProgress & { complete: boolean }> {
  const perPaper = opts.pagesPerPaper ?? pagesPerPaper(input);
  const totalPapers = input.households.length;
  const progress: PrintProgress = { papers: 0, pages: 0, totalPapers, totalPages: totalPapers * perPaper };
  const doc = newA4Document(`表决票 · ${input.consultation.title}`);
  doc.on('pageAdded', () => progress.pages++);
  const stream = pipeWithBackPressure(doc, out);
  const every = opts.every ?? 50;
  let complete = true;
  for (const h of input.households) {
    drawPaper(doc, input, h);
    progress.papers++;
    if (progress.papers % every === 0) opts.onProgress?.({ ...progress });
    if (progress.papers % 500 === 0) trimLayoutCache(doc);
    if (progress.papers % 4 === 0 && !(await stream.ready())) {
      complete = false;
      break;
    }
  }
  if (totalPapers === 0) {
    // an empty print still opens: one page saying so
    doc.addPage().fontSize(14).text(`${input.consultation.title}：没有需要打印的表决票。`);
  }
  await finished(doc, out);
  opts.onProgress?.({ ...progress });
  return { ...progress, complete };
}
