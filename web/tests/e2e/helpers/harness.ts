/**
 * End-to-end harness: a real redis-server, the real Linli server (demo community on), and the
 * machine's Chromium driven by playwright-core. Pages are used as a person would use them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { expect } from 'vitest';
import { startRedis, startServer, ROOT, type TestRedis, type TestServer } from '../../../../server/test/helpers/processes.ts';

export { ROOT };
/** Password of every demo account (members.demo.ts); demo only. */
export const DEMO_PASSWORD = 'linli-demo';
export const RESULTS_DIR = path.join(ROOT, 'test-results');

export interface App {
  url: string;
  redis: TestRedis;
  server: TestServer;
  browser: Browser;
  stop(): Promise<void>;
}

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Starts Redis, the server with the demo community, and one Chromium. */
export async function startApp(opts: { demo?: boolean; env?: Record<string, string> } = {}): Promise<App> {
  const redis = await startRedis();
  const server = await startServer({ redisUrl: redis.url, env: { LINLI_DEMO: opts.demo === false ? '0' : '1', ...opts.env } });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  return {
    url: server.url,
    redis,
    server,
    browser,
    async stop() {
      await browser.close().catch(() => {});
      await server.stop();
      await redis.stop();
      // The server's own log beside the screenshots, for a failure seen only in CI.
      fs.mkdirSync(RESULTS_DIR, { recursive: true });
      fs.writeFileSync(
        path.join(RESULTS_DIR, `server-${path.basename(expect.getState().testPath ?? String(server.port))}.log`),
        server.logs.join('\n'),
      );
    },
  };
}

export type Viewer = 'phone' | 'laptop' | 'projector';

/** A fresh browser context: a phone (360×640, touch), a laptop, or a projector (1920×1080). */
export async function newViewer(app: App, kind: Viewer, opts: { locale?: string; dark?: boolean } = {}): Promise<BrowserContext> {
  const size =
    kind === 'phone' ? { width: 360, height: 640 } : kind === 'projector' ? { width: 1920, height: 1080 } : { width: 1366, height: 800 };
  return app.browser.newContext({
    baseURL: app.url,
    viewport: size,
    locale: opts.locale ?? 'zh-CN',
    isMobile: kind === 'phone',
    hasTouch: kind === 'phone',
    deviceScaleFactor: kind === 'phone' ? 2 : 1,
    colorScheme: opts.dark ? 'dark' : 'light',
  });
}

/** Signs a context in through the API (cookie lands in the context). */
export async function signIn(ctx: BrowserContext, login: string, password = DEMO_PASSWORD): Promise<void> {
  const res = await ctx.request.post('/api/auth/login', { data: { login, password } });
  if (!res.ok()) throw new Error(`login ${login} failed: ${res.status()} ${await res.text()}`);
}

/** The demo community's id (the first community the admin sees). */
export async function demoCommunityId(app: App): Promise<string> {
  const ctx = await app.browser.newContext({ baseURL: app.url });
  await signIn(ctx, 'admin', app.server.adminPassword);
  const body = (await (await ctx.request.get('/api/communities')).json()) as { communities: { id: string }[] };
  await ctx.close();
  if (!body.communities[0]) throw new Error('no demo community');
  return body.communities[0].id;
}

/** axe-core on the page as it is now: the serious and critical findings (should be none). */
export async function seriousA11yFindings(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} — ${v.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 3)
          .join(', ')}`,
    );
}

/** Saves a screenshot under test-results/ for people to review. */
export async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  await page.screenshot({ path: path.join(RESULTS_DIR, `${name}.png`), fullPage: false });
}
