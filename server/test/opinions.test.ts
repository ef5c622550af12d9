/**
 * Opinion rounds (意见地图) against a real server and Redis: the contract's shapes, moderation,
 * the last vote counting, the next statement, permissions and bad input, the map computed in the
 * worker (two camps → two groups, their common statement as consensus, others anonymous), the live
 * `opinion:map` event, and promotion of a consensus statement to a ballot and a clause suggestion.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { io as ioc, type Socket } from 'socket.io-client';
import { analyseOpinions } from '@linli/shared/opinions/clustering';
import type { TestServer } from './helpers/processes.ts';
import { startCommunity, type CommunityFixture } from './helpers/community.ts';
import { Client, addMember } from './helpers/http-client.ts';
import { connectDoc, synced, until, type LiveClient } from './helpers/yjs-clients.ts';

describe('opinion rounds', () => {
  let srv: TestServer;
  let f: CommunityFixture | undefined;
  let admin: Client;
  let cid: string;
  let otherCid: string;
  let mod: Client;
  let outsider: Client;
  const owners: Client[] = [];
  const residents: Client[] = [];
  const sockets: Socket[] = [];
  const live: LiveClient[] = [];

  const member = (community: string, login: string, roles: string[]) =>
    addMember(admin, srv.url, community, login, roles, { displayName: `${login}名` });
  const newRound = async (body: object = {}) => {
    const r = await mod.post(`/api/communities/${cid}/opinions`, { title: '停车怎么办', ...body });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.opinion.id as string;
  };
  const say = async (c: Client, id: string, text: string) => {
    const r = await c.post(`/api/opinions/${id}/statements`, { text });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.statement as { id: string; status: string };
  };
  const vote = async (c: Client, id: string, statementId: string, v: string) => {
    const r = await c.post(`/api/opinions/${id}/votes`, { statementId, vote: v });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  };

  /** A round where the owners and the residents disagree on a, b, c and all agree on `common`. */
  async function twoCamps() {
    const id = await newRound();
    const common = await say(mod, id, '消防通道必须畅通');
    const [a, b, c] = [await say(mod, id, '车位优先给业主'), await say(mod, id, '车位摇号分配'), await say(mod, id, '外来车辆收费')];
    const camp = { owners: { a: 'agree', b: 'disagree', c: 'agree' }, residents: { a: 'disagree', b: 'agree', c: 'disagree' } } as const;
    for (const [people, answers] of [
      [owners, camp.owners],
      [residents, camp.residents],
    ] as const) {
      for (const p of people) {
        await vote(p, id, common.id, 'agree');
        await vote(p, id, a.id, answers.a);
        await vote(p, id, b.id, answers.b);
        await vote(p, id, c.id, answers.c);
      }
    }
    return { id, common, a, b, c };
  }

  beforeAll(async () => {
    f = await startCommunity({ name: '意见地图测试小区' });
    ({ srv, admin, cid } = f);
    otherCid = await f.community('隔壁小区');
    mod = await member(cid, 'branch', ['party_branch']);
    for (let i = 0; i < 3; i++) owners.push(await member(cid, `owner${i}`, ['owner']));
    for (let i = 0; i < 3; i++) residents.push(await member(cid, `tenant${i}`, ['resident']));
    outsider = await member(otherCid, 'outsider', ['owners_committee']);
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    for (const l of live) l.destroy();
    await f?.stop();
  });

  it('creates a round (moderators only), lists it, refuses outsiders and bad input', async () => {
    const id = await newRound({ moderated: true });
    expect((await residents[0]!.post(`/api/communities/${cid}/opinions`, { title: 'x' })).status).toBe(403);
    expect((await outsider.post(`/api/communities/${cid}/opinions`, { title: 'x' })).status).toBe(404);
    const bad = await mod.post(`/api/communities/${cid}/opinions`, { title: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    expect((await mod.post(`/api/communities/${cid}/opinions`, { title: 'x', meetingId: 'nope' })).status).toBe(400);
    const list = await residents[0]!.get(`/api/communities/${cid}/opinions`);
    expect(list.body.opinions.map((o: { id: string }) => o.id)).toContain(id);
    expect((await outsider.get(`/api/opinions/${id}`)).status).toBe(404);
    expect((await outsider.get(`/api/opinions/${id}/map`)).status).toBe(404);
    expect((await new Client(srv.url).get(`/api/opinions/${id}`)).status).toBe(401);
    expect((await mod.get('/api/opinions/unknown')).status).toBe(404);
  });

  it("accepts the moderators' statements at once and holds others' until a moderator accepts them", async () => {
    const id = await newRound();
    const own = await say(mod, id, '增加充电桩');
    expect(own.status).toBe('accepted');
    const theirs = await say(residents[0]!, id, '电动车不进楼道');
    expect(theirs.status).toBe('pending');
    // Pending: not shown to others, not answerable, not next.
    expect((await owners[0]!.get(`/api/opinions/${id}`)).body.statements.map((s: { id: string }) => s.id)).toEqual([own.id]);
    expect((await residents[0]!.get(`/api/opinions/${id}`)).body.statements.map((s: { id: string }) => s.id)).toEqual([own.id, theirs.id]);
    // Anonymous: others do not see who wrote a statement; the author and moderators do.
    expect((await owners[0]!.get(`/api/opinions/${id}`)).body.statements[0].authorId).toBeUndefined();
    expect((await mod.get(`/api/opinions/${id}`)).body.statements.map((s: { authorId?: string }) => !!s.authorId)).toEqual([true, true]);
    const early = await owners[0]!.post(`/api/opinions/${id}/votes`, { statementId: theirs.id, vote: 'agree' });
    expect(early.status).toBe(409);
    expect((await residents[1]!.post(`/api/opinions/${id}/statements/${theirs.id}/moderation`, { status: 'accepted' })).status).toBe(403);
    const ok = await mod.post(`/api/opinions/${id}/statements/${theirs.id}/moderation`, { status: 'accepted' });
    expect(ok.body.statement).toMatchObject({ id: theirs.id, status: 'accepted' });
    expect((await mod.post(`/api/opinions/${id}/statements/${theirs.id}/moderation`, { status: 'rejected' })).status).toBe(409);
    const spam = await say(residents[1]!, id, '全是广告');
    expect((await mod.post(`/api/opinions/${id}/statements/${spam.id}/moderation`, { status: 'rejected' })).body.statement.status).toBe(
      'rejected',
    );
    expect((await owners[0]!.get(`/api/opinions/${id}`)).body.statements).toHaveLength(2);
    // The same text twice, bad text, and an unmoderated round.
    expect((await owners[1]!.post(`/api/opinions/${id}/statements`, { text: '增加 充电桩' })).status).toBe(409);
    expect((await owners[1]!.post(`/api/opinions/${id}/statements`, { text: '' })).status).toBe(400);
    expect((await owners[1]!.post(`/api/opinions/${id}/statements`, { text: 'x'.repeat(141) })).status).toBe(400);
    const open = await newRound({ moderated: false });
    expect((await say(residents[0]!, open, '无需审核')).status).toBe('accepted');
  });

  it('limits statements per member per round (moderators excepted)', async () => {
    const id = await newRound();
    for (let i = 0; i < 10; i++) await say(owners[2]!, id, `第${i}条建议`);
    const over = await owners[2]!.post(`/api/opinions/${id}/statements`, { text: '第十一条建议' });
    expect(over.status).toBe(429);
    expect(over.body.error.code).toBe('rate_limited');
    for (let i = 0; i < 11; i++) await say(mod, id, `主持人第${i}条`);
  });

  it("serves the next statement with progress, others' before one's own, and counts the last vote", async () => {
    const id = await newRound({ moderated: false });
    const mine = await say(owners[0]!, id, '我自己的观点');
    const other = await say(mod, id, '别人的观点');
    let next = await owners[0]!.get(`/api/opinions/${id}/next`);
    expect(next.body).toMatchObject({ statement: { id: other.id }, answered: 0, total: 2 });
    await vote(owners[0]!, id, other.id, 'agree');
    await vote(owners[0]!, id, other.id, 'disagree');
    next = await owners[0]!.get(`/api/opinions/${id}/next`);
    expect(next.body).toMatchObject({ statement: { id: mine.id }, answered: 1, total: 2 });
    await vote(owners[0]!, id, mine.id, 'pass');
    expect((await owners[0]!.get(`/api/opinions/${id}/next`)).body).toEqual({ statement: null, answered: 2, total: 2 });
    const map = (await owners[0]!.get(`/api/opinions/${id}/map`)).body;
    const s = map.statements.find((x: { id: string }) => x.id === other.id);
    expect(s.total).toEqual({ agree: 0, disagree: 1, pass: 0 });
    expect(map.byRole[other.id].owner).toEqual({ agree: 0, disagree: 1, pass: 0 });
    for (const body of [
      { statementId: other.id, vote: 'maybe' },
      { statementId: other.id },
      { vote: 'agree' },
      { statementId: '../x', vote: 'agree' },
    ]) {
      expect((await owners[0]!.post(`/api/opinions/${id}/votes`, body)).status).toBe(400);
    }
    expect((await owners[0]!.post(`/api/opinions/${id}/votes`, { statementId: 'nosuch', vote: 'agree' })).status).toBe(404);
    // A closed round takes no more answers.
    expect((await residents[0]!.patch(`/api/opinions/${id}`, { status: 'closed' })).status).toBe(403);
    expect((await mod.patch(`/api/opinions/${id}`, { status: 'closed' })).body.opinion.status).toBe('closed');
    expect((await owners[0]!.post(`/api/opinions/${id}/votes`, { statementId: other.id, vote: 'agree' })).status).toBe(409);
  });

  it('maps two camps into two groups, finds their common ground and what divides them; others stay anonymous', async () => {
    const sock = ioc(srv.url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie: residents[2]!.cookie } });
    sockets.push(sock);
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', () => resolve());
      sock.once('connect_error', reject);
    });
    await sock.timeout(5000).emitWithAck('community:watch', { communityId: cid });
    const events: { opinionId: string; groups: number; participants: number }[] = [];
    sock.on('opinion:map', (e) => events.push(e));

    const { id, common, a, b, c } = await twoCamps();
    const map = (await owners[0]!.get(`/api/opinions/${id}/map`)).body;
    expect(map).toMatchObject({ opinionId: id, participants: 6, clustered: 6, consensus: [common.id] });
    expect(map.groups).toHaveLength(2);
    expect(map.groups.map((g: { size: number }) => g.size)).toEqual([3, 3]);
    expect(map.divisive).toEqual(expect.arrayContaining([a.id, b.id, c.id]));
    for (const g of map.groups) expect(g.representative.length).toBeGreaterThan(0);
    // Points: six, no ids, one marked as the caller's; groups show only the caller among members.
    expect(map.points).toHaveLength(6);
    expect(map.points.filter((p: { you?: boolean }) => p.you)).toHaveLength(1);
    for (const p of map.points) expect(Object.keys(p).sort()).toEqual(p.you ? ['group', 'x', 'y', 'you'] : ['group', 'x', 'y']);
    expect(map.groups.flatMap((g: { members: string[] }) => g.members)).toHaveLength(1);
    expect(map.you).toMatchObject({ votes: 4, placed: true });
    // The owners are one group, the residents the other.
    const ownGroup = map.you.group;
    const tenantView = (await residents[0]!.get(`/api/opinions/${id}/map`)).body;
    expect(tenantView.you.group).not.toBe(ownGroup);
    // Moderators see the members; the per-role breakdown splits owners from residents.
    const modView = (await mod.get(`/api/opinions/${id}/map`)).body;
    expect(modView.groups.flatMap((g: { members: string[] }) => g.members)).toHaveLength(6);
    expect(modView.byRole[a.id]).toMatchObject({ owner: { agree: 3, disagree: 0 }, resident: { agree: 0, disagree: 3 } });
    expect(modView.you).toMatchObject({ votes: 0, placed: false, group: null });
    await expect
      .poll(() => events.filter((e) => e.opinionId === id && e.groups === 2 && e.participants === 6).length, { timeout: 10_000 })
      .toBeGreaterThan(0);
    // Coalesced: far fewer recomputes were announced than the 24 votes that came in.
    expect(events.filter((e) => e.opinionId === id).length).toBeLessThan(12);
  });

  it('computes in the worker the same map as the pure function over the stored votes', async () => {
    const { id } = await twoCamps();
    const modView = (await mod.get(`/api/opinions/${id}/map`)).body;
    const statements = modView.statements.map((s: { id: string }) => s.id) as string[];
    const people = modView.groups.flatMap((g: { members: string[] }) => g.members).sort() as string[];
    const ids = await Promise.all([...owners, ...residents].map(async (p) => (await p.get('/api/me')).body.user.id as string));
    // The same answers, rows in the worker's order (member ids sorted).
    const camp = (i: number) => (i < 3 ? [1, 1, -1, 1] : [1, -1, 1, -1]);
    const order = ids.map((uid, i) => ({ uid, row: camp(i) })).sort((p, q) => (p.uid < q.uid ? -1 : 1));
    const cells = Int8Array.from(order.flatMap((o) => o.row));
    const local = analyseOpinions({ participants: order.map((o) => ({ id: o.uid, role: 'owner' })), statements, cells });
    expect(people).toEqual(order.map((o) => o.uid).sort());
    expect(modView.groups.map((g: { members: string[] }) => [...g.members].sort())).toEqual(local.groups.map((g) => [...g.members].sort()));
    expect(modView.consensus).toEqual(local.consensus);
  });

  it('turns a consensus statement into a draft ballot and a clause suggestion, keeping the link', async () => {
    const { id, common, a } = await twoCamps();
    const meetingId = (await admin.post(`/api/communities/${cid}/meetings`, { title: '业主大会', mode: 'hybrid' })).body.meeting.id;
    // Only consensus statements, only moderators, valid targets only.
    expect((await mod.post(`/api/opinions/${id}/statements/${a.id}/promote`, { to: 'ballot', meetingId })).status).toBe(409);
    expect((await owners[0]!.post(`/api/opinions/${id}/statements/${common.id}/promote`, { to: 'ballot', meetingId })).status).toBe(403);
    expect((await mod.post(`/api/opinions/${id}/statements/${common.id}/promote`, { to: 'poll', meetingId })).status).toBe(400);
    const otherMeeting = (await admin.post(`/api/communities/${otherCid}/meetings`, { title: '别的会', mode: 'hall' })).body.meeting.id;
    expect((await mod.post(`/api/opinions/${id}/statements/${common.id}/promote`, { to: 'ballot', meetingId: otherMeeting })).status).toBe(
      404,
    );

    const r = await mod.post(`/api/opinions/${id}/statements/${common.id}/promote`, { to: 'ballot', meetingId });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body).toMatchObject({ promotion: { to: 'ballot', meetingId }, source: { opinionId: id, statementId: common.id } });
    const ballot = (await mod.get(`/api/ballots/${r.body.promotion.ballotId}`)).body.ballot;
    expect(ballot).toMatchObject({ title: '消防通道必须畅通', status: 'draft' });
    expect(ballot.description).toContain(id);

    // A clause suggestion: a convention with one clause, written through the live document.
    const conv = (await mod.post(`/api/communities/${cid}/conventions`, { title: '停车公约' })).body.convention;
    const w = connectDoc(srv.url, conv.docName, mod.cookie);
    live.push(w);
    await synced(w);
    w.doc.transact(() => {
      const m = new Y.Map<unknown>();
      const body = new Y.XmlFragment();
      m.set('id', 'k1');
      m.set('body', body);
      w.doc.getArray('clauses').push([m]);
      const t = new Y.XmlText();
      const p = new Y.XmlElement('paragraph');
      p.insert(0, [t]);
      body.insert(0, [p]);
      t.insert(0, '车辆有序停放。');
    });
    await until(async () => (await mod.get(`/api/conventions/${conv.id}`)).body.clauses?.length === 1, 5000, 'clause');
    const s = await mod.post(`/api/opinions/${id}/statements/${common.id}/promote`, {
      to: 'suggestion',
      conventionId: conv.id,
      clauseId: 'k1',
    });
    expect(s.status, JSON.stringify(s.body)).toBe(201);
    const suggestions = (await mod.get(`/api/conventions/${conv.id}/suggestions`)).body.suggestions;
    expect(suggestions).toEqual([expect.objectContaining({ id: s.body.promotion.suggestionId, clauseId: 'k1', text: '消防通道必须畅通' })]);
    expect(suggestions[0].reason).toContain(common.id);
    const stmt = (await owners[0]!.get(`/api/opinions/${id}`)).body.statements.find((x: { id: string }) => x.id === common.id);
    expect(stmt.promoted.map((p: { to: string }) => p.to)).toEqual(['ballot', 'suggestion']);
    // A convention of another community is refused before anything is written.
    const foreign = (await admin.post(`/api/communities/${otherCid}/conventions`, { title: '外小区公约' })).body.convention;
    expect(
      (
        await mod.post(`/api/opinions/${id}/statements/${common.id}/promote`, {
          to: 'suggestion',
          conventionId: foreign.id,
          clauseId: 'k1',
        })
      ).status,
    ).toBe(404);
  });
});
