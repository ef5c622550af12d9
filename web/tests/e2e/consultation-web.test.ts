/**
 * A written consultation in the browser (issue 15, the organiser's and the resident's pages and the
 * projector): the owners' committee creates it in the page with one question per clause of the
 * demo convention's version and a three-candidate committee election; three phones (360×640,
 * zh-CN) answer the whole paper on one page, review and submit; the organiser's page and the hall
 * projector (linked to a live meeting) follow live; a resident who answered reloads and sees the
 * same receipt; a second submission of the same paper is not counted twice. axe-core is clean on
 * every new page, the phone page fits 360×640 (also at 200% text), the projector fits 1280×720 and
 * 1920×1080; after the deadline the phone says voting has closed. Screenshots: test-results/consultation/*.png.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { demoCommunityId, newViewer, RESULTS_DIR, seriousA11yFindings, signIn, startApp, type App } from './helpers/harness.ts';
import { overflowingElements, textAt200Percent } from './helpers/phone-layout.ts';
import { overflows } from './helpers/layout.ts';
import { step } from './helpers/steps.ts';

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

const SHOTS = path.join(RESULTS_DIR, 'consultation');
async function shot(page: Page, name: string) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: name.startsWith('phone') });
}
/** A Beijing wall-clock time as the datetime-local field takes it. */
const beijing = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 16);

async function viewer(kind: 'phone' | 'laptop' | 'projector', login: string): Promise<BrowserContext> {
  const ctx = await newViewer(app, kind);
  contexts.push(ctx);
  await signIn(ctx, login);
  return ctx;
}

/** Answers every question on the phone page: 同意 on each clause, and the given choice per candidate. */
async function answerAll(page: Page, election: string[]) {
  const sheet = page.locator('[data-answer-sheet]');
  await sheet.waitFor();
  for (const q of await sheet.locator(':scope > fieldset[data-question]').all()) {
    const candidates = await q.locator('[data-candidate]').all();
    if (candidates.length === 0) await q.getByLabel('同意', { exact: true }).check();
    for (const [i, c] of candidates.entries()) await c.getByLabel(election[i]!, { exact: true }).check();
  }
}

it('organiser creates clause questions and an election; phones answer; organiser page and projector follow live; receipts survive a reload', async () => {
  const { org, orgPage, consultationId, clauseCount, c, turnout } = await step(
    'the organiser (业委会) creates clause questions and an election in the page',
    async () => {
      // The organiser (业委会) creates it in the page.
      const org = await viewer('laptop', 'yeweihui');
      const orgPage = await org.newPage();
      await orgPage.goto(`/c/${cid}/consultations`);
      const form = orgPage.locator('[data-consultation-form]');
      await form.waitFor();
      expect(await seriousA11yFindings(orgPage)).toEqual([]);
      await form.getByLabel('标题').fill('关于通过《管理规约》与选举第一届业主委员会的书面征求意见');
      await form.getByLabel('公告正文').fill('各位业主：本次征求意见以书面形式进行，可用手机、纸质票或在会场投票。');
      await form.getByLabel('组织方名称（印在公告和表决票上）').fill('海月小区业主大会筹备组');
      await form.getByLabel('开始时间（北京时间）').fill(beijing(Date.now() - 60_000));
      await form.getByLabel('截止时间（北京时间）').fill(beijing(Date.now() + 3 * 24 * 3600_000));
      // One question per clause of the convention's saved version.
      const conv = form.locator('fieldset.conv');
      await conv.getByLabel('公约').selectOption({ index: 1 });
      await expect.poll(() => conv.getByLabel('版本').locator('option').count(), { timeout: 10_000 }).toBeGreaterThan(0);
      await conv.getByRole('button', { name: '按条款逐条表决' }).click();
      await expect.poll(() => form.locator('[data-draft]').count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
      const clauseCount = await form.locator('[data-draft]').count();
      // And a committee election: three candidates, two seats.
      await form.getByRole('button', { name: '加一项：业委会选举' }).click();
      const election = form.locator('[data-draft]').last();
      await election.getByLabel('事项标题').fill('选举第一届业主委员会委员');
      await election.getByLabel('候选人（每行一位）').fill('王芳\n李强\n张伟');
      await election.getByLabel('应选名额').fill('2');
      await form.getByRole('button', { name: '发布征求意见' }).click();
      await orgPage.waitForURL(/\/consultations\/[^/]+$/, { timeout: 15_000 });
      const consultationId = orgPage.url().split('/').at(-1)!;
      const facts = orgPage.locator('[data-consultation]');
      await expect.poll(async () => (await orgPage.reload(), facts.getAttribute('data-status')), { timeout: 15_000 }).toBe('open');
      await orgPage.locator('[data-connection="online"]').waitFor();
      const c = (await (await org.request.get(`/api/consultations/${consultationId}`)).json()).consultation;
      expect(c.questions).toHaveLength(clauseCount + 1);
      expect(
        c.questions.slice(0, clauseCount).every((q: { clauseRef?: unknown; versionRef?: unknown }) => q.clauseRef && q.versionRef),
      ).toBe(true);
      expect(c.questions.at(-1)).toMatchObject({ kind: 'election', seats: 2, rule: 'civil_code_278_ordinary' });
      const turnout = orgPage.locator('[data-turnout]');
      await turnout.waitFor();
      const eligible = Number(await turnout.getAttribute('data-eligible'));
      expect(eligible).toBeGreaterThan(3);
      expect(await seriousA11yFindings(orgPage)).toEqual([]);
      return { org, orgPage, consultationId, clauseCount, c, turnout };
    },
  );

  const { screen } = await step("a live meeting shows it on the projector, linked from the organiser's page", async () => {
    // A live meeting shows it on the projector.
    const fac = await viewer('laptop', 'facilitator');
    const meeting = (
      await (await fac.request.post(`/api/communities/${cid}/meetings`, { data: { title: '业主大会现场会', mode: 'hall' } })).json()
    ).meeting;
    for (const status of ['open', 'in_progress'])
      expect((await fac.request.patch(`/api/meetings/${meeting.id}`, { data: { status } })).ok()).toBe(true);
    const screenCtx = await viewer('projector', 'facilitator');
    const screen = await screenCtx.newPage();
    await screen.goto(`/m/${meeting.id}/screen`);
    await screen.locator('[data-join-code]').waitFor();
    // The organiser links it from their page.
    await orgPage.reload();
    const link = orgPage.locator('[data-link-form]');
    await link.getByLabel('议事会').selectOption(meeting.id);
    await link.getByRole('button', { name: '投影', exact: true }).click();
    const onScreen = screen.locator(`[data-screen-consultation="${consultationId}"]`);
    await onScreen.waitFor({ timeout: 10_000 });
    expect(await screen.locator('[data-screen-turnout]').getAttribute('data-responded')).toBe('0');
    // Art. 278: nobody has taken part yet, so each clause still needs households and area to take part.
    expect(await screen.locator('[data-screen-question] [data-threshold-figure]').first().innerText()).toMatch(
      /参与还差 [\d,]+ 户 \/ [\d,.]+ ㎡/,
    );
    return { screen };
  });

  const { phones } = await step("three phones answer the whole paper; the organiser's page and the projector follow live", async () => {
    // Three phones answer the whole paper.
    const phones: { page: Page; receipt: string }[] = [];
    const votes = [
      ['同意', '同意', '反对'],
      ['同意', '弃权', '同意'],
      ['反对', '同意', '同意'],
    ];
    for (const [i, login] of ['yezhu', 'xianda', 'yeweihui'].entries()) {
      const ctx = await viewer('phone', login);
      const page = await ctx.newPage();
      await page.goto(`/c/${cid}/consultations/${consultationId}/answer`);
      await answerAll(page, votes[i]!);
      if (i === 0) {
        expect(await page.locator('[data-read-aloud]').count()).toBe(clauseCount + 1);
        expect(await overflowingElements(page)).toEqual([]);
        expect(await seriousA11yFindings(page)).toEqual([]);
        await shot(page, 'phone-sheet');
      }
      await page.getByRole('button', { name: '检查我的选择' }).click();
      const review = page.locator('[data-review]');
      await review.waitFor();
      expect(await review.locator('[data-review-question]').count()).toBe(clauseCount + 1);
      expect(await review.innerText()).toContain(`王芳: ${votes[i]![0]}`);
      if (i === 0) {
        expect(await seriousA11yFindings(page)).toEqual([]);
        await shot(page, 'phone-review');
      }
      await page.getByRole('button', { name: '确认提交' }).click();
      const receipt = page.locator('[data-receipt]');
      await receipt.waitFor({ timeout: 10_000 });
      const code = (await receipt.innerText()).trim();
      expect(code.length).toBeGreaterThanOrEqual(6);
      phones.push({ page, receipt: code });
      // The organiser's page and the projector follow each answer live (no reload).
      await expect.poll(() => turnout.getAttribute('data-responded'), { timeout: 10_000 }).toBe(String(i + 1));
      await expect
        .poll(() => screen.locator('[data-screen-turnout]').getAttribute('data-responded'), { timeout: 10_000 })
        .toBe(String(i + 1));
    }
    expect(await seriousA11yFindings(phones[0]!.page)).toEqual([]);
    await shot(phones[0]!.page, 'phone-receipt');
    expect(await orgPage.locator('[data-channel="phone"]').getAttribute('data-count')).toBe('3');
    // The election's live count on the organiser's page: 王芳 has two 同意 households (the third said 反对).
    const wang = orgPage.locator('[data-election] [data-candidate="c1"]');
    await expect.poll(async () => (await wang.innerText()).replace(/\s+/g, ' '), { timeout: 10_000 }).toMatch(/王芳 2 户/);
    expect(await seriousA11yFindings(orgPage)).toEqual([]);
    await shot(orgPage, 'organiser-live');
    // The projector shrinks its type to fit after each live update and each resize (a few frames).
    await expect.poll(() => overflows(screen), { timeout: 10_000 }).toEqual([]);
    expect(await seriousA11yFindings(screen)).toEqual([]);
    await shot(screen, 'projector-1080');
    await screen.setViewportSize({ width: 1280, height: 720 });
    await expect.poll(() => overflows(screen), { timeout: 10_000 }).toEqual([]);
    await shot(screen, 'projector-720');
    return { phones };
  });

  const { first } = await step('a resident who answered reloads: the same receipt, and the page fits at 200% text', async () => {
    // A resident who answered reloads: the page says so and shows the same receipt (from GET …/mine).
    const first = phones[0]!;
    await first.page.evaluate(() => localStorage.clear());
    await first.page.reload();
    await first.page.locator('[data-state="answered"]').waitFor();
    expect((await first.page.locator('[data-receipt]').innerText()).trim()).toBe(first.receipt);
    expect(await first.page.locator('[data-answer-sheet]').count()).toBe(0);
    // At 200% text the answered page still fits 360 px.
    await textAt200Percent(first.page);
    expect(await overflowingElements(first.page)).toEqual([]);
    return { first };
  });

  await step('the same paper again is refused as already answered, never counted twice', async () => {
    // The same paper again (a retry with a fresh page) is refused as already answered, never counted twice.
    const again = await first.page.context().request.post(`/api/consultations/${consultationId}/responses`, {
      data: { answers: { [c.questions[0].id]: 'no' }, idempotencyKey: 'another-key-12345' },
    });
    expect(again.status()).toBe(409);
    expect((await (await org.request.get(`/api/consultations/${consultationId}`)).json()).progress.households.responded).toBe(3);
  });
}, 300_000);

it('a phone at 360×640 with 200% text fits the whole paper; a retried submission keeps its key and is counted once', async () => {
  const org = await viewer('laptop', 'yeweihui');
  const res = await org.request.post(`/api/communities/${cid}/consultations`, {
    data: {
      title: '是否同意更换电梯',
      notice: '请于截止前投票。',
      opensAt: new Date(Date.now() - 60_000).toISOString(),
      closesAt: new Date(Date.now() + 24 * 3600_000).toISOString(),
      questions: [
        { title: '是否同意使用专项维修资金更换 3 栋电梯', kind: 'yes_no_abstain', rule: 'civil_code_278_major' },
        {
          title: '选择电梯品牌',
          kind: 'single',
          rule: 'simple_majority',
          options: [
            { id: 'a', label: '品牌甲' },
            { id: 'b', label: '品牌乙' },
          ],
        },
      ],
    },
  });
  expect(res.status()).toBe(201);
  const id = (await res.json()).consultation.id;
  await expect
    .poll(async () => (await (await org.request.get(`/api/consultations/${id}`)).json()).consultation.status, { timeout: 10_000 })
    .toBe('open');

  const ctx = await viewer('phone', 'yezhu');
  const page = await ctx.newPage();
  await textAt200Percent(page);
  await page.goto(`/c/${cid}/consultations/${id}/answer`);
  await page.locator('[data-answer-sheet]').waitFor();
  expect(await overflowingElements(page)).toEqual([]);
  await page.getByLabel('同意', { exact: true }).check();
  await page.getByLabel('品牌乙', { exact: true }).check();
  await shot(page, 'phone-200pct');
  // The network drops while sending: the key stays stored, and sending again uses it.
  await page.getByRole('button', { name: '检查我的选择' }).click();
  await ctx.setOffline(true);
  await page.getByRole('button', { name: '确认提交' }).click();
  await page.getByRole('button', { name: '再试一次（不会重复计票）' }).waitFor();
  const stored = await page.evaluate(
    (cid2) => Object.entries(localStorage).find(([k]) => k.startsWith(`linli:consultation:${cid2}`))?.[1],
    id,
  );
  const key = JSON.parse(stored!).key as string;
  expect(key.length).toBeGreaterThanOrEqual(8);
  await ctx.setOffline(false);
  await page.getByRole('button', { name: '再试一次（不会重复计票）' }).click();
  await page.locator('[data-receipt]').waitFor({ timeout: 10_000 });
  const receipt = (await page.locator('[data-receipt]').innerText()).trim();
  // The same key again is the same paper: same receipt, nothing counted twice.
  const retry = await ctx.request.post(`/api/consultations/${id}/responses`, {
    data: { answers: JSON.parse(stored!).answers, idempotencyKey: key },
  });
  expect(retry.status()).toBe(200);
  expect((await retry.json()).receipt).toBe(receipt);
  expect((await (await org.request.get(`/api/consultations/${id}`)).json()).progress.households.responded).toBe(1);
  expect(await seriousA11yFindings(page)).toEqual([]);

  // After the deadline the phone says plainly that voting has closed, and offers no paper.
  const short = await org.request.post(`/api/communities/${cid}/consultations`, {
    data: {
      title: '是否同意调整停车费',
      notice: '短期征求意见。',
      opensAt: new Date(Date.now() - 60_000).toISOString(),
      closesAt: new Date(Date.now() + 4000).toISOString(),
      questions: [{ title: '是否同意', kind: 'yes_no_abstain', rule: 'civil_code_278_ordinary' }],
    },
  });
  expect(short.status()).toBe(201);
  const shortId = (await short.json()).consultation.id;
  await expect
    .poll(async () => (await (await org.request.get(`/api/consultations/${shortId}`)).json()).consultation.status, { timeout: 20_000 })
    .toBe('closed');
  await page.goto(`/c/${cid}/consultations/${shortId}/answer`);
  await page.locator('[data-state="closed"]').waitFor();
  expect(await page.locator('[data-state="closed"]').innerText()).toContain('不再接受投票');
  expect(await page.locator('[data-answer-sheet]').count()).toBe(0);
  expect(await overflowingElements(page)).toEqual([]);
  expect(await seriousA11yFindings(page)).toEqual([]);
  await shot(page, 'phone-closed');
}, 120_000);
