/**
 * Meetings through two real server processes on one Redis, with real socket.io clients: agenda
 * moves seen across processes, exact attendance and Art. 278 quorum over an unequal roster,
 * recovery after a dropped connection, facilitator-only controls, closed meetings, join codes,
 * rate limits, speakers, motions and minutes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import { Redis } from 'ioredis';
import { startRedis, startServer, type TestRedis, type TestServer } from './helpers/processes.ts';
import { Client, addMember } from './helpers/http-client.ts';
import { ack, connectSocket, stateWhere as stateWhereOf } from './helpers/sockets.ts';
import { until } from './helpers/wait.ts';

type State = any;
const sockets: Socket[] = [];

const connect = (url: string, cookie: string, reconnectMs?: number) => connectSocket(sockets, url, cookie, reconnectMs);
const stateWhere = (s: Socket, pred: (st: State) => boolean, ms?: number) => stateWhereOf<State>(s, pred, ms);

describe('meetings', () => {
  let redis: TestRedis;
  let a: TestServer;
  let b: TestServer;
  let admin: Client;
  let cid: string;
  let hh: Record<string, any>;
  const people = {} as Record<'fac' | 'jia' | 'yi' | 'bing' | 'tenant', Client>;
  let meetingId: string;
  let joinCode: string;
  let agenda: { id: string }[];

  const member = (url: string, login: string, roles: string[], householdIds: string[] = []) =>
    addMember(admin, url, cid, login, roles, { householdIds });

  beforeAll(async () => {
    redis = await startRedis();
    // One trusted proxy hop (X-Forwarded-For names the phone); a 60 s first delay after failed
    // codes, so the refusal below cannot run out under load.
    const env = { LINLI_TRUST_PROXY: '1', LINLI_LIMIT_FIRST_DELAY: '60' };
    [a, b] = await Promise.all([startServer({ redisUrl: redis.url, env }), startServer({ redisUrl: redis.url, env })]);
    admin = new Client(a.url);
    await admin.login('admin', a.adminPassword!);
    cid = (await admin.post('/api/communities', { name: '议事测试小区' })).body.community.id;
    // Owners: 甲 holds two units (120.50 + 60.25), the others one each. 5 owners, 593.99 m².
    const rows = [
      { building: '1', unit: '1', room: '101', area: '120.50', owner: '甲' },
      { building: '1', unit: '1', room: '102', area: '60.25', owner: '甲' },
      { building: '1', unit: '2', room: '201', area: '88.00', owner: '乙' },
      { building: '2', unit: '1', room: '301', area: '99.99', owner: '丙' },
      { building: '2', unit: '1', room: '1201', area: '150.00', owner: '丁' },
      { building: '2', unit: '2', room: '402', area: '75.25', owner: '戊' },
    ];
    expect((await admin.post(`/api/communities/${cid}/households`, { households: rows })).body.created).toBe(6);
    const list = (await admin.get(`/api/communities/${cid}/households`)).body.households as any[];
    hh = Object.fromEntries(list.map((h) => [h.room, h]));
    people.fac = await member(a.url, 'fac1', ['facilitator']);
    people.jia = await member(a.url, 'jia', ['owner'], [hh['101'].id]);
    people.yi = await member(b.url, 'yi', ['owner'], [hh['201'].id]);
    people.bing = await member(b.url, 'bing', ['owner'], [hh['301'].id]);
    people.tenant = await member(b.url, 'zuhu1', ['resident'], [hh['402'].id]);
    const created = await people.fac.post(`/api/communities/${cid}/meetings`, {
      title: '第一次议事会',
      mode: 'hybrid',
      startsAt: '2026-12-01T19:30:00+08:00',
      place: '活动中心',
      agenda: [{ title: '充电桩', plannedMinutes: 30 }, { title: '堆物', description: '楼道' }, { title: '公约' }],
    });
    expect(created.status).toBe(201);
    meetingId = created.body.meeting.id;
    joinCode = created.body.meeting.joinCode;
    expect(joinCode).toMatch(/^[1-9]\d{7}$/);
    agenda = (await people.fac.get(`/api/meetings/${meetingId}`)).body.agenda;
  });

  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
  });

  it('creates, lists and reads a meeting; only members see it; the QR holds the join link', async () => {
    const list = await people.jia.get(`/api/communities/${cid}/meetings`);
    expect(list.body.meetings.map((m: any) => m.id)).toContain(meetingId);
    const got = await people.yi.get(`/api/meetings/${meetingId}`);
    expect(got.status).toBe(200);
    expect(got.body.meeting).toMatchObject({
      title: '第一次议事会',
      mode: 'hybrid',
      status: 'scheduled',
      place: '活动中心',
      startsAt: '2026-12-01T11:30:00.000Z',
    });
    expect(got.body.agenda.map((x: any) => x.title)).toEqual(['充电桩', '堆物', '公约']);
    expect(got.body.you.facilitator).toBe(false);
    expect((await new Client(a.url).get(`/api/meetings/${meetingId}`)).status).toBe(401);
    const outsider = new Client(a.url);
    const other = (await admin.post('/api/communities', { name: '别的小区' })).body.community.id;
    await admin.post(`/api/communities/${other}/members`, {
      displayName: 'o',
      roles: ['owner'],
      login: 'outsider1',
      password: 'meeting-pass-1',
    });
    await outsider.login('outsider1', 'meeting-pass-1');
    expect((await outsider.get(`/api/meetings/${meetingId}`)).status).toBe(404);
    // Only conveners may create; owners may not.
    expect((await people.jia.post(`/api/communities/${cid}/meetings`, { title: 'x', mode: 'hall' })).status).toBe(403);
    expect((await people.fac.post(`/api/communities/${cid}/meetings`, { title: '', mode: 'boat' })).body.error.code).toBe(
      'validation_failed',
    );
    const qr = await people.jia.request('GET', `/api/meetings/${meetingId}/qr`);
    expect(qr.headers.get('content-type')).toContain('image/svg+xml');
    expect(String(qr.body)).toContain('<svg');
  });

  it('a participant on process B sees the agenda moves the facilitator makes on process A', async () => {
    const fac = await connect(a.url, people.fac.cookie);
    const yi = await connect(b.url, people.yi.cookie);
    const j = await ack(fac, 'meeting:join', { meetingId });
    expect(j.ok).toBe(true);
    expect(j.you).toMatchObject({ facilitator: true });
    const jy = await ack(yi, 'meeting:join', { meetingId });
    expect(jy).toMatchObject({ ok: true, ballots: [], you: { facilitator: false, handRaised: false, queuePosition: null } });
    expect(jy.state.agenda).toHaveLength(3);

    // Not before the meeting is open.
    expect((await ack(fac, 'meeting:agenda_move', { itemId: agenda[0]!.id })).error.code).toBe('conflict');
    const opened = stateWhere(yi, (s) => s.meeting.status === 'open');
    expect((await ack(fac, 'meeting:status', { status: 'open' })).ok).toBe(true);
    await opened;

    const seen = stateWhere(yi, (s) => s.currentItemId === agenda[1]!.id);
    const before = Date.now();
    expect(await ack(fac, 'meeting:agenda_move', { itemId: agenda[1]!.id })).toMatchObject({ ok: true });
    const st = await seen;
    expect(st.meeting.status).toBe('in_progress');
    const item = st.agenda.find((x: any) => x.id === agenda[1]!.id);
    expect(item.startedAt).toBeGreaterThanOrEqual(before - 1000);
    expect(item.startedAt).toBeLessThanOrEqual(Date.now() + 1000);

    // Moving on banks the time of the item left behind.
    // The item runs at least 120 ms by the clock the server stamps with (same machine).
    await until(() => Date.now() - item.startedAt >= 120, 5000, 'the item to run 120 ms');
    const seen2 = stateWhere(yi, (s) => s.currentItemId === agenda[2]!.id);
    await ack(fac, 'meeting:agenda_move', { itemId: agenda[2]!.id });
    const st2 = await seen2;
    const left = st2.agenda.find((x: any) => x.id === agenda[1]!.id);
    expect(left).toMatchObject({ startedAt: null, done: true });
    expect(left.usedMs).toBeGreaterThanOrEqual(100);
  });

  it('non-facilitators cannot move the agenda or the queue (failed ack: forbidden)', async () => {
    const jia = await connect(a.url, people.jia.cookie);
    await ack(jia, 'meeting:join', { meetingId });
    for (const [ev, p] of [
      ['meeting:agenda_move', { itemId: agenda[0]!.id }],
      ['meeting:speaker_next', {}],
      ['meeting:speaker_lower', { userId: 'someone' }],
      ['meeting:speaker_reorder', { userIds: [] }],
      ['meeting:status', { status: 'closed' }],
    ] as const) {
      const r = await ack(jia, ev, p);
      expect(r, ev).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    expect((await ack(jia, 'meeting:agenda_move', { itemId: 42 })).error.code).toBe('validation_failed');
    expect((await people.jia.patch(`/api/meetings/${meetingId}`, { title: 'mine' })).status).toBe(403);
    expect((await people.jia.request('PUT', `/api/meetings/${meetingId}/agenda`, { items: [] })).status).toBe(403);
    jia.disconnect();
  });

  it('attendance and the Art. 278 quorum are exact for a roster with unequal areas, live on both processes', async () => {
    const watcher = await connect(a.url, people.fac.cookie);
    await ack(watcher, 'meeting:join', { meetingId });
    // So far: fac (no household) and 乙 (201, 88.00) connected. 甲 joins through 101 → brings 102 too.
    const jia = await connect(a.url, people.jia.cookie);
    const withJia = stateWhere(watcher, (s) => s.quorum.owners.present === 2);
    await ack(jia, 'meeting:join', { meetingId });
    let st = await withJia;
    expect(st.quorum).toEqual({
      owners: { present: 2, total: 5 },
      areaCentiares: { present: 12_050 + 6_025 + 8_800, total: 59_399 },
      met: false,
      needed: { owners: 2, areaCentiares: 39_600 - 26_875 },
      // 2 owners, 3 households (甲 holds two): the projector explains the difference.
      households: { present: 3, total: 6 },
    });
    // 丁 (1201, 150.00) has no phone: the facilitator finds the room and checks the household in.
    const found = await people.fac.get(`/api/meetings/${meetingId}/households?q=1201`);
    expect(found.body.households).toEqual([expect.objectContaining({ id: hh['1201'].id, room: '1201', owner: '丁', checkedIn: false })]);
    expect((await people.jia.get(`/api/meetings/${meetingId}/households?q=1201`)).status).toBe(403);
    const withDing = stateWhere(watcher, (s) => s.quorum.owners.present === 3);
    const ci = await people.fac.post(`/api/meetings/${meetingId}/check-in`, { householdId: hh['1201'].id });
    expect(ci.status).toBe(200);
    expect(ci.body.created).toBe(true);
    expect((await people.fac.post(`/api/meetings/${meetingId}/check-in`, { householdId: hh['1201'].id })).body.created).toBe(false);
    st = await withDing;
    // 3 of 5 owners: 9 < 10, one more needed; area 418.75 of 593.99 m² ≥ 2/3 (396.00).
    expect(st.quorum).toEqual({
      owners: { present: 3, total: 5 },
      areaCentiares: { present: 41_875, total: 59_399 },
      met: false,
      needed: { owners: 1, areaCentiares: 0 },
      households: { present: 4, total: 6 },
    });
    // A tenant and a guest take part but are not owners: the quorum does not move.
    const tenant = await connect(b.url, people.tenant.cookie);
    await ack(tenant, 'meeting:join', { meetingId });
    const guestHttp = new Client(b.url);
    expect((await guestHttp.post('/api/meetings/join', { joinCode, displayName: '街道办小王' })).status).toBe(200);
    const guest = await connect(b.url, guestHttp.cookie);
    const withAll = stateWhere(watcher, (s) => s.attendance.guests === 1 && s.attendance.members === 4);
    await ack(guest, 'meeting:join', { meetingId });
    st = await withAll;
    expect(st.quorum.owners.present).toBe(3);
    expect(st.attendance).toMatchObject({ present: 6, members: 4, guests: 1, checkedIn: 1, households: 4 });
    expect(st.attendance.byRole).toMatchObject({ facilitator: 1, owner: 2, resident: 1, guest: 1 });
    expect(st.attendance.byBuilding).toEqual([
      { building: '1', people: 2, households: 2 },
      { building: '2', people: 2, households: 2 },
    ]);
    // 丙 joins on B: 4 of 5 owners, quorum met.
    const bing = await connect(b.url, people.bing.cookie);
    const met = stateWhere(watcher, (s) => s.quorum.met);
    await ack(bing, 'meeting:join', { meetingId });
    st = await met;
    expect(st.quorum).toMatchObject({
      owners: { present: 4, total: 5 },
      areaCentiares: { present: 51_874 },
      needed: { owners: 0, areaCentiares: 0 },
    });
    // 丙 leaves: back to not met.
    const gone = stateWhere(watcher, (s) => s.quorum.owners.present === 3);
    bing.disconnect();
    await gone;
    // The attendance list keeps everyone who came, present or not.
    const list = (await people.fac.get(`/api/meetings/${meetingId}/attendance`)).body.attendees as any[];
    expect(list.find((x) => x.name === 'bing')).toMatchObject({ present: false, roles: ['owner'] });
    expect(list.find((x) => x.kind === 'checked_in')).toMatchObject({ householdIds: [hh['1201'].id], present: true, checkedInBy: 'fac1' });
    expect(list.find((x) => x.kind === 'guest')).toMatchObject({ name: '街道办小王', roles: ['guest'] });
    // A building leader checks in only in their own building; an undo takes the household out again.
    const leader = await member(a.url, 'leader1', ['building_leader', 'owner'], [hh['102'].id]);
    await admin.patch(`/api/communities/${cid}/members/${(await leader.get('/api/me')).body.user.id}`, { buildings: ['1'] });
    const mine = (await leader.get(`/api/meetings/${meetingId}/households`)).body.households as any[];
    expect(mine.map((x) => x.room).sort()).toEqual(['101', '102', '201']);
    expect((await leader.post(`/api/meetings/${meetingId}/check-in`, { householdId: hh['402'].id })).status).toBe(403);
    const withWu = stateWhere(watcher, (s) => s.quorum.owners.present === 4);
    expect((await people.fac.post(`/api/meetings/${meetingId}/check-in`, { householdId: hh['402'].id })).status).toBe(200);
    await withWu;
    const withoutWu = stateWhere(watcher, (s) => s.quorum.owners.present === 3);
    expect((await people.fac.delete(`/api/meetings/${meetingId}/check-in/${hh['402'].id}`)).body.removed).toBe(true);
    await withoutWu;
    // A guest listens: no hand, no motion.
    expect((await ack(guest, 'meeting:hand', { raised: true })).error.code).toBe('forbidden');
    expect((await ack(guest, 'motion:propose', { text: '我提议' })).error.code).toBe('forbidden');
    for (const s of [jia, tenant, guest, watcher]) s.disconnect();
  });

  it('presence changes are coalesced: 30 joins give a few broadcasts, the last one exact', async () => {
    const watcher = await connect(a.url, people.fac.cookie);
    const settling: State[] = [];
    watcher.on('meeting:state', (p: { state: State }) => settling.push(p.state));
    await ack(watcher, 'meeting:join', { meetingId });
    // Barrier: the earlier tests' presence broadcasts have landed once the last one seen matches the stored state.
    const current = async () => (await people.fac.get(`/api/meetings/${meetingId}/state`)).body.state.attendance.guests;
    await until(async () => settling.length > 0 && settling.at(-1)!.attendance.guests === (await current()), 10_000, 'presence to settle');
    watcher.removeAllListeners('meeting:state');
    const guestsBefore = await current();
    const got: State[] = [];
    watcher.on('meeting:state', (p: { state: State }) => got.push(p.state));
    const clients = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const c = new Client(i % 2 ? a.url : b.url);
        await c.post('/api/meetings/join', { joinCode, displayName: `听众${i}` });
        return c;
      }),
    );
    const t0 = Date.now();
    const socks = await Promise.all(clients.map((c, i) => connect(i % 2 ? a.url : b.url, c.cookie)));
    await Promise.all(socks.map((s) => ack(s, 'meeting:join', { meetingId })));
    // The trailing broadcast of each process brings the exact count.
    await expect.poll(() => got.at(-1)?.attendance.guests, { timeout: 10_000 }).toBe(guestsBefore + 30);
    const elapsed = Date.now() - t0;
    // Two processes, each at most one broadcast per 250 ms (+1 trailing each).
    expect(got.length).toBeLessThanOrEqual(2 * (Math.ceil(elapsed / 250) + 1));
    expect(got.length).toBeLessThan(30);
    for (const s of socks) s.disconnect();
    watcher.disconnect();
  });

  it('a client whose connection drops resumes with what it missed (connection-state recovery)', async () => {
    const fac = await connect(a.url, people.fac.cookie);
    await ack(fac, 'meeting:join', { meetingId });
    // Reconnects after 1 s, so the change below happens while it is away.
    const yi = await connect(b.url, people.yi.cookie, 1000);
    // Recovery resumes from the last broadcast received: wait for the one our join causes.
    const first = stateWhere(yi, () => true);
    await ack(yi, 'meeting:join', { meetingId });
    await first;
    const states: State[] = [];
    yi.on('meeting:state', (p: { state: State }) => states.push(p.state));
    const reconnected = new Promise<void>((resolve) => yi.io.once('reconnect', () => resolve()));
    // Drop the transport (as a phone losing the network does), not a clean disconnect.
    (yi.io as any).engine.close();
    await expect.poll(() => yi.connected).toBe(false);
    await ack(fac, 'meeting:agenda_move', { itemId: agenda[0]!.id });
    await reconnected;
    await expect.poll(() => yi.connected && yi.recovered).toBe(true);
    // The move made while it was away arrives through the recovered session.
    await expect.poll(() => states.at(-1)?.currentItemId, { timeout: 10_000 }).toBe(agenda[0]!.id);
    // Still in the room: the next change arrives without joining again.
    const next = stateWhere(yi, (s) => s.currentItemId === agenda[1]!.id);
    await ack(fac, 'meeting:agenda_move', { itemId: agenda[1]!.id });
    await next;
    // And still counted present.
    const st = (await people.fac.get(`/api/meetings/${meetingId}/state`)).body.state;
    expect(st.quorum.owners.present).toBeGreaterThanOrEqual(2);
    fac.disconnect();
    yi.disconnect();
  });

  it('hands, the speakers queue, reactions and motions', async () => {
    const fac = await connect(a.url, people.fac.cookie);
    await ack(fac, 'meeting:join', { meetingId });
    const jia = await connect(a.url, people.jia.cookie);
    const yi = await connect(b.url, people.yi.cookie);
    await ack(jia, 'meeting:join', { meetingId });
    await ack(yi, 'meeting:join', { meetingId });
    expect(await ack(jia, 'meeting:hand', { raised: true })).toMatchObject({ ok: true, queuePosition: 1 });
    expect(await ack(yi, 'meeting:hand', { raised: true })).toMatchObject({ ok: true, queuePosition: 2 });
    const ids = (await people.fac.get(`/api/meetings/${meetingId}/state`)).body.state.speakers.map((s: any) => s.name);
    expect(ids).toEqual(['jia', 'yi']);
    const yiId = (await people.yi.get('/api/me')).body.user.id;
    const jiaId = (await people.jia.get('/api/me')).body.user.id;
    await ack(fac, 'meeting:speaker_reorder', { userIds: [yiId, jiaId] });
    const speaking = stateWhere(jia, (s) => s.speaker?.userId === yiId);
    const t = Date.now();
    await ack(fac, 'meeting:speaker_next');
    const st = await speaking;
    expect(st.speaker.name).toBe('yi');
    expect(Math.abs(st.speaker.since - t)).toBeLessThan(2000);
    expect(st.speakers.map((s: any) => s.userId)).toEqual([jiaId]);
    await ack(fac, 'meeting:speaker_lower', { userId: jiaId });
    expect((await people.fac.get(`/api/meetings/${meetingId}/state`)).body.state.speakers).toEqual([]);
    expect((await ack(jia, 'meeting:join', { meetingId })).you).toMatchObject({ handRaised: false, queuePosition: null });

    // Temperature check: counted live, changed, cleared.
    const counted = stateWhere(fac, (s) => s.reactions.agree === 1 && s.reactions.disagree === 1);
    await ack(jia, 'meeting:react', { reaction: 'agree' });
    await ack(yi, 'meeting:react', { reaction: 'disagree' });
    await counted;
    await ack(yi, 'meeting:react', { reaction: 'agree' });
    await stateWhere(fac, (s) => s.reactions.agree === 2 && s.reactions.disagree === 0);
    expect((await ack(yi, 'meeting:react', { reaction: 'love' })).error.code).toBe('validation_failed');
    // A new agenda item starts a new temperature check.
    const cleared = stateWhere(jia, (s) => s.currentItemId === agenda[2]!.id);
    await ack(fac, 'meeting:agenda_move', { itemId: agenda[2]!.id });
    expect((await cleared).reactions).toEqual({ agree: 0, unsure: 0, disagree: 0 });

    // Motions: propose, no self-second, second, not to a ballot until seconded.
    const p = await ack(jia, 'motion:propose', { text: '充电桩设在2栋与3栋之间' });
    expect(p.ok).toBe(true);
    expect((await ack(jia, 'motion:second', { motionId: p.motionId })).error.code).toBe('conflict');
    expect((await ack(fac, 'motion:to_ballot', { motionId: p.motionId })).error.code).toBe('conflict');
    expect((await ack(yi, 'motion:to_ballot', { motionId: p.motionId })).error.code).toBe('forbidden');
    const seconded = stateWhere(fac, (s) => s.motions.some((m: any) => m.id === p.motionId && m.status === 'seconded'));
    expect((await ack(yi, 'motion:second', { motionId: p.motionId })).ok).toBe(true);
    const m = (await seconded).motions.find((x: any) => x.id === p.motionId);
    expect(m).toMatchObject({ text: '充电桩设在2栋与3栋之间', proposerName: 'jia', seconds: [expect.objectContaining({ name: 'yi' })] });
    for (const s of [fac, jia, yi]) s.disconnect();
  });

  it('a flood of events from one socket is rate-limited', async () => {
    const jia = await connect(a.url, people.jia.cookie);
    await ack(jia, 'meeting:join', { meetingId });
    const replies = await Promise.all(
      Array.from({ length: 100 }, (_, i) => ack(jia, 'meeting:react', { reaction: i % 2 ? 'agree' : 'unsure' })),
    );
    const limited = replies.filter((r) => r.error?.code === 'rate_limited').length;
    expect(limited).toBeGreaterThan(40);
    expect(replies.filter((r) => r.ok).length).toBeGreaterThan(10);
    // The bucket refills (20 a second): soon an event goes through again.
    await expect.poll(async () => (await ack(jia, 'meeting:react', { reaction: null })).ok, { timeout: 5000 }).toBe(true);
    jia.disconnect();
  });

  it('a closed meeting rejects changes clearly; it is counted; its minutes are edited, published and exported', async () => {
    const fac = await connect(a.url, people.fac.cookie);
    await ack(fac, 'meeting:join', { meetingId });
    const jia = await connect(b.url, people.jia.cookie);
    await ack(jia, 'meeting:join', { meetingId });
    const closed = await people.fac.patch(`/api/meetings/${meetingId}`, { status: 'closed' });
    expect(closed.status).toBe(200);
    expect(closed.body.meeting.closedAt).toBeGreaterThan(0);
    for (const [s, ev, p] of [
      [fac, 'meeting:agenda_move', { itemId: agenda[0]!.id }],
      [fac, 'meeting:status', { status: 'in_progress' }],
      [fac, 'meeting:speaker_next', {}],
      [jia, 'meeting:hand', { raised: true }],
      [jia, 'meeting:react', { reaction: 'agree' }],
      [jia, 'motion:propose', { text: 'late' }],
    ] as const) {
      expect(await ack(s, ev, p), ev).toMatchObject({ ok: false, error: { code: 'meeting_closed' } });
    }
    const patch = await people.fac.patch(`/api/meetings/${meetingId}`, { title: 'renamed' });
    expect(patch.status).toBe(409);
    expect(patch.body.error.code).toBe('meeting_closed');
    expect((await people.fac.request('PUT', `/api/meetings/${meetingId}/agenda`, { items: [] })).body.error.code).toBe('meeting_closed');
    expect((await people.fac.post(`/api/meetings/${meetingId}/check-in`, { householdId: hh['402'].id })).body.error.code).toBe(
      'meeting_closed',
    );
    // The code no longer joins.
    expect((await new Client(a.url).post('/api/meetings/join', { joinCode }, { 'x-forwarded-for': '198.51.100.7' })).status).toBe(404);

    // Dashboard: one meeting held, its distinct participants.
    const r = new Redis(redis.url);
    const months = await r.smembers(`stats:{${cid}}:months`);
    const figures = await r.hgetall(`stats:{${cid}}:${months[0]}`);
    await r.quit();
    expect(figures.meetings_held).toBe('1');
    // fac, 甲, 乙, 丙, the tenant, 31 guests, and 丁 checked in.
    expect(Number(figures.meeting_participants)).toBe(5 + 31 + 1);

    // Minutes: not visible to owners before publishing; generated for editors.
    expect((await people.jia.get(`/api/meetings/${meetingId}/minutes`)).status).toBe(404);
    const draft = await people.fac.get(`/api/meetings/${meetingId}/minutes`);
    expect(draft.body.minutes.generated).toBe(true);
    const md = draft.body.minutes.markdown as string;
    expect(md).toContain('# 会议纪要：第一次议事会');
    expect(md).not.toMatch(/Minutes|Attendance|Agenda|Motions|Ballots|passed|online|hybrid|seconded|[a-z]+_[a-z]+/); // Chinese only: no English half, no raw codes
    expect(md).toContain('充电桩设在2栋与3栋之间');
    expect(md).toMatch(/4\/5 人，专有面积 518\.74\/593\.99 平方米，达到三分之二/);
    expect((await people.jia.request('PUT', `/api/meetings/${meetingId}/minutes`, { markdown: 'x' })).status).toBe(403);
    const edited = await people.fac.request('PUT', `/api/meetings/${meetingId}/minutes`, {
      markdown: md + '\n会后补充：物业两周内答复。\n',
    });
    expect(edited.body.minutes).toMatchObject({ generated: false, editedBy: 'fac1' });
    const pub = await people.fac.post(`/api/meetings/${meetingId}/minutes/publish`);
    expect(pub.body.minutes.publishedAt).toBeGreaterThan(0);
    expect((await people.fac.request('PUT', `/api/meetings/${meetingId}/minutes`, { markdown: 'x' })).status).toBe(409);
    const seen = await people.jia.get(`/api/meetings/${meetingId}/minutes`);
    expect(seen.body.minutes.markdown).toContain('会后补充：物业两周内答复。');
    const mdFile = await people.jia.request('GET', `/api/meetings/${meetingId}/minutes/export?format=md`);
    expect(mdFile.headers.get('content-type')).toContain('text/markdown');
    expect(String(mdFile.body)).toContain('会后补充');
    const docx = await fetch(`${a.url}/api/meetings/${meetingId}/minutes/export?format=docx`, { headers: { cookie: people.jia.cookie } });
    expect(docx.headers.get('content-type')).toContain('wordprocessingml');
    const bytes = new Uint8Array(await docx.arrayBuffer());
    expect([bytes[0], bytes[1]]).toEqual([0x50, 0x4b]); // a zip (PK)
    expect(bytes.length).toBeGreaterThan(3000);
    fac.disconnect();
    jia.disconnect();
  });

  it('join by code: a guest session bound to the meeting; 10 wrong codes from one address → 429, others unaffected', async () => {
    const code = (await people.fac.post(`/api/communities/${cid}/meetings`, { title: '第二次', mode: 'online' })).body.meeting
      .joinCode as string;
    const guest = new Client(a.url);
    const j = await guest.post('/api/meetings/join', { code: `${code.slice(0, 4)} ${code.slice(4)}` });
    expect(j.status).toBe(200);
    expect(j.body.user).toMatchObject({ kind: 'guest', displayName: '访客' });
    expect((await guest.get('/api/me')).body.meetingId).toBe(j.body.meeting.id);
    // The guest sees this meeting, not the community's others.
    expect((await guest.get(`/api/meetings/${j.body.meeting.id}`)).status).toBe(200);
    expect((await guest.get(`/api/meetings/${meetingId}`)).status).toBe(404);
    // A member keeps their own session.
    const mine = await people.jia.post('/api/meetings/join', { joinCode: code });
    expect(mine.body).toMatchObject({ guest: false, user: { displayName: 'jia' } });
    expect(mine.headers.getSetCookie()).toEqual([]);

    const ip = { 'x-forwarded-for': '203.0.113.9' };
    const wrong = String((Number(code) % 90_000_000) + 10_000_000 + 1);
    for (let i = 0; i < 10; i++) {
      const r = await new Client(a.url).post('/api/meetings/join', { joinCode: wrong }, ip);
      expect(r.status).toBe(404);
    }
    const blocked = await new Client(b.url).post('/api/meetings/join', { joinCode: code }, ip);
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('rate_limited');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await new Client(a.url).post('/api/meetings/join', { joinCode: code }, { 'x-forwarded-for': '203.0.113.10' })).status).toBe(
      200,
    );
    expect((await new Client(a.url).post('/api/meetings/join', { joinCode: '12ab' })).body.error.code).toBe('validation_failed');
  });
});
