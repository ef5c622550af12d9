/**
 * Versions of a convention in Chromium, as two editors use them: one types a clause, saves
 * 征求意见稿, changes the clause, saves 表决稿, compares the two and sees exactly the inserted and
 * deleted characters marked; restores 征求意见稿 (confirmed in a dialog) and the other editor's page
 * follows live; downloads the Markdown; then a passed ballot on the clause (opened through the API
 * as the facilitator would) lets the editor adopt 表决稿, and the page shows it adopted with the
 * ballot's result link (and refuses 征求意见稿, which nobody voted on). The other editor's version
 * list follows both the new version and the adoption live.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import fs from 'node:fs';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { demoCommunityId, newViewer, seriousA11yFindings, shot, signIn, startApp, type App } from './helpers/harness.ts';

const DRAFT = '晚上十点后保持安静。';
const FINAL = '晚上十一点后安静。';

let app: App;
let cid: string;
let a: BrowserContext;
let b: BrowserContext;
let pa: Page;
let pb: Page;
let conv: { id: string };

beforeAll(async () => {
  app = await startApp();
  cid = await demoCommunityId(app);
  a = await newViewer(app, 'laptop');
  b = await newViewer(app, 'laptop');
  await signIn(a, 'facilitator');
  await signIn(b, 'yeweihui');
  const created = await a.request.post(`/api/communities/${cid}/conventions`, { data: { title: '版本测试公约' } });
  expect(created.status()).toBe(201);
  conv = (await created.json()).convention;
  pa = await a.newPage();
  pb = await b.newPage();
  pa.setDefaultTimeout(20_000);
  pb.setDefaultTimeout(20_000);
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await app?.stop();
});

const serverText = async () =>
  ((await (await a.request.get(`/api/conventions/${conv.id}`)).json()).clauses as { text: string }[]).map((c) => c.text);
/** The clause's own text, without other people's cursor labels. */
const clauseText = (el: Element) => {
  const copy = el.cloneNode(true) as Element;
  copy.querySelectorAll('.ProseMirror-yjs-cursor').forEach((c) => c.remove());
  return copy.textContent ?? '';
};
/** Text of marked runs as a sighted reader sees the characters (the spoken words removed). */
const marked = (diff: Locator, tag: 'ins' | 'del') =>
  diff.locator(tag).evaluateAll((els) =>
    els.map((el) => {
      const copy = el.cloneNode(true) as Element;
      copy.querySelectorAll('.visually-hidden').forEach((s) => s.remove());
      return copy.textContent ?? '';
    }),
  );

async function saveVersion(page: Page, name: string): Promise<void> {
  await page.getByLabel('版本名称').fill(name);
  await page.getByRole('button', { name: '保存版本' }).click();
  await page
    .getByRole('status')
    .filter({ hasText: `已保存版本「${name}」` })
    .waitFor();
  await page.locator(`li[data-version="${name}"]`).waitFor();
}

async function confirmIn(page: Page, action: string, version: string, dialogTitle: string, confirm: string): Promise<void> {
  await page.getByRole('button', { name: `${action} ${version}` }).click();
  const dialog = page.getByRole('dialog', { name: dialogTitle });
  await dialog.waitFor();
  await dialog.getByRole('button', { name: confirm }).click();
  await dialog.waitFor({ state: 'hidden' });
}

it('save two named versions, compare them character by character, restore one live for the other editor, export Markdown', async () => {
  await pa.goto(`/conventions/${conv.id}`);
  await pb.goto(`/conventions/${conv.id}`);
  await pa.getByRole('button', { name: '新增条款' }).click();
  const ea = pa.locator('li[data-clause-id] .ProseMirror').first();
  await ea.click();
  await pa.keyboard.type(DRAFT, { delay: 20 });
  await expect.poll(serverText, { timeout: 15_000 }).toEqual([DRAFT]);
  await saveVersion(pa, '征求意见稿');

  // Delete 保持 and insert 一 after 十, with the keyboard.
  await ea.focus();
  await pa.keyboard.press('Control+End');
  for (let i = 0; i < 3; i++) await pa.keyboard.press('ArrowLeft');
  await pa.keyboard.press('Backspace');
  await pa.keyboard.press('Backspace');
  await pa.keyboard.press('ArrowLeft');
  await pa.keyboard.press('ArrowLeft');
  await pa.keyboard.type('一');
  await expect.poll(serverText, { timeout: 15_000 }).toEqual([FINAL]);
  await saveVersion(pa, '表决稿');
  // The other editor's list follows without a reload.
  await pb.locator('li[data-version="表决稿"]').waitFor();
  expect(await pb.locator('li[data-version]').evaluateAll((els) => els.map((e) => e.getAttribute('data-version')))).toEqual([
    '征求意见稿',
    '表决稿',
  ]);

  await pa.getByLabel('比较：从').selectOption({ label: '征求意见稿' });
  await pa.getByLabel('到', { exact: true }).selectOption({ label: '表决稿' });
  const diff = pa.getByRole('list', { name: '差异' });
  await diff.locator('ins').first().waitFor();
  expect(await marked(diff, 'ins')).toEqual(['一']);
  expect(await marked(diff, 'del')).toEqual(['保持']);
  // Not by colour alone: the marks are drawn and spoken.
  const mark = await diff
    .locator('ins')
    .first()
    .evaluate((el) => getComputedStyle(el, '::before').content);
  expect(mark).toContain('＋');
  expect(await diff.locator('del .visually-hidden').first().textContent()).toBe('删除：');
  // The whole clause reads in order: 晚上十 [+一] 点后 [-保持] 安静。
  expect((await diff.locator('li p').first().textContent())?.replace(/插入：|删除：|（止）/g, '')).toBe('晚上十一点后保持安静。');
  expect(await seriousA11yFindings(pa)).toEqual([]);
  await diff.scrollIntoViewIfNeeded();
  await shot(pa, 'versions-diff');

  // Restore 征求意见稿 (confirmed in the page's dialog): the other editor's page goes back live.
  const eb = pb.locator('li[data-clause-id] .ProseMirror').first();
  await expect.poll(() => eb.evaluate(clauseText), { timeout: 15_000 }).toBe(FINAL);
  await confirmIn(pa, '恢复', '征求意见稿', '恢复版本「征求意见稿」？', '恢复此版本');
  await pa.getByRole('status').filter({ hasText: '已恢复版本「征求意见稿」' }).waitFor();
  await expect.poll(() => eb.evaluate(clauseText), { timeout: 15_000 }).toBe(DRAFT);
  await expect.poll(() => ea.evaluate(clauseText), { timeout: 15_000 }).toBe(DRAFT);
  expect(await serverText()).toEqual([DRAFT]);

  const [download] = await Promise.all([pa.waitForEvent('download'), pa.getByRole('link', { name: '导出 Markdown' }).click()]);
  expect(download.suggestedFilename()).toBe('版本测试公约.md');
  const md = fs.readFileSync((await download.path())!, 'utf8');
  expect(md).toMatch(/^# 版本测试公约\n/);
  expect(md).toContain(`**第一条** ${DRAFT}`);
  expect(md).toContain('本文为草案，尚未经表决通过。');
  expect(md).not.toContain(FINAL);
});

it('a passed ballot on the clause lets the editor adopt 表决稿; the page shows it adopted with the result link', async () => {
  // Back to 表决稿's text, so a ballot opened now binds that text.
  await confirmIn(pa, '恢复', '表决稿', '恢复版本「表决稿」？', '恢复此版本');
  await expect.poll(serverText, { timeout: 15_000 }).toEqual([FINAL]);
  const clauseId = ((await (await a.request.get(`/api/conventions/${conv.id}`)).json()).clauses as { id: string }[])[0]!.id;

  // The facilitator's ballot, through the API: the facilitator and the owners' committee vote yes.
  const meeting = (
    await (await a.request.post(`/api/communities/${cid}/meetings`, { data: { title: '公约表决会', mode: 'hybrid' } })).json()
  ).meeting;
  const created = await a.request.post(`/api/meetings/${meeting.id}/ballots`, {
    data: {
      title: '通过第一条',
      kind: 'yes_no_abstain',
      options: [],
      rule: 'simple_majority',
      electorate: { kind: 'members', roles: ['facilitator', 'owners_committee'] },
      secret: false,
      clauseRef: { conventionId: conv.id, clauseId },
    },
  });
  expect(created.status()).toBe(201);
  const ballot = (await created.json()).ballot;
  expect((await a.request.post(`/api/ballots/${ballot.id}/open`)).status()).toBe(200);
  for (const [ctx, key] of [
    [a, 'versions-e2e-a'],
    [b, 'versions-e2e-b'],
  ] as const) {
    expect((await ctx.request.post(`/api/ballots/${ballot.id}/votes`, { data: { choice: 'yes', idempotencyKey: key } })).status()).toBe(
      200,
    );
  }
  const closed = await (await a.request.post(`/api/ballots/${ballot.id}/close`)).json();
  expect(closed.result.outcome.passed).toBe(true);

  // Nobody voted on 征求意见稿's text: the dialog says which clause lacks a ballot and will not mark it.
  await pa.getByRole('button', { name: '标记为表决通过 征求意见稿' }).click();
  const refuse = pa.getByRole('dialog', { name: '将「征求意见稿」标记为表决通过？' });
  await refuse.getByText('第1条的此版本文本尚无通过的表决，不能标记为已通过。').waitFor();
  expect(await refuse.getByRole('button', { name: '标记为已通过' }).isDisabled()).toBe(true);
  expect(await seriousA11yFindings(pa)).toEqual([]);
  await refuse.getByRole('button', { name: '关闭对话框' }).click();
  await refuse.waitFor({ state: 'hidden' });
  // 表决稿: the dialog names the ballot that approved its clause.
  await pa.getByRole('button', { name: '标记为表决通过 表决稿' }).click();
  const adopt = pa.getByRole('dialog', { name: '将「表决稿」标记为表决通过？' });
  await adopt.getByText(/第1条：「通过第一条」（\d{4}年\d{1,2}月\d{1,2}日通过）/).waitFor();
  await adopt.getByRole('button', { name: '标记为已通过' }).click();
  await adopt.waitFor({ state: 'hidden' });
  await pa.getByRole('status').filter({ hasText: '「表决稿」已标记为表决通过' }).waitFor();
  const row = pa.locator('li[data-version="表决稿"]');
  await row.getByText(/已于\d{4}年\d{1,2}月\d{1,2}日经表决通过/).waitFor();
  const link = row.getByRole('link', { name: '「通过第一条」表决结果' });
  expect(await link.getAttribute('href')).toBe(`/m/${meeting.id}/result/${ballot.id}`);
  expect(
    await pa
      .locator('li[data-version="征求意见稿"]')
      .getByText(/经表决通过/)
      .count(),
  ).toBe(0);
  // The other editor sees the adoption live.
  await pb.locator('li[data-version="表决稿"]').getByRole('link', { name: '「通过第一条」表决结果' }).waitFor();
  expect(await seriousA11yFindings(pa)).toEqual([]);
  await shot(pa, 'versions-adopted');
});
