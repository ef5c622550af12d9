/**
 * Hall rehearsal, the admin's part (issue 13 "Admin"): on an empty server the admin creates a
 * community in the page, downloads the roster template, imports a roster whose dry run explains
 * a refused phone and a doubtful area in plain Chinese, and prints slips that carry a short address
 * to type for those who cannot scan; a resident types their code there. axe on every page;
 * screenshots under test-results/hall-rehearsal/admin-*.png.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { RESULTS_DIR, newViewer, seriousA11yFindings, shot, signIn, startApp, type App } from './helpers/harness.ts';

let app: App;
let ctx: BrowserContext;
let page: Page;
let cid = '';

const step = (name: string) => shot(page, `hall-rehearsal/admin-${name}`);

beforeAll(async () => {
  fs.mkdirSync(path.join(RESULTS_DIR, 'hall-rehearsal'), { recursive: true });
  app = await startApp({ demo: false });
  ctx = await newViewer(app, 'laptop');
  await signIn(ctx, 'admin', app.server.adminPassword);
  page = await ctx.newPage();
});
afterAll(async () => {
  await ctx?.close();
  await app?.stop();
});

describe('hall rehearsal: the admin sets up a compound', () => {
  it('creates a community from the home page and becomes its admin', async () => {
    await page.goto('/');
    const form = page.getByTestId('create-community');
    await form.getByRole('button', { name: '创建小区' }).click();
    await expect.poll(() => form.getByRole('alert').innerText()).toBe('请填写小区名称');
    await form.getByLabel('小区名称').fill('安贞西里');
    await form.getByLabel('地址（可不填）').fill('朝阳区安贞西里 3 号');
    await form.getByLabel('所属街道或区（可不填）').fill('安贞街道');
    expect(await seriousA11yFindings(page)).toEqual([]);
    await step('1-create');
    await form.getByRole('button', { name: '创建小区' }).click();
    await page.waitForURL(/\/c\/[^/]+$/);
    cid = new URL(page.url()).pathname.split('/')[2]!;
    await expect.poll(() => page.locator('h1').innerText(), { timeout: 20_000 }).toBe('安贞西里');
    const me = (await (await ctx.request.get('/api/me')).json()) as { memberships: { communityId: string; roles: string[] }[] };
    expect(me.memberships).toContainEqual(expect.objectContaining({ communityId: cid, roles: ['admin'] }));
    expect(await seriousA11yFindings(page)).toEqual([]);
    await step('2-community');
  });

  it('downloads the template and imports a roster; the dry run explains a wrong phone and a 5,000 m² area in plain Chinese', async () => {
    await page.goto(`/c/${cid}/roster`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('template-xlsx').click()]);
    expect(download.suggestedFilename()).toBe('住户名册模板.xlsx');
    const saved = path.join(RESULTS_DIR, 'hall-rehearsal', 'template.xlsx');
    await download.saveAs(saved);
    expect(fs.readFileSync(saved).subarray(0, 2).toString('latin1')).toBe('PK');
    const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('template-csv').click()]);
    const csvBytes = fs.readFileSync((await csvDownload.path())!);
    expect([...csvBytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // the BOM Excel needs for Chinese
    const header = csvBytes.toString('utf8').replace(/\s+$/, '');
    expect(header).toBe('\uFEFF楼栋,单元,房号,面积,业主,电话');
    await step('3-template');

    // The admin fills the template (as Excel saves a CSV) with 8 households, two of them doubtful.
    const rows = [
      '1,1,101,88.50,张伟,13800138000',
      '1,1,102,90,王芳,12345', // refused: not a phone number
      '1,1,201,5000,李娜,', // imported with a warning: 5,000 m²
      '1,2,101,76.3,刘洋,010-62345678',
      '1,2,102,76.3,陈静,',
      '2,1,101,102,杨磊,139 1234 5678',
      '2,1,102,102,赵敏,',
      '2,1,103,88.555,黄强,', // refused: three decimals
    ];
    const file = { name: '安贞西里名册.csv', mimeType: 'text/csv', buffer: Buffer.from(`${header}\r\n${rows.join('\r\n')}\r\n`, 'utf8') };
    await page.getByLabel('选择名册文件').setInputFiles(file);
    const result = page.getByTestId('import-result');
    await expect.poll(() => result.getAttribute('data-dry-run'), { timeout: 30_000 }).toBe('true');
    expect(await result.locator('[data-count=created]').innerText()).toBe('新增 6 户');
    expect(await result.locator('[data-count=rejected]').innerText()).toBe('拒收 2 行');
    expect(await result.locator('[data-count=warnings]').innerText()).toBe('需要核对 1 行');
    const phoneRow = await result.locator('tr[data-line="3"]').innerText();
    expect(phoneRow).toContain('电话号码无效');
    expect(phoneRow).toContain('电话“12345”不像手机号或座机号');
    expect(await result.locator('tr[data-line="9"]').innerText()).toContain('小数超过两位');
    const warning = await page.getByTestId('import-warnings').locator('tr[data-line="4"]').innerText();
    expect(warning).toContain('面积偏大');
    expect(warning).toContain('面积 5000 平方米比一般住户大很多（超过 300 平方米）');
    // No raw codes or English in what the admin reads.
    expect(await result.innerText()).not.toMatch(/invalid_phone|area_large|[A-Za-z]{4,}/);
    expect(await seriousA11yFindings(page)).toEqual([]);
    await step('4-dry-run');

    await page.getByRole('button', { name: '确认导入' }).click();
    await expect.poll(() => result.getAttribute('data-dry-run'), { timeout: 20_000 }).toBe('false');
    await expect.poll(() => page.getByTestId('roster-count').innerText(), { timeout: 20_000 }).toBe('共 6 户');
    await step('5-imported');
  });

  it('prints slips that show a short address to type, and that address takes the code', async () => {
    await page.goto(`/c/${cid}/slips`);
    const slips = page.locator('article.slip');
    await expect.poll(() => slips.count(), { timeout: 20_000 }).toBe(6);
    const typeUrl = `${new URL(app.url).host}/i`;
    const hint = await slips.first().getByTestId('slip-type').innerText();
    expect(hint).toBe(`不能扫码？在手机浏览器里输入 ${typeUrl} ，再输入上面的邀请码。`);
    expect(await seriousA11yFindings(page)).toEqual([]);
    await step('6-slips');
    const code = (await slips.first().locator('.code .value').innerText()).trim();

    // A resident without a camera types the short address, then the code from the slip.
    const phone = await newViewer(app, 'phone');
    const p = await phone.newPage();
    await p.goto(`http://${typeUrl}`);
    await p.getByLabel('邀请码').fill('abcd');
    await p.getByRole('button', { name: '下一步' }).click();
    await expect.poll(() => p.getByRole('alert').innerText()).toContain('11 位字母和数字');
    await p.getByLabel('邀请码').fill(code.toLowerCase());
    expect(await seriousA11yFindings(p)).toEqual([]);
    await shot(p, 'hall-rehearsal/admin-7-type-code');
    await p.getByRole('button', { name: '下一步' }).click();
    await p.waitForURL(new RegExp(`/i/${code.replace(/-/g, '')}$`));
    await expect.poll(() => p.getByRole('button', { name: '确认加入' }).count(), { timeout: 20_000 }).toBe(1);
    expect(await seriousA11yFindings(p)).toEqual([]);
    await shot(p, 'hall-rehearsal/admin-8-claim');
    await phone.close();
  });
});
