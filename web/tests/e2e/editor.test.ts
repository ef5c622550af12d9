/**
 * Two people edit one convention in Chromium: Latin typing and Chinese IME composition (CDP
 * Input.imeSetComposition then Input.insertText) in one clause, one after the other and at the
 * same time; both pages and the server end with the same text, every character once.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import fs from 'node:fs';
import { strFromU8, unzipSync } from 'fflate';
import type { BrowserContext, CDPSession, Locator, Page } from 'playwright-core';
import { demoCommunityId, newViewer, seriousA11yFindings, shot, signIn, startApp, type App } from './helpers/harness.ts';

let app: App;
let a: BrowserContext;
let b: BrowserContext;
let pa: Page;
let pb: Page;
let conv: { id: string };
let clauseIds: string[];
let updatesToA = 0;

beforeAll(async () => {
  app = await startApp();
  const cid = await demoCommunityId(app);
  a = await newViewer(app, 'laptop');
  b = await newViewer(app, 'laptop');
  await signIn(a, 'facilitator');
  await signIn(b, 'xianda');
  const list = await (await a.request.get(`/api/communities/${cid}/conventions`)).json();
  conv = list.conventions[0];
  clauseIds = (await serverClauses()).map((c) => c.id);
  pa = await a.newPage();
  pb = await b.newPage();
  // A step that cannot happen fails at its own line, not at the test's timeout.
  pa.setDefaultTimeout(20_000);
  pb.setDefaultTimeout(20_000);
  // Count the document updates page A receives (y-websocket: sync message 0, Update 2), so a test
  // can know that the other person's typing really reached A.
  pa.on('websocket', (ws) =>
    ws.on('framereceived', ({ payload }) => {
      if (typeof payload !== 'string' && payload[0] === 0 && payload[1] === 2) updatesToA++;
    }),
  );
  await pa.goto(`/conventions/${conv.id}`);
  await pb.goto(`/conventions/${conv.id}`);
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await app?.stop();
});

/** The server's copy of the clauses, read from the live document (GET /api/conventions/:id). */
async function serverClauses(): Promise<{ id: string; text: string }[]> {
  return (await (await a.request.get(`/api/conventions/${conv.id}`)).json()).clauses;
}
/** A clause's text on the server, paragraphs joined as the page's textContent joins them. */
const serverText = async (clauseId: string) => ((await serverClauses()).find((c) => c.id === clauseId)?.text ?? '').replace(/\n/g, '');

/** The clause editor of one clause on a page. */
const clauseEditor = (page: Page, clauseId: string) => page.locator(`li[data-clause-id="${clauseId}"] .ProseMirror`);

/** The clause's own text, without the other people's cursor labels (widgets, not content). */
const clauseText = (el: Element) => {
  const copy = el.cloneNode(true) as Element;
  copy.querySelectorAll('.ProseMirror-yjs-cursor').forEach((c) => c.remove());
  return copy.textContent ?? '';
};

const count = (text: string, part: string) => text.split(part).length - 1;

/**
 * Puts the caret at the start or the end of a clause as a person would with the keyboard, and
 * checks it got there (a click just before can still move the caret back where the mouse was).
 */
async function caretTo(page: Page, editor: Locator, edge: 'start' | 'end'): Promise<void> {
  await editor.focus();
  await expect
    .poll(
      async () => {
        await page.keyboard.press(edge === 'start' ? 'Control+Home' : 'Control+End');
        return editor.evaluate((el, atEnd) => {
          const sel = getSelection();
          if (!sel?.isCollapsed || !sel.focusNode || !el.contains(sel.focusNode)) return false;
          const range = document.createRange();
          range.selectNodeContents(el);
          if (atEnd) range.setStart(sel.focusNode, sel.focusOffset);
          else range.setEnd(sel.focusNode, sel.focusOffset);
          const part = range.cloneContents();
          part.querySelectorAll('.ProseMirror-yjs-cursor').forEach((c) => c.remove());
          return part.textContent === '';
        }, edge === 'end');
      },
      { timeout: 10_000 },
    )
    .toBe(true);
}

/** Types through the IME as a pinyin keyboard does: composition steps, then the commit. */
async function compose(cdp: CDPSession, steps: string[]): Promise<void> {
  for (const text of steps) await cdp.send('Input.imeSetComposition', { text, selectionStart: text.length, selectionEnd: text.length });
}

it('Latin from one page then IME Chinese from the other, in one clause, converge on both pages and on the server', async () => {
  const ea = clauseEditor(pa, clauseIds[0]!);
  const eb = clauseEditor(pb, clauseIds[0]!);
  await ea.waitFor();
  await eb.waitFor();
  await expect.poll(() => eb.evaluate(clauseText)).toBe(await ea.evaluate(clauseText));

  await caretTo(pa, ea, 'end');
  await caretTo(pb, eb, 'start');
  const cdp = await a.newCDPSession(pa);
  await pb.keyboard.type('abc', { delay: 30 });
  for (const [composing, final] of [
    ['zao', '噪'],
    ['yin', '音'],
  ] as const) {
    await compose(cdp, [composing]);
    await cdp.send('Input.insertText', { text: final });
  }
  await cdp.detach();

  await expect.poll(async () => (await ea.evaluate(clauseText)) === (await eb.evaluate(clauseText)), { timeout: 10_000 }).toBe(true);
  const text = await ea.evaluate(clauseText);
  expect(count(text, '噪音')).toBe(1);
  expect(count(text, 'abc')).toBe(1);
  expect(text).not.toContain('zao');
  await expect.poll(() => serverText(clauseIds[0]!), { timeout: 10_000 }).toBe(text);
  expect(await seriousA11yFindings(pa)).toEqual([]);
  await shot(pa, 'editor-two-people');
});

/** Three words typed through a pinyin IME: the composition steps, then the committed word. */
const WORDS = [
  [['z', 'za', 'zao', 'zaoy', 'zaoyi', 'zaoyin'], '噪音'],
  [['s', 'sh', 'shi', 'shij', 'shiji', 'shijian'], '时间'],
  [['w', 'wa', 'wan', 'wans', 'wansh', 'wanshang'], '晚上'],
] as const;

it.each([
  ['at the same place', 1, 'end'],
  ['at the start of the clause', 3, 'start'],
] as const)(
  'one person types into a clause WHILE the other is in the middle of IME compositions there (%s): no pinyin left, nothing lost or doubled',
  async (_where, index, bEdge) => {
    const clauseId = clauseIds[index]!;
    const ea = clauseEditor(pa, clauseId);
    const eb = clauseEditor(pb, clauseId);
    await expect.poll(async () => (await ea.evaluate(clauseText)) === (await eb.evaluate(clauseText)), { timeout: 10_000 }).toBe(true);
    const original = await ea.evaluate(clauseText);
    expect(original.length).toBeGreaterThan(0);

    // A composes at the end of the clause; B types next to it, or at the start.
    await caretTo(pa, ea, 'end');
    await caretTo(pb, eb, bEdge);
    const cdp = await a.newCDPSession(pa);
    const letters = 'ABCDEFGHIJKLMNOPQR';
    let k = 0;
    for (const [steps, word] of WORDS) {
      for (const step of steps) {
        await compose(cdp, [step]);
        // B types one letter, and it reaches page A while A is still composing.
        const before = updatesToA;
        await pb.keyboard.type(letters[k++]!);
        await expect.poll(() => updatesToA - before, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
      }
      await cdp.send('Input.insertText', { text: word });
    }
    await cdp.detach();
    const words = WORDS.map(([, word]) => word).join('');

    // Every copy: the original, B's letters in B's order, A's words in A's order, nothing else.
    // (Concurrent inserts at one place may interleave runs; Yjs orders them the same everywhere.)
    const done = (t: string) => {
      if (bEdge === 'start') return t === letters + original + words;
      if (!t.startsWith(original)) return false;
      const tail = t.slice(original.length);
      return tail.replace(/[^A-Z]/g, '') === letters && tail.replace(/[A-Z]/g, '') === words;
    };
    await expect.poll(() => ea.evaluate(clauseText), { timeout: 10_000 }).toSatisfy(done);
    const text = await ea.evaluate(clauseText);
    await expect.poll(() => eb.evaluate(clauseText), { timeout: 10_000 }).toBe(text);
    await expect.poll(() => serverText(clauseId), { timeout: 10_000 }).toBe(text);
    for (const [, word] of WORDS) expect(count(text, word)).toBe(count(original, word) + 1);
    expect(text).not.toMatch(/[a-z]/);
  },
);

it('a comment and a suggestion made on one page appear live on the other, where a writer accepts the suggestion and the clause changes on both', async () => {
  const clauseId = clauseIds[2]!;
  const clauseA = pa.locator(`li[data-clause-id="${clauseId}"]`);
  const clauseB = pb.locator(`li[data-clause-id="${clauseId}"]`);
  const ea = clauseEditor(pa, clauseId);
  const eb = clauseEditor(pb, clauseId);
  await expect.poll(async () => (await ea.evaluate(clauseText)) === (await eb.evaluate(clauseText)), { timeout: 10_000 }).toBe(true);
  const before = await ea.evaluate(clauseText);

  // A selects the clause's first four characters and comments on them.
  await clauseA.getByText(/^评论与修改建议/).click();
  await caretTo(pa, ea, 'start');
  for (let k = 0; k < 4; k++) await pa.keyboard.press('Shift+ArrowRight');
  await expect.poll(() => pa.evaluate(() => getSelection()?.toString())).toBe(before.slice(0, 4));
  await clauseA.getByRole('textbox', { name: /您的评论/ }).fill('晚上十点以后也请注意广场舞音量。');
  await expect.poll(() => clauseA.locator('.about q').allTextContents(), { timeout: 10_000 }).toEqual([before.slice(0, 4)]);
  await clauseA.getByRole('button', { name: '发表评论' }).click();
  // B sees it without reloading, with the passage it is about.
  await clauseB.getByText('晚上十点以后也请注意广场舞音量。').waitFor({ timeout: 15_000 });
  expect(await clauseB.locator('blockquote').textContent()).toBe(before.slice(0, 4));

  // A suggests a new text with a reason.
  const proposal = '饲养宠物须依法登记并接种疫苗，外出时牵绳，粪便由主人即时清理。';
  await clauseA.getByText('提出修改建议').click();
  const field = clauseA.getByRole('textbox', { name: /建议的条款全文/ });
  await expect.poll(() => field.inputValue()).toBe(before); // the form starts from the clause's text
  await field.fill(proposal);
  await clauseA.getByRole('textbox', { name: /理由/ }).fill('补充登记和疫苗要求');
  await clauseA.getByRole('button', { name: '提交建议' }).click();
  await clauseB.getByText('理由：补充登记和疫苗要求').waitFor({ timeout: 15_000 });
  // Shown as a diff: what would be inserted is marked.
  expect(await clauseB.locator('ins').count()).toBeGreaterThan(0);

  // B (a writer: 乡贤 may edit) accepts; the clause text changes on both pages and on the server.
  expect(await seriousA11yFindings(pb)).toEqual([]);
  await clauseB.getByRole('button', { name: /^采纳.*的建议$/ }).click();
  await expect.poll(() => eb.evaluate(clauseText), { timeout: 15_000 }).toBe(proposal);
  await expect.poll(() => ea.evaluate(clauseText), { timeout: 15_000 }).toBe(proposal);
  await expect.poll(() => serverText(clauseId), { timeout: 10_000 }).toBe(proposal);
  // Both pages say it was accepted, and nobody can accept it twice.
  await clauseA.getByText('已采纳').waitFor({ timeout: 10_000 });
  await clauseB.getByText('已采纳').waitFor({ timeout: 10_000 });
  expect(await clauseB.getByRole('button', { name: /^采纳.*的建议$/ }).count()).toBe(0);
  await shot(pb, 'editor-suggestion-accepted');
});

it('export to Word from the page downloads a .docx whose document.xml holds the clauses', async () => {
  const clauses = await serverClauses();
  const [download] = await Promise.all([
    pa.waitForEvent('download', { timeout: 20_000 }),
    pa.getByRole('link', { name: '导出 Word' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/\.docx$/);
  const file = await download.path();
  const zip = unzipSync(new Uint8Array(fs.readFileSync(file)));
  expect(Object.keys(zip)).toContain('word/document.xml');
  // Word splits text into runs; compare the text of the runs, joined.
  const xml = strFromU8(zip['word/document.xml']!);
  const text = [...xml.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((x) => x[1]).join('');
  expect(clauses.length).toBeGreaterThan(5);
  for (const clause of clauses) {
    for (const paragraph of clause.text.split('\n').filter(Boolean)) expect(text).toContain(paragraph);
  }
});

it('deleting a clause asks first in a dialog: closing it keeps the clause, confirming removes it on both pages and the server', async () => {
  const before = await serverClauses();
  const last = before.at(-1)!;
  const n = before.length;
  const item = (page: Page) => page.locator(`li[data-clause-id="${last.id}"]`);
  await pa.getByRole('button', { name: `删除第 ${n} 条`, exact: true }).click();
  const dialog = pa.getByRole('dialog', { name: `删除第 ${n} 条` });
  await dialog.waitFor();
  expect(await seriousA11yFindings(pa)).toEqual([]);
  await dialog.getByRole('button', { name: '关闭对话框' }).click();
  await dialog.waitFor({ state: 'hidden' });
  expect((await serverClauses()).length).toBe(n);
  await pa.getByRole('button', { name: `删除第 ${n} 条`, exact: true }).click();
  await dialog.getByRole('button', { name: `删除第 ${n} 条` }).click();
  await item(pa).waitFor({ state: 'detached' });
  await item(pb).waitFor({ state: 'detached' });
  await expect.poll(async () => (await serverClauses()).map((c) => c.id)).toEqual(before.slice(0, -1).map((c) => c.id));
});
