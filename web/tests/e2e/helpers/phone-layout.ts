/**
 * Layout checks for phones, measured rather than eyeballed: what sticks out of the viewport
 * sideways (at 200% text a long code or word must wrap, not run off), and where an element sits.
 */
import type { Locator, Page } from 'playwright-core';

/** Visible elements whose box leaves the viewport sideways (selector-like descriptions), none expected. */
export async function overflowingElements(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const out: string[] = [];
    for (const el of Array.from(document.body.querySelectorAll<HTMLElement>('*'))) {
      if (el.closest('.visually-hidden, [hidden], details:not([open]) > :not(summary)')) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden' || style.position === 'fixed') continue;
      // Entirely off to the left is the skip link's way of hiding until focused, not an overflow.
      if (r.right <= 0) continue;
      if (r.left < -1 || r.right > width + 1) {
        const cls = typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\s+/).join('.') : '';
        out.push(
          `${el.tagName.toLowerCase()}${cls} [${Math.round(r.left)}, ${Math.round(r.right)}] "${(el.textContent ?? '').trim().slice(0, 30)}"`,
        );
      }
    }
    return out;
  });
}

/** The element's box relative to the top of the page (not the scrolled viewport). */
export async function pageBox(el: Locator): Promise<{ top: number; bottom: number; left: number; right: number }> {
  return el.evaluate((node) => {
    const r = node.getBoundingClientRect();
    return { top: r.top + window.scrollY, bottom: r.bottom + window.scrollY, left: r.left, right: r.right };
  });
}

/** Chromium's default font size at 32 px: what Android's largest "font size" setting does (200%). */
export async function textAt200Percent(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Page.enable');
  await cdp.send('Page.setFontSizes', { fontSizes: { standard: 32, fixed: 26 } });
}
