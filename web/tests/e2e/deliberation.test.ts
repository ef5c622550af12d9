/**
 * Deliberation with people together (issue 19): a projector, the facilitator's console and five
 * phones (360×640, zh-CN). Questions asked and upvoted on the phones reorder live on the projector;
 * a word cloud started in the console is answered on the phones, drawn on the projector, and a word
 * the facilitator hides disappears from the projector and every phone. axe on the phone's 提问 screen.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { demoCommunityId, newViewer, seriousA11yFindings, signIn, startApp, type App } from './helpers/harness.ts';

let app: App;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => app?.stop());

const WAIT = { timeout: 20_000 };
const screenOrder = (p: Page) =>
  p.locator('[data-screen-questions] li').evaluateAll((els) => els.map((e) => e.getAttribute('data-question')));

it('questions reorder live on the projector; a hidden word leaves the projector and the phones', async () => {
  const cid = await demoCommunityId(app);
  const fac = await newViewer(app, 'laptop');
  await signIn(fac, 'facilitator');
  const created = await fac.request.post(`/api/communities/${cid}/meetings`, { data: { title: '停车问题议事会（端到端）', mode: 'hall' } });
  expect(created.status()).toBe(201);
  const meetingId = (await created.json()).meeting.id as string;
  expect((await fac.request.patch(`/api/meetings/${meetingId}`, { data: { status: 'open' } })).status()).toBe(200);

  const projCtx = await newViewer(app, 'projector');
  await signIn(projCtx, 'facilitator');
  const projector = await projCtx.newPage();
  await projector.goto(`/m/${meetingId}/screen`);
  await projector.locator('[data-connection="online"]').waitFor(WAIT);
  const console_ = await fac.newPage();
  await console_.goto(`/m/${meetingId}/console`);
  await console_.locator('[data-moderation]').waitFor(WAIT);

  const phones = await Promise.all(
    ['yezhu', 'zuhu', 'xianda', 'loudong1', 'loudong2'].map(async (login) => {
      const ctx = await newViewer(app, 'phone');
      await signIn(ctx, login);
      const page = await ctx.newPage();
      await page.goto(`/m/${meetingId}`);
      await page.locator('[data-connection="online"]').waitFor(WAIT);
      await page.locator('[data-questions-open]').click();
      await page.locator('[data-questions-screen]').waitFor(WAIT);
      return { page, ctx };
    }),
  );
  const [p0, p1, p2, p3, p4] = phones.map((p) => p.page) as [Page, Page, Page, Page, Page];

  // Two questions from two phones: the older one first while neither has an upvote.
  await p0.getByLabel('您的问题').fill('充电桩什么时候装？');
  await p0.getByRole('button', { name: '提交问题' }).click();
  await p0.getByText('问题已提交。').waitFor(WAIT);
  await p1.getByLabel('您的问题').fill('访客车位能不能增加？');
  await p1.getByLabel('匿名提问').check();
  await p1.getByRole('button', { name: '提交问题' }).click();
  await p1.getByText('问题已提交。').waitFor(WAIT);
  await expect.poll(() => screenOrder(projector).then((o) => o.length), WAIT).toBe(2);
  const [first, second] = await screenOrder(projector);

  // Three phones upvote the second question: it moves to the top of the projector, live.
  for (const p of [p2, p3, p4]) {
    const btn = p.locator(`[data-question="${second}"] button.up`);
    await btn.waitFor(WAIT);
    await btn.click();
    await expect.poll(() => btn.getAttribute('aria-pressed'), WAIT).toBe('true');
  }
  await expect.poll(() => screenOrder(projector), WAIT).toEqual([second, first]);
  await expect.poll(() => projector.locator(`[data-screen-questions] [data-question="${second}"]`).innerText(), WAIT).toContain('3');
  // Upvoting again changes nothing (the button says it is done).
  await expect.poll(() => p0.locator(`[data-question="${second}"]`).getAttribute('data-votes'), WAIT).toBe('3');
  expect(await seriousA11yFindings(p0)).toEqual([]);

  // A word cloud from the console, answered on every phone, drawn on the projector.
  await console_.getByLabel('词云题目').fill('用一个词说说停车最大的问题');
  await console_.getByRole('button', { name: '开始词云' }).click();
  await projector.locator('[data-screen-wordcloud]').waitFor(WAIT);
  const words = ['车位太少', '车位不够', '噪音', '乱停车', '车位'];
  for (const [i, p] of [p0, p1, p2, p3, p4].entries()) {
    await p.locator('#dl-word').waitFor(WAIT);
    await p.locator('#dl-word').fill(words[i]!);
    await p.getByRole('button', { name: '提交', exact: true }).click();
    await p.locator('[data-mine-answers]').waitFor(WAIT);
  }
  await expect.poll(() => projector.locator('[data-screen-wordcloud] [data-word="车位"]').getAttribute('data-count'), WAIT).toBe('3');
  await projector.locator('[data-screen-wordcloud] [data-word="噪音"]').waitFor(WAIT);
  await p4.locator('[data-phone-wordcloud] [data-word="噪音"]').waitFor(WAIT);

  // The facilitator hides 噪音: gone from the projector and from every phone.
  await console_.getByRole('button', { name: '隐藏词语“噪音”' }).click();
  await expect.poll(() => projector.locator('[data-screen-wordcloud] [data-word="噪音"]').count(), WAIT).toBe(0);
  for (const p of [p0, p1, p2, p3, p4])
    await expect.poll(() => p.locator('[data-phone-wordcloud] [data-word="噪音"]').count(), WAIT).toBe(0);
  expect(await projector.locator('[data-screen-wordcloud] [data-word="车位"]').count()).toBe(1);
  expect(await seriousA11yFindings(p0)).toEqual([]);

  // 200% text on the 360 px phone: no sideways scroll on the 提问 screen.
  await p0.evaluate(() => (document.documentElement.style.fontSize = '200%'));
  expect(await p0.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);

  for (const { ctx } of phones) await ctx.close();
  await projCtx.close();
  await fac.close();
}, 90_000);
