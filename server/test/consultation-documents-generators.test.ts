/**
 * The consultation documents, generated from plain data and read back the way people and
 * machines read them: PDFs parsed by PDF.js (page count, the Chinese text a reader searches for),
 * a paper's page rendered to pixels and its QR code decoded with jsqr (as the console's camera
 * does), the register .xlsx opened with exceljs. No server needed: see consultation-documents.test.ts
 * for the routes.
 */
import { PassThrough, Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { formatPaperCode, paperQrText, parsePaperCode, type ConsultationResult } from '@linli/shared';
import { streamNoticePdf } from '../src/consultations/documents/notice.pdf.ts';
import { streamNotVotedPdf } from '../src/consultations/documents/not-voted.pdf.ts';
import { pagesPerPaper, streamPapersPdf } from '../src/consultations/documents/papers.pdf.ts';
import { REGISTER_SHEET, streamRegisterXlsx } from '../src/consultations/documents/register.xlsx.ts';
import { streamResultPdf } from '../src/consultations/documents/result.pdf.ts';
import { fixtureConsultation, fixtureHouseholds } from './helpers/consultation-fixtures.ts';
import { decodeQr, readPdf, renderPdfPage } from './helpers/pdf.ts';

const BASE = 'https://linli.example';

/** Collects what a stream generator writes. */
function sink(): { out: PassThrough; bytes: () => Buffer } {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  return { out, bytes: () => Buffer.concat(chunks) };
}

describe('ballot papers (表决票)', () => {
  const households = fixtureHouseholds(12);
  const consultation = fixtureConsultation();

  it('prints one A4 page per household with its address, area, code and the questions, and the QR code names that household', async () => {
    const { out, bytes } = sink();
    const r = await streamPapersPdf({ consultation, communityName: '阳光花园', households, baseUrl: BASE }, out);
    expect(r).toMatchObject({ papers: 12, pages: 12, totalPages: 12, complete: true });
    const pdf = await readPdf(bytes());
    expect(pdf.pages).toBe(12);
    const page7 = pdf.text[6]!;
    const h7 = households[6]!;
    for (const expected of [
      '阳光花园',
      '表决票',
      consultation.title,
      '阳光花园业主大会筹备组',
      `房屋：${h7.address}`,
      `专有面积：${(h7.areaCentiares / 100).toFixed(2)} ㎡`,
      formatPaperCode(h7.paperCode),
      '第二条 维修资金的使用',
      '王秀英',
      '李建国',
      '张丽华',
      '业主（签字）',
      '2026年12月20日 18:00（北京时间）',
    ]) {
      expect(page7).toContain(expected);
    }
    expect(page7).not.toContain(households[5]!.address + ' ');
    const pixels = await renderPdfPage(bytes(), 7);
    const text = decodeQr(pixels);
    expect(text).toBe(paperQrText(BASE, h7.paperCode));
    expect(parsePaperCode(text!)).toMatchObject({ consultationCode: 'K7QM', serial: 7 });
  }, 60_000);

  it('gives the page count up front, and papers that do not fit one page continue on a second', async () => {
    expect(pagesPerPaper({ consultation, communityName: '阳光花园', baseUrl: BASE })).toBe(1);
    const many = fixtureConsultation({
      questions: Array.from({ length: 10 }, (_, i) => ({
        id: `q${i}`,
        title: `第${i + 1}项 ${'关于小区公共设施改造的具体方案说明'.repeat(2)}`,
        description: '详见公告附件。'.repeat(12),
        kind: 'yes_no_abstain' as const,
        rule: 'civil_code_278_major' as const,
      })),
    });
    const per = pagesPerPaper({ consultation: many, communityName: '阳光花园', baseUrl: BASE });
    expect(per).toBeGreaterThan(1);
    const { out, bytes } = sink();
    const r = await streamPapersPdf(
      { consultation: many, communityName: '阳光花园', households: households.slice(0, 3), baseUrl: BASE },
      out,
    );
    expect(r.pages).toBe(3 * per);
    const pdf = await readPdf(bytes());
    expect(pdf.pages).toBe(3 * per);
    expect(pdf.text[1]).toContain('表决票（续页）');
    expect(pdf.text[1]).toContain(households[0]!.address);
  }, 60_000);

  it('streams: bytes reach the receiver while papers are still being drawn, and a receiver that goes away stops the print', async () => {
    const list = fixtureHouseholds(400);
    const { out, bytes } = sink();
    const seen: { papers: number; bytes: number }[] = [];
    await streamPapersPdf({ consultation, communityName: '阳光花园', households: list, baseUrl: BASE }, out, {
      every: 100,
      onProgress: (p) => seen.push({ papers: p.papers, bytes: bytes().length }),
    });
    expect(seen[0]!.papers).toBe(100);
    expect(seen[0]!.bytes).toBeGreaterThan(0);
    expect(seen[0]!.bytes).toBeLessThan(bytes().length / 2);

    let written = 0;
    const leaving = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _enc, cb) {
        written += chunk.length;
        if (written > 200_000) {
          cb();
          this.destroy();
          return;
        }
        setImmediate(cb);
      },
    });
    const r = await streamPapersPdf({ consultation, communityName: '阳光花园', households: list, baseUrl: BASE }, leaving);
    expect(r.complete).toBe(false);
    expect(r.papers).toBeLessThan(400);
  }, 60_000);
});

describe('notice (公告)', () => {
  it('is an A4 poster with the dates in Beijing time, the questions, how to answer, the QR code of the answer page and the extension', async () => {
    const consultation = fixtureConsultation({
      extensions: [
        {
          from: '2026-12-20T18:00:00.000+08:00',
          to: '2026-12-27T18:00:00.000+08:00',
          reason: '参与户数尚不足三分之二',
          at: '2026-12-19T10:00:00.000+08:00',
          by: 'u1',
        },
      ],
    });
    const answerUrl = `${BASE}/consultations/c_fixture`;
    const { out, bytes } = sink();
    await streamNoticePdf({ consultation, communityName: '阳光花园', answerUrl }, out);
    const pdf = await readPdf(bytes());
    const text = pdf.text.join('');
    for (const expected of [
      '公',
      '告',
      consultation.title,
      '组织者：阳光花园业主大会筹备组',
      '2026年12月1日 09:00（北京时间）',
      '2026年12月27日 18:00（北京时间）',
      '参与户数尚不足三分之二',
      '手机',
      '纸质表决票',
      '现场',
      '王秀英',
      '民法典第二百七十八条 重大事项',
    ]) {
      expect(text).toContain(expected);
    }
    expect(text).not.toMatch(/civil_code|yes_no_abstain|owners_committee/);
    expect(decodeQr(await renderPdfPage(bytes(), 1))).toBe(answerUrl);
  }, 60_000);
});

function fixtureResult(): ConsultationResult {
  const art = (yes: [number, number], no: [number, number], abstain: [number, number], passed: boolean, reason: string) => ({
    tally: {
      options: [
        { id: 'yes', label: 'Yes', votes: yes[0], owners: yes[0], areaCentiares: yes[1] },
        { id: 'no', label: 'No', votes: no[0], owners: no[0], areaCentiares: no[1] },
        { id: 'abstain', label: 'Abstain', votes: abstain[0], owners: abstain[0], areaCentiares: abstain[1] },
      ],
    },
    turnout: {
      voted: yes[0] + no[0] + abstain[0],
      eligible: 110,
      owners: { voted: yes[0] + no[0] + abstain[0], total: 110 },
      areaCentiares: { voted: yes[1] + no[1] + abstain[1], total: 1_000_000 },
    },
    outcome: {
      passed,
      reason,
      figures: {
        totalOwners: 110,
        totalAreaCentiares: 1_000_000,
        participatingOwners: yes[0] + no[0] + abstain[0],
        participatingAreaCentiares: yes[1] + no[1] + abstain[1],
        approvingOwners: yes[0],
        approvingAreaCentiares: yes[1],
        splitOwners: 0,
      },
    },
  });
  const cand = (id: string, label: string, yes: number, seat?: number) => ({
    id,
    label,
    passed: yes > 40,
    reason: yes > 40 ? 'passed' : 'approval_number_and_area',
    yes: { owners: yes, areaCentiares: yes * 9000 },
    no: { owners: 80 - yes, areaCentiares: (80 - yes) * 9000 },
    abstain: { owners: 0, areaCentiares: 0 },
    ...(seat ? { seat } : {}),
  });
  return {
    consultationId: 'c_fixture',
    status: 'published',
    final: false,
    objectionEndsAt: '2027-01-05T18:00:00.000+08:00',
    head: { hash: 'a3f1c09e5b7d2468ace013579bdf2468ace013579bdf2468ace013579bdf2468', length: 412 },
    questions: [
      {
        id: 'q1',
        title: '第一条 停车位的分配办法',
        kind: 'yes_no_abstain',
        rule: 'civil_code_278_ordinary',
        ...art([60, 560_000], [15, 130_000], [5, 40_000], true, 'passed'),
      },
      {
        id: 'q2',
        title: '第二条 维修资金的使用',
        kind: 'yes_no_abstain',
        rule: 'civil_code_278_major',
        ...art([50, 470_000], [25, 220_000], [5, 40_000], false, 'approval_number_and_area'),
      },
      {
        id: 'q3',
        title: '第三条 宠物管理',
        kind: 'yes_no_abstain',
        rule: 'civil_code_278_ordinary',
        ...art([40, 400_000], [10, 100_000], [5, 50_000], false, 'quorum_not_met'),
      },
      {
        id: 'q4',
        title: '选举第一届业主委员会委员（应选 2 名）',
        kind: 'election',
        rule: 'civil_code_278_ordinary',
        ...art([0, 0], [0, 0], [0, 0], true, 'passed'),
        turnout: { voted: 80, eligible: 110, owners: { voted: 80, total: 110 }, areaCentiares: { voted: 720_000, total: 1_000_000 } },
        winners: ['cand_b', 'cand_a'],
        candidates: [cand('cand_a', '王秀英', 55, 2), cand('cand_b', '李建国', 70, 1), cand('cand_c', '张丽华', 30)],
      },
    ],
  };
}

describe('result notice (公示)', () => {
  it('prints the Art. 278 figures beside their thresholds, the outcome in words, the seats, the objection period and the chain head', async () => {
    const { out, bytes } = sink();
    await streamResultPdf(
      {
        consultation: fixtureConsultation({ status: 'published', eligibleCount: 110 }),
        communityName: '阳光花园',
        result: fixtureResult(),
        auditUrl: `${BASE}/api/consultations/c_fixture/audit`,
      },
      out,
    );
    const text = (await readPdf(bytes())).text.join('');
    for (const expected of [
      '表决结果公示',
      '参与表决：80 户（共 110 户，需至少 74 户），专有面积 7300.00 ㎡（共 10000.00 ㎡，需至少 6666.67 ㎡）',
      '同意：60 户（参与表决人数过半数，需至少 41 户），专有面积 5600.00 ㎡（需至少 3650.01 ㎡）',
      '同意：50 户（参与表决人数四分之三以上，需至少 60 户）',
      '结果：通过',
      '结果：未通过：同意的业主人数和专有面积都未达到要求',
      '结果：未通过：参与表决的业主未达到人数和面积的三分之二',
      '李建国：同意 70 户',
      '当选（第 1 席）',
      '当选：李建国、王秀英（应选 2 名，当选 2 名）',
      '未当选',
      '2027年1月5日 18:00（北京时间）',
      'a3f1c09e5b7d2468ace013579bdf2468ace013579bdf2468ace013579bdf2468:412',
      'npm run verify',
    ]) {
      // a line wrapped by the layout loses its space: compare without spaces
      expect(text.replace(/\s+/g, '')).toContain(expected.replace(/\s+/g, ''));
    }
    expect(text).not.toMatch(/civil_code|quorum_not_met|approval_number|yes_no_abstain|\bpassed\b/);
  }, 60_000);
});

describe('not-voted list per building', () => {
  const rows = fixtureHouseholds(60).filter((h, i) => h.building === '1' && i % 3 !== 0);
  const input = { consultation: fixtureConsultation(), communityName: '阳光花园', building: '1', rows, buildingTotal: 60 };

  it('lists the households that have not answered, with phone numbers only when asked for', async () => {
    const withPhones = sink();
    await streamNotVotedPdf({ ...input, withPhones: true }, withPhones.out);
    const a = (await readPdf(withPhones.bytes())).text.join('');
    expect(a).toContain('1栋 未表决户清单');
    expect(a).toContain('未表决 40 户 / 本栋 60 户');
    expect(a).toContain(rows[0]!.address);
    expect(a).toContain(rows[0]!.phone);
    expect(a).toContain('电话');
    const without = sink();
    await streamNotVotedPdf({ ...input, withPhones: false }, without.out);
    const b = (await readPdf(without.bytes())).text.join('');
    expect(b).toContain(rows[39]!.address);
    expect(b).not.toContain('电话');
    expect(b).not.toContain(rows[0]!.phone);
  }, 60_000);
});

describe('voter register (表决统计表) .xlsx', () => {
  const households = fixtureHouseholds(5);
  const rows = households.map((h, i) => ({
    ...h,
    response:
      i === 4
        ? undefined
        : {
            channel: (['phone', 'paper', 'hall', 'phone'] as const)[i]!,
            at: Date.parse('2026-12-05T02:30:00Z') + i * 60_000,
            receipt: `R${i}XYZ`,
            answers: { q1: 'yes', q2: i === 1 ? 'no' : 'abstain', q4: { cand_a: 'yes', cand_b: 'no' } },
          },
  }));

  async function readBack(secret: boolean) {
    const { out, bytes } = sink();
    const n = await streamRegisterXlsx({ consultation: fixtureConsultation({ secret }), communityName: '阳光花园', rows }, out);
    expect(n).toBe(5);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytes() as unknown as ArrayBuffer);
    const ws = wb.getWorksheet(REGISTER_SHEET)!;
    return ws.getSheetValues().slice(1) as unknown[][];
  }

  it('has one row per household: address, area, channel, Beijing time, receipt and the choices in words', async () => {
    const values = await readBack(false);
    expect(values[0]).toContain('专有面积（㎡）');
    expect(values[0]).toContain('1. 第一条 停车位的分配办法');
    const data = values.slice(2);
    expect(data).toHaveLength(5);
    const second = data[1]!.slice(1);
    expect(second.slice(0, 9)).toEqual([
      2,
      '1',
      '1',
      '102',
      households[1]!.address,
      households[1]!.areaCentiares / 100,
      '纸质表决票',
      '2026-12-05 10:31:00',
      'R1XYZ',
    ]);
    expect(second.slice(9)).toEqual(['同意', '反对', undefined, '王秀英：同意；李建国：反对']);
    expect(data[4]!.slice(1)).toEqual([5, '1', '1', '201', households[4]!.address, households[4]!.areaCentiares / 100, '未表决']);
  }, 30_000);

  it('leaves the choices out for a secret consultation', async () => {
    const values = await readBack(true);
    expect(values[0]).not.toContain('1. 第一条 停车位的分配办法');
    expect(values[2]!.length).toBeLessThanOrEqual(10);
    expect(JSON.stringify(values)).not.toContain('同意');
  }, 30_000);
});
