/**
 * The hall: a facilitator on a laptop checks in two households whose owners came without phones
 * (by room number, in the console); the projector's Art. 278 figures move by exactly those owners'
 * areas (read from the roster API); a households ballot opens; a member is named proxy for one
 * household on written authorisation; that member's phone votes for themself and then, as proxy,
 * for that household; a paper vote is entered for a checked-in household; the ballot is closed and
 * published with a 3-day objection period; the result page marks the proxy vote and the end date.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { demoCommunityId, newViewer, seriousA11yFindings, shot, signIn, startApp, type App } from './helpers/harness.ts';

let app: App;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => app?.stop());

interface RosterRow {
  id: string;
  building: string;
  unit: string;
  room: string;
  area: number;
  owner: string;
}
const address = (h: RosterRow) => `${h.building}栋${h.unit}单元${h.room}`;
const ownerKey = (name: string) => name.normalize('NFKC').replace(/\s+/g, '').toLowerCase();
const zhNum = (n: number) => new Intl.NumberFormat('zh-CN').format(n);
const zhArea = (c: number) => new Intl.NumberFormat('zh-CN', { minimumFractionDigits: 0, maximumFractionDigits: 2 }).format(c / 100);

/** Art. 278 participation for the owners of `present` (every unit of a present owner counts), as the DOMAIN rules say. */
function expectedQuorum(roster: RosterRow[], present: RosterRow[]) {
  const owners = new Set(roster.map((h) => ownerKey(h.owner)));
  const total = roster.reduce((s, h) => s + Math.round(h.area * 100), 0);
  const here = new Set(present.map((h) => ownerKey(h.owner)));
  const area = roster.filter((h) => here.has(ownerKey(h.owner))).reduce((s, h) => s + Math.round(h.area * 100), 0);
  const need = (whole: number, part: number) => Math.max(0, Math.floor((2 * whole + 2) / 3) - part);
  return {
    owners: `${zhNum(here.size)} / ${zhNum(owners.size)} 位业主`,
    area: `${zhArea(area)} / ${zhArea(total)} ㎡`,
    needed: `还差 ${zhNum(need(owners.size, here.size))} 位业主、${zhArea(need(total, area))} ㎡ 到场`,
  };
}

async function quorumText(screen: Page): Promise<string> {
  return (await screen.locator('.quorum').innerText()).replace(/\s+/g, ' ');
}

it('hall check-in moves the projected quorum; a proxy holder votes twice, a paper vote, published with 3 days', async () => {
  const cid = await demoCommunityId(app);
  const fac = await newViewer(app, 'laptop');
  await signIn(fac, 'facilitator');
  const roster = ((await (await fac.request.get(`/api/communities/${cid}/households`)).json()) as { households: RosterRow[] }).households;
  expect(roster.length).toBeGreaterThan(10);

  // Two households of owners holding one unit each, away from the demo members' own (1栋1单元, building 1 leader…).
  const counts = new Map<string, number>();
  for (const h of roster) counts.set(ownerKey(h.owner), (counts.get(ownerKey(h.owner)) ?? 0) + 1);
  const single = roster.filter((h) => counts.get(ownerKey(h.owner)) === 1 && h.building === '3');
  const [first, second, proxied] = [single[0]!, single[4]!, single[8]!];
  expect(new Set([first.id, second.id, proxied.id]).size).toBe(3);

  const meeting = (
    await (await fac.request.post(`/api/communities/${cid}/meetings`, { data: { title: '三号楼加装电梯协商会', mode: 'hall' } })).json()
  ).meeting;
  for (const status of ['open', 'in_progress'])
    expect((await fac.request.patch(`/api/meetings/${meeting.id}`, { data: { status } })).ok()).toBe(true);

  const screenCtx = await newViewer(app, 'projector');
  await signIn(screenCtx, 'facilitator');
  const screen = await screenCtx.newPage();
  await screen.goto(`/m/${meeting.id}/screen`);
  await screen.locator('.quorum').waitFor();
  const before = expectedQuorum(roster, []);
  await expect.poll(() => quorumText(screen), { timeout: 15_000 }).toContain(before.owners);

  // The console: type the room, Enter checks in the one match; the second by its button among several.
  const console_ = await fac.newPage();
  await console_.goto(`/m/${meeting.id}/console`);
  await console_.locator('[data-connection="online"]').waitFor({ timeout: 20_000 });
  const roomBox = console_.getByLabel('房号', { exact: true }).first();
  await roomBox.fill(`${first.building}-${first.unit}-${first.room}`);
  await console_.getByRole('button', { name: `签到 ${address(first)}` }).waitFor({ timeout: 10_000 });
  await roomBox.press('Enter');
  await console_
    .getByRole('status')
    .filter({ hasText: `已签到 ${address(first)}` })
    .waitFor({ timeout: 10_000 });
  expect(await roomBox.evaluate((el) => el === document.activeElement)).toBe(true);
  // Building and room fit both units: Enter checks in nothing and goes to the matches, ↓ walks them.
  await roomBox.fill(`${second.building} ${second.room}`);
  await console_.getByRole('button', { name: `签到 ${address(second)}` }).waitFor({ timeout: 10_000 });
  await roomBox.press('Enter');
  await expect.poll(() => console_.evaluate(() => !!document.activeElement?.closest('#checkin-results'))).toBe(true);
  const firstFocus = await console_.evaluate(() => document.activeElement?.textContent?.trim());
  await console_.keyboard.press('ArrowDown');
  expect(await console_.evaluate(() => document.activeElement?.textContent?.trim())).not.toBe(firstFocus);
  expect(await console_.locator('[data-checked-in] li').count()).toBe(1);
  await console_.getByRole('button', { name: `签到 ${address(second)}` }).click();
  await console_.locator('[data-checked-in] li').nth(1).waitFor({ timeout: 10_000 });
  expect(await console_.locator('[data-checked-in]').innerText()).toContain(address(second));
  await expect
    .poll(() => console_.locator('[data-by-building] tr[data-building="3"] [data-households]').innerText(), { timeout: 10_000 })
    .toBe('2');

  const after = expectedQuorum(roster, [first, second]);
  await expect.poll(() => quorumText(screen), { timeout: 15_000 }).toContain(after.owners);
  const shown = await quorumText(screen);
  console.log(`hall quorum: before ${before.owners} ${before.area}; after two check-ins ${after.owners} ${after.area} (${after.needed})`);
  expect(shown).toContain(after.area);
  expect(shown).toContain(after.needed);
  expect(after.owners).not.toBe(before.owners);
  // The console's own quorum card says the same.
  await expect
    .poll(async () => (await console_.locator('main').innerText()).replace(/\s+/g, ' '), { timeout: 10_000 })
    .toContain(after.needed);
  expect(await seriousA11yFindings(console_)).toEqual([]);
  await shot(console_, 'hall-console-checkin');
  await shot(screen, 'hall-projector-quorum');

  // Undo and redo stays exact (a wrong room is corrected in the hall).
  await console_
    .getByRole('button', { name: `撤销签到 ${address(second)}` })
    .first()
    .click();
  await expect.poll(() => quorumText(screen), { timeout: 15_000 }).toContain(expectedQuorum(roster, [first]).owners);
  await roomBox.fill(`${second.building}-${second.unit}-${second.room}`);
  await console_.getByRole('button', { name: `签到 ${address(second)}` }).click();
  await expect.poll(() => quorumText(screen), { timeout: 15_000 }).toContain(after.owners);

  // A households ballot, opened; the proxy named in the console on written authorisation.
  const ballot = (
    await (
      await fac.request.post(`/api/meetings/${meeting.id}/ballots`, {
        data: {
          title: '是否同意三号楼加装电梯',
          kind: 'yes_no_abstain',
          rule: 'civil_code_278_ordinary',
          electorate: { kind: 'households' },
          secret: false,
          options: [],
        },
      })
    ).json()
  ).ballot;
  expect(ballot?.id).toBeTruthy();
  expect((await fac.request.post(`/api/ballots/${ballot.id}/open`)).ok()).toBe(true);
  const card = console_.locator('article.ballot').filter({ hasText: '是否同意三号楼加装电梯' });
  // The future holder's phone is open already: their own vote only, until the proxy is named.
  const phoneCtx = await newViewer(app, 'phone');
  await signIn(phoneCtx, 'yezhu');
  const phone = await phoneCtx.newPage();
  await phone.goto(`/m/${meeting.id}`);
  await phone.locator('[data-connection="online"]').waitFor({ timeout: 20_000 });
  await phone.getByRole('button', { name: '同意', exact: true }).waitFor({ timeout: 15_000 });
  expect(await phone.getByRole('heading', { name: '您代谁投票？' }).count()).toBe(0);
  await card.locator('[data-proxy-panel] summary').waitFor({ timeout: 15_000 });
  await card.locator('[data-proxy-panel] summary').click();
  await card.getByLabel('委托的房屋（房号）').fill(`${proxied.building}-${proxied.unit}-${proxied.room}`);
  await card.getByRole('button', { name: `选择 ${address(proxied)} ${proxied.owner}` }).click();
  await card.getByLabel('受托成员（姓名）').fill('张阿姨');
  await card.getByRole('button', { name: '选择 张阿姨（业主）' }).click();
  await card.getByRole('button', { name: '登记委托' }).click();
  await card
    .getByRole('status')
    .filter({ hasText: `已登记：${address(proxied)} ${proxied.owner} 由 张阿姨（业主） 代投` })
    .waitFor({ timeout: 10_000 });

  // The cap per holder is the server's: a fourth household for one person is refused, and the console says so.
  const zuhu = (
    (await (await fac.request.get(`/api/communities/${cid}/members`)).json()) as { members: { userId: string; login: string | null }[] }
  ).members.find((x) => x.login === 'zuhu')!;
  for (const h of single.slice(10, 13))
    expect(
      (await fac.request.post(`/api/ballots/${ballot.id}/proxies`, { data: { householdId: h.id, proxyUserId: zuhu.userId } })).status(),
    ).toBe(201);
  const fourth = single[13]!;
  await card.getByLabel('委托的房屋（房号）').fill(`${fourth.building}-${fourth.unit}-${fourth.room}`);
  await card.getByRole('button', { name: `选择 ${address(fourth)} ${fourth.owner}` }).click();
  await card.getByLabel('受托成员（姓名）').fill('小刘');
  await card.getByRole('button', { name: '选择 小刘（租户）' }).click();
  await card.getByRole('button', { name: '登记委托' }).click();
  await card.getByRole('alert').filter({ hasText: '每人最多受托3户' }).waitFor({ timeout: 10_000 });
  expect(await seriousA11yFindings(console_)).toEqual([]);
  await shot(console_, 'hall-console-proxy-cap');

  // The holder's phone: whose vote first (the proxy named while it was open), then one household at a time.
  await phone.getByRole('heading', { name: '您代谁投票？' }).waitFor({ timeout: 15_000 });
  expect(await seriousA11yFindings(phone)).toEqual([]);
  await shot(phone, 'hall-proxy-whose');
  await phone.getByRole('button', { name: /^为自己投票：/ }).click();
  await phone.locator('[data-voting-for]').filter({ hasText: '这是您自己' }).waitFor();
  await phone.getByRole('button', { name: '同意', exact: true }).click();
  await phone.getByRole('button', { name: '确认提交' }).click();
  await phone.locator('[data-receipt]').waitFor({ timeout: 10_000 });
  await phone.getByRole('button', { name: '返回，为下一户投票' }).click();
  const forOther = phone.getByRole('button', { name: `代 ${address(proxied)} ${proxied.owner} 投票（受托）` });
  await forOther.click();
  await phone
    .locator('[data-voting-for]')
    .filter({ hasText: `您正在代 ${address(proxied)} ${proxied.owner} 投票` })
    .waitFor();
  expect(await seriousA11yFindings(phone)).toEqual([]);
  await shot(phone, 'hall-proxy-card');
  await phone.getByRole('button', { name: '反对', exact: true }).click();
  await phone.getByRole('button', { name: '确认提交' }).click();
  const proxyReceipt = (await phone.locator('[data-receipt]').innerText({ timeout: 10_000 })).trim();
  await phone.getByRole('button', { name: '返回，为下一户投票' }).click();
  await phone.getByText('您名下和受托的各户都已投票。').waitFor({ timeout: 10_000 });

  // A paper vote in the console for a checked-in household.
  await card.getByLabel('录入纸质票：输入房号').fill(`${first.building}-${first.unit}-${first.room}`);
  await card.getByRole('button', { name: new RegExp(`^${address(first)} 业主 ${first.owner} · 面积`) }).click();
  // Owner and area are shown; the household is confirmed before a choice is recorded.
  await card.getByRole('button', { name: '确认是这一户' }).click();
  await card.getByRole('button', { name: /同意/ }).first().click();
  await console_.getByText(`已录入 ${address(first)}`).waitFor({ timeout: 10_000 });

  const voters = await (await fac.request.get(`/api/ballots/${ballot.id}/voters`)).json();
  const via = Object.fromEntries(voters.voted.map((v: { voterId: string; via: string }) => [v.voterId, v.via]));
  expect(via[proxied.id]).toBe('proxy');
  expect(via[first.id]).toBe('paper');
  expect(voters.voted.length).toBe(3);

  // Close, then publish with 3 days chosen in the console.
  expect((await fac.request.post(`/api/ballots/${ballot.id}/close`)).ok()).toBe(true);
  const days = card.getByLabel('公示期（天）');
  await days.waitFor({ timeout: 15_000 });
  expect(await days.inputValue()).toBe('7');
  await days.fill('3');
  const t0 = Date.now();
  await card.getByRole('button', { name: '公示结果' }).click();
  await expect
    .poll(async () => (await (await fac.request.get(`/api/ballots/${ballot.id}`)).json()).ballot.status, { timeout: 10_000 })
    .toBe('published');
  const published = (await (await fac.request.get(`/api/ballots/${ballot.id}`)).json()).ballot;
  expect(published.objectionDays).toBe(3);
  expect(published.objectionEndsAt - published.publishedAt).toBe(3 * 86_400_000);
  expect(published.publishedAt).toBeGreaterThanOrEqual(t0 - 1000);

  // The result page (the holder's phone): the proxy vote marked, the end of the objection period.
  await phone.goto(`/m/${meeting.id}/result/${ballot.id}`);
  const row = phone.locator(`[data-receipt-row="${proxyReceipt}"]`);
  await row.waitFor({ timeout: 15_000 });
  expect(await row.innerText()).toContain('委托');
  expect(await row.innerText()).toContain(address(proxied));
  const ends = Number(await phone.locator('[data-objection-ends]').getAttribute('data-objection-ends'));
  expect(ends).toBe(published.objectionEndsAt);
  const endDate = new Intl.DateTimeFormat('zh-CN', { dateStyle: 'medium', timeZone: 'Asia/Shanghai' }).format(
    new Date(published.publishedAt + 3 * 86_400_000),
  );
  expect(await phone.locator('[data-objection-ends]').innerText()).toContain(endDate);
  await shot(phone, 'hall-result-proxy');

  await Promise.all([phoneCtx.close(), fac.close()]);

  // A building leader checks in their own building only: the panel says so, the search and the server agree.
  const leaderCtx = await newViewer(app, 'laptop');
  await signIn(leaderCtx, 'loudong1');
  const leader = await leaderCtx.newPage();
  await leader.goto(`/m/${meeting.id}/console`);
  await leader.getByText('只显示 1 栋的住户').waitFor({ timeout: 20_000 });
  const box = leader.getByLabel('房号', { exact: true }).first();
  await box.fill(`${proxied.building}-${proxied.unit}-${proxied.room}`);
  await leader.getByText('没有找到这个房号').waitFor({ timeout: 10_000 });
  const own = roster.filter((h) => h.building === '1' && counts.get(ownerKey(h.owner)) === 1).at(-1)!;
  await box.fill(`${own.building}-${own.unit}-${own.room}`);
  await leader.getByRole('button', { name: `签到 ${address(own)}` }).waitFor({ timeout: 10_000 });
  await box.press('Enter');
  await leader
    .getByRole('status')
    .filter({ hasText: `已签到 ${address(own)}` })
    .waitFor({ timeout: 10_000 });
  const refused = await leaderCtx.request.post(`/api/meetings/${meeting.id}/check-in`, { data: { householdId: proxied.id } });
  expect(refused.status()).toBe(403);
  // The holder's phone has left; present: the three checked in and the leader (an owner, connected).
  const leaderMe = (await (await leaderCtx.request.get('/api/me')).json()) as {
    memberships: { communityId: string; householdIds: string[] }[];
  };
  const leaderHomes = roster.filter((h) => leaderMe.memberships.find((x) => x.communityId === cid)!.householdIds.includes(h.id));
  expect(leaderHomes.length).toBe(1);
  const end = expectedQuorum(roster, [first, second, own, ...leaderHomes]);
  await expect.poll(() => quorumText(screen), { timeout: 15_000 }).toContain(end.owners);
  expect(await quorumText(screen)).toContain(end.area);
  expect(await leader.locator('[data-checked-in] li').count()).toBe(3);
  await Promise.all([leaderCtx.close(), screenCtx.close()]);
});

it('the ballot form sets the most picks of a multi-choice ballot (refused outside 1..options)', async () => {
  const cid = await demoCommunityId(app);
  const fac = await newViewer(app, 'laptop');
  await signIn(fac, 'facilitator');
  const meeting = (
    await (await fac.request.post(`/api/communities/${cid}/meetings`, { data: { title: '健身器材选址', mode: 'hall' } })).json()
  ).meeting;
  const page = await fac.newPage();
  await page.goto(`/m/${meeting.id}/console`);
  await page.locator('[data-connection="online"]').waitFor({ timeout: 20_000 });
  await page.getByText('新建表决').click();
  await page.getByLabel('表决事项').fill('健身器材放在哪里（可多选）');
  await page.getByLabel('方式').selectOption({ label: '多选' });
  await page.getByLabel('选项（每行一个）').fill('北门\n中心花园\n3栋南侧\n地库入口');
  const most = page.getByLabel('最多可选几项');
  expect(await most.getAttribute('placeholder')).toBe('3');
  await most.fill('5');
  await page.getByRole('alert').filter({ hasText: '最多可选项数须在 1 到 4 之间' }).waitFor({ timeout: 10_000 });
  await page.getByRole('button', { name: '创建表决' }).click();
  await most.fill('2');
  await page.getByRole('button', { name: '创建表决' }).click();
  await page.getByText('表决已创建').waitFor({ timeout: 10_000 });
  const list = (await (await fac.request.get(`/api/meetings/${meeting.id}/ballots`)).json()).ballots as {
    title: string;
    kind: string;
    maxPicks?: number;
  }[];
  expect(list.map((b) => `${b.kind}:${b.maxPicks}`)).toEqual(['multi:2']);
  await fac.close();
});
