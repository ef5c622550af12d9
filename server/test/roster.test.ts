/** The household roster through the real server and Redis: imports in every format, dry run, edits. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { startRedis, startServer, type TestRedis, type TestServer } from './helpers/processes.ts';
import { Client } from './helpers/http-client.ts';
import { buildXlsx } from './helpers/xlsx.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Posts raw bytes (a file upload as the admin page sends it). */
async function postBytes(c: Client, path: string, body: Buffer | string, type: string) {
  const res = await fetch(c.base + path, {
    method: 'POST',
    headers: { 'content-type': type, cookie: c.cookie },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
  return { status: res.status, body: (await res.json()) as any, headers: res.headers };
}

describe('household roster', () => {
  let redis: TestRedis;
  let srv: TestServer;
  let admin: Client;

  beforeAll(async () => {
    redis = await startRedis();
    srv = await startServer({ redisUrl: redis.url });
    admin = new Client(srv.url);
    await admin.login('admin', srv.adminPassword!);
  });
  afterAll(async () => {
    await srv?.stop();
    await redis?.stop();
  });

  async function newCommunity(name = '测试小区'): Promise<string> {
    const r = await admin.post('/api/communities', { name });
    expect(r.status).toBe(201);
    return r.body.community.id;
  }
  const list = async (cid: string, q = '') => (await admin.get(`/api/communities/${cid}/households${q}`)).body.households as any[];

  const csv = [
    'building,unit,room,area,owner,phone',
    '1,1,101,88.50,张伟,13800138000',
    '1,1,102,,王芳,', // line 3: area missing
    '1,1,103,88.555,李娜,', // line 4: 3 decimals
    '1,1,104,0,刘洋,', // line 5: ≤ 0
    '1,1,101,90,陈静,', // line 6: duplicate of line 2
    '1,2,201,120.3,"赵, 敏",', // quoted comma
    '2,1,101,0.01,杨磊,',
    '2,1,102,9999.99,黄强,',
    '',
  ].join('\n');

  it('imports UTF-8 CSV: dry run writes nothing, then creates, and refuses bad rows by line', async () => {
    const cid = await newCommunity();
    const dry = await postBytes(admin, `/api/communities/${cid}/households?dryRun=1`, csv, 'text/csv');
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ created: 3, updated: 0, unchanged: 0 });
    expect(dry.body.rejected.map((r: any) => [r.line, r.code])).toEqual([
      [2, 'duplicate_room'],
      [3, 'missing_field'],
      [4, 'invalid_area'],
      [5, 'area_out_of_range'],
      [6, 'duplicate_room'],
    ]);
    expect(await list(cid)).toEqual([]);

    const real = await postBytes(admin, `/api/communities/${cid}/households`, csv, 'text/csv');
    expect(real.status).toBe(200);
    expect({ ...real.body, rejected: real.body.rejected.length, warnings: real.body.warnings.map((w: any) => [w.line, w.code]) }).toEqual({
      created: 3,
      updated: 0,
      unchanged: 0,
      rejected: 5,
      // Imported, but listed to check: 0.01 m² and 9,999.99 m² are not plausible homes.
      warnings: [
        [8, 'area_small'],
        [9, 'area_large'],
      ],
    });
    const hh = await list(cid);
    expect(hh.map((h) => [h.building, h.unit, h.room, h.area, h.areaCentiares, h.owner])).toEqual([
      ['1', '2', '201', 120.3, 12030, '赵, 敏'],
      ['2', '1', '101', 0.01, 1, '杨磊'],
      ['2', '1', '102', 9999.99, 999999, '黄强'],
    ]);
    for (const h of hh) expect(h.invitationCode).toMatch(/^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{3}$/);
    expect(new Set(hh.map((h) => h.invitationCode)).size).toBe(3);

    // Re-importing the same file changes nothing.
    const again = await postBytes(admin, `/api/communities/${cid}/households`, csv, 'text/csv');
    expect(again.body).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
    expect(await list(cid)).toEqual(hh);
  });

  it('imports UTF-8 with BOM and Chinese headers, and GBK bytes as Excel saves them', async () => {
    const zh = '楼栋,单元,房号,面积,业主,电话\r\n3,1,301,95.25,欧阳娜娜,\r\n3,1,302,101.40,司马光,13912345678\r\n';
    const bom = await newCommunity();
    const r1 = await postBytes(
      admin,
      `/api/communities/${bom}/households`,
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(zh, 'utf8')]),
      'text/csv',
    );
    expect(r1.status).toBe(200);
    expect(r1.body).toMatchObject({ created: 2, rejected: [] });
    expect((await list(bom)).map((h) => [h.owner, h.areaCentiares, h.phone])).toEqual([
      ['欧阳娜娜', 9525, undefined],
      ['司马光', 10140, '13912345678'],
    ]);

    const gbk = await newCommunity();
    const bytes = iconv.encode(zh, 'gbk');
    expect(bytes.equals(Buffer.from(zh, 'utf8'))).toBe(false);
    const r2 = await postBytes(admin, `/api/communities/${gbk}/households`, bytes, 'text/csv');
    expect(r2.status).toBe(200);
    expect(r2.body).toMatchObject({ created: 2, rejected: [] });
    expect((await list(gbk)).map((h) => h.owner)).toEqual(['欧阳娜娜', '司马光']);
    // Same file again, now in GBK under a declared charset: unchanged.
    const r3 = await postBytes(admin, `/api/communities/${gbk}/households`, bytes, 'text/csv; charset=GBK');
    expect(r3.body).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
  });

  it('imports .xlsx with a title row, Excel doubles and bad rows; re-import is unchanged', async () => {
    const cid = await newCommunity();
    const file = buildXlsx([
      ['海月花园业主名册'],
      ['楼栋', '单元', '房号', '面积', '业主'],
      [5, 1, 501, { n: '88.549999999999997' }, '张三'],
      ['5', '1', '502', 'abc', '李四'],
      [5, 1, 503, 143.8, '王五'],
      [5, 1, 504, 56.2, null],
    ]);
    const r = await postBytes(admin, `/api/communities/${cid}/households`, file, XLSX);
    expect(r.status).toBe(200);
    expect(r.body.created).toBe(2);
    expect(r.body.rejected.map((x: any) => [x.line, x.code])).toEqual([
      [4, 'invalid_area'],
      [6, 'missing_field'],
    ]);
    expect((await list(cid)).map((h) => [h.room, h.areaCentiares])).toEqual([
      ['501', 8855],
      ['503', 14380],
    ]);
    // Sent as a generic upload, the zip signature still says .xlsx.
    const again = await postBytes(admin, `/api/communities/${cid}/households`, file, 'application/octet-stream');
    expect(again.body).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
  });

  it('imports JSON rows (area as number or string), updates changed rows and keeps their ids and codes', async () => {
    const cid = await newCommunity();
    const rows = [
      { building: '7', unit: '1', room: '101', area: 88.55, owner: '周杰' },
      { building: '7', unit: '1', room: '102', area: '0.01', owner: '吴昊' },
      { building: '7', unit: '1', room: '103', area: 9999.99, owner: '郑爽' },
      { building: '7', unit: '1', room: '104', area: 88.555, owner: '孙丽' },
      { building: '7', unit: '1', room: '105', area: '10000.01', owner: '马云' },
    ];
    const r = await admin.post(`/api/communities/${cid}/households`, { households: rows });
    expect(r.status).toBe(200);
    expect(r.body.created).toBe(3);
    expect(r.body.rejected.map((x: any) => [x.line, x.code])).toEqual([
      [4, 'invalid_area'],
      [5, 'area_out_of_range'],
    ]);
    const before = await list(cid);
    expect(before.map((h) => h.areaCentiares)).toEqual([8855, 1, 999999]);

    const changed = [
      { ...rows[0]!, area: '88.56' },
      rows[1]!,
      { ...rows[2]!, owner: '郑 爽' },
      { building: '7', unit: '1', room: '106', area: 60, owner: '新户' },
    ];
    const dry = await admin.post(`/api/communities/${cid}/households?dryRun=1`, { households: changed });
    expect(dry.body).toMatchObject({ created: 1, updated: 2, unchanged: 1, rejected: [] });
    expect(await list(cid)).toEqual(before);
    const apply = await admin.post(`/api/communities/${cid}/households`, { households: changed });
    expect(apply.body).toMatchObject({ created: 1, updated: 2, unchanged: 1 });
    const after = await list(cid);
    expect(after).toHaveLength(4);
    expect(after[0]).toMatchObject({ id: before[0].id, invitationCode: before[0].invitationCode, areaCentiares: 8856 });
    expect(after[2]).toMatchObject({ id: before[2].id, owner: '郑 爽' });
  });

  it('refuses a bad header, a body over 5 MB and over 20,000 rows, writing nothing', async () => {
    const cid = await newCommunity();
    const bad = await postBytes(admin, `/api/communities/${cid}/households`, 'building,room,owner\n1,101,A\n', 'text/csv');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    expect(bad.body.error.message).toMatch(/unit, area/);

    const big = Buffer.alloc(5 * 1024 * 1024 + 10, 0x41);
    const tooBig = await postBytes(admin, `/api/communities/${cid}/households`, big, 'text/csv');
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error.code).toBe('too_large');

    const many = ['building,unit,room,area,owner', ...Array.from({ length: 20_001 }, (_, i) => `1,1,${i},50,A`)].join('\n');
    const tooMany = await postBytes(admin, `/api/communities/${cid}/households`, many, 'text/csv');
    expect(tooMany.status).toBe(413);
    expect(tooMany.body.error.message).toContain('20000');
    expect(await list(cid)).toEqual([]);
  });

  it('imports 20,000 households in one go, lists them all, and re-imports them as unchanged', async () => {
    const cid = await newCommunity();
    const rows = ['building,unit,room,area,owner'];
    for (let i = 0; i < 20_000; i++)
      rows.push(`${1 + (i % 40)},${1 + (i % 4)},${1000 + i},${56 + (i % 88)}.${String(i % 100).padStart(2, '0')},业主${i}`);
    let t = Date.now();
    const r = await postBytes(admin, `/api/communities/${cid}/households`, rows.join('\n'), 'text/csv');
    const importMs = Date.now() - t;
    expect(r.body).toMatchObject({ created: 20_000, rejected: [] });
    t = Date.now();
    const hh = await list(cid);
    const listMs = Date.now() - t;
    expect(hh).toHaveLength(20_000);
    t = Date.now();
    const again = await postBytes(admin, `/api/communities/${cid}/households`, rows.join('\n'), 'text/csv');
    const reimportMs = Date.now() - t;
    expect(again.body).toMatchObject({ created: 0, updated: 0, unchanged: 20_000 });
    // Figures only (speed lives in `npm run bench`; files run side by side here).
    console.log(`20,000 rows: import ${importMs} ms, list ${listMs} ms, re-import ${reimportMs} ms`);
  });

  it('searches by room and building, edits one household, and refuses moving onto a taken room', async () => {
    const cid = await newCommunity();
    await postBytes(
      admin,
      `/api/communities/${cid}/households`,
      'building,unit,room,area,owner\n3,2,1201,88,甲\n3,2,1202,88,乙\n4,1,1201,90,丙\n',
      'text/csv',
    );
    expect((await list(cid, '?q=1201')).map((h) => h.building)).toEqual(['3', '4']);
    expect((await list(cid, `?q=${encodeURIComponent('3栋1201')}`)).map((h) => h.owner)).toEqual(['甲']);
    expect((await list(cid, '?building=4')).map((h) => h.owner)).toEqual(['丙']);

    const [a, b] = await list(cid);
    const edit = await admin.patch(`/api/communities/${cid}/households/${a.id}`, { area: '88.25', owner: '甲某', phone: '13800000000' });
    expect(edit.status).toBe(200);
    expect(edit.body.household).toMatchObject({
      id: a.id,
      areaCentiares: 8825,
      area: 88.25,
      owner: '甲某',
      phone: '13800000000',
      invitationCode: a.invitationCode,
    });
    const clash = await admin.patch(`/api/communities/${cid}/households/${a.id}`, { room: b.room });
    expect(clash.status).toBe(409);
    const badArea = await admin.patch(`/api/communities/${cid}/households/${a.id}`, { area: '1.234' });
    expect(badArea.status).toBe(400);
    expect(badArea.body.error.issues[0].path).toBe('area');
    const moved = await admin.patch(`/api/communities/${cid}/households/${a.id}`, { room: '1203' });
    expect(moved.body.household.room).toBe('1203');
    // The old room is free again and the new one is known to imports.
    const re = await postBytes(
      admin,
      `/api/communities/${cid}/households?dryRun=1`,
      'building,unit,room,area,owner\n3,2,1201,70,丁\n3,2,1203,88.25,甲某\n',
      'text/csv',
    );
    expect(re.body).toMatchObject({ created: 1, unchanged: 1 });
    expect((await admin.patch(`/api/communities/${cid}/households/nope`, { owner: 'x' })).status).toBe(404);
  });

  it('answers 404 for an unknown community and 401 when signed out', async () => {
    expect((await admin.get('/api/communities/nope/households')).status).toBe(404);
    expect((await new Client(srv.url).get('/api/communities/nope/households')).status).toBe(401);
  });
});
