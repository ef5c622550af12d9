/**
 * The public notice (公告) of a written consultation as an A4 poster for the notice board: title,
 * organiser, the notice text, the questions (with the rule that decides each), when it opens and
 * closes (Asia/Shanghai), how to answer (phone link and QR code, paper, the hall), and every
 * deadline extension with its reason. Written against plain data; streams into any Writable.
 */
import type { Writable } from 'node:stream';
import { ruleWords, type Consultation } from '@linli/shared';
import { A4, MARGIN, drawQr, finished, newA4Document, pipeWithBackPressure, shanghaiWords } from './pdf-common.ts';

export type NoticeConsultation = Pick<
  Consultation,
  'id' | 'title' | 'notice' | 'organiser' | 'opensAt' | 'closesAt' | 'questions' | 'secret' | 'extensions' | 'meetingId'
>;

export interface NoticeInput {
  consultation: NoticeConsultation;
  communityName: string;
  /** Where a phone answers (printed as a link and a QR code). */
  answerUrl: string;
  /** Where papers are handed in, e.g. "物业服务中心（1栋一层）"; a default is printed otherwise. */
  paperDesk?: string;
  /** The date the notice is posted (defaults to now). */
  postedAt?: number;
}

const WIDTH = A4.width - 2 * MARGIN;

function ensureRoom(doc: PDFKit.PDFDocument, needed: number) {
  if (doc.y + needed > A4.height - MARGIN) doc.addPage();
}

function section(doc: PDFKit.PDFDocument, title: string) {
  ensureRoom(doc, 60);
  doc.moveDown(0.6).fontSize(14).text(title, MARGIN, doc.y, { width: WIDTH });
  doc.moveDown(0.2);
}

export async function streamNoticePdf(input: NoticeInput, out: Writable): Promise<void> {
  const c = input.consultation;
  const doc = newA4Document(`公告 · ${c.title}`);
  pipeWithBackPressure(doc, out);
  doc.addPage();
  doc.fontSize(12).text(input.communityName, MARGIN, MARGIN, { width: WIDTH, align: 'center' });
  doc.fontSize(30).text('公　告', { width: WIDTH, align: 'center' });
  doc.fontSize(17).text(c.title, { width: WIDTH, align: 'center' });
  if (c.organiser) doc.fontSize(11).text(`组织者：${c.organiser.name}`, { width: WIDTH, align: 'center' });
  doc.moveDown(0.6);
  doc
    .fontSize(12)
    .text(
      `表决时间：${shanghaiWords(c.opensAt)} 起，至 ${shanghaiWords(c.closesAt)} 止。截止时刻一到自动结束，此后任何方式的表决都不再接受。`,
      { width: WIDTH },
    );
  if (c.extensions.length) {
    doc.moveDown(0.3).fontSize(12).fillColor('#b00000');
    for (const e of c.extensions)
      doc.text(`延期：截止时间由 ${shanghaiWords(e.from)} 延长至 ${shanghaiWords(e.to)}。理由：${e.reason}`, { width: WIDTH });
    doc.fillColor('#000000');
  }
  doc.moveDown(0.6).fontSize(11.5).text(c.notice, { width: WIDTH, lineGap: 2 });

  section(doc, '表决事项');
  c.questions.forEach((q, i) => {
    ensureRoom(doc, 40);
    doc.fontSize(12).text(`${i + 1}. ${q.title}`, MARGIN, doc.y, { width: WIDTH });
    const candidates =
      q.kind === 'election' && q.options?.length
        ? `候选人：${q.options.map((o) => o.label).join('、')}${q.seats ? `；应选 ${q.seats} 名` : ''}。`
        : '';
    const options = q.kind !== 'election' && q.options?.length ? `选项：${q.options.map((o) => o.label).join('、')}。` : '';
    doc
      .fontSize(10)
      .fillColor('#333333')
      .text(`${candidates}${options}表决规则：${ruleWords(q.rule, 'zh')}。`, MARGIN + 14, doc.y, { width: WIDTH - 14 });
    doc.fillColor('#000000').moveDown(0.3);
  });
  const art278 = c.questions.some((q) => q.rule.startsWith('civil_code_278'));
  if (art278) {
    doc
      .fontSize(10)
      .text(
        '依照《民法典》第二百七十八条：须由专有部分面积占比三分之二以上且人数占比三分之二以上的业主参与表决；一般事项须经参与表决专有部分面积过半数且参与表决人数过半数的业主同意，重大事项须经参与表决专有部分面积四分之三以上且参与表决人数四分之三以上的业主同意。',
        MARGIN,
        doc.y,
        { width: WIDTH },
      );
  }
  if (c.secret) doc.moveDown(0.3).fontSize(10).text('本次表决不记名：各户的选择不与房屋关联，截止前不公布票数。', { width: WIDTH });

  section(doc, '怎样表决（一户一票，先到为准）');
  const qrSize = 110;
  ensureRoom(doc, qrSize + 20);
  const top = doc.y;
  drawQr(doc, input.answerUrl, A4.width - MARGIN - qrSize, top, qrSize);
  const textWidth = WIDTH - qrSize - 16;
  doc.fontSize(11.5);
  doc.text(`① 手机：扫描右侧二维码或打开 ${input.answerUrl}，登录后在一个页面上回答全部事项，确认提交，保存回执。`, MARGIN, top, {
    width: textWidth,
    link: input.answerUrl,
  });
  doc
    .moveDown(0.3)
    .text(`② 纸质表决票：楼栋长将本户的表决票送到家中，填写并由业主签字后交回楼栋长或${input.paperDesk ?? '物业服务中心'}。`, {
      width: textWidth,
    });
  doc
    .moveDown(0.3)
    .text(
      `③ 现场：${c.meetingId ? '表决期间召开的业主大会现场会议上，可在会场表决，计入同一次表决。' : '如召开现场会议，将另行通知，会场表决计入同一次表决。'}`,
      { width: textWidth },
    );
  doc.moveDown(0.3).text('同一户无论用哪种方式，只计第一次记录的表决；之后的表决票会被拒收，并告知原因。', { width: textWidth });
  doc.y = Math.max(doc.y, top + qrSize) + 10;

  ensureRoom(doc, 60);
  doc
    .moveDown(1)
    .fontSize(12)
    .text(c.organiser?.name ?? '', { width: WIDTH, align: 'right' });
  doc.text(shanghaiWords(input.postedAt ?? Date.now()).replace(/ \d\d:\d\d（北京时间）$/, ''), { width: WIDTH, align: 'right' });
  await finished(doc, out);
}
