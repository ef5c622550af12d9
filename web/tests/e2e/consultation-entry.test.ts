/**
 * Paper entry in the browser (issue 15): two people in two browser contexts enter the same paper
 * (counted once with a receipt), a second paper whose two entries differ is held back and a
 * reviewer resolves it side by side; then the camera path: Chromium's fake camera plays a video
 * made from the printed paper (the household's page of the server's papers.pdf, rendered with
 * PDF.js), the console's scan finds the household and two people record it. axe-core finds nothing serious on the entry, review and door-to-door pages.
 */
import fs from 'node:fs';
import path from 'node:path';
import jsQR from 'jsqr';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPaperCode, paperQrText, type Role } from '@linli/shared';
import { People } from '../../../server/test/helpers/people.ts';
import { renderPdfPage, type RenderedPage } from '../../../server/test/helpers/pdf.ts';
import { tmpDir } from '../../../server/test/helpers/processes.ts';
import { newViewer, seriousA11yFindings, shot, signIn, startApp, type App } from './helpers/harness.ts';
import { until } from './helpers/steps.ts';

let app: App;
let people: People;
let cid: string;
let id: string;
let clause: string;
let election: string;
let hh: Record<string, string>;
let codes: Record<string, string>;
let cameraBrowser: Browser | null = null;
const open: BrowserContext[] = [];

async function as(name: string, roles: Role[], opts: { buildings?: string[] } = {}, browser?: Browser): Promise<BrowserContext> {
  const p = await people.member(cid, name, roles, opts);
  const ctx = browser
    ? await browser.newContext({ baseURL: app.url, locale: 'zh-CN', viewport: { width: 1366, height: 800 } })
    : await newViewer(app, 'laptop');
  await ctx.addCookies([{ name: 'linli_sid', value: p.cookie.split('=')[1]!, url: app.url }]);
  open.push(ctx);
  return ctx;
}

async function entryPage(ctx: BrowserContext): Promise<Page> {
  const page = await ctx.newPage();
  await page.goto(`/c/${cid}/consultations/${id}/entry`);
  await page.getByLabel('票号').waitFor({ timeout: 20_000 });
  return page;
}

/** Types a code, checks the household shown, confirms, answers (1 = 同意 on the clause; the election by buttons), saves. */
async function enterPaper(
  page: Page,
  householdId: string,
  clauseKey: '1' | '2' | '3',
  candidate: '同意' | '反对',
  opts: { typed?: string } = {},
): Promise<string> {
  if (opts.typed !== undefined) {
    await page.getByLabel('票号').fill(opts.typed);
    await page.getByRole('button', { name: '查找' }).click();
  }
  const household = page.locator(`[data-household="${householdId}"]`);
  await household.waitFor({ timeout: 20_000 });
  await page.getByRole('button', { name: '核对无误，开始录入' }).click();
  await page.keyboard.press(clauseKey);
  await page.getByRole('group', { name: '张三' }).getByRole('button', { name: candidate }).click();
  await page.getByRole('button', { name: '保存录入' }).click();
  const result = page.locator('.result[data-state]');
  await result.waitFor({ timeout: 20_000 });
  return (await result.getAttribute('data-state'))!;
}

/**
 * A y4m video (640×480, 4:2:0) of the printed paper: the household's page of papers.pdf (the
 * server's own print, cons-papers' generator) rendered by PDF.js at about 180 dpi, cropped to the
 * 640×480 around its QR code (the paper held up to the laptop camera: QR, typed code and the
 * printed text around them), in grey.
 */
async function paperVideo(ctx: BrowserContext, householdId: string): Promise<string> {
  const pdf = await ctx.request.get(`/api/consultations/${id}/papers.pdf?building=1`);
  expect(pdf.status()).toBe(200);
  const bytes = new Uint8Array(await pdf.body());
  const pages = Number(pdf.headers()['x-linli-pages']);
  const want = paperQrText(app.url, codes[householdId]!);
  let page: RenderedPage | null = null;
  let where: { x: number; y: number } | null = null;
  for (let n = 1; n <= pages && !page; n++) {
    const p = await renderPdfPage(bytes, n, 2.5);
    const found = jsQR(p.rgba, p.width, p.height);
    if (found?.data.endsWith(formatPaperCode(codes[householdId]!))) {
      expect(found.data).toBe(want);
      page = p;
      const c = found.location;
      where = { x: (c.topLeftCorner.x + c.bottomRightCorner.x) / 2, y: (c.topLeftCorner.y + c.bottomRightCorner.y) / 2 };
    }
  }
  expect(page, `no page of papers.pdf carries ${want}`).not.toBeNull();
  const W = 640;
  const H = 480;
  const x0 = Math.max(0, Math.min(page!.width - W, Math.round(where!.x - W / 2)));
  const y0 = Math.max(0, Math.min(page!.height - H, Math.round(where!.y - H / 2)));
  const y = Buffer.alloc(W * H, 255);
  for (let r = 0; r < H; r++) {
    for (let col = 0; col < W; col++) {
      const i = ((y0 + r) * page!.width + (x0 + col)) * 4;
      if (y0 + r >= page!.height || x0 + col >= page!.width) continue;
      y[r * W + col] = Math.round(0.299 * page!.rgba[i]! + 0.587 * page!.rgba[i + 1]! + 0.114 * page!.rgba[i + 2]!);
    }
  }
  const chroma = Buffer.alloc((W / 2) * (H / 2), 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), y, chroma, chroma]);
  const dir = tmpDir('linli-camera-');
  fs.writeFileSync(path.join(dir, 'paper.png'), page!.png);
  const file = path.join(dir, `paper-${householdId}.y4m`);
  fs.writeFileSync(
    file,
    Buffer.concat([Buffer.from(`YUV4MPEG2 W${W} H${H} F10:1 Ip A1:1 C420jpeg\n`), ...Array.from({ length: 10 }, () => frame)]),
  );
  return file;
}

beforeAll(async () => {
  app = await startApp({ demo: false });
  people = new People(app.redis.url);
  const admin = await newViewer(app, 'laptop');
  open.push(admin);
  await signIn(admin, 'admin', app.server.adminPassword);
  cid = (await (await admin.request.post('/api/communities', { data: { name: '录入小区' } })).json()).community.id;
  const rows = ['1-1-101', '1-1-102', '1-1-201', '2-1-101'].map((a) => {
    const [building, unit, room] = a.split('-');
    return { building, unit, room, area: '88.5', owner: `业主${a}` };
  });
  expect((await admin.request.post(`/api/communities/${cid}/households`, { data: { households: rows } })).status()).toBe(200);
  const list = (await (await admin.request.get(`/api/communities/${cid}/households`)).json()).households as {
    id: string;
    building: string;
    unit: string;
    room: string;
  }[];
  hh = Object.fromEntries(list.map((h) => [`${h.building}-${h.unit}-${h.room}`, h.id]));
  const created = await admin.request.post(`/api/communities/${cid}/consultations`, {
    data: {
      title: '管理规约第3条及业委会选举',
      notice: '请各户在截止前表决。',
      opensAt: new Date(Date.now() - 60_000).toISOString(),
      closesAt: new Date(Date.now() + 3600_000).toISOString(),
      questions: [
        { title: '采纳第3条', kind: 'yes_no_abstain', rule: 'civil_code_278_ordinary' },
        {
          title: '选举业委会委员',
          kind: 'election',
          rule: 'civil_code_278_ordinary',
          seats: 1,
          options: [
            { id: 'c1', label: '张三' },
            { id: 'c2', label: '李四' },
          ],
        },
      ],
    },
  });
  expect(created.status(), await created.text()).toBe(201);
  const c = (await created.json()).consultation;
  id = c.id;
  [clause, election] = c.questions.map((q: { id: string }) => q.id);
  await until(
    async () => (await (await admin.request.get(`/api/consultations/${id}`)).json()).consultation.status === 'open',
    10_000,
    'the consultation to open',
  );
  const doors = (await (await admin.request.get(`/api/consultations/${id}/doors`)).json()).doors as {
    householdId: string;
    paperCode: string;
  }[];
  codes = Object.fromEntries(doors.map((d) => [d.householdId, d.paperCode]));
});

afterAll(async () => {
  for (const ctx of open) await ctx.close().catch(() => {});
  await cameraBrowser?.close().catch(() => {});
  await people?.close();
  await app?.stop();
});

const responses = async () => {
  const ctx = open[0]!;
  return (await (await ctx.request.get(`/api/consultations/${id}`)).json()).progress as {
    byChannel: Record<string, number>;
    papers: { awaitingSecond: number; mismatches: number };
  };
};

describe('paper entry in the console', () => {
  it('two people enter the same paper: the first waits, the second counts it with a receipt', async () => {
    const a = await entryPage(await as('录入员甲', ['owners_committee']));
    const b = await entryPage(await as('录入员乙', ['owners_committee']));
    const h = hh['1-1-101']!;
    // Typed in lower case with spaces: the page reads it as the code.
    expect(await enterPaper(a, h, '1', '同意', { typed: formatPaperCode(codes[h]!).toLowerCase().replace(/-/g, ' ') })).toBe(
      'awaiting_second',
    );
    await expect.poll(async () => (await a.locator('.result').textContent())?.trim()).toContain('等待另一人');
    await expect.poll(async () => a.locator('.addr').count()).toBe(1);
    expect(await a.locator('.addr').textContent()).toBe('1栋1单元101室');
    expect(await enterPaper(b, h, '1', '同意', { typed: codes[h]! })).toBe('counted');
    expect(await b.locator('.result').textContent()).toMatch(/已计入。回执：[A-Z0-9]+/);
    expect((await responses()).byChannel.paper).toBe(1);

    // A typo is called a typo, and nothing is shown for another household.
    await b.getByRole('button', { name: '录入下一张' }).click();
    const code = codes[hh['1-1-102']!]!;
    await b.getByLabel('票号').fill(code.slice(0, 7) + (code[7] === 'B' ? 'C' : 'B') + code[8]);
    await b.getByRole('button', { name: '查找' }).click();
    await expect.poll(async () => b.getByRole('alert').textContent()).toMatch(/输错/);
    expect(await b.locator('[data-household]').count()).toBe(0);

    // The second paper: the two readings differ → held back, counting nothing.
    const h2 = hh['1-1-102']!;
    await a.getByRole('button', { name: '录入下一张' }).click();
    expect(await enterPaper(a, h2, '1', '同意', { typed: codes[h2]! })).toBe('awaiting_second');
    expect(await enterPaper(b, h2, '2', '同意', { typed: codes[h2]! })).toBe('mismatch');
    expect(await responses()).toMatchObject({ byChannel: { paper: 1 }, papers: { mismatches: 1 } });

    // A third person sees both entries side by side, with the differing question marked, and resolves it.
    const reviewer = await entryPage(await as('复核员丙', ['owners_committee']));
    const held = reviewer.locator(`article[data-paper="${formatPaperCode(codes[h2]!)}"]`);
    await held.waitFor({ timeout: 20_000 });
    expect(await held.locator('thead th').allTextContents()).toEqual(['', '第 1 次录入：录入员甲', '第 2 次录入：录入员乙']);
    expect(await held.locator('tr.differs th').textContent()).toContain('采纳第3条');
    expect(await seriousA11yFindings(reviewer)).toEqual([]);
    await shot(reviewer, 'consultation-review');
    await held
      .getByRole('group', { name: /第 1 项/ })
      .getByRole('button', { name: '反对' })
      .click();
    await held.getByRole('button', { name: '张三 同意' }).click();
    await held.getByRole('button', { name: '以此为准计入' }).click();
    await expect.poll(async () => reviewer.locator('article[data-paper]').count()).toBe(0);
    expect(await responses()).toMatchObject({ byChannel: { paper: 2 }, papers: { mismatches: 0, awaitingSecond: 0 } });
    expect(await seriousA11yFindings(a)).toEqual([]);
  }, 150_000);

  it('scans a paper through the camera (Chromium fake camera fed a video of the rendered paper) and records it', async () => {
    const h = hh['1-1-201']!;
    const video = await paperVideo(open[0]!, h);
    cameraBrowser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        `--use-file-for-fake-video-capture=${video}`,
      ],
    });
    for (const [name, expected] of [
      ['扫码员甲', 'awaiting_second'],
      ['扫码员乙', 'counted'],
    ] as const) {
      const ctx = await as(name, ['owners_committee'], {}, cameraBrowser);
      await ctx.grantPermissions(['camera'], { origin: app.url });
      const page = await entryPage(ctx);
      await page.getByRole('button', { name: '用摄像头扫码' }).click();
      // The scan reads the code, stops the camera and shows the household before anything is recorded.
      await page.locator(`[data-household="${h}"]`).waitFor({ timeout: 30_000 });
      expect(await page.getByLabel('票号').inputValue()).toBe(formatPaperCode(codes[h]!));
      expect(await page.locator('.addr').textContent()).toBe('1栋1单元201室');
      expect(await page.locator('p.status').textContent()).toContain(`已读到票号 ${formatPaperCode(codes[h]!)}`);
      if (expected === 'awaiting_second') await shot(page, 'consultation-scan');
      expect(await enterPaper(page, h, '1', '反对')).toBe(expected);
    }
    const audit = (await (await open[0]!.request.get(`/api/consultations/${id}/audit?format=json`)).json()).entries as {
      type: string;
      data: { householdId?: string; answers?: Record<string, unknown> };
    }[];
    const counted = audit.find((e) => e.type === 'paper_vote' && e.data.householdId === h);
    expect(counted?.data.answers).toEqual({ [clause]: 'yes', [election]: { c1: 'no' } });
  }, 150_000);

  it('gives a building leader their building’s door-to-door list, marks and paper entry, axe-clean', async () => {
    const ctx = await as('楼栋长一', ['building_leader'], { buildings: ['1'] });
    const page = await ctx.newPage();
    await page.goto(`/c/${cid}/consultations/${id}/doors`);
    await page.getByRole('table').waitFor({ timeout: 20_000 });
    // Every household of building 1 has answered by paper now: the not-answered filter shows none.
    expect(await page.locator('tbody tr').count()).toBe(0);
    await page.getByLabel('只看未表决').uncheck();
    expect(await page.locator('tbody tr th').allTextContents()).toEqual(['1栋1单元101室', '1栋1单元102室', '1栋1单元201室']);
    await page.locator(`tr[data-household="${hh['1-1-102']}"]`).getByLabel('已收回').check();
    await expect.poll(async () => page.locator(`tr[data-household="${hh['1-1-102']}"]`).getByLabel('已发出').isChecked()).toBe(true);
    expect(await page.getByRole('link', { name: '打印未表决名单（PDF）' }).getAttribute('href')).toBe(
      `/api/consultations/${id}/not-voted.pdf?building=1`,
    );
    expect(await seriousA11yFindings(page)).toEqual([]);
    await shot(page, 'consultation-doors');
  }, 90_000);
});
