/**
 * The result notice (表决结果公示) of a written consultation, A4: per question the Civil Code
 * Art. 278 figures (owners and area taking part and approving, each beside the threshold it had to
 * reach), the outcome in plain Chinese (never a machine code), an election's candidates and seats,
 * the objection period, and the audit chain head (hash:length) with how anyone can check it.
 */
import type { Writable } from 'node:stream';
import { reasonWords, ruleWords, twoThirdsCeil, type Consultation, type ConsultationResult, type QuestionResult } from '@linli/shared';
import { A4, MARGIN, areaWords, finished, newA4Document, pipeWithBackPressure, shanghaiWords } from './pdf-common.ts';
import { choiceWords } from './words.ts';

export interface ResultInput {
  consultation: Pick<
    Consultation,
    'id' | 'title' | 'organiser' | 'opensAt' | 'closesAt' | 'closedAt' | 'publishedAt' | 'questions' | 'eligibleCount'
  >;
  communityName: string;
  result: ConsultationResult;
  /** Where the audit log is downloaded (printed for the verify instructions). */
  auditUrl: string;
}

const WIDTH = A4.width - 2 * MARGIN;

const num = (f: Record<string, unknown> | undefined, k: string): number | undefined =>
  typeof f?.[k] === 'number' ? (f[k] as number) : undefined;

/** The Art. 278 numbers of one yes/no/abstain count (from the outcome figures, else the turnout and tally). */
export function art278Lines(q: Pick<QuestionResult, 'rule' | 'turnout' | 'tally' | 'outcome'>): string[] {
  const f = q.outcome.figures as Record<string, unknown> | undefined;
  const totalOwners = num(f, 'totalOwners') ?? q.turnout.owners?.total ?? q.turnout.eligible;
  const totalArea = num(f, 'totalAreaCentiares') ?? q.turnout.areaCentiares?.total ?? 0;
  const partOwners = num(f, 'participatingOwners') ?? q.turnout.owners?.voted ?? q.turnout.voted;
  const partArea = num(f, 'participatingAreaCentiares') ?? q.turnout.areaCentiares?.voted ?? 0;
  const yes = q.tally.options.find((o) => o.id === 'yes');
  const yesOwners = num(f, 'approvingOwners') ?? yes?.owners ?? yes?.votes ?? 0;
  const yesArea = num(f, 'approvingAreaCentiares') ?? yes?.areaCentiares ?? 0;
  const major = q.rule === 'civil_code_278_major';
  const needOwners = major ? Math.floor((3 * partOwners + 3) / 4) : Math.floor(partOwners / 2) + 1;
  const needArea = major ? Math.floor((3 * partArea + 3) / 4) : Math.floor(partArea / 2) + 1;
  const share = major ? '四分之三以上' : '过半数';
  return [
    `参与表决：${partOwners} 户（共 ${totalOwners} 户，需至少 ${twoThirdsCeil(totalOwners)} 户），专有面积 ${areaWords(partArea)}（共 ${areaWords(totalArea)}，需至少 ${areaWords(twoThirdsCeil(totalArea))}）`,
    `同意：${yesOwners} 户（参与表决人数${share}，需至少 ${needOwners} 户），专有面积 ${areaWords(yesArea)}（需至少 ${areaWords(needArea)}）`,
    ...['no', 'abstain'].map((id) => {
      const o = q.tally.options.find((t) => t.id === id);
      return `${id === 'no' ? '反对' : '弃权'}：${o?.owners ?? o?.votes ?? 0} 户，专有面积 ${areaWords(o?.areaCentiares ?? 0)}`;
    }),
  ];
}

function outcomeWords(q: QuestionResult): string {
  if (q.hidden) return '计票结果尚未公开';
  if (q.outcome.passed === null) return `表决尚未结束（${reasonWords(q.outcome.reason, 'zh') || '计票中'}）`;
  return q.outcome.passed ? '通过' : `未通过：${reasonWords(q.outcome.reason, 'zh') || '未达到通过条件'}`;
}

function ensureRoom(doc: PDFKit.PDFDocument, needed: number) {
  if (doc.y + needed > A4.height - MARGIN) doc.addPage();
}

function questionBlock(doc: PDFKit.PDFDocument, input: ResultInput, q: QuestionResult, i: number) {
  const spec = input.consultation.questions.find((x) => x.id === q.id);
  ensureRoom(doc, 90);
  doc
    .moveDown(0.5)
    .fontSize(13)
    .fillColor('#000000')
    .text(`${i + 1}. ${q.title}`, MARGIN, doc.y, { width: WIDTH });
  doc
    .fontSize(9.5)
    .fillColor('#333333')
    .text(`表决规则：${ruleWords(q.rule, 'zh')}`, MARGIN + 14, doc.y, { width: WIDTH - 14 });
  doc.fillColor('#000000').fontSize(11);
  const x = MARGIN + 14;
  if (q.hidden) {
    doc.text(`参与表决：${q.turnout.voted} 户`, x, doc.y, { width: WIDTH - 14 });
  } else if (q.kind === 'election' && q.candidates) {
    doc.text(
      `参与表决：${q.turnout.owners?.voted ?? q.turnout.voted} 户，专有面积 ${areaWords(q.turnout.areaCentiares?.voted ?? 0)}（共 ${q.turnout.owners?.total ?? q.turnout.eligible} 户，${areaWords(q.turnout.areaCentiares?.total ?? 0)}）`,
      x,
      doc.y,
      { width: WIDTH - 14 },
    );
    for (const c of q.candidates) {
      ensureRoom(doc, 30);
      const verdict = c.seat
        ? `当选（第 ${c.seat} 席）`
        : c.passed
          ? '获得通过但未进入应选名额'
          : `未当选：${reasonWords(c.reason, 'zh') || '未达到通过条件'}`;
      doc.text(
        `${c.label}：同意 ${c.yes.owners} 户 / ${areaWords(c.yes.areaCentiares)}，反对 ${c.no.owners} 户 / ${areaWords(c.no.areaCentiares)}，弃权 ${c.abstain.owners} 户 / ${areaWords(c.abstain.areaCentiares)} —— ${verdict}`,
        x,
        doc.y,
        { width: WIDTH - 14 },
      );
    }
    const seats = spec?.seats;
    const elected = q.candidates.filter((c) => c.seat).sort((a, b) => a.seat! - b.seat!);
    doc.text(
      `当选：${elected.length ? elected.map((c) => c.label).join('、') : '无'}${seats ? `（应选 ${seats} 名，当选 ${elected.length} 名）` : ''}`,
      x,
      doc.y,
      { width: WIDTH - 14 },
    );
    if (q.tiedForLastSeat?.length) {
      const labels = q.tiedForLastSeat.map((id) => spec?.options?.find((o) => o.id === id)?.label ?? id);
      doc.text(`${labels.join('、')} 同意的户数和面积完全相同，争最后席位，由组织者依议事规则另行决定（不抽签）。`, x, doc.y, {
        width: WIDTH - 14,
      });
    }
  } else if (q.rule.startsWith('civil_code_278')) {
    for (const line of art278Lines(q)) doc.text(line, x, doc.y, { width: WIDTH - 14 });
  } else {
    doc.text(`参与表决：${q.turnout.voted} / ${q.turnout.eligible}`, x, doc.y, { width: WIDTH - 14 });
    for (const o of q.tally.options)
      doc.text(`${choiceWords({ kind: q.kind, options: spec?.options }, o.id)}：${o.votes} 票`, x, doc.y, { width: WIDTH - 14 });
  }
  if (!q.hidden && q.kind !== 'election' && q.winners?.length) {
    doc.text(`得票最多：${q.winners.map((w) => choiceWords({ kind: 'single', options: spec?.options }, w)).join('、')}`, x, doc.y, {
      width: WIDTH - 14,
    });
  }
  doc.fontSize(12).text(`结果：${outcomeWords(q)}`, x, doc.y, { width: WIDTH - 14 });
}

export async function streamResultPdf(input: ResultInput, out: Writable): Promise<void> {
  const c = input.consultation;
  const r = input.result;
  const doc = newA4Document(`表决结果公示 · ${c.title}`);
  pipeWithBackPressure(doc, out);
  doc.addPage();
  doc.fontSize(12).text(input.communityName, MARGIN, MARGIN, { width: WIDTH, align: 'center' });
  doc.fontSize(26).text('表决结果公示', { width: WIDTH, align: 'center' });
  doc.fontSize(15).text(c.title, { width: WIDTH, align: 'center' });
  if (c.organiser) doc.fontSize(11).text(`组织者：${c.organiser.name}`, { width: WIDTH, align: 'center' });
  doc.moveDown(0.5).fontSize(11);
  doc.text(
    `表决时间：${shanghaiWords(c.opensAt)} 至 ${shanghaiWords(c.closesAt)}${c.closedAt ? `；实际截止：${shanghaiWords(c.closedAt)}` : ''}。`,
    { width: WIDTH },
  );
  if (c.eligibleCount !== undefined)
    doc.text(`参加表决的业主范围：开始表决时登记的全体业主共 ${c.eligibleCount} 户（按户计，每户一票，按专有面积计面积）。`, {
      width: WIDTH,
    });
  if (!r.final && r.status !== 'published') doc.fillColor('#b00000').text('本结果尚未正式公示。', { width: WIDTH }).fillColor('#000000');
  r.questions.forEach((q, i) => questionBlock(doc, input, q, i));

  ensureRoom(doc, 150);
  doc.moveDown(0.8).fontSize(13).text('公示期与异议', MARGIN, doc.y, { width: WIDTH });
  doc.fontSize(11);
  if (r.objectionEndsAt) {
    doc.text(
      `公示期至 ${shanghaiWords(r.objectionEndsAt)} 止。业主对表决结果有异议的，请在公示期内向组织者书面提出，并写明房屋地址和理由。`,
      { width: WIDTH },
    );
  } else {
    doc.text('公示期自发布之日起计算；业主对表决结果有异议的，请在公示期内向组织者书面提出。', { width: WIDTH });
  }
  doc.moveDown(0.6).fontSize(13).text('如何核对计票记录', { width: WIDTH });
  doc.fontSize(11);
  if (r.head) {
    doc.text(`本次表决的全部记录组成一条不可篡改的审计链，结果登记时的链头为：`, { width: WIDTH });
    doc.fontSize(10).text(`${r.head.hash}:${r.head.length}`, { width: WIDTH });
    doc
      .fontSize(11)
      .text(
        `核对方法：下载审计日志（${input.auditUrl}），运行 npm run verify -- <日志文件> --head ${r.head.hash}:${r.head.length}。日志中任何一条记录被改动、删除或插入，核对都会失败。每户可用自己的回执在日志中找到本户的记录。`,
        { width: WIDTH },
      );
  } else {
    doc.text('链头在表决截止并计票后给出。', { width: WIDTH });
  }
  ensureRoom(doc, 50);
  doc
    .moveDown(1)
    .fontSize(12)
    .text(c.organiser?.name ?? '', { width: WIDTH, align: 'right' });
  doc.text(shanghaiWords(c.publishedAt ?? Date.now()).replace(/ \d\d:\d\d（北京时间）$/, ''), { width: WIDTH, align: 'right' });
  await finished(doc, out);
}
