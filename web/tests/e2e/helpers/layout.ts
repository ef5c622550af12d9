/**
 * Layout assertions, not eyeballing: what on a page runs outside the viewport or is cut off by its
 * box, and the computed font size of elements. Reusable for any page and viewport (the projector at
 * 1280×720 and 1920×1080, a phone at 200% text).
 */
import type { Page } from 'playwright-core';

/** One element that does not fit: a short CSS-like path, its text, and why. */
export interface Overflow {
  path: string;
  text: string;
  why: string;
}

/**
 * Every visible element that reaches outside the viewport (left, top, right, bottom), or whose
 * text is clipped by its own box (overflow hidden/clip/auto with content larger than the box,
 * text-overflow ellipsis, line clamps; a box holding no text, such as a bar, may clip its marker). Skipped: invisible elements, screen-reader-only text
 * (clipped 1 px boxes), and `opts.ignore` selectors. `opts.scroll`: true when the page may scroll
 * vertically (a phone): then only the horizontal direction counts for the viewport.
 */
export async function overflows(page: Page, opts: { ignore?: string[]; scroll?: boolean; tolerance?: number } = {}): Promise<Overflow[]> {
  return page.evaluate(
    ({ ignore, scroll, tol }) => {
      const out: { path: string; text: string; why: string }[] = [];
      const vw = document.documentElement.clientWidth;
      const vh = window.innerHeight;
      const pathOf = (el: Element): string => {
        const parts: string[] = [];
        for (let e: Element | null = el; e && e !== document.body && parts.length < 4; e = e.parentElement) {
          const cls = [...e.classList].filter((c) => !c.startsWith('svelte-')).slice(0, 2);
          parts.unshift(e.tagName.toLowerCase() + (cls.length ? '.' + cls.join('.') : ''));
        }
        return parts.join(' > ');
      };
      const skipped = (el: Element) => ignore.some((sel) => el.closest(sel));
      for (const el of document.body.querySelectorAll('*')) {
        if (skipped(el) || (el.closest('svg') && el.tagName.toLowerCase() !== 'svg')) continue;
        const cs = getComputedStyle(el);
        if (cs.display === 'none' || cs.visibility === 'hidden' || cs.visibility === 'collapse') continue;
        if (el.closest('.visually-hidden')) continue;
        const r = el.getBoundingClientRect();
        if (r.width === 0 && r.height === 0) continue;
        if (cs.position === 'absolute' && cs.clip === 'rect(0px, 0px, 0px, 0px)') continue;
        const text = (el as HTMLElement).innerText?.trim().slice(0, 60) ?? '';
        const why: string[] = [];
        if (r.left < -tol) why.push(`left ${r.left.toFixed(0)} < 0`);
        if (r.right > vw + tol) why.push(`right ${r.right.toFixed(0)} > ${vw}`);
        if (!scroll) {
          if (r.top < -tol) why.push(`top ${r.top.toFixed(0)} < 0`);
          if (r.bottom > vh + tol) why.push(`bottom ${r.bottom.toFixed(0)} > ${vh}`);
        }
        const clips = (v: string) => v === 'hidden' || v === 'clip' || v === 'auto' || v === 'scroll';
        const h = el as HTMLElement;
        // A box clipping only decoration (a bar's marker) hides nothing anyone reads: only text counts.
        if (!text) {
          if (why.length) out.push({ path: pathOf(el), text, why: why.join('; ') });
          continue;
        }
        if (clips(cs.overflowX) && h.scrollWidth > h.clientWidth + tol)
          why.push(`content ${h.scrollWidth} wider than box ${h.clientWidth}`);
        if (clips(cs.overflowY) && h.scrollHeight > h.clientHeight + tol && el !== document.scrollingElement)
          why.push(`content ${h.scrollHeight} taller than box ${h.clientHeight}`);
        if (cs.textOverflow === 'ellipsis' && h.scrollWidth > h.clientWidth + tol) why.push('text cut with …');
        if (why.length) out.push({ path: pathOf(el), text, why: why.join('; ') });
      }
      const doc = document.documentElement;
      if (doc.scrollWidth > vw + tol) out.push({ path: 'html', text: '', why: `page ${doc.scrollWidth} wider than viewport ${vw}` });
      if (!scroll && doc.scrollHeight > vh + tol)
        out.push({ path: 'html', text: '', why: `page ${doc.scrollHeight} taller than viewport ${vh}` });
      return out;
    },
    { ignore: opts.ignore ?? [], scroll: opts.scroll === true, tol: opts.tolerance ?? 1 },
  );
}

/** Computed font sizes (px) of the elements matching `selector`, with their text. */
export async function fontSizes(page: Page, selector: string): Promise<{ text: string; px: number }[]> {
  return page
    .locator(selector)
    .evaluateAll((els) =>
      els.map((el) => ({ text: (el as HTMLElement).innerText.trim().slice(0, 60), px: parseFloat(getComputedStyle(el).fontSize) })),
    );
}
