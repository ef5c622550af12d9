/**
 * Micro-projects (民生微实事) on a phone at 360×640 with 200% text: a resident opens the demo's
 * open budget, picks projects while the page shows what is left to spend, finds the ones that no
 * longer fit disabled with the reason, reviews, submits and keeps a receipt; after a manager closes
 * the budget the result page shows the funded projects and the rule. axe and sideways overflow are
 * checked on each screen; the printable three lists link projects to needs and resources.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { demoCommunityId, newViewer, seriousA11yFindings, shot, signIn, startApp, type App } from './helpers/harness.ts';
import { overflowingElements, textAt200Percent } from './helpers/phone-layout.ts';

let app: App;
let cid: string;
let manager: BrowserContext;
beforeAll(async () => {
  app = await startApp();
  cid = await demoCommunityId(app);
  manager = await newViewer(app, 'laptop');
  await signIn(manager, 'dangzhibu');
});
afterAll(async () => app?.stop());

async function checkScreen(page: Page, name: string) {
  expect(await overflowingElements(page), `${name}: nothing sticks out sideways`).toEqual([]);
  expect(await seriousA11yFindings(page), `${name}: axe`).toEqual([]);
  await shot(page, `budgets-${name}`);
}

interface Budget {
  id: string;
  title: string;
  status: string;
  amountFen: number;
}

it('a resident on a phone picks projects within the budget, the page refuses more, and after closing the result shows the funded projects', async () => {
  const budgets = ((await (await manager.request.get(`/api/communities/${cid}/budgets`)).json()) as { budgets: Budget[] }).budgets;
  const open = budgets.find((b) => b.status === 'open')!;
  expect(open, JSON.stringify(budgets)).toBeTruthy();
  expect(open.amountFen).toBe(80_000_00);

  const phone = await newViewer(app, 'phone');
  await signIn(phone, 'yezhu');
  const page = await phone.newPage();
  await textAt200Percent(page);
  await page.goto(`/c/${cid}`);
  await page
    .getByRole('link', { name: /民生微实事/ })
    .first()
    .click();
  await page.getByRole('link', { name: open.title }).click();
  await page.waitForURL(`**/budgets/${open.id}`);
  await checkScreen(page, 'budget');
  await page.getByRole('button', { name: '选择项目' }).click();

  const left = page.getByTestId('left-to-spend');
  await expect.poll(() => left.textContent()).toContain('80,000.00 元');
  await checkScreen(page, 'choose');

  const box = (title: string) => page.getByRole('checkbox', { name: new RegExp(title) });
  await box('小区围墙修补').check(); // 40,000
  await expect.poll(() => left.textContent()).toContain('40,000.00 元');
  await box('地下车库照明改造').check(); // 35,000 → 5,000 left
  await expect.poll(() => left.textContent()).toContain('5,000.00 元');
  // 18,000 and 8,500 no longer fit: disabled, each with the reason and the shortfall.
  await expect.poll(() => box('老年活动室空调').isDisabled()).toBe(true);
  expect(await box('快递柜遮阳棚').isDisabled()).toBe(true);
  const reasons = await page.getByTestId('too-dear').allTextContents();
  expect(reasons).toHaveLength(2);
  expect(reasons.join(' ')).toContain('13,000.00 元'); // 18,000 − 5,000
  expect(reasons.join(' ')).toContain('3,500.00 元'); // 8,500 − 5,000
  // The proposal still waiting for a manager is not offered.
  expect(await box('增设电动车充电桩').count()).toBe(0);
  await checkScreen(page, 'choose-full');
  // A forced click on a disabled box changes nothing.
  await box('快递柜遮阳棚')
    .click({ force: true })
    .catch(() => {});
  expect(await left.textContent()).toContain('5,000.00 元');

  await page.getByRole('button', { name: /核对我的选择/ }).click();
  await expect.poll(() => page.getByText('合计：').textContent()).toContain('75,000.00 元');
  await checkScreen(page, 'review');
  await page.getByRole('button', { name: '确认提交' }).click();
  const receipt = page.getByTestId('receipt');
  await receipt.waitFor({ timeout: 20_000 });
  expect(await receipt.textContent()).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
  await checkScreen(page, 'receipt');

  // Staff enter one paper choice on a laptop (same screen: what is left, refusing more).
  const desk = await manager.newPage();
  await desk.goto(`/c/${cid}/budgets/${open.id}`);
  await desk.getByText('录入纸质选票').click();
  await desk.getByLabel('纸质选票所属的户').selectOption({ index: 6 });
  const paperBox = (title: string) => desk.getByRole('checkbox', { name: new RegExp(title) });
  await paperBox('小区围墙修补').check();
  await paperBox('快递柜遮阳棚').check();
  await desk.getByRole('button', { name: /核对我的选择/ }).click();
  await desk.getByRole('button', { name: '录入这张选票' }).click();
  await desk.getByRole('status').filter({ hasText: '已录入，回执码' }).waitFor({ timeout: 20_000 });
  expect(await seriousA11yFindings(desk), 'paper entry: axe').toEqual([]);

  // The manager closes; the phone's result page shows the funded projects and the rule:
  // 围墙 2 votes (40,000) funded → 40,000 left; the 1-vote tie goes to the cheaper 遮阳棚 (8,500)
  // → 31,500 left; 车库 (35,000) no longer fits and is skipped.
  expect((await manager.request.post(`/api/budgets/${open.id}/close`)).ok()).toBe(true);
  await page.reload();
  const result = page.getByTestId('budget-result');
  await result.waitFor({ timeout: 20_000 });
  const funded = await result.locator('[data-funded="true"] .title').allTextContents();
  expect(funded).toEqual(['小区围墙修补', '快递柜遮阳棚']);
  expect(await result.locator('li', { hasText: '地下车库照明改造' }).textContent()).toContain('跳过');
  expect(await page.getByTestId('spent').textContent()).toContain('48,500.00 元');
  await expect.poll(() => page.getByTestId('budget-status').textContent()).toBe('已结束');
  await checkScreen(page, 'result');
  await phone.close();
}, 180_000);

it('the closed demo budget shows its funded projects, a done one with its rating; the three lists link and print', async () => {
  const phone = await newViewer(app, 'phone', { locale: 'en' });
  await signIn(phone, 'zuhu');
  const page = await phone.newPage();
  await textAt200Percent(page);
  const budgets = ((await (await phone.request.get(`/api/communities/${cid}/budgets`)).json()) as { budgets: Budget[] }).budgets;
  const last = budgets.find((b) => b.title.startsWith('2026'))!;
  await page.goto(`/c/${cid}/budgets/${last.id}`);
  const result = page.getByTestId('budget-result');
  await result.waitFor({ timeout: 20_000 });
  expect(await result.locator('[data-funded="true"]').count()).toBeGreaterThan(0);
  expect(await result.textContent()).toContain('Skipped: no longer fits');
  await page.locator('[data-status="done"] [data-testid="rating"]').waitFor();
  await checkScreen(page, 'closed-en');

  await page.goto(`/c/${cid}/lists`);
  await page.locator('[data-list="projects"] li').first().waitFor({ timeout: 20_000 });
  // A project links to the need it answers, and the need back to the project.
  const project = page.locator('[data-list="projects"] li', { hasText: 'Answers needs:' }).first();
  const needLink = project.getByRole('link').first();
  const needId = (await needLink.getAttribute('href'))!.slice('#item-'.length);
  expect(await page.locator(`[data-list="needs"] [data-item="${needId}"]`).textContent()).toContain('Answered by:');
  await checkScreen(page, 'lists');
  await page.emulateMedia({ media: 'print' });
  expect(await page.getByRole('button', { name: 'Print' }).isVisible()).toBe(false);
  await phone.close();
}, 120_000);
