/**
 * Export of a convention as Markdown or as a Word file (.docx, built with the `docx` library so
 * Word and WPS open it): title, date, adoption note, and the clauses numbered 第一条, 第二条, …
 * with their paragraphs, lists and bold text.
 */
import { AlignmentType, Document, HeadingLevel, Packer, Paragraph, TextRun } from 'docx';
import { ballotResultPath, type ConventionVersion } from '@linli/shared';
import type { Block, ClauseContent } from './conventions.doc.ts';

const DIGITS = '零一二三四五六七八九';

/** 1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五 (clause numbers as Chinese conventions write them). */
export function chineseNumber(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 9999) return String(n);
  if (n < 10) return DIGITS[n]!;
  if (n < 20) return '十' + (n % 10 ? DIGITS[n % 10] : '');
  const units = ['', '十', '百', '千'];
  const ds = String(n).split('').map(Number);
  let out = '';
  let zero = false;
  ds.forEach((d, i) => {
    const unit = units[ds.length - 1 - i]!;
    if (d === 0) {
      zero = true;
      return;
    }
    if (zero && out) out += '零';
    zero = false;
    out += DIGITS[d] + unit;
  });
  return out;
}

export const articleLabel = (n: number) => `第${chineseNumber(n)}条`;

/** `2025年3月8日` in China time. */
export function chineseDate(ms: number): string {
  const d = new Date(ms + 8 * 3600_000);
  return `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日`;
}

export interface ExportInput {
  title: string;
  clauses: ClauseContent[];
  at: number;
  adopted: ConventionVersion | null;
  communityName?: string;
  /** Where the server is reached (for the links to the ballots' results); none: paths only. */
  baseUrl?: string;
}

/** The adoption note: which version, adopted when, by which ballots (with their result pages). */
function note(input: ExportInput, md = false): string {
  const v = input.adopted;
  if (!v) return '本文为草案，尚未经表决通过。';
  const base = `本公约已于${chineseDate(v.adoptedAt ?? v.createdAt)}经表决通过（通过版本：${v.name}`;
  const ballots = v.adoption?.ballots ?? [];
  if (ballots.length === 0) return `${base}）。`;
  // One ballot may have approved several clauses: list each ballot once.
  const seen = new Map(ballots.map((b) => [b.ballotId, b]));
  const refs = [...seen.values()].map((b) => {
    const url = `${(input.baseUrl ?? '').replace(/\/$/, '')}${ballotResultPath(b.meetingId, b.ballotId)}`;
    return md ? `「${mdEscape(b.title)}」（结果：<${url}>）` : `「${b.title}」（结果：${url}）`;
  });
  return `${base}；表决：${refs.join('、')}）。`;
}

const mdEscape = (t: string) => t.replace(/([*_`\\[\]<>])/g, '\\$1');

function mdRuns(b: Block): string {
  return b.runs
    .map((r) => {
      const t = r.text.replace(/([*_`\\])/g, '\\$1');
      if (!t.trim()) return t;
      return r.bold ? `**${t}**` : r.italic ? `*${t}*` : t;
    })
    .join('');
}

export function toMarkdown(input: ExportInput): string {
  const out = [`# ${input.title}`, ''];
  if (input.communityName) out.push(input.communityName, '');
  out.push(`导出日期：${chineseDate(input.at)}`, '', `> ${note(input, true)}`, '');
  input.clauses.forEach((c, i) => {
    const blocks = c.blocks.filter((b) => b.runs.some((r) => r.text.trim()));
    const [first, ...rest] = blocks;
    const label = `**${articleLabel(i + 1)}**`;
    if (!first) {
      out.push(label, '');
      return;
    }
    let ordinal = 0;
    const line = (b: Block) => {
      const indent = '  '.repeat(b.depth);
      if (b.kind === 'bullet') return `${indent}- ${mdRuns(b)}`;
      if (b.kind === 'ordered') return `${indent}${++ordinal}. ${mdRuns(b)}`;
      ordinal = 0;
      return mdRuns(b);
    };
    if (first.kind === 'paragraph' || first.kind === 'heading') {
      out.push(`${label} ${mdRuns(first)}`);
      let prev: Block = first;
      for (const b of rest) {
        // Markdown needs a blank line between paragraphs and before a list, not between list items.
        if (b.kind === 'paragraph' || b.kind === 'heading' || prev.kind === 'paragraph' || prev.kind === 'heading') out.push('');
        out.push(line(b));
        prev = b;
      }
    } else {
      out.push(label);
      for (const b of blocks) out.push(line(b));
    }
    out.push('');
  });
  return out.join('\n').replace(/\n{3,}/g, '\n\n');
}

function runsOf(b: Block): TextRun[] {
  return b.runs.flatMap((r) => {
    // Soft line breaks inside a paragraph become Word line breaks.
    const parts = r.text.split('\n');
    return parts.map((p, i) => new TextRun({ text: p, bold: r.bold, italics: r.italic, ...(i > 0 ? { break: 1 } : {}) }));
  });
}

export async function toDocx(input: ExportInput): Promise<Buffer> {
  const children: Paragraph[] = [
    new Paragraph({
      heading: HeadingLevel.TITLE,
      alignment: AlignmentType.CENTER,
      children: [new TextRun({ text: input.title, bold: true })],
    }),
  ];
  if (input.communityName) children.push(new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun(input.communityName)] }));
  children.push(
    new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun(`导出日期：${chineseDate(input.at)}`)] }),
    new Paragraph({ spacing: { after: 240 }, children: [new TextRun({ text: note(input), italics: true })] }),
  );
  input.clauses.forEach((c, i) => {
    const blocks = c.blocks.filter((b) => b.runs.some((r) => r.text.trim()));
    const label = new TextRun({ text: `${articleLabel(i + 1)}\u3000`, bold: true });
    const [first, ...rest] = blocks;
    if (!first || first.kind === 'bullet' || first.kind === 'ordered') {
      children.push(new Paragraph({ spacing: { before: 120 }, children: [label] }));
    } else {
      children.push(new Paragraph({ spacing: { before: 120 }, children: [label, ...runsOf(first)] }));
    }
    let ordinal = 0;
    for (const b of first && (first.kind === 'bullet' || first.kind === 'ordered') ? blocks : rest) {
      if (b.kind === 'bullet') children.push(new Paragraph({ bullet: { level: Math.min(b.depth, 8) }, children: runsOf(b) }));
      else if (b.kind === 'ordered')
        children.push(new Paragraph({ indent: { left: 420 * (b.depth + 1) }, children: [new TextRun(`${++ordinal}. `), ...runsOf(b)] }));
      else {
        ordinal = 0;
        children.push(new Paragraph({ indent: { firstLine: 480 }, children: runsOf(b) }));
      }
    }
  });
  const doc = new Document({
    title: input.title,
    creator: 'Linli 邻里',
    // SimSun for Chinese text in Word and WPS alike; Latin text keeps a Latin face.
    styles: { default: { document: { run: { font: { ascii: 'Calibri', hAnsi: 'Calibri', eastAsia: 'SimSun' }, size: 24 } } } },
    sections: [{ children }],
  });
  return Packer.toBuffer(doc);
}
