/**
 * The voter register (表决统计表) as .xlsx, written with exceljs's streaming writer (one row is
 * committed and leaves memory at a time): one row per household of the electorate in address
 * order with address, registered area, how it answered (手机 / 纸质表决票 / 现场, or 未表决), when
 * (Asia/Shanghai), the receipt, and, only for open (non-secret) consultations, its choice on every
 * question in words.
 */
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Consultation, ResponseChannel } from '@linli/shared';
import { shanghaiShort } from './pdf-common.ts';
import { CHANNEL_WORDS, choiceWords } from './words.ts';

export interface RegisterRow {
  address: string;
  building: string;
  unit: string;
  room: string;
  areaCentiares: number;
  response?: { channel: ResponseChannel; at: string | number; receipt: string; answers?: Record<string, unknown> };
}

export interface RegisterInput {
  consultation: Pick<Consultation, 'title' | 'secret' | 'questions' | 'closesAt'>;
  communityName: string;
  rows: Iterable<RegisterRow>;
}

export const REGISTER_SHEET = '表决统计表';

export async function streamRegisterXlsx(input: RegisterInput, out: Writable): Promise<number> {
  const c = input.consultation;
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = 'Linli 邻里';
  const ws = wb.addWorksheet(REGISTER_SHEET, { views: [{ state: 'frozen', ySplit: 2 }] });
  const questionCols = c.secret ? [] : c.questions.map((q, i) => ({ header: `${i + 1}. ${q.title}`, key: q.id, width: 24 }));
  ws.columns = [
    { header: '序号', key: 'n', width: 8 },
    { header: '楼栋', key: 'building', width: 8 },
    { header: '单元', key: 'unit', width: 8 },
    { header: '房号', key: 'room', width: 8 },
    { header: '房屋', key: 'address', width: 20 },
    { header: '专有面积（㎡）', key: 'area', width: 14 },
    { header: '表决方式', key: 'channel', width: 12 },
    { header: '表决时间（北京时间）', key: 'at', width: 21 },
    { header: '回执', key: 'receipt', width: 14 },
    ...questionCols,
  ];
  // row 1 is the column headers (from `columns`); a title row above them would break the header
  // mapping, so the title goes into the sheet's header/footer and a note row 2 says what it is.
  ws.headerFooter.oddHeader = `&C${input.communityName} ${c.title} 表决统计表`;
  ws.getRow(1).font = { bold: true };
  ws.getRow(1).commit();
  const note = ws.addRow({ address: `${input.communityName} · ${c.title}${c.secret ? ' · 不记名表决：不列各户选择' : ''}` });
  note.font = { italic: true };
  note.commit();
  let n = 0;
  for (const r of input.rows) {
    n++;
    const values: Record<string, string | number> = {
      n,
      building: r.building,
      unit: r.unit,
      room: r.room,
      address: r.address,
      area: r.areaCentiares / 100,
      channel: r.response ? CHANNEL_WORDS[r.response.channel] : '未表决',
      at: r.response ? shanghaiShort(r.response.at) : '',
      receipt: r.response?.receipt ?? '',
    };
    if (!c.secret && r.response?.answers) {
      for (const q of c.questions) values[q.id] = choiceWords(q, r.response.answers[q.id] as never);
    }
    const row = ws.addRow(values);
    row.getCell('area').numFmt = '0.00';
    row.commit();
  }
  ws.commit();
  await wb.commit();
  return n;
}
