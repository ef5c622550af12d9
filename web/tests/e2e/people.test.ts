/**
 * People pages of issue 4, used as a person would: the admin imports a roster file with a dry run
 * and edits a household; a building leader prints the slips of their building (8 per A4 page);
 * a phone scans a slip's link, joins and names itself; the member list shows the newcomer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { demoCommunityId, newViewer, seriousA11yFindings, shot, signIn, startApp, type App } from './helpers/harness.ts';

let app: App;
let cid: string;
let communityName: string;
/** The code of a slip the building leader printed, handed to the phone test. */
let slipCode = '';
let slipHousehold = '';

async function adminContext(kind: 'laptop' | 'phone' = 'laptop'): Promise<BrowserContext> {
  const ctx = await newViewer(app, kind);
  await signIn(ctx, 'admin', app.server.adminPassword);
  return ctx;
}

beforeAll(async () => {
  app = await startApp();
  cid = await demoCommunityId(app);
  const ctx = await adminContext();
  communityName = ((await (await ctx.request.get(`/api/communities/${cid}`)).json()) as { community: { name: string } }).community.name;
  await ctx.close();
});
afterAll(async () => app?.stop());

describe('community home', () => {
  it('shows the admin the community name and links to roster, members and slips', async () => {
    const ctx = await adminContext();
    const page = await ctx.newPage();
    await page.goto(`/c/${cid}`);
    await expect.poll(() => page.locator('h1').innerText()).toBe(communityName);
    for (const name of ['住户名册', '成员与角色', '打印邀请单', '议事会']) {
      expect(await page.getByRole('link', { name: new RegExp(name) }).count(), name).toBe(1);
    }
    expect(await seriousA11yFindings(page)).toEqual([]);
    await shot(page, 'people-community-home-admin');
    await ctx.close();
  });
});

describe('roster', () => {
  it('imports a small CSV through the page: dry run shows the counts and rejected lines, apply writes, re-import changes nothing', async () => {
    const ctx = await adminContext();
    // One existing household with a new area, so the file updates as well as creates.
    const existing = (
      (await (await ctx.request.get(`/api/communities/${cid}/households?q=1-1-101`)).json()) as {
        households: { id: string; building: string; unit: string; room: string; areaCentiares: number; owner: string }[];
      }
    ).households.find((h) => h.building === '1' && h.unit === '1' && h.room === '101')!;
    const newArea = ((existing.areaCentiares + 100) / 100).toFixed(2);
    const csv = [
      'building,unit,room,area,owner',
      '9,1,101,88.50,测试甲',
      '9,1,102,90.00,测试乙',
      '9,1,103,abc,测试丙',
      '9,1,104,70,测试丁',
      '9,1,104,71,测试戊',
      `1,1,101,${newArea},${existing.owner}`,
    ].join('\r\n');
    const file = { name: '名册.csv', mimeType: 'text/csv', buffer: Buffer.from('\uFEFF' + csv, 'utf8') };

    const page = await ctx.newPage();
    await page.goto(`/c/${cid}/roster`);
    await expect.poll(() => page.getByTestId('roster-count').innerText()).toBe('共 120 户');
    // Never the whole roster in the DOM: one page of rows.
    expect(await page.locator('tbody tr[data-household]').count()).toBe(50);

    await page.getByLabel('选择名册文件').setInputFiles(file);
    const result = page.getByTestId('import-result');
    await expect.poll(() => result.getAttribute('data-dry-run')).toBe('true');
    expect(await result.locator('[data-count=created]').innerText()).toBe('新增 2 户');
    expect(await result.locator('[data-count=updated]').innerText()).toBe('更新 1 户');
    expect(await result.locator('[data-count=rejected]').innerText()).toBe('拒收 3 行');
    expect(await result.locator('tr[data-line]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-line')))).toEqual([
      '4',
      '5',
      '6',
    ]);
    expect(await result.locator('tr[data-line="4"]').innerText()).toContain('面积不是有效数字');
    expect(await result.locator('tr[data-line="5"]').innerText()).toContain('房号重复');
    // The dry run wrote nothing.
    const before = (await (await ctx.request.get(`/api/communities/${cid}/households?building=9`)).json()) as { households: unknown[] };
    expect(before.households).toHaveLength(0);
    expect(await seriousA11yFindings(page)).toEqual([]);
    await shot(page, 'people-roster-dry-run');

    await page.getByRole('button', { name: '确认导入' }).click();
    await expect.poll(() => result.getAttribute('data-dry-run')).toBe('false');
    expect(await result.locator('h3').innerText()).toBe('导入完成');
    expect(await result.locator('[data-count=created]').innerText()).toBe('新增 2 户');
    await expect.poll(() => page.getByTestId('roster-count').innerText()).toBe('共 122 户');
    const after = (await (await ctx.request.get(`/api/communities/${cid}/households?building=9`)).json()) as {
      households: { room: string }[];
    };
    expect(after.households.map((h) => h.room).sort()).toEqual(['101', '102']);

    // The same file again: nothing to write.
    await page.getByLabel('选择名册文件').setInputFiles(file);
    await expect.poll(() => result.getAttribute('data-dry-run')).toBe('true');
    expect(await result.locator('[data-count=unchanged]').innerText()).toBe('不变 3 户');
    expect(await result.locator('[data-count=created]').innerText()).toBe('新增 0 户');
    expect(await page.getByRole('button', { name: '确认导入' }).count()).toBe(0);

    // Search by owner and by address.
    await page.getByLabel('搜索住户').fill('测试乙');
    await expect.poll(() => page.getByTestId('roster-count').innerText()).toBe('共 1 户');
    await page.getByLabel('搜索住户').fill('9栋1单元101');
    await expect.poll(() => page.getByTestId('roster-count').innerText()).toBe('共 1 户');
    expect(await page.getByRole('region', { name: '住户列表' }).locator('tbody tr').first().innerText()).toContain('测试甲');
    await ctx.close();
  });

  it('edits a household in a dialog: a bad area is shown under its field, a good edit is saved', async () => {
    const ctx = await adminContext();
    const page = await ctx.newPage();
    await page.goto(`/c/${cid}/roster`);
    await page.getByLabel('搜索住户').fill('9 101');
    await expect.poll(() => page.getByTestId('roster-count').innerText()).toBe('共 1 户');
    await page.getByRole('button', { name: '修改 9栋1单元101' }).click();
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.getByLabel('面积（㎡）').inputValue()).toBe('88.50');

    await dialog.getByLabel('面积（㎡）').fill('0');
    await dialog.getByRole('button', { name: '保存' }).click();
    await expect.poll(() => dialog.getByRole('alert').first().innerText()).toContain('面积须是大于 0 的数字');
    expect(await dialog.getByLabel('面积（㎡）').getAttribute('aria-invalid')).toBe('true');
    expect(await seriousA11yFindings(page)).toEqual([]);
    await shot(page, 'people-roster-edit-error');

    await dialog.getByLabel('面积（㎡）').fill('95.25');
    await dialog.getByLabel('业主姓名').fill('测试甲改');
    await dialog.getByRole('button', { name: '保存' }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
    const row = page.getByRole('region', { name: '住户列表' }).locator('tbody tr').first();
    await expect.poll(() => row.innerText()).toContain('测试甲改');
    expect(await row.innerText()).toContain('95.25');
    const stored = (await (await ctx.request.get(`/api/communities/${cid}/households?building=9`)).json()) as {
      households: { room: string; areaCentiares: number; owner: string }[];
    };
    expect(stored.households.find((h) => h.room === '101')).toMatchObject({ areaCentiares: 9525, owner: '测试甲改' });

    // A lost slip: issue a new code; the old one stops working at once.
    await page.getByRole('button', { name: '修改 9栋1单元101' }).click();
    const oldCode = (await dialog.getByTestId('household-code').innerText()).trim();
    await dialog.getByRole('button', { name: '重新生成邀请码' }).click();
    expect(await dialog.getByRole('alert').innerText()).toContain('旧邀请单立即失效');
    await dialog.getByRole('button', { name: '确认重新生成' }).click();
    await expect.poll(async () => (await dialog.getByTestId('household-code').innerText()).trim()).not.toBe(oldCode);
    const newCode = (await dialog.getByTestId('household-code').innerText()).trim();
    expect(await row.innerText()).toContain(newCode);
    const stranger = await newViewer(app, 'phone');
    expect((await stranger.request.post('/api/auth/invitation', { data: { code: oldCode } })).status()).toBe(404);
    await stranger.close();
    await ctx.close();
  });
});

describe('slips', () => {
  it('a building leader prints the slips of their building: 8 per A4 page, controls hidden on paper', async () => {
    const ctx = await newViewer(app, 'laptop');
    await signIn(ctx, 'loudong2');
    const page = await ctx.newPage();
    await page.goto(`/c/${cid}/slips?building=2`);
    await expect.poll(() => page.locator('.slip').count()).toBe(30);
    const perSheet = await page.locator('.sheet').evaluateAll((sheets) => sheets.map((s) => s.querySelectorAll('.slip').length));
    expect(perSheet).toEqual([8, 8, 8, 6]);
    expect(await page.locator('.summary').innerText()).toBe('共 30 张邀请单 · 需要 4 页 A4 纸');
    const addresses = await page.locator('.slip .address').allInnerTexts();
    expect(addresses.every((a) => a.startsWith('2栋'))).toBe(true);
    expect(await page.locator('.slip').first().innerText()).toContain('确认加入');
    expect(await page.locator('.slip svg').count()).toBe(30);
    expect(await seriousA11yFindings(page)).toEqual([]);
    await shot(page, 'people-slips-screen');

    slipCode = (await page.locator('.slip .code .value').first().innerText()).trim();
    slipHousehold = (await page.locator('.slip').first().getAttribute('data-household'))!;
    expect(slipCode).toMatch(/^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{3}$/);

    // On paper: one sheet per page, the controls and the app header gone.
    await page.emulateMedia({ media: 'print' });
    const breaks = await page.locator('.sheet').evaluateAll((sheets) => sheets.map((s) => getComputedStyle(s).breakAfter));
    expect(breaks).toEqual(['page', 'page', 'page', 'auto']);
    expect(await page.getByRole('button', { name: '打印' }).isVisible()).toBe(false);
    expect(await page.locator('header.top').isVisible()).toBe(false);
    const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
    const pages = pdf.toString('latin1').match(/\/Type\s*\/Page(?!s)/g) ?? [];
    expect(pages.length).toBe(4);
    await page.setViewportSize({ width: 794, height: 1123 }); // A4 at 96 dpi: what the first sheet looks like
    await shot(page, 'people-slips-print');
    await page.emulateMedia({ media: 'screen' });

    // Their own building only: another building is refused, "all" gives theirs.
    await page.goto(`/c/${cid}/slips?building=1`);
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('没有打印邀请单的权限');
    await page.goto(`/c/${cid}/slips`);
    await expect.poll(() => page.locator('.slip').count()).toBe(30);
    await ctx.close();
  });
});

describe('joining by slip', () => {
  it('a phone opens the slip link, joins with one tap, sets a name and lands on the community home', async () => {
    expect(slipCode).not.toBe('');
    const ctx = await newViewer(app, 'phone');
    const page = await ctx.newPage();
    await page.goto(`/i/${slipCode.replace(/-/g, '')}`);
    const join = page.getByRole('button', { name: '确认加入' });
    await expect.poll(() => join.isVisible()).toBe(true);
    const box = (await join.boundingBox())!;
    expect(box.height).toBeGreaterThanOrEqual(48);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    expect(await seriousA11yFindings(page)).toEqual([]);
    await shot(page, 'people-join-confirm-phone');

    await join.click();
    await expect.poll(() => page.locator('h1').innerText()).toBe('加入成功');
    expect(await page.getByTestId('joined-as').innerText()).toContain('2栋');
    expect(await seriousA11yFindings(page)).toEqual([]);
    await shot(page, 'people-join-name-phone');
    const me = (await (await ctx.request.get('/api/me')).json()) as {
      memberships: { communityId: string; roles: string[]; householdIds: string[] }[];
    };
    expect(me.memberships).toEqual([expect.objectContaining({ communityId: cid, roles: ['owner'], householdIds: [slipHousehold] })]);

    await page.getByLabel('邻居们怎么称呼您？').fill('王阿姨');
    await page.getByRole('button', { name: '保存并进入' }).click();
    await page.waitForURL((u) => u.pathname === `/c/${cid}`);
    await expect.poll(() => page.locator('h1').innerText()).toBe(communityName);
    expect(await page.locator('.hello').innerText()).toBe('您好，王阿姨');
    // A resident sees what residents do, not the admin pages.
    expect(await page.getByRole('link', { name: /议事会/ }).count()).toBe(1);
    expect(await page.getByRole('link', { name: /住户名册/ }).count()).toBe(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    expect(await seriousA11yFindings(page)).toEqual([]);
    await shot(page, 'people-community-home-phone');
    await ctx.close();
  });

  it('warns a signed-in staff member that joining would switch their account', async () => {
    const ctx = await adminContext('phone');
    const page = await ctx.newPage();
    await page.goto(`/i/${slipCode}`);
    await expect.poll(() => page.locator('.switch').innerText()).toContain('确认加入后，这个浏览器会改为这一户的住户身份');
    expect(await seriousA11yFindings(page)).toEqual([]);
    await ctx.close();
  });

  it('a mistyped code says so instead of signing anyone in', async () => {
    const ctx = await newViewer(app, 'phone');
    const page = await ctx.newPage();
    await page.goto('/i/2222-2222-222');
    await page.getByRole('button', { name: '确认加入' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('这张邀请单无效');
    expect((await ctx.request.get('/api/me')).status()).toBe(401);
    await ctx.close();
  });
});

describe('members', () => {
  it('lists the new member with their household; adds a staff member with errors in place; assigns roles', async () => {
    const ctx = await adminContext();
    const page = await ctx.newPage();
    await page.goto(`/c/${cid}/members`);
    await page.getByLabel('搜索成员').fill('王阿姨');
    const row = page.locator('tbody tr', { hasText: '王阿姨' });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.innerText()).toContain('业主');
    expect(await row.innerText()).toMatch(/2栋\d单元\d{3}/);
    expect(await seriousA11yFindings(page)).toEqual([]);

    // An existing login with a password: refused, said under the login field.
    await page.getByText('添加成员', { exact: true }).click();
    await page.getByLabel('显示名称').fill('赵老师');
    await page.getByLabel('登录账号').fill('wuye');
    await page.getByLabel('初始密码').fill('long-enough-1');
    await page.getByRole('checkbox', { name: '主持人' }).check();
    await page.getByRole('button', { name: '确认添加' }).click();
    await expect.poll(() => page.getByRole('alert').first().innerText()).toBe('这个账号已经存在');
    expect(await page.getByLabel('登录账号').getAttribute('aria-invalid')).toBe('true');
    await shot(page, 'people-members-add-error');

    await page.getByLabel('登录账号').fill('zhaolaoshi');
    await page.getByRole('button', { name: '确认添加' }).click();
    await page.getByLabel('搜索成员').fill('赵老师');
    const added = page.locator('tbody tr', { hasText: '赵老师' });
    await expect.poll(() => added.count()).toBe(1);
    expect(await added.innerText()).toContain('主持人');
    expect(await added.innerText()).toContain('zhaolaoshi');

    // Roles with checkboxes: also a building leader of building 3.
    await page.getByRole('button', { name: '设置 赵老师 的角色' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('checkbox', { name: '楼栋长' }).check();
    await dialog.getByLabel('负责的楼栋').fill('3');
    expect(await seriousA11yFindings(page)).toEqual([]);
    await shot(page, 'people-members-roles-dialog');
    await dialog.getByRole('button', { name: '保存' }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
    await expect.poll(() => added.innerText()).toContain('楼栋长');
    expect(await added.innerText()).toContain('负责 3 栋');

    // The new account works and is a building leader of building 3 only.
    const staff = await newViewer(app, 'laptop');
    await signIn(staff, 'zhaolaoshi', 'long-enough-1');
    const me = (await (await staff.request.get('/api/me')).json()) as { memberships: { roles: string[]; buildings: string[] }[] };
    expect(me.memberships[0]).toMatchObject({ roles: expect.arrayContaining(['facilitator', 'building_leader']), buildings: ['3'] });
    await staff.close();
    await ctx.close();
  });

  it('in English, role names and the page are translated', async () => {
    const ctx = await newViewer(app, 'laptop', { locale: 'en' });
    await signIn(ctx, 'admin', app.server.adminPassword);
    const page = await ctx.newPage();
    await page.goto(`/c/${cid}/members`);
    await expect.poll(() => page.locator('h1').innerText()).toBe('Members and roles');
    await page.getByLabel('Search members').fill('zhaolaoshi');
    await expect.poll(() => page.locator('tbody tr').first().innerText()).toContain('Building leader');
    await ctx.close();
  });
});

describe('slips of a large roster', () => {
  it('asks for a building instead of drawing thousands of QR codes at once', async () => {
    const ctx = await adminContext();
    const households = Array.from({ length: 900 }, (_, i) => ({
      building: '99',
      unit: String(1 + Math.floor(i / 100)),
      room: String(1000 + i),
      area: '60.00',
      owner: `大楼${i}`,
    }));
    const res = await ctx.request.post(`/api/communities/${cid}/households`, { data: { households } });
    expect(((await res.json()) as { created: number }).created).toBe(900);
    const page = await ctx.newPage();
    await page.goto(`/c/${cid}/slips`);
    await expect.poll(() => page.locator('.summary').innerText()).toContain('请先选择一栋楼');
    expect(await page.locator('.slip').count()).toBe(0);
    expect(await page.getByRole('button', { name: '打印' }).isDisabled()).toBe(true);
    await page.getByLabel('打印哪一栋').selectOption('1');
    await page.waitForURL((u) => u.searchParams.get('building') === '1');
    await expect.poll(() => page.locator('.slip').count()).toBe(30);
    await ctx.close();
  });
});
