/**
 * Consultation documents through the real server and Redis: an organiser prints every ballot
 * paper (page count announced up front, print progress readable while it runs) and each paper's
 * QR code, decoded from the rendered page, names the household printed on it; a building leader
 * prints only their building and gets no phone numbers on the not-voted list; residents get the
 * notice; the register .xlsx has one row per household; after the close and publication the
 * result notice carries the same chain head as the API.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPaperCode, parsePaperCode } from '@linli/shared';
import type { TestServer } from './helpers/processes.ts';
import { startCommunity, type CommunityFixture } from './helpers/community.ts';
import { Client } from './helpers/http-client.ts';
import type { People, Person } from './helpers/people.ts';
import { decodeQr, readPdf, renderPdfPage } from './helpers/pdf.ts';
import { until } from './helpers/wait.ts';

const key = () => `k-${Math.random().toString(36).slice(2)}-${Date.now()}`;

async function download(srv: TestServer, who: { cookie: string }, path: string) {
  const res = await fetch(srv.url + path, { headers: { cookie: who.cookie } });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, bytes, json: () => JSON.parse(bytes.toString('utf8')) };
}

describe('consultation documents', () => {
  let srv: TestServer;
  let f: CommunityFixture | undefined;
  let admin: Client;
  let people: People;
  let cid: string;
  let leader1: Person;
  let owner: Person;
  let outsider: Person;
  const owners: Person[] = [];
  let id: string;
  let qids: string[];
  const rooms = ['101', '102', '201', '202'];

  beforeAll(async () => {
    f = await startCommunity({ name: '文档测试小区' });
    ({ srv, admin, people, cid } = f);
    const rows = ['1', '2'].flatMap((building) =>
      rooms.map((room, i) => ({
        building,
        unit: '1',
        room,
        area: `${90 + i}.5`,
        owner: `业主${building}-${room}`,
        phone: `139${building}000${room}0`,
      })),
    );
    expect((await admin.post(`/api/communities/${cid}/households`, { households: rows })).status).toBe(200);
    const list = (await admin.get(`/api/communities/${cid}/households`)).body.households as {
      id: string;
      building: string;
      room: string;
    }[];
    for (const room of ['101', '102'])
      owners.push(
        await people.member(cid, `业主1-${room}`, ['owner'], {
          householdIds: [list.find((h) => h.building === '1' && h.room === room)!.id],
        }),
      );
    owner = owners[0]!;
    leader1 = await people.member(cid, '1栋楼栋长', ['building_leader'], { buildings: ['1'] });
    const other = (await admin.post('/api/communities', { name: '别的小区' })).body.community.id;
    outsider = await people.member(other, '外人', ['owner']);
    const now = Date.now();
    const created = await admin.post(`/api/communities/${cid}/consultations`, {
      title: '关于通过管理规约的书面征求意见',
      notice: '各位业主：请在截止前表决。',
      organiser: { kind: 'owners_committee', name: '文档测试小区业主委员会' },
      opensAt: new Date(now - 1000).toISOString(),
      closesAt: new Date(now + 12_000).toISOString(),
      questions: [
        { title: '第一条 停车', kind: 'yes_no_abstain', rule: 'civil_code_278_ordinary' },
        {
          title: '选举业主委员会委员',
          kind: 'election',
          rule: 'civil_code_278_ordinary',
          seats: 1,
          options: [
            { id: 'a', label: '张三' },
            { id: 'b', label: '李四' },
          ],
        },
      ],
    });
    expect(created.status).toBe(201);
    id = created.body.consultation.id;
    qids = created.body.consultation.questions.map((q: { id: string }) => q.id);
    await until(
      async () => (await admin.get(`/api/consultations/${id}`)).body.consultation.status === 'open',
      10_000,
      'the consultation to open',
    );
    for (const p of owners) {
      const r = await Object.assign(new Client(srv.url), { cookie: p.cookie }).post(`/api/consultations/${id}/responses`, {
        answers: { [qids[0]!]: 'yes', [qids[1]!]: { a: 'yes', b: 'no' } },
        idempotencyKey: key(),
      });
      expect(r.status).toBe(201);
    }
  }, 120_000);
  afterAll(async () => f?.stop());

  it('prints every household’s paper; each QR code names the household printed on that page', async () => {
    const job = `job${Date.now()}`;
    const r = await download(srv, admin, `/api/consultations/${id}/papers.pdf?job=${job}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/pdf');
    expect(r.headers.get('x-linli-papers')).toBe('8');
    expect(r.headers.get('x-linli-pages')).toBe('8');
    const pdf = await readPdf(r.bytes);
    expect(pdf.pages).toBe(8);
    expect(pdf.text[0]).toContain('文档测试小区');
    expect(pdf.text[0]).toContain('1栋1单元101');
    expect(pdf.text[0]).toContain('90.50 ㎡');
    expect(pdf.text[6]).toContain('2栋1单元201');
    for (const page of [1, 7]) {
      const qr = decodeQr(await renderPdfPage(r.bytes, page));
      const parsed = parsePaperCode(qr ?? '');
      expect(parsed).not.toBeNull();
      expect(qr).toMatch(/^http:\/\/[^/]+\/p\/[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]$/);
      expect(pdf.text[page - 1]).toContain(`表决票编号：${formatPaperCode(parsed!.code)}`);
      expect(parsed!.serial).toBe(page);
    }
    const progress = await download(srv, admin, `/api/consultations/${id}/papers-progress/${job}`);
    expect(progress.status).toBe(200);
    expect(progress.json()).toEqual({ papers: 8, pages: 8, totalPapers: 8, totalPages: 8, done: true });
  }, 60_000);

  it('lets a building leader print only their building, and nobody else print papers', async () => {
    const mine = await download(srv, leader1, `/api/consultations/${id}/papers.pdf?building=1`);
    expect(mine.status).toBe(200);
    const pdf = await readPdf(mine.bytes);
    expect(pdf.pages).toBe(4);
    expect(pdf.text.join('')).not.toContain('2栋');
    expect((await download(srv, leader1, `/api/consultations/${id}/papers.pdf?building=2`)).status).toBe(403);
    expect((await download(srv, leader1, `/api/consultations/${id}/papers.pdf`)).status).toBe(403);
    expect((await download(srv, owner, `/api/consultations/${id}/papers.pdf?building=1`)).status).toBe(403);
    expect((await download(srv, outsider, `/api/consultations/${id}/papers.pdf`)).status).toBe(404);
    const bad = await download(srv, admin, `/api/consultations/${id}/papers.pdf?building=9`);
    expect(bad.status).toBe(404);
    expect(bad.json().error.code).toBe('not_found');
  }, 60_000);

  it('gives every member the notice, with the organiser and the times in Beijing time', async () => {
    const r = await download(srv, owner, `/api/consultations/${id}/notice.pdf`);
    expect(r.status).toBe(200);
    const text = (await readPdf(r.bytes)).text.join('');
    expect(text).toContain('关于通过管理规约的书面征求意见');
    expect(text).toContain('文档测试小区业主委员会');
    expect(text).toContain('（北京时间）');
    expect(text).toContain('张三、李四');
  }, 60_000);

  it('lists the households that have not answered; phone numbers only for roster managers', async () => {
    const leaderList = await download(srv, leader1, `/api/consultations/${id}/not-voted.pdf?building=1`);
    expect(leaderList.status).toBe(200);
    const text = (await readPdf(leaderList.bytes)).text.join('');
    expect(text).toContain('未表决 2 户 / 本栋 4 户');
    expect(text).toContain('1栋1单元201');
    expect(text).not.toContain('1栋1单元101');
    expect(text).not.toContain('13910002010');
    const adminList = (await readPdf((await download(srv, admin, `/api/consultations/${id}/not-voted.pdf?building=1`)).bytes)).text.join(
      '',
    );
    expect(adminList).toContain('13910002010');
    expect((await download(srv, leader1, `/api/consultations/${id}/not-voted.pdf?building=2`)).status).toBe(403);
    expect((await download(srv, admin, `/api/consultations/${id}/not-voted.pdf`)).status).toBe(400);
  }, 60_000);

  it('exports the register with one row per household, for organisers only', async () => {
    expect((await download(srv, leader1, `/api/consultations/${id}/register.xlsx`)).status).toBe(403);
    const r = await download(srv, admin, `/api/consultations/${id}/register.xlsx`);
    expect(r.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.bytes as unknown as ArrayBuffer);
    const rows = (wb.worksheets[0]!.getSheetValues().slice(3) as unknown[][]).map((v) => v.slice(1));
    expect(rows).toHaveLength(8);
    expect(rows[0]!.slice(4, 7)).toEqual(['1栋1单元101室', 90.5, '手机']);
    expect(rows[0]![8]).toMatch(/^[A-Z0-9]+$/);
    expect(rows[0]!.slice(9)).toEqual(['同意', '张三：同意；李四：反对']);
    expect(rows[7]!.slice(4, 7)).toEqual(['2栋1单元202室', 93.5, '未表决']);
  }, 60_000);

  it('prints the result notice after the close with the same chain head as the API', async () => {
    await until(async () => (await admin.get(`/api/consultations/${id}/result`)).body.final, 20_000, 'the consultation to close');
    expect((await admin.post(`/api/consultations/${id}/publish`, { objectionDays: 7 })).status).toBe(200);
    const api = (await admin.get(`/api/consultations/${id}/result`)).body;
    expect(api.head).toBeTruthy();
    const r = await download(srv, owner, `/api/consultations/${id}/result.pdf`);
    expect(r.status).toBe(200);
    const text = (await readPdf(r.bytes)).text.join('').replace(/\s+/g, '');
    expect(text).toContain('表决结果公示');
    expect(text).toContain(`${api.head.hash}:${api.head.length}`);
    expect(text).toContain('参与表决：2户（共8户，需至少6户）');
    expect(text).toContain('结果：未通过：参与表决的业主未达到人数和面积的三分之二');
    expect(text).toContain('公示期至');
    expect(text).not.toMatch(/quorum_not_met|civil_code/);
  }, 60_000);
});
