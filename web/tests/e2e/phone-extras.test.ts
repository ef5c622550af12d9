/**
 * The phone beyond voting (issues 6 and 8): a resident reports a problem with a photo without
 * leaving the meeting and the facilitator's console sees it live; a guest joins by code and only
 * listens (no vote, hand or motion on the phone, and a forged cast over the socket is refused);
 * the main pages in English show no Chinese UI text besides user and demo content (marked
 * lang="zh-CN" or data-user-content). axe on the phone's problem screen and on the guest view.
 */
import { io as ioc } from 'socket.io-client';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { demoCommunityId, newViewer, seriousA11yFindings, shot, signIn, startApp, type App } from './helpers/harness.ts';
import { pace } from './helpers/steps.ts';

let app: App;
let cid: string;
beforeAll(async () => {
  app = await startApp();
  cid = await demoCommunityId(app);
});
afterAll(async () => app?.stop());

const WAIT = { timeout: 20_000 };
/** A 1×1 PNG: enough for the server's type sniffing. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

/** A meeting created by the demo facilitator, opened and started, with its current item set. */
async function runningMeeting(
  fac: BrowserContext,
  title: string,
  items: string[],
): Promise<{ id: string; joinCode: string; console_: Page }> {
  const created = await fac.request.post(`/api/communities/${cid}/meetings`, {
    data: { title, mode: 'hybrid', agenda: items.map((t) => ({ title: t, plannedMinutes: 15 })) },
  });
  expect(created.status()).toBe(201);
  const { id, joinCode } = (await created.json()).meeting as { id: string; joinCode: string };
  for (const status of ['open', 'in_progress'])
    expect((await fac.request.patch(`/api/meetings/${id}`, { data: { status } })).status()).toBe(200);
  const console_ = await fac.newPage();
  await console_.goto(`/m/${id}/console`);
  await console_.locator('[data-connection="online"]').waitFor(WAIT);
  await console_.getByRole('button', { name: items[0], exact: true }).click();
  return { id, joinCode, console_ };
}

it('a resident reports a problem with a photo from the phone without leaving the meeting; the console shows it live', async () => {
  const fac = await newViewer(app, 'laptop');
  await signIn(fac, 'facilitator');
  const item = '楼道堆物清理';
  const { id, console_ } = await runningMeeting(fac, '问题随手报议事会', [item]);

  const phoneCtx = await newViewer(app, 'phone');
  await signIn(phoneCtx, 'yezhu');
  const phone = await phoneCtx.newPage();
  await phone.goto(`/m/${id}`);
  await phone.locator('[data-connection="online"]').waitFor(WAIT);
  await expect.poll(() => phone.locator('.now .item').innerText(), WAIT).toBe(item);

  await phone.getByRole('button', { name: '反映问题' }).click();
  await phone.getByRole('heading', { name: '反映问题' }).waitFor(WAIT);
  // Still the meeting's page, still connected: nothing navigated away.
  expect(new URL(phone.url()).pathname).toBe(`/m/${id}`);
  // The building comes from the owner's own household (1栋1单元101).
  expect(await phone.getByLabel('楼栋（可不填）').inputValue()).toBe('1');
  const problemTitle = '3号楼道电动车充电线乱拉';
  await phone.getByLabel('问题是什么').fill(problemTitle);
  await phone.getByLabel('详细说明').fill('晚上有人从窗户拉线充电，怕起火。');
  await phone.getByLabel(/照片/).setInputFiles({ name: 'wire.png', mimeType: 'image/png', buffer: PNG });
  // The screen fits a 360-px phone: nothing wider than the viewport.
  expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  expect(await seriousA11yFindings(phone)).toEqual([]);
  await shot(phone, 'phone-extras-problem-form');

  await phone.getByRole('button', { name: '提交', exact: true }).click();
  await phone.getByRole('heading', { name: '问题已提交' }).waitFor(WAIT);
  expect(await phone.getByRole('alert').count()).toBe(0);
  expect(new URL(phone.url()).pathname).toBe(`/m/${id}`);
  expect(await seriousA11yFindings(phone)).toEqual([]);
  await shot(phone, 'phone-extras-problem-done');

  // The console's panel has it, without a reload, marked as raised in this meeting.
  const card = console_.locator('[data-problem]', { hasText: problemTitle });
  await card.waitFor(WAIT);
  expect(await card.getAttribute('data-status')).toBe('raised');
  await card.getByText('本次会议上提出').waitFor(WAIT);
  const stored = (await (await fac.request.get(`/api/communities/${cid}/problems`)).json()).problems.find(
    (p: { title: string }) => p.title === problemTitle,
  );
  expect(stored).toMatchObject({ meetingId: id, building: '1', status: 'raised' });
  expect(stored.photo?.mime).toBe('image/png');

  // Back to the meeting: the current item and the hand button are there again, connection kept.
  await phone.getByRole('button', { name: '返回会议' }).click();
  await expect.poll(() => phone.locator('.now .item').innerText(), WAIT).toBe(item);
  await phone.getByRole('button', { name: '举手发言' }).waitFor(WAIT);
  await phone.locator('[data-connection="online"]').waitFor(WAIT);

  // A ballot opening while the resident writes a problem is not missed: the screen says so.
  await phone.getByRole('button', { name: '反映问题' }).click();
  await phone.getByRole('heading', { name: '反映问题' }).waitFor(WAIT);
  const b = await fac.request.post(`/api/meetings/${id}/ballots`, {
    data: { title: '楼道堆物限期清理', kind: 'yes_no_abstain', rule: 'simple_majority', electorate: { kind: 'members' }, secret: false },
  });
  expect(b.status(), await b.text()).toBe(201);
  expect((await fac.request.post(`/api/ballots/${(await b.json()).ballot.id}/open`)).status()).toBe(200);
  await phone.getByRole('status').filter({ hasText: '表决已经开始' }).waitFor(WAIT);
  await phone.getByRole('button', { name: '返回会议' }).click();
  await phone.getByRole('button', { name: /同意/ }).first().waitFor(WAIT);

  await phoneCtx.close();
  await fac.close();
});

it('a guest joins by code and listens: current item, speaker and tallies, no vote/hand/motion; a forged cast is refused', async () => {
  const fac = await newViewer(app, 'laptop');
  await signIn(fac, 'facilitator');
  const items = ['停车位分配方案', '绿化带改造'];
  const { id, joinCode, console_ } = await runningMeeting(fac, '旁听测试议事会', items);

  // A resident raises a hand and gets the floor, so there is a speaker to follow.
  const resCtx = await newViewer(app, 'phone');
  await signIn(resCtx, 'zuhu');
  const res = await resCtx.newPage();
  await res.goto(`/m/${id}`);
  await res.locator('[data-connection="online"]').waitFor(WAIT);
  await res.getByRole('button', { name: '举手发言' }).click();
  await res.getByRole('button', { name: '放下手' }).waitFor(WAIT);
  await console_.getByRole('button', { name: '请下一位发言' }).click();

  // Someone with no account types the code read aloud in the hall.
  const guestCtx = await newViewer(app, 'phone');
  const guest = await guestCtx.newPage();
  await guest.goto('/join');
  await guest.getByLabel('会议码').fill(joinCode);
  await guest.getByLabel('您的称呼（可不填）').fill('来访的王老师');
  await guest.getByRole('button', { name: '进入会议' }).click();
  await guest.waitForURL(`**/m/${id}`, WAIT);
  await guest.locator('[data-connection="online"]').waitFor(WAIT);
  await guest.getByText('您以旁听身份参加').waitFor(WAIT);
  await expect.poll(() => guest.locator('.now .item').innerText(), WAIT).toBe(items[0]);
  await guest.getByText(/正在发言/).waitFor(WAIT);
  for (const name of ['举手发言', '提出动议', '反映问题']) expect(await guest.getByRole('button', { name }).count()).toBe(0);
  expect(await guest.getByRole('group', { name: /温度/ }).count()).toBe(0);
  expect(await seriousA11yFindings(guest)).toEqual([]);
  await shot(guest, 'phone-extras-guest');

  // The agenda moves: the guest follows.
  await console_.getByRole('button', { name: items[1], exact: true }).click();
  await expect.poll(() => guest.locator('.now .item').innerText(), WAIT).toBe(items[1]);

  // A ballot opens: the guest sees its tally, never a choice button.
  const b = await fac.request.post(`/api/meetings/${id}/ballots`, {
    data: { title: '绿化带改造方案', kind: 'yes_no_abstain', rule: 'simple_majority', electorate: { kind: 'members' }, secret: false },
  });
  expect(b.status(), await b.text()).toBe(201);
  const ballotId = (await b.json()).ballot.id as string;
  expect((await fac.request.post(`/api/ballots/${ballotId}/open`)).status()).toBe(200);
  await guest.locator(`[data-guest-ballot="${ballotId}"]`).waitFor(WAIT);
  await res.getByRole('button', { name: /同意/ }).first().waitFor(WAIT);
  expect(await guest.getByRole('button', { name: /同意|反对|弃权/ }).count()).toBe(0);
  expect(await seriousA11yFindings(guest)).toEqual([]);
  await shot(guest, 'phone-extras-guest-ballot');

  // A forged cast with the guest's own session cookie, over the socket: refused, nothing counted.
  const cookies = await guestCtx.cookies();
  const sid = cookies.find((c) => c.name === 'linli_sid');
  expect(sid).toBeTruthy();
  const socket = ioc(app.url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie: `linli_sid=${sid!.value}` } });
  try {
    const joined = (await socket.timeout(10_000).emitWithAck('meeting:join', { meetingId: id })) as { ok: boolean; you?: { kind: string } };
    expect(joined.ok).toBe(true);
    const cast = (await socket
      .timeout(10_000)
      .emitWithAck('ballot:cast', { ballotId, choice: 'yes', idempotencyKey: 'forged-guest-cast-0001' })) as {
      ok: boolean;
      error?: { code: string };
    };
    expect(cast.ok).toBe(false);
    expect(cast.error?.code).toBe('forbidden');
    const hand = (await socket.timeout(10_000).emitWithAck('meeting:hand', { meetingId: id, raised: true })) as {
      ok: boolean;
      error?: { code: string };
    };
    expect(hand.ok).toBe(false);
  } finally {
    socket.disconnect();
  }
  const result = (await (await fac.request.get(`/api/ballots/${ballotId}/result`)).json()) as { turnout: { voted: number } };
  expect(result.turnout.voted).toBe(0);

  await guestCtx.close();
  await resCtx.close();
  await fac.close();
});

/**
 * Visible UI text with Chinese characters that is not user or demo content: text nodes and the
 * labels people hear (aria-label, alt, placeholder, title), outside elements marked
 * lang="zh-CN" (or any zh) or data-user-content.
 */
function chineseUiText(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const HAN = /\p{Script=Han}/u;
    const SKIP = '[data-user-content],[lang^="zh"],script,style,noscript,template';
    const where = (el: Element) =>
      `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''}`;
    const out = new Set<string>();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent ?? '';
      const el = n.parentElement;
      if (!el || !HAN.test(text) || el.closest(SKIP)) continue;
      if (!el.checkVisibility({ checkOpacity: false, checkVisibilityCSS: true })) continue;
      out.add(`${where(el)}: ${text.trim().slice(0, 80)}`);
    }
    for (const el of document.body.querySelectorAll('[aria-label],[alt],[placeholder],[title]')) {
      if (el.closest(SKIP)) continue;
      for (const a of ['aria-label', 'alt', 'placeholder', 'title']) {
        const v = el.getAttribute(a);
        if (v && HAN.test(v)) out.add(`${where(el)}[${a}]: ${v.slice(0, 80)}`);
      }
    }
    return [...out];
  });
}

it("on a slow phone a tap before the page's scripts have loaded is not lost: the button waits, disabled, then joins", async () => {
  const fac = await newViewer(app, 'laptop');
  await signIn(fac, 'facilitator');
  const { id, joinCode } = await runningMeeting(fac, '慢手机入会', ['开场']);
  const guestCtx = await newViewer(app, 'phone');
  const guest = await guestCtx.newPage();
  // The page's scripts arrive 2 s late (a slow line); the server's HTML is there at once.
  await guest.route(/\/_app\/.*\.js$/, async (route) => {
    await pace(2000);
    await route.continue();
  });
  await guest.goto('/join', { waitUntil: 'commit' });
  const enter = guest.getByRole('button', { name: '进入会议' });
  await enter.waitFor();
  // Before the scripts: shown disabled (a tap would have sent the bare form and reloaded it empty).
  expect(await enter.isDisabled()).toBe(true);
  await guest.getByLabel('会议码').fill(joinCode);
  await enter.click(); // waits until enabled, as a person waits for the grey button to light up
  await guest.waitForURL(`**/m/${id}`, WAIT);
  await guest.getByText('您以旁听身份参加').waitFor(WAIT);
  await guestCtx.close();
  await fac.close();
});

it('the main pages in English show no Chinese UI text besides user and demo content', async () => {
  const adminCtx = await newViewer(app, 'laptop', { locale: 'en' });
  await signIn(adminCtx, 'admin', app.server.adminPassword);
  const api = async <T>(path: string): Promise<T> => (await (await adminCtx.request.get(path)).json()) as T;
  const conventions = (await api<{ conventions: { id: string }[] }>(`/api/communities/${cid}/conventions`)).conventions;
  const meetings = (await api<{ meetings: { id: string; status: string }[] }>(`/api/communities/${cid}/meetings`)).meetings;
  const finished = meetings.find((m) => m.status === 'closed');
  expect(conventions[0] && finished).toBeTruthy();
  const ballots = (await api<{ ballots: { id: string; status: string }[] }>(`/api/meetings/${finished!.id}/ballots`)).ballots;
  const decided = ballots.find((b) => b.status === 'published' || b.status === 'closed');

  // A running meeting with a current item, for the phone, the projector and the console.
  const fac = await newViewer(app, 'laptop', { locale: 'en' });
  await signIn(fac, 'facilitator');
  await fac.addCookies([{ name: 'linli_lang', value: 'en', url: app.url }]);
  const { id: live, joinCode, console_ } = await runningMeeting(fac, '英文界面检查会', ['电梯维修基金使用']);
  await console_.close();

  const pages: [string, BrowserContext, string][] = [
    ['home', adminCtx, '/'],
    ['community home', adminCtx, `/c/${cid}`],
    ['roster', adminCtx, `/c/${cid}/roster`],
    ['members', adminCtx, `/c/${cid}/members`],
    ['join', adminCtx, '/join'],
    ['meetings', adminCtx, `/c/${cid}/meetings`],
    ['problems', adminCtx, `/c/${cid}/problems`],
    ['dashboard', adminCtx, `/c/${cid}/dashboard`],
    ['editor', adminCtx, `/conventions/${conventions[0]!.id}`],
    ['minutes', adminCtx, `/c/${cid}/meetings/${finished!.id}/minutes`],
    ['console', fac, `/m/${live}/console`],
    ['projector', fac, `/m/${live}/screen`],
  ];
  if (decided) pages.push(['result', adminCtx, `/m/${finished!.id}/result/${decided.id}`]);
  await adminCtx.addCookies([{ name: 'linli_lang', value: 'en', url: app.url }]);

  const anon = await newViewer(app, 'laptop', { locale: 'en' });
  await anon.addCookies([{ name: 'linli_lang', value: 'en', url: app.url }]);
  pages.unshift(['sign-in', anon, '/login']);
  const phoneCtx = await newViewer(app, 'phone', { locale: 'en' });
  await phoneCtx.addCookies([{ name: 'linli_lang', value: 'en', url: app.url }]);
  await signIn(phoneCtx, 'yezhu');
  pages.push(['phone view', phoneCtx, `/m/${live}`]);
  // A guest (no account) who joined by code.
  const guestCtx = await newViewer(app, 'phone', { locale: 'en' });
  await guestCtx.addCookies([{ name: 'linli_lang', value: 'en', url: app.url }]);
  expect((await guestCtx.request.post('/api/meetings/join', { data: { code: joinCode } })).status()).toBe(200);
  pages.push(['guest phone view', guestCtx, `/m/${live}`]);

  const found: Record<string, string[]> = {};
  for (const [name, ctx, path] of pages) {
    const page = await ctx.newPage();
    await page.goto(path);
    await page.waitForLoadState('networkidle', WAIT).catch(() => {});
    // The page is in English (the html lang says so) and has rendered its main heading.
    await page.locator('h1').first().waitFor(WAIT);
    expect(await page.evaluate(() => document.documentElement.lang), name).toBe('en');
    const bad = await chineseUiText(page);
    if (name === 'guest phone view') await page.getByText('You are listening as a guest').waitFor(WAIT);
    if (name === 'phone view') {
      // The phone's problem screen too (opened in place).
      await page.getByRole('button', { name: 'Report a problem' }).click();
      await page.getByRole('heading', { name: 'Report a problem' }).waitFor(WAIT);
      bad.push(...(await chineseUiText(page)));
    }
    if (bad.length) found[name] = bad;
    await page.close();
  }
  expect(found).toEqual({});

  for (const ctx of [adminCtx, fac, anon, phoneCtx, guestCtx]) await ctx.close();
});
