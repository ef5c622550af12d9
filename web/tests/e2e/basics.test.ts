/** Home, sign-in and language: the first things a person sees, in Chinese first. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCommunityId, newViewer, seriousA11yFindings, shot, signIn, startApp, type App } from './helpers/harness.ts';

let app: App;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => app?.stop());

describe('home and sign-in', () => {
  it('shows the home page in Chinese with no serious accessibility findings', async () => {
    const ctx = await newViewer(app, 'phone');
    const page = await ctx.newPage();
    await page.goto('/');
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    await expect.poll(() => page.locator('h1').innerText()).toContain('协商议事');
    expect(await page.getByRole('link', { name: '登录' }).count()).toBeGreaterThan(0);
    expect(await seriousA11yFindings(page)).toEqual([]);
    await shot(page, 'home-phone-zh');
    await ctx.close();
  });

  it('signs a facilitator in with the form and shows their name and community', async () => {
    const ctx = await newViewer(app, 'laptop');
    const page = await ctx.newPage();
    await page.goto('/login');
    expect(await seriousA11yFindings(page)).toEqual([]);
    await page.getByLabel('账号').fill('facilitator');
    await page.getByLabel('密码').fill('wrong-password');
    await page.getByRole('button', { name: '登录' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('账号或密码不正确');
    await page.getByLabel('密码').fill('linli-demo');
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL((u) => u.pathname === '/');
    await expect.poll(() => page.getByRole('link', { name: /海月花园/ }).count()).toBe(1);
    await shot(page, 'home-signed-in');
    await ctx.close();
  });

  it('switches to English and remembers it on the next visit', async () => {
    const ctx = await newViewer(app, 'phone');
    const page = await ctx.newPage();
    await page.goto('/');
    await page.getByRole('button', { name: '切换语言' }).click();
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    await page.goto('/login');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.locator('h1').innerText()).toBe('Sign in');
    expect((await ctx.cookies()).find((c) => c.name === 'linli_lang')?.value).toBe('en');
    await ctx.close();
  });

  it('signing out (from another tab) takes an open meeting page to what a signed-out person sees', async () => {
    const cid = await demoCommunityId(app);
    const ctx = await newViewer(app, 'phone');
    await signIn(ctx, 'yezhu');
    const meetings = (await (await ctx.request.get(`/api/communities/${cid}/meetings`)).json()) as {
      meetings: { id: string; status: string }[];
    };
    const meeting = meetings.meetings.find((x) => x.status === 'scheduled')!;
    const page = await ctx.newPage();
    await page.goto(`/m/${meeting.id}`);
    await page.locator('[data-connection="online"]').waitFor({ timeout: 20_000 });
    // The same browser signs out elsewhere (another tab): the server ends the session and closes its socket.
    expect((await ctx.request.post('/api/auth/logout')).ok()).toBe(true);
    // Residents have no password: the page says to rescan the slip or type the meeting code, with no 已连接 badge.
    await expect
      .poll(
        () =>
          page
            .locator('[data-signed-out]')
            .innerText()
            .catch(() => ''),
        { timeout: 20_000 },
      )
      .toContain('邀请单上的二维码');
    expect(await page.locator('[data-connection]').count()).toBe(0);
    await ctx.close();
  });
});
