/**
 * Roster uploads through the real server: an .xlsx zip bomb is refused quickly without filling the
 * memory, the event loop keeps answering /healthz while a large roster is decoded (in a worker
 * thread), implausible rows are explained in plain words, the template round-trips, and a new
 * community's creator is its admin.
 */
import fs from 'node:fs';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, startServer, type TestRedis, type TestServer } from './helpers/processes.ts';
import { Client } from './helpers/http-client.ts';
import { buildXlsx, type Cell } from './helpers/xlsx.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

async function postBytes(c: Client, path: string, body: Buffer | string, type: string) {
  const res = await fetch(c.base + path, {
    method: 'POST',
    headers: { 'content-type': type, cookie: c.cookie },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

/** A zip of the given entries, each stored with DEFLATE (Node's zlib), written by hand. */
function zipOf(entries: { name: string; data: Buffer }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const packed = zlib.deflateRawSync(e.data, { level: 9 });
    const crc = zlib.crc32(e.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc >>> 0, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(e.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, packed);
    centrals.push(central, name);
    offset += 30 + name.length + packed.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/** The parts of a one-sheet workbook (from the test helper), with sheet1.xml replaced. */
function xlsxParts(sheetXml: Buffer): { name: string; data: Buffer }[] {
  const valid = buildXlsx([['楼栋', '单元', '房号', '面积', '业主']]);
  const names = ['[Content_Types].xml', '_rels/.rels', 'xl/workbook.xml', 'xl/_rels/workbook.xml.rels'];
  const out: { name: string; data: Buffer }[] = [];
  // Read the small parts back out of the valid workbook (fflate's zip: stored local headers).
  for (const n of names) {
    const at = valid.indexOf(Buffer.from(n, 'utf8'));
    const hdr = at - 30;
    const method = valid.readUInt16LE(hdr + 8);
    const size = valid.readUInt32LE(hdr + 18);
    const data = valid.subarray(at + n.length + valid.readUInt16LE(hdr + 28), at + n.length + valid.readUInt16LE(hdr + 28) + size);
    out.push({ name: n, data: method === 8 ? zlib.inflateRawSync(data) : Buffer.from(data) });
  }
  out.push({ name: 'xl/worksheets/sheet1.xml', data: sheetXml });
  return out;
}

/** 200 MB of whitespace inside the sheet: about 200 KB zipped. */
function zipBomb(): Buffer {
  const head = Buffer.from(
    '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>',
  );
  const tail = Buffer.from('</sheetData></worksheet>');
  const sheet = Buffer.alloc(200 * 1024 * 1024, 0x20);
  head.copy(sheet, 0);
  tail.copy(sheet, sheet.length - tail.length);
  return zipOf(xlsxParts(sheet));
}

/** Peak resident memory of a process so far (kB), from /proc. */
function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Math.round(Number(m?.[1] ?? 0) / 1024);
}

/** Polls /healthz one request at a time until `work` settles: how many answers came, and the slowest. */
async function healthDuring<T>(base: string, work: Promise<T>): Promise<{ result: T; answers: number; maxMs: number; ms: number }> {
  let done = false;
  const t0 = performance.now();
  const result = work.finally(() => (done = true));
  let answers = 0;
  let maxMs = 0;
  while (!done) {
    const t = performance.now();
    const r = await fetch(`${base}/healthz`);
    await r.text();
    if (r.status === 200 && !done) answers++;
    maxMs = Math.max(maxMs, performance.now() - t);
  }
  return { result: await result, answers, maxMs: Math.round(maxMs), ms: Math.round(performance.now() - t0) };
}

describe('roster imports: safe parsing and plain explanations', () => {
  let redis: TestRedis;
  let srv: TestServer;
  let admin: Client;
  let cid: string;
  // Built before the server starts: minutes of idle keep-alive sockets would race the server's 5 s timeout.
  let bomb: Buffer;
  let large: Buffer;

  beforeAll(async () => {
    bomb = zipBomb();
    const rows: Cell[][] = [['楼栋', '单元', '房号', '面积', '业主', '电话']];
    for (let i = 0; i < 20_000; i++)
      rows.push([
        String(1 + (i % 40)),
        String(1 + (i % 4)),
        String(1000 + i),
        60 + (i % 90),
        `业主${i}`,
        `138${String(i).padStart(8, '0')}`,
      ]);
    large = buildXlsx(rows);
    redis = await startRedis();
    srv = await startServer({ redisUrl: redis.url, env: { LINLI_ROSTER_AREA_WARN_M2: '250' } });
    admin = new Client(srv.url);
    await admin.login('admin', srv.adminPassword!);
    const r = await admin.post('/api/communities', { name: '安贞西里', address: '朝阳区安贞西里 3 号', district: '安贞街道' });
    expect(r.status).toBe(201);
    cid = r.body.community.id;
  });
  afterAll(async () => {
    await srv?.stop();
    await redis?.stop();
  });

  it('creates a community with an address; the creator becomes its admin', async () => {
    const r = await admin.get(`/api/communities/${cid}`);
    expect(r.body.community).toMatchObject({ name: '安贞西里', address: '朝阳区安贞西里 3 号', district: '安贞街道' });
    const me = await admin.get('/api/me');
    expect(me.body.memberships).toContainEqual(expect.objectContaining({ communityId: cid, roles: ['admin'] }));
    const members = await admin.get(`/api/communities/${cid}/members`);
    expect(members.body.members.map((m: any) => m.roles)).toContainEqual(['admin']);
  });

  it('refuses a 200 MB-inflating .xlsx bomb with 413 while /healthz keeps answering, without filling the memory', async () => {
    expect(bomb.length).toBeLessThan(400 * 1024);
    const before = peakRssMb(srv.proc.pid!);
    const { result, answers, maxMs, ms } = await healthDuring(
      srv.url,
      postBytes(admin, `/api/communities/${cid}/households?dryRun=1`, bomb, XLSX),
    );
    const after = peakRssMb(srv.proc.pid!);
    console.log(
      `bomb of ${Math.round(bomb.length / 1024)} KB: answered ${result.status} in ${ms} ms; /healthz answered ${answers} times meanwhile, slowest ${maxMs} ms; server peak RSS ${before} → ${after} MB`,
    );
    expect(result.status).toBe(413);
    expect(result.body.error.code).toBe('too_large');
    expect(result.body.error.message).toMatch(/unpacks to more than 48 MB.*解压后超过 48 MB/);
    // 200 MB never reached memory (the old code held it all, 2.4 GB at its peak).
    expect(after).toBeLessThan(before + 200);
    expect((await admin.get(`/api/communities/${cid}/households`)).body.households).toEqual([]);
  });

  it('refuses an .xlsx with thousands of entries and a broken zip, clearly', async () => {
    const many = zipOf(Array.from({ length: 2000 }, (_, i) => ({ name: `xl/media/p${i}.xml`, data: Buffer.from('<a/>') })));
    const r = await postBytes(admin, `/api/communities/${cid}/households`, many, XLSX);
    expect(r.status).toBe(413);
    expect(r.body.error.message).toMatch(/more than 500 parts.*超过 500 个/);
    const broken = Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(100, 7)]);
    const b = await postBytes(admin, `/api/communities/${cid}/households`, broken, XLSX);
    expect(b.status).toBe(400);
    expect(b.body.error.message).toMatch(/Excel 文件无法读取/);
  });

  it('keeps answering /healthz while a 20,000-row .xlsx is decoded, and imports it', async () => {
    const file = large;
    const { result, answers, maxMs, ms } = await healthDuring(
      srv.url,
      postBytes(admin, `/api/communities/${cid}/households?dryRun=1`, file, XLSX),
    );
    console.log(
      `20,000-row .xlsx (${Math.round(file.length / 1024)} KB): dry run in ${ms} ms; /healthz answered ${answers} times meanwhile, slowest ${maxMs} ms`,
    );
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ created: 20_000, rejected: [], warnings: [] });
    // One request at a time: many answers mean the event loop was free during the decoding.
    expect(answers).toBeGreaterThanOrEqual(5);
  });

  it('explains rejected and doubtful rows in plain Chinese and English (phone 12345, 5,000 m²)', async () => {
    const csv = [
      '楼栋,单元,房号,面积,业主,电话',
      '1,1,101,88.5,张伟,13800138000',
      '1,1,102,90,王芳,12345',
      '1,1,103,5000,李娜,',
      '1,1,104,88.555,刘洋,',
      '1,1,105,,陈静,',
    ].join('\n');
    const dry = await postBytes(admin, `/api/communities/${cid}/households?dryRun=1`, csv, 'text/csv');
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ created: 2, dryRun: true });
    expect(dry.body.rejected.map((r: any) => [r.line, r.code])).toEqual([
      [3, 'invalid_phone'],
      [5, 'invalid_area'],
      [6, 'missing_field'],
    ]);
    expect(dry.body.rejected[0]).toMatchObject({ value: '12345', fields: ['phone'] });
    expect(dry.body.rejected[0].message).toContain('电话“12345”不像手机号或座机号');
    expect(dry.body.rejected[2].message).toContain('这一行没有填面积');
    // The threshold comes from LINLI_ROSTER_AREA_WARN_M2 (250 here): 5,000 m² is imported, with a warning.
    expect(dry.body.warnings).toEqual([expect.objectContaining({ line: 4, code: 'area_large', value: '5000', limit: '250' })]);
    expect(dry.body.warnings[0].message).toContain('面积 5000 平方米比一般住户大很多（超过 250 平方米）');
  });

  it('offers a template (.xlsx and CSV) that the importer reads back', async () => {
    const x = await fetch(`${srv.url}/api/roster/template?format=xlsx`);
    expect(x.status).toBe(200);
    expect(x.headers.get('content-type')).toContain(XLSX);
    expect(x.headers.get('content-disposition')).toContain("filename*=UTF-8''%E4%BD%8F%E6%88%B7");
    const xlsx = Buffer.from(await x.arrayBuffer());
    const back = await postBytes(admin, `/api/communities/${cid}/households?dryRun=1`, xlsx, XLSX);
    expect(back.body).toMatchObject({ created: 0, rejected: [], warnings: [] });
    const c = await fetch(`${srv.url}/api/roster/template?format=csv`);
    const bytes = Buffer.from(await c.arrayBuffer());
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf])); // the BOM Excel needs
    const text = bytes.toString('utf8');
    expect(text).toBe('\uFEFF楼栋,单元,房号,面积,业主,电话\r\n');
    const filled = await postBytes(
      admin,
      `/api/communities/${cid}/households?dryRun=1`,
      `${text}3,2,1201,96.5,赵敏,010-62345678\r\n`,
      'text/csv',
    );
    expect(filled.body).toMatchObject({ created: 1, rejected: [] });
  });

  it('prints the short address to type on every slip', async () => {
    await postBytes(admin, `/api/communities/${cid}/households`, '楼栋,单元,房号,面积,业主\n1,1,101,88,张伟\n', 'text/csv');
    const r = await admin.get(`/api/communities/${cid}/invitations`);
    expect(r.body.invitations[0].typeUrl).toBe(`127.0.0.1:${srv.port}/i`);
  });
});
