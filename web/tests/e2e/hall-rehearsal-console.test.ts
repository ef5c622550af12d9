/**
 * Hall rehearsal, the facilitator's console (issue 13): on a 1366×768 laptop the facilitator builds
 * a three-item agenda during the meeting, edits the item under discussion, reorders by keyboard
 * (Alt+↑ and the Move up button) and by dragging, and deletes an item after the app's confirmation
 * dialog (the current item is refused there). A phone (360×640) and the projector follow live. The
 * join code and the short address are in the console's header and copy; 60 hand check-ins keep the
 * check-in panel short (measured); the ballot form shows every rule in full, closes after creating
 * and hands the focus to the new ballot, and its toast sits in the header. axe clean on the console.
 * Screenshots: test-results/hall-rehearsal/console-*.png.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RESULTS_DIR, demoCommunityId, newViewer, seriousA11yFindings, shot, signIn, startApp, type App } from './helpers/harness.ts';

let app: App;
beforeAll(async () => {
  app = await startApp();
  fs.mkdirSync(path.join(RESULTS_DIR, 'hall-rehearsal'), { recursive: true });
});
afterAll(async () => app?.stop());

const WAIT = { timeout: 20_000 };
const step = (page: Page, name: string) => shot(page, `hall-rehearsal/console-${name}`);
const items = (page: Page) => page.locator('[data-agenda-item]');
const titles = (page: Page) => page.locator('[data-agenda-item] [data-part="title"]').allInnerTexts();
const row = (page: Page, title: string) =>
  page.locator('[data-agenda-item]', { has: page.getByRole('button', { name: title, exact: true }) });
const focusedText = (page: Page) => page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
const focusedItem = (page: Page) =>
  page.evaluate(
    () =>
      document.activeElement?.closest<HTMLElement>('[data-agenda-item]')?.querySelector('[data-part="title"]')?.textContent?.trim() ?? '',
  );

it('a facilitator builds, edits, reorders and trims the agenda live; phone and projector follow; code, check-ins and ballot form fit', async () => {
  const cid = await demoCommunityId(app);
  const fac = await app.browser.newContext({ baseURL: app.url, viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });
  await fac.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.url });
  await signIn(fac, 'facilitator');
  const meeting = (
    await (
      await fac.request.post(`/api/communities/${cid}/meetings`, { data: { title: '海月花园停车与充电议事会', mode: 'hybrid' } })
    ).json()
  ).meeting;
  expect((await fac.request.patch(`/api/meetings/${meeting.id}`, { data: { status: 'open' } })).ok()).toBe(true);
  const agendaApi = async () =>
    (await (await fac.request.get(`/api/meetings/${meeting.id}`)).json()).agenda as {
      id: string;
      title: string;
      plannedMinutes?: number;
    }[];

  const page = await fac.newPage();
  await page.goto(`/m/${meeting.id}/console`);
  await page.locator('[data-connection="online"]').waitFor(WAIT);

  // ---- the join code and the short address, in the header, readable and copyable
  const code = page.locator('header [data-join-code]');
  await code.waitFor(WAIT);
  expect((await code.innerText()).replace(/\s/g, '')).toBe(meeting.joinCode);
  expect(await code.innerText()).toMatch(/^\d{4} \d{4}$/);
  expect(await page.locator('header [data-join-address]').innerText()).toBe(`${new URL(app.url).host}/join`);
  const codeBox = (await code.boundingBox())!;
  expect(codeBox.y + codeBox.height).toBeLessThan(768);
  expect(parseFloat(await code.evaluate((el) => getComputedStyle(el).fontSize))).toBeGreaterThanOrEqual(24);
  await page.getByRole('button', { name: '复制参会链接' }).click();
  await page.getByRole('status').filter({ hasText: '已复制参会链接' }).waitFor(WAIT);
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${app.url}/join?code=${meeting.joinCode}`);
  await step(page, '01-empty-with-code');

  // ---- a three-item agenda, built in the console
  await page.getByLabel('第一个议题').fill('小区停车秩序');
  await page.getByRole('button', { name: '添加第一个议题' }).click();
  await items(page).first().waitFor(WAIT);
  const add = page.locator('[data-agenda-add]');
  await add.getByLabel('议题', { exact: true }).fill('电动车充电桩');
  await add.getByLabel('计划用时（分钟，可不填）').fill('20');
  await add.getByRole('button', { name: '添加议题' }).click();
  await expect.poll(() => items(page).count(), WAIT).toBe(2);
  // The add form empties itself after the server took the item: the next one is typed straight away.
  await expect.poll(() => add.getByLabel('议题', { exact: true }).inputValue(), WAIT).toBe('');
  await add.getByLabel('议题', { exact: true }).fill('楼道堆物清理');
  await add.getByLabel('说明（可不填）').fill('三栋一单元楼道');
  await add.getByLabel('议题', { exact: true }).press('Enter');
  await expect.poll(() => titles(page), WAIT).toEqual(['小区停车秩序', '电动车充电桩', '楼道堆物清理']);
  expect((await agendaApi()).map((a) => a.title)).toEqual(['小区停车秩序', '电动车充电桩', '楼道堆物清理']);
  await step(page, '02-three-items');

  // ---- the phone and the projector open; the first item becomes current
  const phoneCtx = await newViewer(app, 'phone');
  await signIn(phoneCtx, 'yezhu');
  const phone = await phoneCtx.newPage();
  await phone.goto(`/m/${meeting.id}`);
  const screenCtx = await newViewer(app, 'projector');
  await signIn(screenCtx, 'facilitator');
  const screen = await screenCtx.newPage();
  await screen.goto(`/m/${meeting.id}/screen`);
  await page.getByRole('button', { name: '小区停车秩序', exact: true }).click();
  const phoneNow = phone.locator('.now .item');
  const screenNow = screen.locator('h2.item');
  await expect.poll(() => phoneNow.innerText(), WAIT).toBe('小区停车秩序');
  await expect.poll(() => screenNow.innerText(), WAIT).toBe('小区停车秩序');
  await row(page, '小区停车秩序').getByText('正在讨论').waitFor(WAIT);

  // ---- the item under discussion is edited: phones and projector show the new words
  await row(page, '小区停车秩序').getByRole('button', { name: '编辑' }).click();
  const editForm = page.getByRole('form', { name: '编辑议题' });
  expect(await editForm.getByLabel('议题', { exact: true }).evaluate((el) => el === document.activeElement)).toBe(true);
  await editForm.getByLabel('议题', { exact: true }).fill('小区停车秩序与收费');
  await editForm.getByLabel('计划用时（分钟，可不填）').fill('30');
  await editForm.getByLabel('说明（可不填）').fill('地面车位与地库');
  await editForm.getByRole('button', { name: '保存' }).click();
  await expect.poll(() => phoneNow.innerText(), WAIT).toBe('小区停车秩序与收费');
  await expect.poll(() => screenNow.innerText(), WAIT).toBe('小区停车秩序与收费');
  await phone.getByText('地面车位与地库').waitFor(WAIT);
  await expect.poll(() => screen.locator('.timer').first().innerText(), WAIT).toContain('30');
  // The focus comes back to the item's Edit button.
  expect(await focusedText(page)).toBe('编辑');
  expect(await focusedItem(page)).toBe('小区停车秩序与收费');
  expect((await agendaApi())[0]).toMatchObject({ title: '小区停车秩序与收费', plannedMinutes: 30 });
  await step(page, '03-edited');
  await shot(phone, 'hall-rehearsal/console-03-phone-follows');
  await shot(screen, 'hall-rehearsal/console-03-projector-follows');

  // ---- reordered by keyboard: Alt+↑ on the third item, then its Move up button; the focus stays with it
  await row(page, '楼道堆物清理').getByRole('button', { name: '楼道堆物清理', exact: true }).focus();
  await page.keyboard.press('Alt+ArrowUp');
  await expect.poll(() => titles(page), WAIT).toEqual(['小区停车秩序与收费', '楼道堆物清理', '电动车充电桩']);
  await expect.poll(() => focusedItem(page), WAIT).toBe('楼道堆物清理');
  await page.getByRole('status').filter({ hasText: '“楼道堆物清理”已移到第 2 项' }).waitFor(WAIT);
  await row(page, '楼道堆物清理').getByRole('button', { name: '上移' }).click();
  await expect.poll(() => titles(page), WAIT).toEqual(['楼道堆物清理', '小区停车秩序与收费', '电动车充电桩']);
  // At the top its Move up button is off: the focus went to the item's title, still on the same item.
  await expect.poll(() => focusedItem(page), WAIT).toBe('楼道堆物清理');
  await page.keyboard.press('Alt+ArrowDown');
  await expect.poll(() => titles(page), WAIT).toEqual(['小区停车秩序与收费', '楼道堆物清理', '电动车充电桩']);
  expect((await agendaApi()).map((a) => a.title)).toEqual(['小区停车秩序与收费', '楼道堆物清理', '电动车充电桩']);
  // ... and by dragging: the charging item onto the first place.
  await row(page, '电动车充电桩').dragTo(row(page, '小区停车秩序与收费'));
  await expect.poll(() => titles(page), WAIT).toEqual(['电动车充电桩', '小区停车秩序与收费', '楼道堆物清理']);
  await expect
    .poll(async () => (await agendaApi()).map((a) => a.title), WAIT)
    .toEqual(['电动车充电桩', '小区停车秩序与收费', '楼道堆物清理']);
  // The current item stayed current through every move.
  expect(await phoneNow.innerText()).toBe('小区停车秩序与收费');
  await step(page, '04-reordered');

  // ---- delete: the current item is refused in the dialog; another one goes after confirming
  await row(page, '小区停车秩序与收费').getByRole('button', { name: '删除' }).click();
  const dialog = page.getByRole('dialog', { name: '删除这个议题？' });
  await dialog.waitFor(WAIT);
  expect(await dialog.innerText()).toContain('正在讨论。请先切换到其他议题');
  expect(await dialog.getByRole('button', { name: '确认删除' }).count()).toBe(0);
  await dialog.getByRole('button', { name: '关闭' }).click();
  await dialog.waitFor({ state: 'hidden', ...WAIT });
  await row(page, '楼道堆物清理').getByRole('button', { name: '删除' }).click();
  await dialog.waitFor(WAIT);
  expect(await dialog.innerText()).toContain('“楼道堆物清理”将从议程中删除');
  expect(await seriousA11yFindings(page)).toEqual([]);
  await step(page, '05-delete-confirm');
  await dialog.getByRole('button', { name: '确认删除' }).click();
  await expect.poll(() => titles(page), WAIT).toEqual(['电动车充电桩', '小区停车秩序与收费']);
  expect((await agendaApi()).map((a) => a.title)).toEqual(['电动车充电桩', '小区停车秩序与收费']);
  await page.getByRole('status').filter({ hasText: '已删除议题“楼道堆物清理”' }).waitFor(WAIT);
  // Moving on is followed too: the phone and the projector show the next current item.
  await page.getByRole('button', { name: '电动车充电桩', exact: true }).click();
  await expect.poll(() => phoneNow.innerText(), WAIT).toBe('电动车充电桩');
  await expect.poll(() => screenNow.innerText(), WAIT).toBe('电动车充电桩');
  expect(await seriousA11yFindings(page)).toEqual([]);
  await step(page, '06-after-delete');

  // ---- 60 households checked in by hand: the panel stays short, with a count and a search
  const panel = page.locator('[data-checkin-panel]');
  const heightOf = () => panel.evaluate((el) => el.getBoundingClientRect().height);
  const pageHeight = () => page.evaluate(() => document.documentElement.scrollHeight);
  const [panel0, page0] = [await heightOf(), await pageHeight()];
  const all = (await (await fac.request.get(`/api/communities/${cid}/households`)).json()).households as {
    id: string;
    building: string;
    unit: string;
    room: string;
  }[];
  const [b1, b2] = [all.filter((h) => h.building === '1').slice(0, 30), all.filter((h) => h.building === '2').slice(0, 30)];
  const roster = [...b1.slice(0, 2), ...b2.slice(0, 2), ...b1.slice(2), ...b2.slice(2)];
  const checkIn = async (h: { id: string }) =>
    expect((await fac.request.post(`/api/meetings/${meeting.id}/check-in`, { data: { householdId: h.id } })).ok()).toBe(true);
  // Four first (both buildings: the by-building table has its rows), then the other 56.
  for (const h of roster.slice(0, 4)) await checkIn(h);
  await page.getByRole('heading', { name: '已签到（无手机） 4 户' }).waitFor(WAIT);
  const [panel4, page4] = [await heightOf(), await pageHeight()];
  for (const h of roster.slice(4)) await checkIn(h);
  await page.getByRole('heading', { name: '已签到（无手机） 60 户' }).waitFor(WAIT);
  await expect.poll(() => page.locator('[data-checked-in] li').count(), WAIT).toBe(3);
  const [panel60, page60] = [await heightOf(), await pageHeight()];
  console.log(
    `check-in panel: ${Math.round(panel0)} px with 0, ${Math.round(panel4)} px with 4, ${Math.round(panel60)} px with 60 check-ins; page ${page0} → ${page4} → ${page60} px (viewport 768)`,
  );
  // 56 more check-ins add nothing: the three latest, a count and a search, however many there are.
  // (At most one wrapped line differs: other names in the three rows.)
  expect(Math.abs(panel60 - panel4)).toBeLessThan(40);
  expect(Math.abs(page60 - page4)).toBeLessThan(40);
  // And from none at all: the search, the count, three rows and two building rows.
  expect(panel60 - panel0).toBeLessThan(420);
  expect(await page.locator('[data-checkin-list-count]').innerText()).toBe('最近签到的 3 户（共 60 户）');
  await panel.scrollIntoViewIfNeeded();
  await step(page, '07-sixty-checkins');
  // Show all: the list scrolls inside the panel instead of stretching the page.
  await page.getByRole('button', { name: '显示全部 60 户' }).click();
  await expect.poll(() => page.locator('[data-checked-in] li').count(), WAIT).toBe(60);
  const listBox = await page
    .locator('[data-checked-in]')
    .evaluate((el) => ({ h: el.getBoundingClientRect().height, scroll: el.scrollHeight }));
  expect(listBox.h).toBeLessThan(400);
  expect(listBox.scroll).toBeGreaterThan(listBox.h);
  const panelOpen = await heightOf();
  console.log(`check-in panel expanded: ${Math.round(panelOpen)} px (list box ${Math.round(listBox.h)} of ${listBox.scroll} px)`);
  expect(panelOpen - panel60).toBeLessThan(400);
  expect(await page.getByRole('button', { name: '收起名单' }).getAttribute('aria-expanded')).toBe('true');
  // Search among them: one household by building-unit-room.
  const one = roster[37]!;
  await page.getByLabel('在已签到中查找').fill(`${one.building}栋${one.unit}单元${one.room}`);
  await expect.poll(() => page.locator('[data-checked-in] li').count(), WAIT).toBe(1);
  expect(await page.locator('[data-checkin-list-count]').innerText()).toBe('找到 1 户（共 60 户）');
  expect(await seriousA11yFindings(page)).toEqual([]);
  await step(page, '08-checkin-search');
  await page.getByLabel('在已签到中查找').fill('');
  await page.getByRole('button', { name: '收起名单' }).click();

  // ---- the ballot form: every rule in full, closed after creating, the focus on the new ballot
  await page.getByText('新建表决', { exact: true }).click();
  const rules = page.locator('[data-rules] label');
  await rules.first().waitFor(WAIT);
  const major = page.getByRole('radio', { name: '民法典278条 重大事项（双四分之三）' });
  expect(await major.count()).toBe(1);
  const cut = await rules.evaluateAll((els) =>
    els
      .filter(
        (el) => el.scrollWidth > el.clientWidth + 1 || [...el.querySelectorAll('span')].some((s) => s.scrollWidth > s.clientWidth + 1),
      )
      .map((el) => el.textContent?.trim()),
  );
  expect(cut).toEqual([]);
  await step(page, '09-ballot-form');
  await page.getByLabel('表决事项').fill('是否同意在地库增设充电桩');
  await page.getByRole('radio', { name: '民法典278条 一般事项（双过半）' }).check();
  await page.getByRole('button', { name: '创建表决' }).click();
  const toastEl = page.locator('header .toast', { hasText: '表决已创建' });
  await toastEl.waitFor(WAIT);
  // The toast lives in the header's own line: it covers no part of the page's content.
  const [tb, mainTop] = [(await toastEl.boundingBox())!, await page.locator('main').evaluate((el) => el.getBoundingClientRect().top)];
  expect(tb.y + tb.height).toBeLessThanOrEqual(mainTop);
  await page.getByRole('button', { name: '创建表决' }).waitFor({ state: 'detached', ...WAIT });
  expect(await page.locator('summary', { hasText: /^新建表决$/ }).evaluate((el) => (el.parentElement as HTMLDetailsElement).open)).toBe(
    false,
  );
  const ballots = (await (await fac.request.get(`/api/meetings/${meeting.id}/ballots`)).json()).ballots as { id: string; title: string }[];
  const created = ballots.find((b) => b.title === '是否同意在地库增设充电桩')!;
  await expect.poll(() => page.evaluate(() => document.activeElement?.id), WAIT).toBe(`ballot-${created.id}`);
  expect(await seriousA11yFindings(page)).toEqual([]);
  await step(page, '10-ballot-created');

  await Promise.all([fac.close(), phoneCtx.close(), screenCtx.close()]);
}, 300_000);
