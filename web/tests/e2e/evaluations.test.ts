/**
 * An evaluation round (评议) in the browser: the party branch creates and starts a round on the
 * property firm in the page; a resident on a phone (360×640, 200% text) opens it from the
 * community home, scores every criterion with the big 1–5 buttons, reviews and submits, and gets a
 * receipt; a notable answers too and the branch types in a printed questionnaire by address. While
 * open the phone shows the turnout and no figures; after the branch closes it, the result page
 * shows the exact means and distributions, the trend against last year's demo round, and the
 * firm's written reply. axe-core is clean and nothing sticks out sideways; the list reads in English.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { demoCommunityId, newViewer, seriousA11yFindings, shot, signIn, startApp, type App } from './helpers/harness.ts';
import { overflowingElements, textAt200Percent } from './helpers/phone-layout.ts';

let app: App;
let cid: string;
const contexts: BrowserContext[] = [];
beforeAll(async () => {
  app = await startApp();
  cid = await demoCommunityId(app);
});
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await app?.stop();
});

async function viewer(kind: 'phone' | 'laptop', login: string, locale?: string): Promise<BrowserContext> {
  const ctx = await newViewer(app, kind, locale ? { locale } : {});
  contexts.push(ctx);
  await signIn(ctx, login);
  return ctx;
}

const means = (page: Page) =>
  page.locator('[data-criterion-result] [data-mean]').evaluateAll((els) => els.map((e) => e.getAttribute('data-mean')));

it('a resident answers on a phone; after close the result page shows the exact means, by role, the trend and the reply', async () => {
  // The branch creates the round in the page (the usual five criteria are prefilled) and starts it.
  const branch = await viewer('laptop', 'dangzhibu');
  const bp = await branch.newPage();
  await bp.goto(`/c/${cid}/evaluations`);
  const form = bp.locator('[data-evaluation-form]');
  await form.waitFor();
  expect(await seriousA11yFindings(bp)).toEqual([]);
  await form.getByLabel('标题').fill('2026年冬季物业服务评议');
  await form.getByRole('button', { name: '创建评议' }).click();
  await bp.waitForURL(/\/evaluations\/[^/]+$/);
  const id = bp.url().split('/').pop()!;
  await bp.getByRole('button', { name: '开始评议' }).click();
  await expect.poll(() => bp.locator('[data-status]').first().getAttribute('data-status')).toBe('open');

  // The resident on a phone with 200% text: from the community home to the sheet.
  const phone = await viewer('phone', 'yezhu');
  const page = await phone.newPage();
  await textAt200Percent(page);
  await page.goto(`/c/${cid}`);
  await page.getByRole('link', { name: /评议/ }).first().click();
  await page.waitForURL(/\/evaluations$/);
  await page.locator(`a[href="/c/${cid}/evaluations/${id}"]`).click();
  const sheet = page.locator('[data-answer-sheet]');
  await sheet.waitFor();
  await page.locator('[data-hidden]').waitFor();
  expect(await overflowingElements(page)).toEqual([]);
  expect(await seriousA11yFindings(page)).toEqual([]);
  const words = ['5 很满意', '4 满意', '3 一般', '4 满意', '5 很满意'];
  const criteria = await sheet.locator('fieldset[data-criterion]').all();
  expect(criteria.length).toBe(5);
  for (const [i, q] of criteria.entries()) await q.getByLabel(words[i]!, { exact: true }).check();
  await sheet.getByLabel(/意见和建议/).fill('保洁很及时，维修希望再快一点。');
  await shot(page, 'evaluation-phone-sheet');
  await page.getByRole('button', { name: '检查我的评分' }).click();
  await page.locator('[data-review]').waitFor();
  expect(await overflowingElements(page)).toEqual([]);
  await page.getByRole('button', { name: '确认提交' }).click();
  const receipt = page.locator('[data-receipt]');
  await receipt.waitFor();
  expect((await receipt.innerText()).trim()).toMatch(/^[A-Z2-9]{8}$/);
  expect(await overflowingElements(page)).toEqual([]);
  expect(await seriousA11yFindings(page)).toEqual([]);

  // A notable answers by API (4 4 4 2 3); the branch types in a printed questionnaire (3 each).
  const notable = await viewer('laptop', 'xianda');
  expect(
    (
      await notable.request.post(`/api/evaluations/${id}/responses`, {
        data: { scores: { c1: 4, c2: 4, c3: 4, c4: 2, c5: 3 }, idempotencyKey: 'e2e-notable-1' },
      })
    ).status(),
  ).toBe(201);
  const households = (await (await branch.request.get(`/api/communities/${cid}/households`)).json()).households as {
    building: string;
    unit: string;
    room: string;
  }[];
  const h = households[5]!;
  const paper = bp.locator('[data-paper-form]');
  await paper.getByLabel('楼栋').fill(h.building);
  await paper.getByLabel('单元').fill(h.unit);
  await paper.getByLabel('房号').fill(h.room);
  for (const sel of await paper.locator('select').all()) await sel.selectOption('3');
  await paper.getByRole('button', { name: '录入' }).click();
  await paper.locator('[data-paper-saved]').waitFor();

  // Live turnout on the phone, figures still hidden.
  await expect.poll(async () => page.locator('[data-turnout]').getAttribute('data-turnout'), { timeout: 15_000 }).toBe('3');
  expect(await page.locator('[data-mean]').count()).toBe(0);

  // The branch closes; the phone's result page shows the exact means:
  // (5+4+3)/3 = 4.00, (4+4+3)/3 = 3.67, (3+4+3)/3 = 3.33, (4+2+3)/3 = 3.00, (5+3+3)/3 = 3.67.
  await bp.getByRole('button', { name: '结束评议' }).click();
  await expect.poll(() => bp.locator('[data-status]').first().getAttribute('data-status')).toBe('closed');
  await page.reload();
  await page.locator('[data-criterion-result]').first().waitFor();
  expect(await means(page)).toEqual(['4.00', '3.67', '3.33', '3.00', '3.67']);
  const c1 = page.locator('[data-criterion-result="c1"] [data-score]');
  expect(await c1.evaluateAll((els) => els.map((e) => e.getAttribute('data-count')))).toEqual(['1', '1', '1', '0', '0']); // 5…1
  // By role: owners and residents (yezhu, xianda), notables (xianda), printed questionnaires.
  expect(await page.locator('[data-group]').evaluateAll((els) => els.map((e) => e.getAttribute('data-group')))).toEqual([
    'residents',
    'notables',
    'paper',
  ]);
  expect(await page.locator('[data-group="residents"] [data-group-mean="c1"]').innerText()).toBe('4.50');
  // The trend against last year's demo round on the same firm.
  expect(await page.locator('[data-criterion-result="c1"] [data-delta]').count()).toBe(1);
  expect(await overflowingElements(page)).toEqual([]);
  expect(await seriousA11yFindings(page)).toEqual([]);

  // The firm replies in writing; the phone shows it with the result.
  const firm = await viewer('laptop', 'wuye');
  const fp = await firm.newPage();
  await fp.goto(`/c/${cid}/evaluations/${id}`);
  await fp.locator('[data-reply-form] textarea').fill('感谢评议，我们将在一周内加派维修人员。');
  await fp.getByRole('button', { name: '发布回复' }).click();
  await expect.poll(() => fp.locator('[data-reply] .text').count()).toBe(1);
  await page.reload();
  await expect.poll(() => page.locator('[data-reply]').innerText()).toContain('加派维修人员');
  await shot(page, 'evaluation-phone-result');

  // The list in English.
  const en = await viewer('phone', 'yezhu', 'en');
  const ep = await en.newPage();
  await ep.goto(`/c/${cid}/evaluations`);
  await expect.poll(() => ep.locator('h1').innerText()).toBe('Evaluations');
  expect(await overflowingElements(ep)).toEqual([]);
  expect(await seriousA11yFindings(ep)).toEqual([]);
}, 300_000);
