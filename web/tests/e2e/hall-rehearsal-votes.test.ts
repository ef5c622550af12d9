/**
 * Hall rehearsal, paper votes and minutes (issue 13): on the facilitator's 1366×768 laptop a paper
 * vote typed as an ambiguous room records nothing; "2 1 101" ranks 2栋1单元101 first (not
 * 1栋2单元101); the household is shown with owner and area and must be confirmed before a key
 * records a choice; "undo the last entry" takes it back and the tally follows. Then the minutes:
 * generated in Chinese only (no English half, no raw codes), edited in the rich-text editor with a
 * preview, published after a confirmation, and exported. Screenshots under
 * test-results/hall-rehearsal/votes-*.png; axe clean on each page.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { RESULTS_DIR, seriousA11yFindings, signIn, startApp, type App } from './helpers/harness.ts';
import { step } from './helpers/steps.ts';

let app: App;
beforeAll(async () => {
  app = await startApp({ demo: false });
});
afterAll(async () => app?.stop());

const WAIT = { timeout: 20_000 };
const DIR = path.join(RESULTS_DIR, 'hall-rehearsal');
async function shot(page: Page, name: string) {
  fs.mkdirSync(DIR, { recursive: true });
  await page.screenshot({ path: path.join(DIR, `votes-${name}.png`) });
}

const ROSTER = [
  { building: '1', unit: '2', room: '101', area: '88.50', owner: '赵一二' },
  { building: '1', unit: '1', room: '101', area: '90', owner: '钱一一' },
  { building: '2', unit: '1', room: '1101', area: '120', owner: '孙十一' },
  { building: '2', unit: '1', room: '101', area: '98.75', owner: '李二一' },
  { building: '2', unit: '2', room: '101', area: '101', owner: '周二二' },
  { building: '3', unit: '1', room: '301', area: '75', owner: '吴三一' },
];

it('a paper vote for an ambiguous room records nothing until the exact household is confirmed; undo takes it back; minutes in Chinese only, published after a confirmation, exported', async () => {
  const { ctx, api, cid, idOf, title, meetingId, ballot, tally, console_, paper, room } = await step(
    "a hall meeting with an open Art. 278 ballot, and the console's paper-vote field",
    async () => {
      const ctx: BrowserContext = await app.browser.newContext({
        baseURL: app.url,
        viewport: { width: 1366, height: 768 },
        locale: 'zh-CN',
        acceptDownloads: true,
      });
      await signIn(ctx, 'admin', app.server.adminPassword);
      const api = ctx.request;
      const cid = (await (await api.post('/api/communities', { data: { name: '彩排小区' } })).json()).community.id as string;
      expect((await api.post(`/api/communities/${cid}/households`, { data: { households: ROSTER } })).ok()).toBe(true);
      const households = (await (await api.get(`/api/communities/${cid}/households`)).json()).households as {
        id: string;
        building: string;
        unit: string;
        room: string;
      }[];
      const idOf = (b: string, u: string, r: string) => households.find((h) => h.building === b && h.unit === u && h.room === r)!.id;
      const title = '二号楼外墙维修协商会';
      const meetingId = (await (await api.post(`/api/communities/${cid}/meetings`, { data: { title, mode: 'hall' } })).json()).meeting
        .id as string;
      for (const status of ['open', 'in_progress'])
        expect((await api.patch(`/api/meetings/${meetingId}`, { data: { status } })).ok()).toBe(true);
      const ballot = (
        await (
          await api.post(`/api/meetings/${meetingId}/ballots`, {
            data: {
              title: '是否使用维修资金修外墙',
              kind: 'yes_no_abstain',
              options: [],
              rule: 'civil_code_278_major',
              electorate: { kind: 'households' },
              secret: false,
            },
          })
        ).json()
      ).ballot;
      expect((await api.post(`/api/ballots/${ballot.id}/open`)).ok()).toBe(true);
      const tally = async () => {
        const r = await (await api.get(`/api/ballots/${ballot.id}/result`)).json();
        return Object.fromEntries(r.tally.options.map((o: { id: string; votes: number }) => [o.id, o.votes]));
      };

      const console_ = await ctx.newPage();
      await console_.goto(`/m/${meetingId}/console`);
      await console_.locator('[data-connection="online"]').waitFor(WAIT);
      const paper = console_.getByRole('group', { name: '录入纸质票 / 举手票' });
      await paper.waitFor(WAIT);
      // The field says what it does.
      const room = paper.getByRole('textbox', { name: '录入纸质票：输入房号' });
      return { ctx, api, cid, idOf, title, meetingId, ballot, tally, console_, paper, room };
    },
  );

  await step('1. an ambiguous room: Enter takes nothing, a number key records nothing', async () => {
    // 1. An ambiguous room: Enter takes nothing, a number key records nothing.
    await room.fill('101');
    await paper.getByRole('listitem').nth(3).waitFor(WAIT);
    await room.press('Enter');
    await paper
      .getByRole('status')
      .filter({ hasText: /有 \d 户符合，请从列表中选择一户/ })
      .waitFor(WAIT);
    await console_.keyboard.press('1');
    expect(await paper.getByRole('region', { name: '请核对这一户' }).count()).toBe(0);
    await paper.scrollIntoViewIfNeeded();
    await shot(console_, '1-ambiguous');
  });

  await step('2. "2 1 101" ranks the exact household first', async () => {
    // 2. "2 1 101": 2栋1单元101 first and marked exact; 1栋2单元101 lower, not exact.
    await room.fill('2 1 101');
    const items = paper.getByRole('listitem');
    await expect
      .poll(async () => (await items.first().innerText()).replace(/\s+/g, ' '), WAIT)
      .toMatch(/^2栋1单元101 业主 李二一 · 面积 98\.75 ㎡ 完全相符$/);
    const texts = (await items.allInnerTexts()).map((t) => t.replace(/\s+/g, ' '));
    expect(texts.some((t) => t.startsWith('1栋2单元101') && !t.includes('完全相符'))).toBe(true);
    await items.last().scrollIntoViewIfNeeded();
    await shot(console_, '2-ranked');
  });

  const { check } = await step('3. Enter picks the exact household; it is shown and nothing is recorded yet', async () => {
    // 3. Enter picks the exact household; it is shown (owner, area) and nothing is recorded yet.
    await room.press('Enter');
    const check = paper.getByRole('region', { name: '请核对这一户' });
    await check.waitFor(WAIT);
    expect(await check.getAttribute('data-household')).toBe(idOf('2', '1', '101'));
    expect((await check.innerText()).replace(/\s+/g, ' ')).toContain('2栋1单元101 业主 李二一 · 面积 98.75 ㎡');
    await console_.keyboard.press('1'); // before confirming: nothing
    expect(await check.getByRole('button', { name: /同意/ }).count()).toBe(0);
    expect(await tally()).toEqual({ yes: 0, no: 0, abstain: 0 });
    await shot(console_, '3-confirm');
    expect(await seriousA11yFindings(console_)).toEqual([]);
    return { check };
  });

  await step('4. confirm, then 1 records 同意 for that household', async () => {
    // 4. Confirm (Enter on the focused button), then 1 records 同意 for that household.
    await expect.poll(() => console_.evaluate(() => document.activeElement?.textContent?.trim()), WAIT).toBe('确认是这一户');
    await console_.keyboard.press('Enter');
    await check.getByRole('button', { name: /同意/ }).waitFor(WAIT);
    await console_.keyboard.press('1');
    await console_.getByText('已录入 2栋1单元101').first().waitFor(WAIT);
    await expect.poll(tally, WAIT).toEqual({ yes: 1, no: 0, abstain: 0 });
    const voters = (await (await api.get(`/api/ballots/${ballot.id}/voters`)).json()).voted as { voterId: string; via: string }[];
    expect(voters).toEqual([expect.objectContaining({ voterId: idOf('2', '1', '101'), via: 'paper' })]);
    await paper.getByText(/上一笔：2栋1单元101 同意（回执 [A-Z0-9]+）/).waitFor(WAIT);
    await shot(console_, '4-recorded');
  });

  await step('5. undo the last entry: the tally goes back, the chain records it', async () => {
    // 5. Undo the last entry: the tally goes back, the chain records it.
    await paper.getByRole('button', { name: '撤销上一笔' }).click();
    await console_.getByText('已撤销 2栋1单元101 的纸质票').first().waitFor(WAIT);
    await expect.poll(tally, WAIT).toEqual({ yes: 0, no: 0, abstain: 0 });
    const audit = (await (await api.get(`/api/ballots/${ballot.id}/audit?format=json`)).json()).entries as { type: string }[];
    expect(audit.map((e) => e.type)).toEqual(['created', 'opened', 'paper_vote', 'paper_vote_undone']);
    expect(await paper.getByRole('button', { name: '撤销上一笔' }).count()).toBe(0);
    await shot(console_, '5-undone');
    expect(await seriousA11yFindings(console_)).toEqual([]);
  });

  await step('close the ballot (no valid vote: not passed) and the meeting', async () => {
    // Close the ballot (no valid vote: not passed) and the meeting.
    expect((await api.post(`/api/ballots/${ballot.id}/close`)).ok()).toBe(true);
    expect((await api.patch(`/api/meetings/${meetingId}`, { data: { status: 'closed' } })).ok()).toBe(true);
  });

  const { minutes, doc } = await step('6. minutes generated in Chinese only, with plain reasons and rules', async () => {
    // 6. Minutes: generated in Chinese only, with plain reasons and rules.
    const minutes = await ctx.newPage();
    await minutes.goto(`/c/${cid}/meetings/${meetingId}/minutes`);
    const doc = minutes.locator('article.doc');
    await doc.getByRole('heading', { name: `会议纪要：${title}` }).waitFor(WAIT);
    const generated = await doc.innerText();
    expect(generated).toContain('是否使用维修资金修外墙：未通过。原因：没有有效票。表决规则：民法典第二百七十八条 重大事项');
    expect(generated).not.toMatch(/Minutes|not passed|passed|quorum|civil_code|no_votes|[a-z]+_[a-z]+/);
    return { minutes, doc };
  });

  await step('7. edit the minutes in the rich-text editor; the preview follows', async () => {
    // 7. Edit in the rich-text editor (no Markdown): a bold subheading and a paragraph; the preview follows.
    await minutes.getByRole('button', { name: '编辑纪要' }).click();
    const editor = minutes.getByRole('textbox', { name: '纪要内容' });
    await editor.click();
    await minutes.keyboard.press('Control+End');
    await minutes.keyboard.press('Enter');
    await minutes.getByRole('toolbar', { name: '格式' }).getByRole('button', { name: '小标题' }).click();
    await minutes.keyboard.insertText('会后事项');
    await minutes.keyboard.press('Enter');
    await minutes.keyboard.insertText('物业两周内提交外墙维修报价。');
    await doc.getByRole('heading', { name: '会后事项' }).waitFor(WAIT);
    await doc.getByText('物业两周内提交外墙维修报价。').waitFor(WAIT);
    await shot(minutes, '6-editor');
    expect(await seriousA11yFindings(minutes)).toEqual([]);
    await minutes.getByRole('button', { name: '保存', exact: true }).click();
    await minutes.getByText('纪要已保存').first().waitFor(WAIT);
  });

  await step('8. publish only after the confirmation; cancelling publishes nothing', async () => {
    // 8. Publish only after the confirmation; cancelling publishes nothing.
    await minutes.getByRole('button', { name: '发布纪要' }).click();
    const dialog = minutes.getByRole('dialog', { name: '发布会议纪要？' });
    await dialog.waitFor(WAIT);
    await shot(minutes, '7-confirm-publish');
    expect(await seriousA11yFindings(minutes)).toEqual([]);
    await dialog.getByRole('button', { name: '关闭' }).click();
    await dialog.waitFor({ state: 'hidden', ...WAIT });
    expect(await minutes.locator('[data-minutes-state]').getAttribute('data-minutes-state')).toBe('draft');
    await minutes.getByRole('button', { name: '发布纪要' }).click();
    await dialog.getByRole('button', { name: '确认发布' }).click();
    await expect.poll(() => minutes.locator('[data-minutes-state]').getAttribute('data-minutes-state'), WAIT).toBe('published');
    await shot(minutes, '8-published');
  });

  await step('9. exports carry the same Chinese-only text', async () => {
    // 9. Exports: the same Chinese-only text.
    const [md] = await Promise.all([minutes.waitForEvent('download', WAIT), minutes.getByRole('link', { name: '导出 Markdown' }).click()]);
    const markdown = fs.readFileSync((await md.path())!, 'utf8');
    expect(markdown).toContain(`# 会议纪要：${title}`);
    expect(markdown).toContain('## 会后事项');
    expect(markdown).toContain('物业两周内提交外墙维修报价。');
    expect(markdown).not.toMatch(/Minutes|passed|quorum|civil_code|no_votes|[a-z]+_[a-z]+/);
    const [docx] = await Promise.all([
      minutes.waitForEvent('download', WAIT),
      minutes.getByRole('link', { name: '导出 Word（.docx）' }).click(),
    ]);
    expect(
      fs
        .readFileSync((await docx.path())!)
        .subarray(0, 2)
        .toString('latin1'),
    ).toBe('PK');
  });
  await ctx.close();
}, 240_000);
