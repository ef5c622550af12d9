/**
 * One household, one vote, on the facilitator's console: while an Art. 278 ballot is open, an
 * administrator gives a member another household; the console shows the notice (with the audit
 * entry to read) without a reload. And a guest cannot join under a staff member's name: the join
 * page says why, in the reader's language.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { demoCommunityId, newViewer, seriousA11yFindings, shot, signIn, startApp, type App } from './helpers/harness.ts';

let app: App;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => app?.stop());

it('shows the facilitator a change of holdings made while the ballot is open', async () => {
  const cid = await demoCommunityId(app);
  const fac = await newViewer(app, 'laptop');
  await signIn(fac, 'facilitator');
  const meeting = (
    await (await fac.request.post(`/api/communities/${cid}/meetings`, { data: { title: '续聘物业表决会', mode: 'hall' } })).json()
  ).meeting;
  const ballot = (
    await (
      await fac.request.post(`/api/meetings/${meeting.id}/ballots`, {
        data: {
          title: '续聘海月物业',
          kind: 'yes_no_abstain',
          options: [],
          rule: 'civil_code_278_ordinary',
          electorate: { kind: 'households' },
          secret: false,
        },
      })
    ).json()
  ).ballot;
  expect((await fac.request.post(`/api/ballots/${ballot.id}/open`)).ok()).toBe(true);

  const page = await fac.newPage();
  await page.goto(`/m/${meeting.id}/console`);
  await page.locator('[data-connection="online"]').waitFor({ timeout: 20_000 });
  await page.getByText('续聘海月物业').first().waitFor();
  expect(await page.locator('[data-holdings-notice]').count()).toBe(0);

  const admin = await newViewer(app, 'laptop');
  await signIn(admin, 'admin', app.server.adminPassword);
  const members = (await (await admin.request.get(`/api/communities/${cid}/members`)).json()).members as {
    userId: string;
    login: string | null;
    householdIds: string[];
  }[];
  const owner = members.find((x) => x.login === 'yezhu')!;
  const households = (await (await admin.request.get(`/api/communities/${cid}/households`)).json()).households as { id: string }[];
  const extra = households.find((h) => !owner.householdIds.includes(h.id))!;
  const r = await admin.request.patch(`/api/communities/${cid}/members/${owner.userId}`, {
    data: { householdIds: [...owner.householdIds, extra.id] },
  });
  expect(r.ok()).toBe(true);

  const notice = page.locator('[data-holdings-notice]');
  await notice.waitFor({ timeout: 15_000 });
  await expect.poll(() => notice.innerText()).toContain('表决进行中，管理员更改了成员名下的房屋（1 次）');
  expect(await notice.getByRole('link').getAttribute('href')).toBe(`/api/ballots/${ballot.id}/audit`);
  expect(await seriousA11yFindings(page)).toEqual([]);
  await shot(page, 'trust-members-console-notice');
  await admin.close();
  await fac.close();
}, 120_000);

it('refuses a guest who takes a staff member’s name, saying so on the join page', async () => {
  const cid = await demoCommunityId(app);
  const fac = await newViewer(app, 'laptop');
  await signIn(fac, 'facilitator');
  const meeting = (await (await fac.request.post(`/api/communities/${cid}/meetings`, { data: { title: '楼道议事', mode: 'hall' } })).json())
    .meeting;
  await fac.close();

  const phone = await newViewer(app, 'phone');
  const page = await phone.newPage();
  await page.goto('/join');
  await page.getByLabel('会议码', { exact: true }).fill(meeting.joinCode);
  await page.getByLabel('您的称呼（可不填）', { exact: true }).fill('周老师 （主持人）');
  await page.getByRole('button', { name: '进入会议' }).click();
  const alert = page.getByText('该名称与本小区工作人员的名字相近');
  await alert.waitFor({ timeout: 20_000 });
  expect(page.url()).toContain('/join');
  expect(await seriousA11yFindings(page)).toEqual([]);
  await phone.close();
}, 120_000);
