/**
 * A whole meeting with people together (issue 6): a facilitator on a laptop and three residents on
 * phones (360×640, zh-CN, separate contexts) go through two agenda items. A hand is raised and
 * given the floor, a motion is proposed on one phone and seconded on another, a problem raised
 * from a phone (with a photo) is accepted and assigned in the console, the meeting is closed and
 * its minutes are edited, published and exported as Markdown and .docx. axe on the phone view
 * with the motions, and on the minutes page. Screenshots go to test-results/.
 */
import fs from 'node:fs';
import zlib from 'node:zlib';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { demoCommunityId, newViewer, seriousA11yFindings, shot, signIn, startApp, type App } from './helpers/harness.ts';

let app: App;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => app?.stop());

const WAIT = { timeout: 20_000 };
/** A 1×1 PNG: enough for the server's type sniffing. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

/** One file of a zip archive (stored or deflated), read through the central directory. */
function unzipEntry(zip: Buffer, name: string): string | null {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) return null;
  let at = zip.readUInt32LE(eocd + 16);
  const count = zip.readUInt16LE(eocd + 10);
  for (let i = 0; i < count; i++) {
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLen = zip.readUInt16LE(at + 28);
    const extraLen = zip.readUInt16LE(at + 30);
    const commentLen = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const entry = zip.subarray(at + 46, at + 46 + nameLen).toString('utf8');
    if (entry === name) {
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const data = zip.subarray(start, start + size);
      return (method === 8 ? zlib.inflateRawSync(data) : data).toString('utf8');
    }
    at += 46 + nameLen + extraLen + commentLen;
  }
  return null;
}

/** The current item as the phone shows it. */
const phoneItem = (page: Page) => page.locator('.now .item');

it('a facilitator and three phones go through two items with a hand, a motion and a problem; minutes exported', async () => {
  const cid = await demoCommunityId(app);
  const fac = await newViewer(app, 'laptop');
  await signIn(fac, 'facilitator');
  const items = ['小区南门夜间照明', '垃圾分类投放时间'];
  const title = '2026年11月居民议事会（端到端）';
  const created = await fac.request.post(`/api/communities/${cid}/meetings`, {
    data: { title, mode: 'hybrid', place: '社区活动中心', agenda: items.map((t) => ({ title: t, plannedMinutes: 20 })) },
  });
  expect(created.status()).toBe(201);
  const meetingId = (await created.json()).meeting.id as string;

  const console_ = await fac.newPage();
  await console_.goto(`/m/${meetingId}/console`);
  await console_.locator('[data-connection="online"]').waitFor(WAIT);

  // Three residents join from their phones.
  const logins = ['yezhu', 'zuhu', 'xianda'];
  const phoneCtxs = [];
  const phones: Page[] = [];
  for (const login of logins) {
    const ctx = await newViewer(app, 'phone');
    await signIn(ctx, login);
    const page = await ctx.newPage();
    await page.goto(`/m/${meetingId}`);
    await page.locator('[data-connection="online"]').waitFor(WAIT);
    await page.getByText('会议还没开始').waitFor(WAIT);
    phoneCtxs.push(ctx);
    phones.push(page);
  }
  const [aunt, tenant, notable] = phones as [Page, Page, Page];

  // The facilitator opens and starts the meeting, then moves to item 1 and item 2: every phone follows.
  await console_.getByRole('button', { name: '切换为：签到中' }).click();
  await console_.getByRole('button', { name: '切换为：进行中' }).click();
  await console_.locator('.status', { hasText: '进行中' }).waitFor(WAIT);
  await console_.getByRole('button', { name: items[0], exact: true }).click();
  for (const p of phones) await expect.poll(() => phoneItem(p).innerText(), WAIT).toBe(items[0]);
  await console_.getByRole('button', { name: items[1], exact: true }).click();
  for (const p of phones) await expect.poll(() => phoneItem(p).innerText(), WAIT).toBe(items[1]);
  expect(await console_.getByRole('button', { name: items[1], exact: true }).getAttribute('aria-current')).toBe('step');

  // A hand goes up on a phone; the facilitator gives the floor; phone and console show the speaker.
  await aunt.getByRole('button', { name: '举手发言' }).click();
  await aunt.getByRole('button', { name: '放下手' }).waitFor(WAIT);
  await console_.getByText('张阿姨（业主）', { exact: true }).waitFor(WAIT);
  await console_.getByRole('button', { name: '请下一位发言' }).click();
  for (const p of [aunt, tenant]) await p.getByText('张阿姨（业主） 正在发言').waitFor(WAIT);
  await console_.locator('.now-speaking', { hasText: '张阿姨（业主） 正在发言' }).waitFor(WAIT);

  // A motion is proposed on one phone and seconded on another.
  const motionText = '垃圾投放时间改为早7点至9点、晚6点至8点';
  await tenant.getByRole('button', { name: '提出动议' }).click();
  await tenant.getByLabel('动议内容').fill(motionText);
  expect(await seriousA11yFindings(tenant)).toEqual([]);
  await shot(tenant, 'meeting-phone-propose');
  await tenant.getByRole('button', { name: '提交动议' }).click();
  const ownMotion = tenant.locator('[data-motion]', { hasText: motionText });
  await ownMotion.waitFor(WAIT);
  expect(await ownMotion.getAttribute('data-status')).toBe('proposed');
  // The proposer cannot second their own motion: no button on their phone.
  expect(await ownMotion.getByRole('button').count()).toBe(0);
  const seconding = notable.locator('[data-motion]', { hasText: motionText });
  await seconding.getByRole('button', { name: `附议：${motionText}` }).click();
  await seconding.locator('[data-seconded-by-me]').waitFor(WAIT);
  await expect.poll(() => ownMotion.getAttribute('data-status'), WAIT).toBe('seconded');
  await console_.getByText('1 人附议').waitFor(WAIT);
  expect(await seriousA11yFindings(notable)).toEqual([]);
  await shot(notable, 'meeting-phone-motion');

  // A problem is raised from a phone, with a photo; the console sees it arrive without a reload.
  const problemTitle = '南门路灯坏了三盏';
  // The phone's own problem screen (the meeting stays open), then the ledger page to follow it.
  await aunt.getByRole('button', { name: '反映问题' }).click();
  await aunt.getByLabel('问题是什么').fill(problemTitle);
  await aunt.getByLabel('楼栋（可不填）').fill('2');
  await aunt.getByLabel(/照片/).setInputFiles({ name: 'lamp.png', mimeType: 'image/png', buffer: PNG });
  await aunt.getByRole('button', { name: '提交', exact: true }).click();
  await aunt.getByRole('heading', { name: '问题已提交' }).waitFor(WAIT);
  await aunt.goto(`/c/${cid}/problems`);
  const raised = aunt.locator('article.problem', { hasText: problemTitle });
  // The photo went up and comes back as an image (1×1) once scrolled to (it loads lazily).
  const photo = raised.getByRole('img', { name: `问题照片：${problemTitle}` });
  await photo.waitFor({ state: 'attached', ...WAIT });
  await photo.scrollIntoViewIfNeeded();
  await expect.poll(() => photo.evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : -1)), WAIT).toBe(1);

  const card = console_.locator('[data-problem]', { hasText: problemTitle });
  await card.waitFor(WAIT);
  expect(await card.getAttribute('data-status')).toBe('raised');
  await card.getByLabel('责任方').selectOption('owners_committee');
  await card.getByLabel('完成期限').fill('2026-12-20');
  await card.getByRole('button', { name: '设为：已受理' }).click();
  await expect.poll(() => card.getAttribute('data-status'), WAIT).toBe('accepted');
  await card.getByText('本次会议已受理').waitFor(WAIT);
  // The resident's ledger follows live: accepted, the committee, the date.
  await raised.getByText('已受理').waitFor(WAIT);
  await raised.getByText('业委会').waitFor(WAIT);
  const stored = (await (await fac.request.get(`/api/communities/${cid}/problems`)).json()).problems.find(
    (p: { title: string }) => p.title === problemTitle,
  );
  expect(stored).toMatchObject({ status: 'accepted', responsible: 'owners_committee', dueDate: '2026-12-20', meetingId });
  await shot(console_, 'meeting-console');

  // The facilitator closes the meeting; the phones say so.
  await console_.getByRole('button', { name: '切换为：已结束' }).click();
  await console_.locator('.status', { hasText: '已结束' }).waitFor(WAIT);
  await expect.poll(() => phoneItem(tenant).innerText(), WAIT).toBe('会议已结束');
  expect(await tenant.getByRole('button', { name: '举手发言' }).count()).toBe(0);

  // Minutes: from the console, edit and save, publish, then both exports.
  await console_.getByRole('link', { name: '会议纪要' }).click();
  const doc = console_.locator('article.doc');
  await doc.getByRole('heading', { name: `会议纪要：${title}` }).waitFor(WAIT);
  for (const t of [...items, motionText, problemTitle]) await doc.getByText(t).first().waitFor(WAIT);
  await console_.getByRole('button', { name: '编辑纪要' }).click();
  // The rich-text editor: a new paragraph at the end.
  const text = console_.getByRole('textbox', { name: '纪要内容' });
  await text.click();
  await console_.keyboard.press('Control+End');
  await console_.keyboard.press('Enter');
  await console_.keyboard.insertText('下次会议通报路灯维修进度。');
  await console_.getByRole('button', { name: '保存', exact: true }).click();
  await console_.getByText('纪要已保存').waitFor(WAIT);
  await doc.getByText('下次会议通报路灯维修进度。').waitFor(WAIT);
  await console_.getByRole('button', { name: '发布纪要' }).click();
  await console_.getByRole('dialog', { name: '发布会议纪要？' }).getByRole('button', { name: '确认发布' }).click();
  await expect.poll(() => console_.locator('[data-minutes-state]').getAttribute('data-minutes-state'), WAIT).toBe('published');
  expect(await seriousA11yFindings(console_)).toEqual([]);
  await shot(console_, 'meeting-minutes');

  const [md] = await Promise.all([console_.waitForEvent('download', WAIT), console_.getByRole('link', { name: '导出 Markdown' }).click()]);
  const markdown = fs.readFileSync((await md.path())!, 'utf8');
  for (const t of [title, ...items, motionText, problemTitle, '下次会议通报路灯维修进度。']) expect(markdown).toContain(t);
  expect(markdown).toContain(`- ${problemTitle}：已受理，责任方 业委会，期限 2026-12-20`);
  expect(markdown).toMatch(/附议人 林老师（贤达能人）/);
  expect(md.suggestedFilename()).toMatch(/\.md$/);

  const [docx] = await Promise.all([
    console_.waitForEvent('download', WAIT),
    console_.getByRole('link', { name: '导出 Word（.docx）' }).click(),
  ]);
  const zip = fs.readFileSync((await docx.path())!);
  expect(zip.subarray(0, 2).toString('latin1')).toBe('PK');
  const xml = unzipEntry(zip, 'word/document.xml');
  expect(xml).toContain(title);
  expect(docx.suggestedFilename()).toMatch(/\.docx$/);

  // A resident reads the published minutes too.
  const readerPage = await phoneCtxs[1]!.newPage();
  await readerPage.goto(`/c/${cid}/meetings/${meetingId}/minutes`);
  await readerPage.locator('article.doc').getByText(motionText).first().waitFor(WAIT);
  expect(await readerPage.getByRole('button', { name: '编辑纪要' }).count()).toBe(0);

  for (const ctx of phoneCtxs) await ctx.close();
  await fac.close();
});

it('the demo community shows a finished meeting with published minutes and a scheduled one on its dashboard', async () => {
  const cid = await demoCommunityId(app);
  const ctx = await newViewer(app, 'laptop');
  await signIn(ctx, 'zuhu');
  const page = await ctx.newPage();
  await page.goto(`/c/${cid}/dashboard`);
  await page.locator('[data-figure="meetingsHeld"]').waitFor(WAIT);
  expect(Number(await page.locator('[data-figure="meetingsHeld"] .n').innerText())).toBeGreaterThanOrEqual(1);
  await page.locator('[data-meetings="next"]', { hasText: '2026年第四次居民协商议事会' }).waitFor(WAIT);
  const past = page.locator('[data-meetings="past"] li', { hasText: '2026年第三次居民协商议事会' });
  await past.waitFor(WAIT);
  await past.getByRole('link', { name: '会议纪要：2026年第三次居民协商议事会' }).click();
  // A resident reads them: they are published, with the motion of the evening.
  await page.locator('[data-minutes-state="published"]').waitFor(WAIT);
  await page
    .locator('article.doc')
    .getByText(/充电桩设在2栋与3栋之间的空地/)
    .first()
    .waitFor(WAIT);
  // Published after the demo's ballot and problems were seeded into that meeting: both are recorded.
  const doc = page.locator('article.doc');
  await doc
    .getByText(/表决通过《海月小区邻里公约》：通过。/)
    .first()
    .waitFor(WAIT);
  expect(await doc.innerText()).not.toMatch(/passed|quorum|civil_code|[a-z]+_[a-z]+/);
  await doc
    .getByText(/电动车楼道充电：/)
    .first()
    .waitFor(WAIT);
  await shot(page, 'meeting-demo-minutes');
  await ctx.close();
});
