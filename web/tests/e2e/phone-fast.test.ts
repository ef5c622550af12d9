/**
 * The phone page before (or without) its scripts: the server renders the meeting and the open
 * ballot with its clause, and the ballot's buttons are a plain form, so a phone with JavaScript
 * off (or still downloading it on slow 3G) chooses, confirms and gets a receipt; a resubmitted
 * confirmation counts once; errors come back as messages. With JavaScript on, the card is there
 * before the socket connects, and voting works as before once it does. axe-core cannot run with
 * JavaScript off, so it checks the server HTML in a page whose own scripts are held back.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { demoCommunityId, newViewer, seriousA11yFindings, shot, signIn, startApp, type App } from './helpers/harness.ts';
import { quietFor } from './helpers/steps.ts';

let app: App;
let fac: BrowserContext;
let cid: string;
beforeAll(async () => {
  app = await startApp();
  cid = await demoCommunityId(app);
  fac = await newViewer(app, 'laptop');
  await signIn(fac, 'facilitator');
});
afterAll(async () => app?.stop());

async function liveMeeting(title: string): Promise<string> {
  const meeting = (await (await fac.request.post(`/api/communities/${cid}/meetings`, { data: { title, mode: 'hybrid' } })).json()).meeting;
  for (const status of ['open', 'in_progress'])
    expect((await fac.request.patch(`/api/meetings/${meeting.id}`, { data: { status } })).ok()).toBe(true);
  return meeting.id as string;
}

async function openBallot(meetingId: string, title: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await fac.request.post(`/api/meetings/${meetingId}/ballots`, {
    data: { title, kind: 'yes_no_abstain', rule: 'simple_majority', electorate: { kind: 'members' }, secret: false, options: [], ...extra },
  });
  const ballot = (await res.json()).ballot;
  expect(ballot?.id, JSON.stringify(ballot)).toBeTruthy();
  expect((await fac.request.post(`/api/ballots/${ballot.id}/open`)).ok()).toBe(true);
  return ballot.id as string;
}

it('without JavaScript, an owner sees the ballot and clause, chooses, confirms and gets a receipt; a resubmitted form counts once', async () => {
  const conv = ((await (await fac.request.get(`/api/communities/${cid}/conventions`)).json()) as { conventions: { id: string }[] })
    .conventions[0]!;
  const clause = ((await (await fac.request.get(`/api/conventions/${conv.id}`)).json()) as { clauses: { id: string; text: string }[] })
    .clauses[0]!;
  const meetingId = await liveMeeting('无脚本表决会');
  const ballotId = await openBallot(meetingId, '是否同意本条款', { clauseRef: { conventionId: conv.id, clauseId: clause.id } });

  const screenCtx = await newViewer(app, 'projector');
  await signIn(screenCtx, 'facilitator');
  const screen = await screenCtx.newPage();
  await screen.goto(`/m/${meetingId}/screen`);
  await screen.locator('[data-join-code]').waitFor({ timeout: 20_000 });

  const ctx = await app.browser.newContext({
    baseURL: app.url,
    viewport: { width: 360, height: 640 },
    locale: 'zh-CN',
    isMobile: true,
    hasTouch: true,
    javaScriptEnabled: false,
  });
  await signIn(ctx, 'yezhu');
  // The server's HTML itself holds the ballot, its clause and the choices.
  const html = await (await ctx.request.get(`/m/${meetingId}`)).text();
  expect(html).toContain('是否同意本条款');
  expect(html).toContain(clause.text.slice(0, 20));
  expect(html).toMatch(/<button[^>]*type="submit"[^>]*name="pick"[^>]*value="yes"/);

  const page = await ctx.newPage();
  await page.goto(`/m/${meetingId}`);
  await page.getByRole('heading', { name: '是否同意本条款' }).waitFor();
  expect(await page.locator('blockquote.clause').innerText()).toContain(clause.text.slice(0, 20));
  await shot(page, 'phone-nojs-ballot');

  await page.getByRole('button', { name: '同意', exact: true }).click();
  const confirm = page.getByRole('button', { name: '确认提交' });
  await confirm.waitFor();
  // Focus goes to the one action of the step, as with scripts.
  expect(await confirm.evaluate((el) => el === document.activeElement)).toBe(true);
  const key = await page.locator('input[name="key"]').inputValue();
  expect(key.length).toBeGreaterThanOrEqual(8);
  await confirm.click();
  const receiptEl = page.locator('[data-receipt]');
  await receiptEl.waitFor();
  const receipt = (await receiptEl.innerText()).trim();
  expect(receipt.length).toBeGreaterThanOrEqual(6);
  await shot(page, 'phone-nojs-receipt');

  // The projector (scripts on) counts it.
  await expect.poll(() => screen.locator('[data-option="yes"]').getAttribute('data-votes'), { timeout: 10_000 }).toBe('1');

  // The same confirmation posted again (a reload, a double tap on a slow line): same receipt, still one vote.
  const again = await ctx.request.post(`/m/${meetingId}?/vote`, {
    form: { ballotId, picked: 'yes', key },
    headers: { origin: app.url, accept: 'text/html' },
  });
  expect(again.status()).toBe(200);
  expect(await again.text()).toContain(receipt);
  const result = await (await fac.request.get(`/api/ballots/${ballotId}/result`)).json();
  expect(result.tally.options.find((o: { id: string }) => o.id === 'yes').votes).toBe(1);
  expect(result.turnout.voted).toBe(1);
  await quietFor(500, 'a second tally would come from the coalescer within its 250 ms gap: no event is ordered after it');
  expect(await screen.locator('[data-option="yes"]').getAttribute('data-votes')).toBe('1');

  // axe needs scripts to run, so it checks the same server HTML in a page whose own scripts are held
  // back (never hydrated: what a phone shows until they arrive), at the choice and the confirmation.
  const bare = await newViewer(app, 'phone');
  await signIn(bare, 'xianda');
  const barePage = await bare.newPage();
  await barePage.route(/\/_app\/.*\.js$/, (route) => route.abort());
  await barePage.goto(`/m/${meetingId}`);
  await barePage.getByRole('heading', { name: '是否同意本条款' }).waitFor();
  expect(await seriousA11yFindings(barePage)).toEqual([]);
  await barePage.getByRole('button', { name: '弃权', exact: true }).click();
  await barePage.getByRole('button', { name: '确认提交' }).waitFor();
  expect(await seriousA11yFindings(barePage)).toEqual([]);
  await bare.close();

  // A ballot that closes while the owner is on the confirmation: a clear message, no receipt.
  expect((await fac.request.post(`/api/ballots/${ballotId}/close`)).ok()).toBe(true);
  const late = await openBallot(meetingId, '是否同意延长停车时间');
  await page.goto(`/m/${meetingId}`);
  await page.getByRole('heading', { name: '是否同意延长停车时间' }).waitFor();
  await page.getByRole('button', { name: '反对', exact: true }).click();
  await page.getByRole('button', { name: '确认提交' }).waitFor();
  expect((await fac.request.post(`/api/ballots/${late}/close`)).ok()).toBe(true);
  await page.getByRole('button', { name: '确认提交' }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  expect(await alert.innerText()).toContain('表决已结束');
  expect(await page.locator('[data-receipt]').count()).toBe(0);
  await ctx.close();
  await screenCtx.close();
}, 120_000);

it('with JavaScript, the ballot is on the page before the socket connects; once it does, voting works as before', async () => {
  const meetingId = await liveMeeting('慢网络表决会');
  const ballotId = await openBallot(meetingId, '是否同意增设快递柜');
  const ctx = await newViewer(app, 'phone');
  await signIn(ctx, 'zuhu');
  const page = await ctx.newPage();
  let blocked = true;
  const held: { connectToServer(): void }[] = [];
  // Hold the socket back (as a slow line does): the WebSocket waits unanswered, long polling fails.
  await page.routeWebSocket(/\/socket\.io\//, (ws) => (blocked ? held.push(ws) : ws.connectToServer()));
  await page.route(/\/socket\.io\//, (route) => (blocked ? route.abort() : route.continue()));
  await page.goto(`/m/${meetingId}`);
  await page.getByRole('heading', { name: '是否同意增设快递柜' }).waitFor();
  // Hydrated (read aloud works only with scripts), still not connected, the choices there and enabled.
  await expect.poll(() => page.getByRole('button', { name: '朗读' }).isEnabled(), { timeout: 15_000 }).toBe(true);
  expect(await page.locator('[data-connection]').getAttribute('data-connection')).toBe('connecting');
  expect(await page.getByRole('button', { name: '同意', exact: true }).isEnabled()).toBe(true);
  await shot(page, 'phone-before-socket');

  blocked = false;
  for (const ws of held) ws.connectToServer();
  await page.locator('[data-connection="online"]').waitFor({ timeout: 20_000 });
  await page.getByRole('button', { name: '同意', exact: true }).click();
  await page.getByRole('button', { name: '确认提交' }).click();
  await page.locator('[data-receipt]').waitFor({ timeout: 15_000 });
  // The socket cast it: the page never left for a form post.
  expect(page.url()).not.toContain('?/');
  const result = await (await fac.request.get(`/api/ballots/${ballotId}/result`)).json();
  expect(result.turnout.voted).toBe(1);
  await ctx.close();
}, 120_000);
