/**
 * Hall rehearsal, the phones (issue 13): five residents at 360×640 join a hall meeting with their
 * household slips (one at 200% text, one in English). A ballot opens; one phone loses its
 * connection right after confirming (the server counts the vote, the answer never arrives) and,
 * once back, shows its receipt and recorded choice with no second submit button. At 200% nothing
 * runs off the screen and the vote buttons are inside the first 640 px. A rescanned slip is the
 * same member; a family member who joins after the opening is offered no vote. The closed ballot
 * shows 待公示 on the phones. Error pages speak the reader's language and lead back.
 * Screenshots: test-results/hall-rehearsal/phone-*.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page, WebSocketRoute } from 'playwright-core';
import { demoCommunityId, newViewer, seriousA11yFindings, shot, signIn, startApp, type App } from './helpers/harness.ts';
import { overflowingElements, pageBox, textAt200Percent } from './helpers/phone-layout.ts';

let app: App;
let cid: string;
let fac: BrowserContext;
let meetingId: string;
let ballotId: string;
const slips: { id: string; code: string }[] = [];
const contexts: BrowserContext[] = [];

interface Phone {
  ctx: BrowserContext;
  page: Page;
  userId: string;
}
const phones: Phone[] = [];

async function phoneWithSlip(
  code: string,
  opts: { locale?: string; big?: boolean; beforeOpen?: (page: Page) => Promise<void> } = {},
): Promise<Phone> {
  const ctx = await newViewer(app, 'phone', { locale: opts.locale });
  contexts.push(ctx);
  const claim = await ctx.request.post('/api/auth/invitation', { data: { code } });
  expect(claim.status(), await claim.text()).toBe(200);
  const page = await ctx.newPage();
  if (opts.big) await textAt200Percent(page);
  await opts.beforeOpen?.(page);
  await page.goto(`/m/${meetingId}`);
  await page.locator('[data-connection="online"]').waitFor({ timeout: 30_000 });
  return { ctx, page, userId: (await claim.json()).user.id };
}

const snap = (page: Page, name: string) => shot(page, `hall-rehearsal/phone-${name}`);

beforeAll(async () => {
  app = await startApp();
  cid = await demoCommunityId(app);
  const admin = await app.browser.newContext({ baseURL: app.url });
  contexts.push(admin);
  await signIn(admin, 'admin', app.server.adminPassword);
  const hh = (
    (await (await admin.request.get(`/api/communities/${cid}/households`)).json()) as {
      households: { id: string; invitationCode: string | null }[];
    }
  ).households;
  for (const h of hh.filter((x) => x.invitationCode).slice(0, 6)) slips.push({ id: h.id, code: h.invitationCode! });
  fac = await newViewer(app, 'laptop');
  contexts.push(fac);
  await signIn(fac, 'facilitator');
  const created = await fac.request.post(`/api/communities/${cid}/meetings`, {
    data: { title: '三号楼加装电梯议事会', mode: 'hall', agenda: [{ title: '加装电梯方案' }] },
  });
  meetingId = (await created.json()).meeting.id;
}, 180_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await app?.stop();
});

describe('hall rehearsal: phones', () => {
  it('five phones join with their slips; at 200% the header is one line and nothing runs off the screen', async () => {
    phones.push(await phoneWithSlip(slips[0]!.code));
    phones.push(await phoneWithSlip(slips[1]!.code, { big: true }));
    phones.push(await phoneWithSlip(slips[2]!.code, { locale: 'en' }));
    phones.push(await phoneWithSlip(slips[3]!.code));
    phones.push(await phoneWithSlip(slips[4]!.code));
    // Not started yet: said once, without a "现在进行" above it.
    const first = phones[0]!.page;
    await expect.poll(() => first.locator('.now').innerText()).toContain('会议还没开始');
    expect(await first.locator('.now').innerText()).not.toContain('现在进行');
    const big = phones[1]!.page;
    expect(await big.evaluate(() => getComputedStyle(document.documentElement).fontSize)).toBe('32px');
    const bar = (await big.locator('header.bar').boundingBox())!;
    expect(bar.height).toBeLessThan(110);
    // The language switch sits in the menu, not as the largest control of the header.
    expect(await big.locator('header.bar [data-language-switch]').isVisible()).toBe(false);
    expect(await overflowingElements(big)).toEqual([]);
    // A way back home, from the menu.
    await big.getByText('菜单').click();
    expect(await big.getByRole('link', { name: '返回首页' }).isVisible()).toBe(true);
    expect(await seriousA11yFindings(big)).toEqual([]);
    await snap(big, '200pct-menu');
    await big.getByText('菜单').click();
    for (const [i, p] of phones.entries()) {
      expect(await seriousA11yFindings(p.page), `phone ${i}`).toEqual([]);
    }
    await snap(phones[2]!.page, 'english-waiting');
  }, 240_000);

  it('at 200% the slip page puts 确认加入 on the first screen, and joining again with the same slip is the same member', async () => {
    const ctx = await newViewer(app, 'phone');
    contexts.push(ctx);
    const page = await ctx.newPage();
    await textAt200Percent(page);
    await page.goto(`/i/${slips[1]!.code}`);
    const join = page.getByRole('button', { name: '确认加入' });
    await join.waitFor();
    await snap(page, '200pct-slip');
    expect((await pageBox(join)).bottom).toBeLessThanOrEqual(640);
    expect(await overflowingElements(page)).toEqual([]);
    await join.click();
    await page.waitForURL((u) => u.pathname === `/c/${cid}`);
    expect((await (await ctx.request.get('/api/me')).json()).user.id).toBe(phones[1]!.userId);
  }, 90_000);

  it('a ballot opens: every phone offers the choices; at 200% the vote buttons are inside the first 640 px', async () => {
    for (const status of ['open', 'in_progress'])
      expect((await fac.request.patch(`/api/meetings/${meetingId}`, { data: { status } })).ok()).toBe(true);
    const b = await fac.request.post(`/api/meetings/${meetingId}/ballots`, {
      data: {
        title: '是否同意三号楼加装电梯',
        kind: 'yes_no_abstain',
        rule: 'simple_majority',
        electorate: { kind: 'members' },
        secret: false,
        options: [],
      },
    });
    expect(b.status(), await b.text()).toBe(201);
    ballotId = (await b.json()).ballot.id;
    expect((await fac.request.post(`/api/ballots/${ballotId}/open`)).ok()).toBe(true);
    for (const p of phones)
      await p.page.locator(`[aria-labelledby="ballot-${ballotId}"] button[value="abstain"]`).waitFor({ timeout: 30_000 });
    const big = phones[1]!.page;
    await big.evaluate(() => window.scrollTo(0, 0));
    for (const name of ['同意', '反对', '弃权']) {
      const box = await pageBox(big.getByRole('button', { name, exact: true }));
      expect(box.bottom, name).toBeLessThanOrEqual(640);
      expect(box.right).toBeLessThanOrEqual(360);
    }
    expect(await overflowingElements(big)).toEqual([]);
    expect(await seriousA11yFindings(big)).toEqual([]);
    await snap(big, '200pct-ballot');
    expect(await phones[2]!.page.getByRole('button', { name: 'Yes', exact: true }).isVisible()).toBe(true);
    expect(await seriousA11yFindings(phones[2]!.page)).toEqual([]);
    await snap(phones[2]!.page, 'english-ballot');
  }, 120_000);

  it('a phone that loses its connection right after confirming shows its receipt once back, and no second submit button', async () => {
    // The fourth phone again, with its Socket.IO link routed through the test: the vote reaches the
    // server, the answer never comes back, and the link drops (a server down for a moment).
    const phone = phones[3]!;
    await phone.page.close();
    let down = false;
    const pages: WebSocketRoute[] = [];
    let castSeen!: () => void;
    const cast = new Promise<void>((resolve) => (castSeen = resolve));
    const page = await phone.ctx.newPage();
    await page.routeWebSocket(/\/socket\.io\//, (ws) => {
      if (down) return void ws.close({ code: 1001 });
      pages.push(ws);
      const server = ws.connectToServer();
      ws.onMessage((msg) => {
        server.send(msg);
        if (typeof msg === 'string' && msg.includes('"ballot:cast"')) {
          down = true;
          castSeen();
        }
      });
      server.onMessage((msg) => {
        if (!down) ws.send(msg);
      });
    });
    // While "down", the long-polling fallback cannot reach the server either.
    await page.route('**/socket.io/**', (route) => (down ? route.abort('connectionrefused') : route.continue()));
    await page.goto(`/m/${meetingId}`);
    await page.locator('[data-connection="online"]').waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: '同意', exact: true }).click();
    await page.getByRole('button', { name: '确认提交' }).click();
    await cast;
    // The server counts it…
    await expect
      .poll(
        async () =>
          (await (await fac.request.get(`/api/ballots/${ballotId}/voters`)).json()).voted.map((v: { voterId: string }) => v.voterId),
        { timeout: 20_000 },
      )
      .toContain(phone.userId);
    // …and the link drops before the answer arrives.
    for (const ws of pages) await ws.close({ code: 1001 }).catch(() => {});
    const pending = page.locator('[data-vote-pending]');
    await pending.waitFor({ timeout: 20_000 });
    expect(await pending.innerText()).toContain('暂时连不上会议服务器');
    expect(await pending.innerText()).not.toContain('网络不稳');
    expect(await page.getByRole('button', { name: '确认提交' }).count()).toBe(0);
    await snap(page, 'vote-pending-server-down');
    // The server is back.
    down = false;
    const receipt = page.locator('[data-receipt]');
    await receipt.waitFor({ timeout: 60_000 });
    const mine = (await (await phone.ctx.request.get(`/api/ballots/${ballotId}/mine`)).json()).you;
    expect(mine).toMatchObject({ voted: true, choice: 'yes' });
    expect((await receipt.innerText()).trim()).toBe(mine.receipt);
    expect(await page.locator('[data-recorded-choice]').innerText()).toContain('同意');
    expect(await page.getByRole('button', { name: '确认提交' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: '同意', exact: true }).count()).toBe(0);
    // Counted once.
    const voted = (await (await fac.request.get(`/api/ballots/${ballotId}/voters`)).json()).voted.filter(
      (v: { voterId: string }) => v.voterId === phone.userId,
    );
    expect(voted).toHaveLength(1);
    expect(await seriousA11yFindings(page)).toEqual([]);
    await snap(page, 'receipt-after-reconnect');
    phone.page = page;
  }, 180_000);

  it('at 200% the receipt code wraps inside the card', async () => {
    const big = phones[1]!.page;
    await big.getByRole('button', { name: '反对', exact: true }).click();
    await big.getByRole('button', { name: '确认提交' }).click();
    await big.locator('[data-receipt]').waitFor({ timeout: 30_000 });
    expect(await overflowingElements(big)).toEqual([]);
    await snap(big, '200pct-receipt');
  }, 60_000);

  it('the same slip rescanned is the same member (sees the vote already cast); a family member who joined after the opening is offered no vote', async () => {
    const again = await phoneWithSlip(slips[3]!.code);
    expect(again.userId).toBe(phones[3]!.userId);
    await again.page.locator('[data-receipt]').waitFor({ timeout: 30_000 });
    expect(await again.page.getByRole('button', { name: '同意', exact: true }).count()).toBe(0);
    await snap(again.page, 'rescanned-slip');

    const ctx = await newViewer(app, 'phone');
    contexts.push(ctx);
    const family = await ctx.request.post('/api/auth/invitation', { data: { code: slips[5]!.code, newMember: true } });
    expect(family.status()).toBe(200);
    const page = await ctx.newPage();
    await page.goto(`/m/${meetingId}`);
    await page.locator('[data-not-eligible]').waitFor({ timeout: 30_000 });
    expect(await page.getByRole('button', { name: '同意', exact: true }).count()).toBe(0);
    expect(await seriousA11yFindings(page)).toEqual([]);
    await snap(page, 'not-in-electorate');
  }, 120_000);

  it('the closed ballot shows its result on every phone, marked 待公示 until published', async () => {
    expect((await fac.request.post(`/api/ballots/${ballotId}/close`)).ok()).toBe(true);
    for (const p of phones) {
      const result = p.page.locator(`[data-phone-result="${ballotId}"]`);
      await result.waitFor({ timeout: 30_000 });
    }
    expect(await phones[0]!.page.locator('[data-result-tag]').innerText()).toBe('待公示');
    expect(await phones[2]!.page.locator('[data-result-tag]').innerText()).toBe('Not yet published');
    expect(await phones[3]!.page.locator(`[data-phone-result="${ballotId}"]`).innerText()).toContain(
      (await (await phones[3]!.ctx.request.get(`/api/ballots/${ballotId}/mine`)).json()).you.receipt,
    );
    expect(await overflowingElements(phones[1]!.page)).toEqual([]);
    for (const p of phones) expect(await seriousA11yFindings(p.page)).toEqual([]);
    await snap(phones[0]!.page, 'result-pending');
    await snap(phones[1]!.page, '200pct-result-pending');
    expect((await fac.request.post(`/api/ballots/${ballotId}/publish`, { data: { objectionDays: 0 } })).ok()).toBe(true);
    await expect.poll(() => phones[0]!.page.locator('[data-result-tag]').innerText(), { timeout: 30_000 }).toBe('已公示');
    await snap(phones[0]!.page, 'result-published');
  }, 120_000);

  it('a session that ended says to rescan the slip or type the meeting code, with no green badge', async () => {
    const p = phones[4]!;
    expect((await p.ctx.request.post('/api/auth/logout')).ok()).toBe(true);
    // The open page reloads itself on session:expired; this navigation may race that reload, so wait
    // for the signed-out view rather than for the load event.
    await p.page.goto(`/m/${meetingId}`, { waitUntil: 'commit' }).catch(() => undefined);
    const gone = p.page.locator('[data-signed-out]');
    await gone.waitFor({ timeout: 30_000 });
    expect(await gone.innerText()).toContain('邀请单上的二维码');
    expect(await gone.innerText()).not.toContain('请先登录');
    expect(await p.page.locator('[data-connection]').count()).toBe(0);
    expect(await seriousA11yFindings(p.page)).toEqual([]);
    await snap(p.page, 'session-ended');
  }, 60_000);

  it('error pages speak the reader language and lead back: an unknown address, and the server unreachable while navigating', async () => {
    const zh = phones[0]!.page;
    const res = await zh.goto('/no-such-page');
    expect(res?.status()).toBe(404);
    expect(await zh.locator('h1').innerText()).toBe('找不到这个页面');
    expect(await zh.getByRole('link', { name: '返回首页' }).isVisible()).toBe(true);
    expect(await seriousA11yFindings(zh)).toEqual([]);
    await snap(zh, 'error-404');
    const en = phones[2]!.page;
    await en.goto('/no-such-page');
    expect(await en.locator('h1').innerText()).toBe('This page cannot be found');

    // Back on the meeting page, the server stops answering, then the resident goes home.
    await zh.goto(`/m/${meetingId}`);
    await zh.locator('[data-connection="online"]').waitFor({ timeout: 30_000 });
    await zh.route(/\/(api\/|__data\.json|_app\/)/, (route) => route.abort('connectionrefused'));
    await zh.getByText('菜单').click();
    await zh.getByRole('link', { name: '返回首页' }).click();
    await expect.poll(() => zh.locator('h1').innerText(), { timeout: 30_000 }).toBe('页面暂时打不开');
    expect(await zh.locator('main').innerText()).not.toContain('Internal Error');
    expect(await zh.getByRole('link', { name: '返回首页' }).isVisible()).toBe(true);
    await snap(zh, 'error-server-down');
    await zh.unroute(/\/(api\/|__data\.json|_app\/)/);
  }, 120_000);
});
