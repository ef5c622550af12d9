/**
 * The door-knocking list (未表决户清单) of one building: every household of the electorate that has
 * not answered yet, in address order, with owner, area, paper code, whether its paper was handed
 * out, and an empty column for the building leader's notes. Phone numbers are printed only when the
 * caller may see them (the route decides with can(role, 'roster.view')); otherwise the column is absent.
 */
import type { Writable } from 'node:stream';
import { formatPaperCode } from '@linli/shared';
import { A4, MARGIN, areaWords, finished, newA4Document, pipeWithBackPressure, shanghaiWords } from './pdf-common.ts';

export interface NotVotedRow {
  address: string;
  owner?: string;
  areaCentiares: number;
  paperCode: string;
  phone?: string;
  handedOut?: boolean;
}

export interface NotVotedInput {
  consultation: { title: string; closesAt: string };
  communityName: string;
  building: string;
  /** Households of the building that have not answered, in address order. */
  rows: readonly NotVotedRow[];
  /** Households of the building in the electorate (for "X of Y not answered"). */
  buildingTotal: number;
  withPhones: boolean;
  /** When the list was made (epoch ms). */
  at?: number;
}

const WIDTH = A4.width - 2 * MARGIN;
const ROW = 22;

export async function streamNotVotedPdf(input: NotVotedInput, out: Writable): Promise<void> {
  const doc = newA4Document(`未表决户清单 · ${input.building}栋`);
  const stream = pipeWithBackPressure(doc, out);
  const cols: { title: string; width: number; get: (r: NotVotedRow, i: number) => string }[] = [
    { title: '序号', width: 34, get: (_r, i) => String(i + 1) },
    { title: '房屋', width: 110, get: (r) => r.address },
    { title: '业主', width: 70, get: (r) => r.owner ?? '' },
    { title: '面积', width: 66, get: (r) => areaWords(r.areaCentiares) },
    { title: '表决票编号', width: 84, get: (r) => formatPaperCode(r.paperCode) },
    ...(input.withPhones ? [{ title: '电话', width: 82, get: (r: NotVotedRow) => r.phone ?? '' }] : []),
    { title: '票已送', width: 38, get: (r) => (r.handedOut ? '是' : '') },
  ];
  const used = cols.reduce((s, c) => s + c.width, 0);
  cols.push({ title: '备注', width: WIDTH - used, get: () => '' });

  const head = () => {
    doc.fontSize(16).text(`${input.communityName} ${input.building}栋 未表决户清单`, MARGIN, MARGIN, { width: WIDTH });
    doc
      .fontSize(10)
      .text(
        `${input.consultation.title} · 截止 ${shanghaiWords(input.consultation.closesAt)} · 未表决 ${input.rows.length} 户 / 本栋 ${input.buildingTotal} 户 · 制表 ${shanghaiWords(input.at ?? Date.now())}`,
        { width: WIDTH },
      );
    let x = MARGIN;
    const y = doc.y + 6;
    doc.fontSize(10);
    for (const c of cols) {
      doc.text(c.title, x + 3, y + 5, { width: c.width - 6, lineBreak: false });
      x += c.width;
    }
    doc.save().lineWidth(0.8).rect(MARGIN, y, WIDTH, ROW).stroke().restore();
    return y + ROW;
  };

  doc.addPage();
  let y = head();
  for (let i = 0; i < input.rows.length; i++) {
    if (y + ROW > A4.height - MARGIN - 16) {
      doc.addPage();
      y = head();
      if (!(await stream.ready())) break;
    }
    const r = input.rows[i]!;
    let x = MARGIN;
    doc.fontSize(10);
    for (const c of cols) {
      doc.text(c.get(r, i), x + 3, y + 5, { width: c.width - 6, lineBreak: false, ellipsis: true });
      x += c.width;
    }
    doc.save().lineWidth(0.4).rect(MARGIN, y, WIDTH, ROW).stroke('#777777').restore();
    y += ROW;
  }
  if (input.rows.length === 0) doc.fontSize(13).text('本栋所有住户都已表决。', MARGIN, y + 10);
  await finished(doc, out);
}
