/**
 * The problems ledger (问题清单) against a real server and Redis: the life cycle to a rating,
 * refused steps and roles, photos, the overdue filter, live `problem:updated`, concurrent writes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioc, type Socket } from 'socket.io-client';
import type { TestServer } from './helpers/processes.ts';
import { startCommunity, type CommunityFixture } from './helpers/community.ts';
import { Client, addMember } from './helpers/http-client.ts';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const JPEG = Buffer.concat([
  Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
  Buffer.from('JFIF\0'),
  Buffer.alloc(200, 7),
  Buffer.from([0xff, 0xd9]),
]);

/** China's calendar day for `at` (what the server counts overdue against). */
const chinaDay = (at: number) => new Date(at + 8 * 3600_000).toISOString().slice(0, 10);

async function upload(c: Client, pid: string, bytes: Buffer, type: string) {
  const res = await fetch(`${c.base}/api/problems/${pid}/photo`, {
    method: 'POST',
    headers: { cookie: c.cookie, 'content-type': type },
    body: new Uint8Array(bytes),
  });
  return { status: res.status, body: (await res.json()) as any };
}

describe('problems ledger', () => {
  let srv: TestServer;
  let f: CommunityFixture | undefined;
  let admin: Client;
  let cid: string;
  let otherCid: string;
  const p = {} as Record<'res' | 'nb' | 'firm' | 'lead' | 'branch' | 'outsider' | 'anon', Client>;
  const sockets: Socket[] = [];

  const member = (community: string, login: string, roles: string[], extra: Record<string, unknown> = {}) =>
    addMember(admin, srv.url, community, login, roles, { displayName: `${login}名`, ...extra });

  async function raise(c: Client = p.res, body: object = {}) {
    const r = await c.post(`/api/communities/${cid}/problems`, {
      title: '3号楼电梯异响',
      description: '运行时有金属摩擦声',
      building: '3',
      ...body,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.problem as any;
  }

  beforeAll(async () => {
    f = await startCommunity({ name: '问题清单测试小区' });
    ({ srv, admin, cid } = f);
    otherCid = await f.community('隔壁小区');
    p.res = await member(cid, 'res', ['resident']);
    p.nb = await member(cid, 'nb', ['owner']);
    p.firm = await member(cid, 'firm', ['property_firm']);
    p.lead = await member(cid, 'lead', ['building_leader'], { buildings: ['3'] });
    p.branch = await member(cid, 'branch', ['party_branch']);
    p.outsider = await member(otherCid, 'outsider', ['property_firm', 'owner']);
    p.anon = new Client(srv.url);
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await f?.stop();
  });

  it('goes raised → accepted → in progress → resolved → rated, each step in the history', async () => {
    const raised = await raise();
    expect(raised).toMatchObject({
      status: 'raised',
      communityId: cid,
      building: '3',
      tags: [],
      overdue: false,
      raisedBy: { name: 'res名' },
    });
    expect(raised.history).toHaveLength(1);
    const due = chinaDay(Date.now() + 14 * 86400_000);

    let r = await p.firm.patch(`/api/problems/${raised.id}`, {
      status: 'accepted',
      responsible: 'property_firm',
      dueDate: due,
      note: '议事会受理，物业负责',
      tags: ['need'],
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.problem).toMatchObject({ status: 'accepted', responsible: 'property_firm', dueDate: due, tags: ['need'] });
    r = await p.branch.patch(`/api/problems/${raised.id}`, { status: 'in_progress', note: '配件已订' });
    expect(r.status).toBe(200);
    r = await p.firm.patch(`/api/problems/${raised.id}`, { status: 'resolved', note: '已更换导靴' });
    expect(r.status).toBe(200);
    r = await p.res.post(`/api/problems/${raised.id}/rating`, { stars: 4, comment: '安静多了' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.problem.rating).toMatchObject({ stars: 4, comment: '安静多了' });

    // What a neighbour reading the ledger sees afterwards.
    const seen = (await p.nb.get(`/api/problems/${raised.id}`)).body.problem;
    expect(seen.status).toBe('resolved');
    expect(seen.rating.stars).toBe(4);
    expect(seen.history.map((h: any) => [h.from, h.to, h.by.name, h.note ?? null])).toEqual([
      [null, 'raised', 'res名', null],
      ['raised', 'accepted', 'firm名', '议事会受理，物业负责'],
      ['accepted', 'in_progress', 'branch名', '配件已订'],
      ['in_progress', 'resolved', 'firm名', '已更换导靴'],
    ]);
    // Rated once only.
    r = await p.res.post(`/api/problems/${raised.id}/rating`, { stars: 5 });
    expect(r.status).toBe(409);
    expect((await p.nb.get(`/api/problems/${raised.id}`)).body.problem.rating.stars).toBe(4);
  });

  it('refuses steps the life cycle does not allow (409) and changes nothing', async () => {
    const { id } = await raise();
    let r = await p.firm.patch(`/api/problems/${id}`, { status: 'resolved' });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('conflict');
    r = await p.firm.patch(`/api/problems/${id}`, { status: 'in_progress' });
    expect(r.status).toBe(409);
    // Accepting needs someone responsible.
    r = await p.firm.patch(`/api/problems/${id}`, { status: 'accepted', dueDate: '2030-01-01' });
    expect(r.status).toBe(400);
    expect(r.body.error.issues.map((i: any) => i.path)).toContain('responsible');
    r = await p.firm.patch(`/api/problems/${id}`, { status: 'accepted', dueDate: '2026-02-30', responsible: 'property_firm' });
    expect(r.status).toBe(400);
    r = await p.firm.patch(`/api/problems/${id}`, { title: '改标题' });
    expect(r.status).toBe(400);
    const after = (await p.res.get(`/api/problems/${id}`)).body.problem;
    expect(after.status).toBe('raised');
    expect(after.history).toHaveLength(1);
    expect(after.dueDate).toBeUndefined();

    r = await p.firm.patch(`/api/problems/${id}`, { status: 'rejected', note: '属街道职责，已转交' });
    expect(r.status).toBe(200);
    r = await p.firm.patch(`/api/problems/${id}`, { status: 'accepted', responsible: 'property_firm' });
    expect(r.status).toBe(409);
    r = await p.firm.patch(`/api/problems/${id}`, { dueDate: '2030-01-01' });
    expect(r.status).toBe(409);
  });

  it('only those who handle problems change them (403); outsiders see nothing (404); strangers 401', async () => {
    const { id } = await raise();
    const accept = { status: 'accepted', responsible: 'property_firm' };
    expect((await p.res.patch(`/api/problems/${id}`, accept)).status).toBe(403);
    expect((await p.nb.patch(`/api/problems/${id}`, accept)).status).toBe(403);
    expect((await p.lead.patch(`/api/problems/${id}`, accept)).status).toBe(403);

    const out = p.outsider;
    for (const r of [
      await out.get(`/api/problems/${id}`),
      await out.patch(`/api/problems/${id}`, accept),
      await out.post(`/api/problems/${id}/rating`, { stars: 1 }),
      await out.get(`/api/communities/${cid}/problems`),
      await out.post(`/api/communities/${cid}/problems`, { title: '越界' }),
      await out.get(`/api/problems/nonexistent-id`),
    ]) {
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe('not_found');
    }
    expect((await p.anon.get(`/api/problems/${id}`)).status).toBe(401);
    expect((await p.anon.post(`/api/communities/${cid}/problems`, { title: 'x' })).status).toBe(401);
    expect((await p.anon.get(`/api/communities/${cid}/problems`)).status).toBe(401);

    const after = (await p.res.get(`/api/problems/${id}`)).body.problem;
    expect(after.status).toBe('raised');
    expect(after.history).toHaveLength(1);
    // A raise with a bad body says which field.
    const bad = await p.res.post(`/api/communities/${cid}/problems`, { title: '', tags: ['wish'] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues.map((i: any) => i.path).sort()).toEqual(['tags.0', 'title']);
  });

  it('only the person who raised it rates it, and only once it is resolved', async () => {
    const { id } = await raise(p.nb);
    expect((await p.nb.post(`/api/problems/${id}/rating`, { stars: 5 })).status).toBe(409);
    for (const body of [{ status: 'accepted', responsible: 'owners_committee' }, { status: 'in_progress' }, { status: 'resolved' }]) {
      expect((await p.branch.patch(`/api/problems/${id}`, body)).status).toBe(200);
    }
    for (const c of [p.res, p.firm, p.branch, admin]) {
      const r = await c.post(`/api/problems/${id}/rating`, { stars: 1 });
      expect(r.status).toBe(403);
    }
    expect((await p.nb.post(`/api/problems/${id}/rating`, { stars: 6 })).status).toBe(400);
    expect((await p.nb.get(`/api/problems/${id}`)).body.problem.rating).toBeUndefined();
    expect((await p.nb.post(`/api/problems/${id}/rating`, { stars: 2, comment: '还会漏' })).status).toBe(200);
  });

  it('takes a JPEG, PNG or WebP photo up to 2 MB and serves it back with its type and nosniff', async () => {
    const { id } = await raise();
    let r = await upload(p.res, id, PNG, 'image/png');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.problem.photo.mime).toBe('image/png');
    const firstPhotoId = r.body.problem.photo.id;

    const got = await fetch(`${srv.url}/api/problems/${id}/photo`, { headers: { cookie: p.nb.cookie } });
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('image/png');
    expect(got.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await got.arrayBuffer()).equals(PNG)).toBe(true);
    const etag = got.headers.get('etag')!;
    expect((await fetch(`${srv.url}/api/problems/${id}/photo`, { headers: { cookie: p.nb.cookie, 'if-none-match': etag } })).status).toBe(
      304,
    );

    // Not an image, whatever it claims; not an accepted type; too large; not theirs.
    r = await upload(p.res, id, Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 'image/png');
    expect(r.status).toBe(415);
    r = await upload(p.res, id, Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'image/svg+xml');
    expect(r.status).toBe(415);
    r = await upload(p.res, id, PNG, 'text/plain');
    expect(r.status).toBe(415);
    const big = Buffer.concat([JPEG, Buffer.alloc(2 * 1024 * 1024 + 1 - JPEG.length)]);
    r = await upload(p.res, id, big, 'image/jpeg');
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe('too_large');
    r = await upload(p.nb, id, JPEG, 'image/jpeg');
    expect(r.status).toBe(403);
    r = await upload(p.outsider, id, JPEG, 'image/jpeg');
    expect(r.status).toBe(404);
    expect((await p.outsider.get(`/api/problems/${id}/photo`)).status).toBe(404);
    expect((await p.anon.get(`/api/problems/${id}/photo`)).status).toBe(401);
    expect((await upload(p.anon, id, JPEG, 'image/jpeg')).status).toBe(401);
    // None of those touched the stored photo.
    const still = (await p.res.get(`/api/problems/${id}`)).body.problem;
    expect(still.photo).toEqual({ id: firstPhotoId, mime: 'image/png' });

    // Exactly 2 MB is allowed; a replacement gets a new id and its own type.
    const max = Buffer.concat([JPEG, Buffer.alloc(2 * 1024 * 1024 - JPEG.length)]);
    r = await upload(p.firm, id, max, 'image/jpeg');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.problem.photo.mime).toBe('image/jpeg');
    expect(r.body.problem.photo.id).not.toBe(firstPhotoId);
    const again = await fetch(`${srv.url}/api/problems/${id}/photo`, { headers: { cookie: p.res.cookie, 'if-none-match': etag } });
    expect(again.status).toBe(200);
    expect(again.headers.get('content-type')).toBe('image/jpeg');
    expect((await again.arrayBuffer()).byteLength).toBe(2 * 1024 * 1024);

    const none = await raise();
    expect((await p.res.get(`/api/problems/${none.id}/photo`)).status).toBe(404);
  });

  it('lists overdue problems (due date passed in China time, not resolved) and filters by status, building, tag', async () => {
    const c2 = (await admin.post('/api/communities', { name: '逾期测试小区' })).body.community.id;
    const firm = await member(c2, 'firm2', ['property_firm', 'owner']);
    const mk = async (title: string, building: string, tags: string[]) => {
      const r = await firm.post(`/api/communities/${c2}/problems`, { title, building, tags });
      expect(r.status).toBe(201);
      return r.body.problem.id as string;
    };
    const late = await mk('垃圾分类点异味', '4', ['need']);
    const today = await mk('广场舞噪音', '1', ['need']);
    const lateDone = await mk('绿化带被占种菜', '2', ['resource']);
    const undated = await mk('电动车楼道充电', '1', ['project']);
    const yesterday = chinaDay(Date.now() - 86400_000);
    expect(
      (await firm.patch(`/api/problems/${late}`, { status: 'accepted', responsible: 'property_firm', dueDate: yesterday })).status,
    ).toBe(200);
    expect(
      (await firm.patch(`/api/problems/${today}`, { status: 'accepted', responsible: 'party_branch', dueDate: chinaDay(Date.now()) }))
        .status,
    ).toBe(200);
    expect(
      (await firm.patch(`/api/problems/${lateDone}`, { status: 'accepted', responsible: 'building_leader', dueDate: '2020-01-01' })).status,
    ).toBe(200);
    await firm.patch(`/api/problems/${lateDone}`, { status: 'in_progress' });
    expect((await firm.patch(`/api/problems/${lateDone}`, { status: 'resolved' })).status).toBe(200);

    const ids = async (q: string) =>
      ((await firm.get(`/api/communities/${c2}/problems${q}`)).body.problems as any[]).map((x) => x.id).sort();
    expect(await ids('?overdue=1')).toEqual([late]);
    const all = (await firm.get(`/api/communities/${c2}/problems`)).body.problems as any[];
    expect(all.map((x) => x.id)).toEqual([undated, lateDone, today, late]); // newest first
    expect(all.find((x) => x.id === late).overdue).toBe(true);
    expect(all.filter((x) => x.overdue)).toHaveLength(1);
    expect(await ids('?status=accepted')).toEqual([late, today].sort());
    expect(await ids('?building=1')).toEqual([today, undated].sort());
    expect(await ids('?tag=need')).toEqual([late, today].sort());
    expect(await ids('?tag=need&building=4&overdue=1')).toEqual([late]);
    expect((await firm.get(`/api/communities/${c2}/problems?status=done`)).status).toBe(400);
    // Moving the due date on takes it off the overdue list.
    expect((await firm.patch(`/api/problems/${late}`, { dueDate: chinaDay(Date.now() + 7 * 86400_000), note: '延期一周' })).status).toBe(
      200,
    );
    expect(await ids('?overdue=1')).toEqual([]);
  });

  it('broadcasts problem:updated to members watching the community, not to other communities', async () => {
    const watch = async (c: Client, community: string) => {
      const s = ioc(srv.url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie: c.cookie } });
      sockets.push(s);
      await new Promise<void>((resolve, reject) => {
        s.once('connect', () => resolve());
        s.once('connect_error', reject);
      });
      const ack = await s.timeout(5000).emitWithAck('community:watch', { communityId: community });
      return { s, ack };
    };
    const { s } = await watch(p.nb, cid);
    const other = await watch(p.outsider, otherCid);
    expect(other.ack.ok).toBe(true);
    const heardOther: unknown[] = [];
    other.s.on('problem:updated', (e) => heardOther.push(e));

    const raisedEvent = new Promise<any>((resolve) => s.once('problem:updated', resolve));
    const { id } = await raise(p.res, { title: '快递柜占用消防通道', building: '2' });
    expect((await raisedEvent).problem).toMatchObject({ id, status: 'raised', title: '快递柜占用消防通道' });

    const accepted = new Promise<any>((resolve) => s.once('problem:updated', resolve));
    await p.firm.patch(`/api/problems/${id}`, { status: 'accepted', responsible: 'property_firm', dueDate: '2020-01-01' });
    const e = await accepted;
    expect(e.problem).toMatchObject({ id, status: 'accepted', responsible: 'property_firm', overdue: true });
    expect(e.problem.history).toHaveLength(2);
    // Barrier: a problem raised in the other community reaches its watcher after anything sent before it.
    const barrier = new Promise<any>((resolve) => other.s.once('problem:updated', resolve));
    const otherId = (await p.outsider.post(`/api/communities/${otherCid}/problems`, { title: '隔壁的路灯坏了' })).body.problem.id;
    expect((await barrier).problem.id).toBe(otherId);
    expect(heardOther.map((x: any) => x.problem.id)).toEqual([otherId]);
  });

  it('keeps every history entry when managers write at the same moment', async () => {
    const { id } = await raise();
    await p.firm.patch(`/api/problems/${id}`, { status: 'accepted', responsible: 'property_firm' });
    const notes = Array.from({ length: 8 }, (_, i) => `进展 ${i + 1}`);
    const replies = await Promise.all(notes.map((note, i) => (i % 2 ? p.firm : p.branch).patch(`/api/problems/${id}`, { note })));
    expect(replies.map((r) => r.status)).toEqual(notes.map(() => 200));
    const h = (await p.res.get(`/api/problems/${id}`)).body.problem.history as any[];
    expect(h).toHaveLength(2 + notes.length);
    expect(
      h
        .slice(2)
        .map((x) => x.note)
        .sort(),
    ).toEqual([...notes].sort());
    // A repeated click adds nothing.
    await p.firm.patch(`/api/problems/${id}`, { status: 'accepted', responsible: 'property_firm' });
    expect((await p.res.get(`/api/problems/${id}`)).body.problem.history).toHaveLength(2 + notes.length);
  });

  it('links a problem to a meeting of its own community only', async () => {
    const { id } = await raise();
    const m = await admin.post(`/api/communities/${cid}/meetings`, { title: '问题清单议事会', mode: 'hall' });
    expect(m.status, JSON.stringify(m.body)).toBe(201);
    const otherMeeting = (await admin.post(`/api/communities/${otherCid}/meetings`, { title: '隔壁议事会', mode: 'online' })).body.meeting
      .id;
    let r = await p.firm.patch(`/api/problems/${id}`, { meetingId: otherMeeting });
    expect(r.status).toBe(400);
    expect(r.body.error.issues[0].path).toBe('meetingId');
    r = await p.firm.patch(`/api/problems/${id}`, { meetingId: m.body.meeting.id, status: 'accepted', responsible: 'party_branch' });
    expect(r.status).toBe(200);
    expect(r.body.problem.meetingId).toBe(m.body.meeting.id);

    // The minutes list the problems an agenda item took up; a problem of another community stays out.
    const foreign = (await p.outsider.post(`/api/communities/${otherCid}/problems`, { title: '隔壁的秘密问题' })).body.problem.id;
    const agenda = await admin.request('PUT', `/api/meetings/${m.body.meeting.id}/agenda`, {
      items: [{ title: '问题清单通报', problemIds: [id, foreign] }],
    });
    expect(agenda.status, JSON.stringify(agenda.body)).toBe(200);
    const minutes = (await admin.get(`/api/meetings/${m.body.meeting.id}/minutes`)).body.minutes.markdown as string;
    expect(minutes).toContain('3号楼电梯异响');
    expect(minutes).not.toContain('隔壁的秘密问题');
  });

  it('raises a problem from a meeting linked to it at once; a meeting of another community is refused and nothing is written', async () => {
    const m = (await admin.post(`/api/communities/${cid}/meetings`, { title: '现场反映问题议事会', mode: 'hall' })).body.meeting.id;
    const other = (await admin.post(`/api/communities/${otherCid}/meetings`, { title: '隔壁的会', mode: 'hall' })).body.meeting.id;
    const raised = await raise(p.res, { title: '会上反映：楼道灯不亮', meetingId: m });
    expect(raised).toMatchObject({ status: 'raised', meetingId: m, building: '3' });
    expect((await p.res.get(`/api/problems/${raised.id}`)).body.problem.meetingId).toBe(m);

    const before = (await p.res.get(`/api/communities/${cid}/problems`)).body.problems.length;
    for (const meetingId of [other, 'no-such-meeting']) {
      const r = await p.res.post(`/api/communities/${cid}/problems`, { title: '不该写入的问题', meetingId });
      expect(r.status).toBe(400);
      expect(r.body.error.issues[0].path).toBe('meetingId');
    }
    const after = (await p.res.get(`/api/communities/${cid}/problems`)).body.problems;
    expect(after).toHaveLength(before);
    expect(after.some((x: { title: string }) => x.title === '不该写入的问题')).toBe(false);
  });

  it('lists in the minutes a problem the meeting accepted, with its responsible party and due date, though no agenda item links it', async () => {
    const m = (await admin.post(`/api/communities/${cid}/meetings`, { title: '受理问题议事会', mode: 'hybrid' })).body.meeting.id;
    const taken = (await p.res.post(`/api/communities/${cid}/problems`, { title: '5栋门禁坏了', building: '5' })).body.problem.id;
    const notTaken = (await p.res.post(`/api/communities/${cid}/problems`, { title: '6栋路灯不亮', building: '6' })).body.problem.id;
    const r = await p.firm.patch(`/api/problems/${taken}`, {
      status: 'accepted',
      responsible: 'owners_committee',
      dueDate: '2026-12-31',
      meetingId: m,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(notTaken).toBeTruthy();
    const minutes = (await admin.get(`/api/meetings/${m}/minutes`)).body.minutes.markdown as string;
    const section = minutes.slice(minutes.indexOf('## 问题清单'));
    expect(section).toContain('- 5栋门禁坏了：已受理，责任方 业委会，期限 2026-12-31');
    expect(section).not.toContain('6栋路灯不亮');
  });
});
