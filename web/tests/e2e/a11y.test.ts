/**
 * Accessibility over every main page (issue 8): axe-core finds nothing serious or critical on the
 * home, sign-in, community, roster, editor, meeting (phone, projector light and dark, console),
 * dashboard, problems and meetings pages, in Chinese and, for a few, English. Then what axe cannot
 * see: voting with the keyboard alone, a calm live region for the tally, the phone at 200% font
 * size on 360×640, and the projector's heading sizes and "can no longer pass".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { demoCommunityId, newViewer, seriousA11yFindings, shot, signIn, startApp, type App, type Viewer } from './helpers/harness.ts';
import { pace } from './helpers/steps.ts';

let app: App;
let cid: string;
let conventionId: string;
/** A live meeting with an open yes/no ballot that phones can vote on. */
let meetingId: string;
let ballotId: string;
let fac: BrowserContext;

const open: BrowserContext[] = [];
async function viewer(kind: Viewer, login: string | null, opts: { locale?: string; dark?: boolean } = {}): Promise<BrowserContext> {
  const ctx = await newViewer(app, kind, opts);
  if (login === 'admin') await signIn(ctx, 'admin', app.server.adminPassword);
  else if (login) await signIn(ctx, login);
  open.push(ctx);
  return ctx;
}
/** Opens `path` and waits for the page's first heading (every page has one once loaded). */
async function visit(ctx: BrowserContext, path: string, ready = 'h1'): Promise<Page> {
  const page = await ctx.newPage();
  await page.goto(path);
  await page.locator(ready).first().waitFor({ timeout: 20_000 });
  // Pages fetch their data after the shell: wait until nothing says it is loading.
  await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'), undefined, { timeout: 20_000 });
  return page;
}

/**
 * The meeting's phone view for `login` at 200% system font size, online. Chromium's own default
 * font size is what Android's "font size" setting changes: 16 → 32 px.
 */
async function phoneAt200Percent(login: string): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await viewer('phone', login);
  const page = await ctx.newPage();
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('Page.enable');
  await cdp.send('Page.setFontSizes', { fontSizes: { standard: 32, fixed: 26 } });
  await page.goto(`/m/${meetingId}`);
  await page.locator('[data-connection="online"]').waitFor({ timeout: 20_000 });
  return { ctx, page };
}

async function newBallot(title: string, rule = 'simple_majority'): Promise<string> {
  const res = await fac.request.post(`/api/meetings/${meetingId}/ballots`, {
    data: { title, kind: 'yes_no_abstain', rule, electorate: { kind: 'members' }, secret: false, options: [] },
  });
  expect(res.status(), await res.text()).toBe(201);
  return (await res.json()).ballot.id;
}

beforeAll(async () => {
  app = await startApp();
  cid = await demoCommunityId(app);
  fac = await viewer('laptop', 'facilitator');
  conventionId = ((await (await fac.request.get(`/api/communities/${cid}/conventions`)).json()) as { conventions: { id: string }[] })
    .conventions[0]!.id;
  const created = await fac.request.post(`/api/communities/${cid}/meetings`, {
    data: { title: '无障碍检查会', mode: 'hybrid', agenda: [{ title: '楼道照明' }, { title: '垃圾分类' }] },
  });
  meetingId = (await created.json()).meeting.id;
  for (const status of ['open', 'in_progress'])
    expect((await fac.request.patch(`/api/meetings/${meetingId}`, { data: { status } })).ok()).toBe(true);
  ballotId = await newBallot('是否同意更换楼道灯为声控灯');
  expect((await fac.request.post(`/api/ballots/${ballotId}/open`)).ok()).toBe(true);
}, 60_000);
afterAll(async () => {
  for (const c of open) await c.close().catch(() => {});
  await app?.stop();
});

describe('axe-core finds nothing serious on the main pages', () => {
  const cases: { name: string; kind: Viewer; login: string | null; path: () => string; locale?: string; dark?: boolean; ready?: string }[] =
    [
      { name: 'home', kind: 'phone', login: null, path: () => '/' },
      { name: 'home signed in (en)', kind: 'laptop', login: 'facilitator', path: () => '/', locale: 'en' },
      { name: 'sign-in', kind: 'phone', login: null, path: () => '/login' },
      { name: 'sign-in (en)', kind: 'phone', login: null, path: () => '/login', locale: 'en' },
      { name: 'community home', kind: 'phone', login: 'yezhu', path: () => `/c/${cid}` },
      { name: 'community home (en)', kind: 'laptop', login: 'facilitator', path: () => `/c/${cid}`, locale: 'en' },
      { name: 'roster', kind: 'laptop', login: 'admin', path: () => `/c/${cid}/roster` },
      { name: 'editor', kind: 'laptop', login: 'facilitator', path: () => `/conventions/${conventionId}`, ready: '.ProseMirror' },
      { name: 'meetings list', kind: 'laptop', login: 'facilitator', path: () => `/c/${cid}/meetings` },
      { name: 'meetings list (en)', kind: 'phone', login: 'yezhu', path: () => `/c/${cid}/meetings`, locale: 'en' },
      { name: 'problems', kind: 'phone', login: 'yezhu', path: () => `/c/${cid}/problems` },
      { name: 'dashboard', kind: 'laptop', login: 'dangzhibu', path: () => `/c/${cid}/dashboard` },
      { name: 'dashboard (en)', kind: 'laptop', login: 'dangzhibu', path: () => `/c/${cid}/dashboard`, locale: 'en' },
      { name: 'meeting phone view', kind: 'phone', login: 'zuhu', path: () => `/m/${meetingId}`, ready: '[data-connection="online"]' },
      {
        name: 'meeting phone view (en, dark)',
        kind: 'phone',
        login: 'zuhu',
        path: () => `/m/${meetingId}`,
        locale: 'en',
        dark: true,
        ready: '[data-connection="online"]',
      },
      {
        name: 'projector light',
        kind: 'projector',
        login: 'facilitator',
        path: () => `/m/${meetingId}/screen?theme=light`,
        ready: '[data-join-code]',
      },
      {
        name: 'projector dark (theme)',
        kind: 'projector',
        login: 'facilitator',
        path: () => `/m/${meetingId}/screen?theme=dark`,
        ready: '[data-join-code]',
      },
      {
        name: 'projector dark (system)',
        kind: 'projector',
        login: 'facilitator',
        path: () => `/m/${meetingId}/screen`,
        dark: true,
        ready: '[data-join-code]',
      },
      { name: 'console', kind: 'laptop', login: 'facilitator', path: () => `/m/${meetingId}/console`, ready: '[data-connection="online"]' },
      {
        name: 'console (en)',
        kind: 'laptop',
        login: 'facilitator',
        path: () => `/m/${meetingId}/console`,
        locale: 'en',
        ready: '[data-connection="online"]',
      },
    ];
  for (const c of cases) {
    it(
      c.name,
      async () => {
        const ctx = await viewer(c.kind, c.login, { locale: c.locale, dark: c.dark });
        const page = await visit(ctx, c.path(), c.ready);
        expect(await page.getAttribute('html', 'lang')).toBe(c.locale ?? 'zh-CN');
        expect(await seriousA11yFindings(page)).toEqual([]);
        await ctx.close();
      },
      60_000,
    );
  }
});

describe('the phone, the projector and the console beyond axe', () => {
  it('votes with the keyboard alone: Tab reaches a choice, Enter picks it, Space confirms, the receipt gets focus', async () => {
    const ctx = await viewer('phone', 'yezhu');
    const page = await visit(ctx, `/m/${meetingId}`, '[data-connection="online"]');
    await page.getByRole('button', { name: '同意', exact: true }).waitFor();
    const focused = () => page.evaluate(() => (document.activeElement?.textContent ?? '').trim());
    let tabs = 0;
    while ((await focused()) !== '同意' && tabs < 30) {
      await page.keyboard.press('Tab');
      tabs++;
    }
    expect(await focused(), `after ${tabs} Tab presses`).toBe('同意');
    // The focus ring shows where the keyboard is.
    expect(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).not.toBe('none');
    await page.keyboard.press('Enter');
    await expect.poll(focused, { timeout: 10_000 }).toBe('确认提交');
    await page.keyboard.press('Space');
    await page.locator('[data-receipt]').waitFor({ timeout: 20_000 });
    await expect
      .poll(() =>
        page.evaluate(() => document.activeElement?.hasAttribute('data-step-focus') && document.activeElement.getAttribute('role')),
      )
      .toBe('status');
    const receipt = (await page.locator('[data-receipt]').innerText()).trim();
    expect(receipt.length).toBeGreaterThanOrEqual(6);
    const result = await (await fac.request.get(`/api/ballots/${ballotId}/result`)).json();
    expect(result.tally.options.find((o: { id: string }) => o.id === 'yes').votes).toBe(1);
    await ctx.close();
  });

  it('at 200% system font size on 360×640 the phone has no sideways scroll and the choices stay on screen', async () => {
    const { ctx, page } = await phoneAt200Percent('loudong1');
    await page.getByRole('button', { name: '同意', exact: true }).waitFor();
    expect(await page.evaluate(() => getComputedStyle(document.documentElement).fontSize)).toBe('32px');
    // On a mobile viewport too-wide content widens the layout viewport itself, so compare with the phone's width.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    for (const name of ['同意', '反对', '弃权']) {
      const button = page.getByRole('button', { name, exact: true });
      await button.scrollIntoViewIfNeeded();
      expect(await button.isVisible()).toBe(true);
      expect(await button.isEnabled()).toBe(true);
      const box = (await button.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(360);
      expect(box.height).toBeGreaterThanOrEqual(48);
    }
    await shot(page, 'a11y-phone-200pct-font');
    await ctx.close();
  });

  it('at 200% font, when the connection is lost the state stays in sight (pinned strip) though the top bar has scrolled away', async () => {
    const { ctx, page } = await phoneAt200Percent('loudong2');
    expect(await page.locator('[data-connection-strip]').count()).toBe(0);
    // The network drops: the socket can neither reconnect nor poll.
    await page.route('**/socket.io/**', (route) => route.abort());
    await ctx.setOffline(true);
    // The choices now fit the first screen at 200%: scroll to the end (reading aloud sits below them).
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    const strip = page.locator('[data-connection-strip]');
    await strip.waitFor({ timeout: 60_000 });
    // Offline texts are longer: still nothing wider than the phone.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    const box = (await strip.boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.y).toBeLessThan(10);
    expect(await page.evaluate(() => window.scrollY)).toBeGreaterThan(0);
    expect(await seriousA11yFindings(page)).toEqual([]);
    await shot(page, 'a11y-phone-connection-lost');
    await ctx.setOffline(false);
    await page.unroute('**/socket.io/**');
    await strip.waitFor({ state: 'detached', timeout: 30_000 });
    await ctx.close();
  });

  it('the projector announces the tally politely at a calm rate under a burst of votes, ending with the final figures', async () => {
    const ctx = await viewer('projector', 'facilitator');
    const screen = await visit(ctx, `/m/${meetingId}/screen`, '[data-join-code]');
    const region = screen.locator('[data-tally-live]');
    await region.waitFor({ state: 'attached', timeout: 20_000 });
    expect(await region.getAttribute('aria-live')).toBe('polite');
    const before = await (await fac.request.get(`/api/ballots/${ballotId}/result`)).json();
    const voted0 = before.turnout.voted as number;
    const yes0 = before.tally.options.find((o: { id: string }) => o.id === 'yes').votes as number;
    await expect.poll(() => region.textContent(), { timeout: 10_000 }).toContain(`已投 ${voted0} 人 /`);
    // Record every change of the live region's text with its time.
    await screen.evaluate(() => {
      const el = document.querySelector('[data-tally-live]')!;
      const w = window as unknown as { changes: { at: number; text: string }[]; tallies: number };
      w.changes = [];
      w.tallies = 0;
      new MutationObserver(() => w.changes.push({ at: performance.now(), text: el.textContent ?? '' })).observe(el, {
        childList: true,
        characterData: true,
        subtree: true,
      });
      // How often the bars themselves changed (each tally broadcast the page drew).
      new MutationObserver(() => w.tallies++).observe(document.querySelector('.tally')!, {
        attributes: true,
        attributeFilter: ['data-votes'],
        subtree: true,
      });
    });
    const members = (
      (await (await fac.request.get(`/api/communities/${cid}/members`)).json()) as { members: { userId: string; login: string | null }[] }
    ).members;
    // Members who have not voted yet (the keyboard test's voter may have).
    const voters = members.filter((x) => x.login !== 'yezhu').slice(0, 10);
    expect(voters.length).toBeGreaterThanOrEqual(6);
    const burstStart = Date.now();
    for (const [i, v] of voters.entries()) {
      // A burst spread over ~3.5 s, so the server sends several tallies (it coalesces within a moment).
      if (i > 0) await pace(350);
      const res = await fac.request.post(`/api/ballots/${ballotId}/paper-votes`, {
        data: { memberId: v.userId, choice: i % 3 === 2 ? 'no' : 'yes', idempotencyKey: `a11y-burst-${i}-${v.userId}` },
      });
      expect(res.ok(), await res.text()).toBe(true);
    }
    const burstMs = Date.now() - burstStart;
    const total = voted0 + voters.length;
    await expect
      .poll(() => screen.locator('[data-option="yes"]').getAttribute('data-votes'), { timeout: 10_000 })
      .toBe(String(yes0 + voters.filter((_, i) => i % 3 !== 2).length));
    // The last figures are announced, within one calm gap (3 s) of the last vote.
    await expect.poll(() => region.textContent(), { timeout: 10_000 }).toContain(`已投 ${total} 人 /`);
    const { changes, tallies } = await screen.evaluate(() => {
      const w = window as unknown as { changes: { at: number; text: string }[]; tallies: number };
      return { changes: w.changes, tallies: w.tallies };
    });
    // The bars moved many times; the spoken summary far fewer.
    expect(tallies).toBeGreaterThanOrEqual(4);
    const texts = [...new Set(changes.map((c) => c.text))];
    const gaps = texts.slice(1).map((t, i) => changes.find((c) => c.text === t)!.at - changes.find((c) => c.text === texts[i])!.at);
    expect(Math.min(...gaps, Infinity), `announcements ${JSON.stringify(texts)} over a ${burstMs} ms burst`).toBeGreaterThanOrEqual(2500);
    expect(texts.length).toBeGreaterThanOrEqual(2);
    expect(texts.length).toBeLessThanOrEqual(Math.ceil((burstMs + 1000) / 3000) + 1);
    expect(texts.length).toBeLessThan(tallies);
    await ctx.close();
  });

  it('projector headings are at least 48 px at 1920×1080 and 1280×720, light and dark (screenshots)', async () => {
    for (const theme of ['light', 'dark'] as const) {
      const ctx = await viewer('projector', 'facilitator', { dark: theme === 'dark' });
      const screen = await visit(ctx, `/m/${meetingId}/screen?theme=${theme}`, '[data-join-code]');
      await screen.locator('.ballot-title').waitFor();
      for (const [w, h] of [
        [1920, 1080],
        [1280, 720],
      ] as const) {
        await screen.setViewportSize({ width: w, height: h });
        const sizes = await screen.evaluate(() =>
          [...document.querySelectorAll('h1, h2')].map((el) => parseFloat(getComputedStyle(el).fontSize)),
        );
        expect(sizes.length).toBeGreaterThanOrEqual(2);
        for (const px of sizes) expect(px, `${theme} ${w}×${h}`).toBeGreaterThanOrEqual(48);
        expect(
          await screen.evaluate(
            () => document.documentElement.dataset.theme ?? (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'),
          ),
        ).toBe(theme);
        await shot(screen, `a11y-projector-${theme}-${w}x${h}`);
      }
      expect(await seriousA11yFindings(screen)).toEqual([]);
      await ctx.close();
    }
  });

  it('the projector says "已无法通过 / can no longer pass" when even all remaining votes could not pass it', async () => {
    expect((await fac.request.post(`/api/ballots/${ballotId}/close`)).ok()).toBe(true);
    const unanimous = await newBallot('是否同意全体一致通过楼道绿化方案', 'unanimous');
    expect((await fac.request.post(`/api/ballots/${unanimous}/open`)).ok()).toBe(true);
    const zh = await visit(await viewer('projector', 'facilitator'), `/m/${meetingId}/screen`, '[data-join-code]');
    const en = await visit(await viewer('projector', 'facilitator', { locale: 'en' }), `/m/${meetingId}/screen`, '[data-join-code]');
    await expect.poll(() => zh.locator('.ballot-title').innerText(), { timeout: 10_000 }).toContain('楼道绿化');
    await expect.poll(() => zh.locator('[data-needed="pass"]').innerText(), { timeout: 10_000 }).toContain('还差');
    const someone = ((await (await fac.request.get(`/api/communities/${cid}/members`)).json()) as { members: { userId: string }[] })
      .members[0]!;
    expect(
      (
        await fac.request.post(`/api/ballots/${unanimous}/paper-votes`, {
          data: { memberId: someone.userId, choice: 'no', idempotencyKey: `a11y-unanimous-${someone.userId}` },
        })
      ).ok(),
    ).toBe(true);
    const result = await (await fac.request.get(`/api/ballots/${unanimous}/result`)).json();
    expect(result.outcome.needed.pass.possible).toBe(false);
    await expect.poll(() => zh.locator('[data-needed="impossible"]').innerText(), { timeout: 10_000 }).toContain('已无法通过');
    expect(await zh.locator('.tally').innerText()).not.toContain('还差');
    await expect.poll(() => en.locator('[data-needed="impossible"]').innerText(), { timeout: 10_000 }).toContain('Can no longer pass');
    expect(await seriousA11yFindings(zh)).toEqual([]);
    await shot(zh, 'a11y-projector-cannot-pass');
  });

  it('the console of a meeting with no agenda says so and adds the first item', async () => {
    const created = await fac.request.post(`/api/communities/${cid}/meetings`, { data: { title: '空议程的会', mode: 'hall' } });
    const empty = (await created.json()).meeting.id;
    const page = await visit(fac, `/m/${empty}/console`, '[data-connection="online"]');
    const panel = page.locator('[data-agenda-empty]');
    await panel.waitFor({ timeout: 20_000 });
    expect(await panel.innerText()).toContain('还没有议程');
    expect(await seriousA11yFindings(page)).toEqual([]);
    await page.getByLabel('第一个议题').fill('小区停车秩序');
    await page.getByRole('button', { name: '添加第一个议题' }).click();
    await page.getByRole('button', { name: '小区停车秩序' }).waitFor({ timeout: 10_000 });
    await panel.waitFor({ state: 'detached', timeout: 10_000 });
    const agenda = (await (await fac.request.get(`/api/meetings/${empty}`)).json()).agenda as { title: string }[];
    expect(agenda.map((a) => a.title)).toEqual(['小区停车秩序']);
    await page.close();
  });

  it('the community home shows the meeting now, upcoming meetings, the convention, the problems ledger and consensus', async () => {
    const ctx = await viewer('phone', 'yezhu');
    const page = await visit(ctx, `/c/${cid}`);
    const now = page.locator(`[data-now-meeting="${meetingId}"]`);
    await now.waitFor({ timeout: 20_000 });
    expect(await now.innerText()).toContain('无障碍检查会');
    expect(await now.getByRole('link', { name: '进入会议' }).getAttribute('href')).toBe(`/m/${meetingId}`);
    for (const s of ['upcoming', 'convention', 'problems', 'consensus'])
      await page.locator(`[data-section="${s}"]`).waitFor({ timeout: 10_000 });
    expect(await page.locator('[data-section="upcoming"]').innerText()).toContain('2026年第四次居民协商议事会');
    expect(await page.locator('[data-section="convention"] a').first().getAttribute('href')).toBe(`/conventions/${conventionId}`);
    expect(await page.locator('[data-section="problems"]').innerText()).toMatch(/待解决 \d+ 件/);
    const items = (
      (await (await ctx.request.get(`/api/communities/${cid}/consensus`)).json()) as { items: { title: string; at: number }[] }
    ).items;
    if (items.length > 0)
      expect(await page.locator('[data-section="consensus"]').innerText()).toContain(items.sort((a, b) => b.at - a.at)[0]!.title);
    else expect(await page.locator('[data-section="consensus"]').innerText()).toContain('还没有记录的共识');
    expect(await seriousA11yFindings(page)).toEqual([]);
    await shot(page, 'a11y-community-home-phone');
    await ctx.close();
  });
});
