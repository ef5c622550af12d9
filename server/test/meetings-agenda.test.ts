/**
 * Agenda editing during a meeting, through two real server processes on one Redis with real
 * socket.io clients: the facilitator on process A adds, edits, reorders and deletes items; an
 * owner's phone on process B follows every change by `meeting:state`; the item under discussion
 * is never removed; owners may not edit; the REST twins answer the same; closed meetings refuse.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import { startRedis, startServer, type TestRedis, type TestServer } from './helpers/processes.ts';
import { Client, addMember } from './helpers/http-client.ts';
import { ack, connectSocket, stateWhere as stateWhereOf } from './helpers/sockets.ts';

type State = {
  agenda: { id: string; title: string; description?: string; plannedMinutes?: number; startedAt: number | null }[];
  currentItemId: string | null;
  version: number;
};
const sockets: Socket[] = [];

const connect = (url: string, cookie: string, reconnectMs?: number) => connectSocket(sockets, url, cookie, reconnectMs);
const stateWhere = (s: Socket, pred: (st: State) => boolean, ms?: number) => stateWhereOf<State>(s, pred, ms);

const titles = (st: State) => st.agenda.map((a) => a.title);

describe('agenda editing during a meeting', () => {
  let redis: TestRedis;
  let a: TestServer;
  let b: TestServer;
  let fac: Client;
  let owner: Client;
  let meetingId: string;
  let facSock: Socket;
  let phone: Socket;

  beforeAll(async () => {
    redis = await startRedis();
    [a, b] = await Promise.all([startServer({ redisUrl: redis.url }), startServer({ redisUrl: redis.url })]);
    const admin = new Client(a.url);
    await admin.login('admin', a.adminPassword!);
    const cid = (await admin.post('/api/communities', { name: '议程编辑小区' })).body.community.id;
    await admin.post(`/api/communities/${cid}/households`, {
      households: [{ building: '1', unit: '1', room: '101', area: '90.00', owner: '甲' }],
    });
    const hid = (await admin.get(`/api/communities/${cid}/households`)).body.households[0].id;
    fac = await addMember(admin, a.url, cid, 'agenda-fac', ['facilitator']);
    owner = await addMember(admin, b.url, cid, 'agenda-owner', ['owner'], { householdIds: [hid] });
    const created = await fac.post(`/api/communities/${cid}/meetings`, { title: '议程编辑', mode: 'hall', agenda: [{ title: '第一项' }] });
    meetingId = created.body.meeting.id;
    expect((await fac.patch(`/api/meetings/${meetingId}`, { status: 'open' })).status).toBe(200);
    facSock = await connect(a.url, fac.cookie);
    phone = await connect(b.url, owner.cookie);
    expect((await ack(facSock, 'meeting:join', { meetingId })).ok).toBe(true);
    expect((await ack(phone, 'meeting:join', { meetingId })).ok).toBe(true);
  });

  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
  });

  it('an item added, edited, reordered and deleted on process A reaches a phone on process B', async () => {
    // Added after "the first item": the agenda grows, at the end or at a given place.
    let seen = stateWhere(phone, (s) => s.agenda.length === 2);
    const added = await ack(facSock, 'meeting:agenda_add', { item: { title: '电动车充电', plannedMinutes: 20 } });
    expect(added).toMatchObject({ ok: true, itemId: expect.any(String) });
    expect(titles(await seen)).toEqual(['第一项', '电动车充电']);
    seen = stateWhere(phone, (s) => s.agenda.length === 3);
    const top = await ack(facSock, 'meeting:agenda_add', { item: { title: '开场', index: 0 } });
    expect(titles(await seen)).toEqual(['开场', '第一项', '电动车充电']);

    // The item under discussion is edited: the phone shows the new words, it stays current, its clock runs on.
    const firstId = (await seen).agenda[1]!.id;
    await ack(facSock, 'meeting:agenda_move', { itemId: firstId });
    seen = stateWhere(phone, (s) => s.agenda.some((x) => x.title === '楼道堆物清理'));
    const edited = await ack(facSock, 'meeting:agenda_edit', {
      itemId: firstId,
      patch: { title: '楼道堆物清理', description: '三栋', plannedMinutes: 15 },
    });
    expect(edited.ok).toBe(true);
    const st = await seen;
    expect(st.currentItemId).toBe(firstId);
    expect(st.agenda[1]).toMatchObject({
      id: firstId,
      title: '楼道堆物清理',
      description: '三栋',
      plannedMinutes: 15,
      startedAt: expect.any(Number),
    });

    // Reordered (as by the keyboard or a drag): the phone gets the new order.
    seen = stateWhere(phone, (s) => s.agenda[0]?.title === '电动车充电');
    expect((await ack(facSock, 'meeting:agenda_reorder', { itemIds: [added.itemId, firstId, top.itemId] })).ok).toBe(true);
    expect(titles(await seen)).toEqual(['电动车充电', '楼道堆物清理', '开场']);

    // The current item cannot be deleted; another one can.
    const refused = await ack(facSock, 'meeting:agenda_delete', { itemId: firstId });
    expect(refused.ok).toBe(false);
    expect(refused.error.code).toBe('conflict');
    expect(refused.error.message).toContain('请先切换到其他议题');
    seen = stateWhere(phone, (s) => s.agenda.length === 2);
    expect((await ack(facSock, 'meeting:agenda_delete', { itemId: top.itemId })).ok).toBe(true);
    const after = await seen;
    expect(titles(after)).toEqual(['电动车充电', '楼道堆物清理']);
    expect(after.currentItemId).toBe(firstId);
    // Replacing the whole list without the current item is refused the same way.
    const put = await fac.request('PUT', `/api/meetings/${meetingId}/agenda`, { items: [{ id: added.itemId, title: '电动车充电' }] });
    expect(put.status).toBe(409);
  });

  it('only the facilitator edits; bad payloads are refused with the field named', async () => {
    const item = (await fac.get(`/api/meetings/${meetingId}`)).body.agenda[0];
    for (const [event, payload] of [
      ['meeting:agenda_add', { item: { title: '我也想加' } }],
      ['meeting:agenda_edit', { itemId: item.id, patch: { title: '改' } }],
      ['meeting:agenda_reorder', { itemIds: [item.id] }],
      ['meeting:agenda_delete', { itemId: item.id }],
    ] as const) {
      const r = await ack(phone, event, payload);
      expect(r.error?.code, event).toBe('forbidden');
    }
    expect((await ack(facSock, 'meeting:agenda_add', { item: { title: '   ' } })).error.code).toBe('validation_failed');
    expect((await ack(facSock, 'meeting:agenda_edit', { itemId: item.id, patch: {} })).error.code).toBe('validation_failed');
    expect((await ack(facSock, 'meeting:agenda_edit', { itemId: 'ghost', patch: { title: 'x' } })).error.code).toBe('not_found');
    expect((await owner.post(`/api/meetings/${meetingId}/agenda/items`, { title: '我也想加' })).status).toBe(403);
  });

  it('the REST twins add, edit, reorder and delete, and a closed meeting refuses them', async () => {
    const added = await fac.post(`/api/meetings/${meetingId}/agenda/items`, { title: '其他事项', description: '自由发言' });
    expect(added.status).toBe(201);
    const id = added.body.itemId as string;
    expect(added.body.agenda.at(-1)).toMatchObject({ id, title: '其他事项', description: '自由发言' });
    const edited = await fac.patch(`/api/meetings/${meetingId}/agenda/items/${id}`, { description: null, plannedMinutes: 5 });
    expect(edited.body.agenda.at(-1)).toEqual(expect.objectContaining({ id, plannedMinutes: 5 }));
    expect(edited.body.agenda.at(-1)).not.toHaveProperty('description');
    const order = await fac.request('PUT', `/api/meetings/${meetingId}/agenda/order`, { itemIds: [id] });
    expect(order.body.agenda[0].id).toBe(id);
    const current = order.body.currentItemId as string;
    expect((await fac.delete(`/api/meetings/${meetingId}/agenda/items/${current}`)).status).toBe(409);
    const del = await fac.delete(`/api/meetings/${meetingId}/agenda/items/${id}`);
    expect(del.body.agenda.map((x: { id: string }) => x.id)).not.toContain(id);
    expect((await fac.patch(`/api/meetings/${meetingId}`, { status: 'closed' })).status).toBe(200);
    expect((await fac.post(`/api/meetings/${meetingId}/agenda/items`, { title: '太晚了' })).body.error.code).toBe('meeting_closed');
    expect((await ack(facSock, 'meeting:agenda_edit', { itemId: current, patch: { title: 'x' } })).error.code).toBe('meeting_closed');
  });
});
