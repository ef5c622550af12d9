/**
 * The convention editor as a resident sees it (issue 13): told they may comment and suggest (not
 * "no editing rights"), no drag handle they cannot use, and after 提交建议 a confirmation with
 * the new suggestion brought into view.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { demoCommunityId, newViewer, seriousA11yFindings, shot, signIn, startApp, type App } from './helpers/harness.ts';

let app: App;
let ctx: BrowserContext;
let conventionId: string;

beforeAll(async () => {
  app = await startApp();
  const cid = await demoCommunityId(app);
  ctx = await newViewer(app, 'laptop');
  await signIn(ctx, 'yezhu');
  conventionId = ((await (await ctx.request.get(`/api/communities/${cid}/conventions`)).json()) as { conventions: { id: string }[] })
    .conventions[0]!.id;
}, 180_000);

afterAll(async () => {
  await ctx?.close();
  await app?.stop();
});

it('a resident is told what they may do, sees no drag handle, and sees their suggestion confirmed and in view', async () => {
  const page = await ctx.newPage();
  await page.goto(`/conventions/${conventionId}`);
  const notice = page.locator('[data-read-only]');
  await notice.waitFor({ timeout: 30_000 });
  expect(await notice.innerText()).toContain('写批注、提修改建议');
  expect(await notice.innerText()).not.toContain('没有编辑权限');
  await page.locator('li[data-clause-id]').first().waitFor();
  expect(await page.locator('.handle').count()).toBe(0);

  const clause = page.locator('li[data-clause-id]').last();
  await clause.getByText(/^评论与修改建议/).click();
  await clause.getByText('提出修改建议').click();
  await clause.getByRole('textbox', { name: /建议的条款全文/ }).fill('晚上十点以后，广场舞音响音量不超过五十五分贝。');
  await clause.getByRole('textbox', { name: /理由/ }).fill('照顾老人和孩子休息');
  await clause.getByRole('button', { name: '提交建议' }).click();
  await expect.poll(() => clause.locator('[data-suggestion-sent]').innerText(), { timeout: 15_000 }).toContain('建议已提交');
  // The new suggestion has focus and is on screen.
  await expect.poll(() => page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.suggestionId ?? '')).not.toBe('');
  const box = (await page.locator('li.suggestion:focus').boundingBox())!;
  expect(box.y).toBeGreaterThanOrEqual(0);
  expect(box.y).toBeLessThan(800);
  expect(await seriousA11yFindings(page)).toEqual([]);
  await shot(page, 'hall-rehearsal/editor-resident-suggestion-sent');
}, 120_000);
