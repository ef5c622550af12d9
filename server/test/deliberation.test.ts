/**
 * Deliberation in a meeting through the real HTTP API and Socket.IO (one server, real Redis):
 * questions ordered by upvotes then time, one upvote per member, merge without double counting,
 * moderation permissions, pre-moderation and anonymity settings, the per-person limit, bad input,
 * word clouds (segmentation, counts, a hidden word gone for everyone, one phone's answer cap), live
 * events to the meeting room, and one-line reasons on open ballots (refused on secret ones).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioc, type Socket } from 'socket.io-client';
import type { TestServer } from './helpers/processes.ts';
import { startCommunity, type CommunityFixture } from './helpers/community.ts';
import { Client, addMember } from './helpers/http-client.ts';

const sockets: Socket[] = [];
async function connect(url: string, cookie: string): Promise<Socket> {
  const s = ioc(url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie } });
  sockets.push(s);
  await new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('connect_error', reject);
  });
  return s;
}
/** The next `event` on `s` whose payload satisfies `pred`. */
function next<T>(s: Socket, event: string, pred: (p: T) => boolean, ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      s.off(event, on);
      reject(new Error(`no matching ${event}`));
    }, ms);
    const on = (p: T) => {
      if (!pred(p)) return;
      clearTimeout(t);
      s.off(event, on);
      resolve(p);
    };
    s.on(event, on);
  });
}

type Q = {
  id: string;
  text: string;
  votes: number;
  status: string;
  author?: string;
  anonymous: boolean;
  upvoted?: boolean;
  mergedInto?: string;
};

describe('deliberation: questions, word clouds, reasons', () => {
  let srv: TestServer;
  let f: CommunityFixture | undefined;
  let admin: Client;
  let fac: Client;
  let committee: Client;
  let guest: Client;
  let r: Client[] = [];
  let cid: string;
  let mid: string;

  beforeAll(async () => {
    f = await startCommunity({ name: '提问小区' });
    ({ srv, admin, cid } = f);
    fac = await addMember(admin, srv.url, cid, 'dl-fac', ['facilitator']);
    committee = await addMember(admin, srv.url, cid, 'dl-committee', ['owners_committee']);
    r = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => addMember(admin, srv.url, cid, `dl-res${i}`, ['resident'])));
    const m = await fac.post(`/api/communities/${cid}/meetings`, { title: '停车议事会', mode: 'hall' });
    mid = m.body.meeting.id;
    expect((await fac.patch(`/api/meetings/${mid}`, { status: 'open' })).status).toBe(200);
    guest = new Client(srv.url);
    expect((await guest.post('/api/meetings/join', { joinCode: m.body.meeting.joinCode, displayName: '街道小王' })).status).toBe(200);
  });

  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await f?.stop();
  });

  const ask = (c: Client, text: string, extra: object = {}) => c.post(`/api/meetings/${mid}/questions`, { text, ...extra });
  const list = async (c: Client) => (await c.get(`/api/meetings/${mid}/questions`)).body.questions as Q[];

  it('orders questions by upvotes, then time; one upvote per member; events keep the room live', async () => {
    const projector = await connect(srv.url, fac.cookie);
    expect((await projector.timeout(5000).emitWithAck('meeting:join', { meetingId: mid })).ok).toBe(true);
    const q1 = await ask(r[0]!, '充电桩收费标准是什么？');
    expect(q1.status).toBe(201);
    expect(q1.body.question).toMatchObject({ text: '充电桩收费标准是什么？', votes: 0, status: 'visible' });
    const q2 = (await ask(r[1]!, '夜间噪音谁来管？', { anonymous: true })).body.question as Q;
    const q3 = (await ask(r[2]!, '访客车位够不够？')).body.question as Q;
    expect(q2.author).toBeUndefined();
    expect((await list(r[3]!)).map((q) => q.id)).toEqual([q1.body.question.id, q2.id, q3.id]);

    const live = next<{ questions: Q[] }>(
      projector,
      'questions:updated',
      (p) => p.questions[0]?.id === q3.id && p.questions[0]?.votes === 2 && p.questions[1]?.votes === 1,
    );
    const up1 = await r[3]!.post(`/api/questions/${q3.id}/upvote`);
    expect(up1.status).toBe(200);
    expect(up1.body.question).toMatchObject({ votes: 1, upvoted: true });
    const again = await r[3]!.post(`/api/questions/${q3.id}/upvote`);
    expect(again.status).toBe(200);
    expect(again.body.question.votes).toBe(1);
    expect((await r[4]!.post(`/api/questions/${q3.id}/upvote`)).body.question.votes).toBe(2);
    expect((await r[4]!.post(`/api/questions/${q2.id}/upvote`)).body.question.votes).toBe(1);
    const ev = await live;
    expect(ev.questions.map((q) => q.id)).toEqual([q3.id, q2.id, q1.body.question.id]);
    const mine = await list(r[4]!);
    expect(mine.find((q) => q.id === q3.id)).toMatchObject({ votes: 2, upvoted: true });
    expect(mine.find((q) => q.id === q1.body.question.id)?.upvoted).toBe(false);
    expect(mine.find((q) => q.id === q1.body.question.id)?.author).toBe('dl-res1');
  });

  it('merges duplicates without counting a member twice; moderation needs a moderator', async () => {
    const a = (await ask(r[0]!, '电梯什么时候修好？')).body.question as Q;
    const b = (await ask(r[1]!, '电梯维修进度如何？')).body.question as Q;
    for (const c of [r[2]!, r[3]!]) await c.post(`/api/questions/${a.id}/upvote`);
    for (const c of [r[3]!, r[4]!]) await c.post(`/api/questions/${b.id}/upvote`);
    // A resident may not moderate; a guest may neither moderate nor ask.
    expect((await r[0]!.post(`/api/questions/${b.id}/moderate`, { action: 'merge', into: a.id })).status).toBe(403);
    expect((await guest.post(`/api/questions/${b.id}/moderate`, { action: 'hide' })).status).toBe(403);
    expect((await ask(guest, '我也想问')).status).toBe(403);
    expect((await guest.get(`/api/meetings/${mid}/questions`)).status).toBe(200);
    // The committee (deliberation.moderate) merges b into a: r[3] upvoted both and counts once.
    const merged = await committee.post(`/api/questions/${b.id}/moderate`, { action: 'merge', into: a.id });
    expect(merged.status).toBe(200);
    expect(merged.body.question).toMatchObject({ status: 'merged', mergedInto: a.id });
    const after = await list(r[5]!);
    expect(after.find((q) => q.id === a.id)?.votes).toBe(3);
    expect(after.some((q) => q.id === b.id)).toBe(false);
    expect((await r[5]!.post(`/api/questions/${b.id}/upvote`)).status).toBe(409);
    expect((await fac.post(`/api/questions/${a.id}/moderate`, { action: 'merge', into: a.id })).status).toBe(400);
    // Answered stays in the list; hidden leaves it for everyone but moderators.
    expect((await fac.post(`/api/questions/${a.id}/moderate`, { action: 'answered' })).body.question.status).toBe('answered');
    expect((await fac.post(`/api/questions/${a.id}/moderate`, { action: 'hide' })).body.question.status).toBe('hidden');
    expect((await list(r[5]!)).some((q) => q.id === a.id)).toBe(false);
    expect((await list(fac)).find((q) => q.id === a.id)?.status).toBe('hidden');
    expect((await fac.post(`/api/meetings/${mid}/spotlight`, { questionId: a.id })).status).toBe(409);
    expect((await fac.post(`/api/questions/${a.id}/moderate`, { action: 'show' })).body.question.status).toBe('visible');
    const spot = await fac.post(`/api/meetings/${mid}/spotlight`, { questionId: a.id });
    expect(spot.body.spotlightId).toBe(a.id);
    expect((await r[0]!.get(`/api/meetings/${mid}/questions`)).body.spotlightId).toBe(a.id);
    expect((await r[0]!.post(`/api/meetings/${mid}/spotlight`, { questionId: null })).status).toBe(403);
  });

  it('pre-moderation holds new questions until shown; anonymity can be turned off', async () => {
    expect((await r[0]!.patch(`/api/meetings/${mid}/deliberation`, { preModeration: true })).status).toBe(403);
    const set = await fac.patch(`/api/meetings/${mid}/deliberation`, { preModeration: true, allowAnonymous: false });
    expect(set.body.settings).toEqual({ preModeration: true, allowAnonymous: false });
    const anon = await ask(r[2]!, '匿名问题', { anonymous: true });
    expect(anon.status).toBe(403);
    expect(anon.body.error.message).toMatch(/匿名/);
    const p = (await ask(r[2]!, '物业费明细能公开吗？')).body.question as Q;
    expect(p.status).toBe('pending');
    expect((await list(r[3]!)).some((q) => q.id === p.id)).toBe(false);
    expect((await list(r[2]!)).find((q) => q.id === p.id)?.status).toBe('pending');
    expect((await list(committee)).find((q) => q.id === p.id)?.status).toBe('pending');
    expect((await r[3]!.post(`/api/questions/${p.id}/upvote`)).status).toBe(409);
    await fac.post(`/api/questions/${p.id}/moderate`, { action: 'show' });
    expect((await list(r[3]!)).find((q) => q.id === p.id)?.status).toBe('visible');
    await fac.patch(`/api/meetings/${mid}/deliberation`, { preModeration: false, allowAnonymous: true });
  });

  it('limits questions per person and refuses bad input clearly', async () => {
    const c = r[5]!;
    for (let i = 0; i < 5; i++) expect((await ask(c, `第${i + 1}个问题`)).status).toBe(201);
    const sixth = await ask(c, '第六个问题');
    expect(sixth.status).toBe(429);
    expect(sixth.body.error.code).toBe('rate_limited');
    expect(Number(sixth.headers.get?.('retry-after') ?? sixth.body.error.message.match(/(\d+) s/)?.[1])).toBeGreaterThan(0);
    expect((await ask(r[1]!, '')).status).toBe(400);
    expect((await ask(r[1]!, 'x'.repeat(201))).body.error.code).toBe('validation_failed');
    expect((await ask(r[1]!, 'a\u202Eb')).status).toBe(400);
    expect((await r[1]!.post(`/api/meetings/${mid}/questions`, { text: 5 })).status).toBe(400);
    expect((await r[1]!.post('/api/questions/nope/upvote')).status).toBe(404);
    expect((await fac.post(`/api/questions/nope/moderate`, { action: 'teleport' })).status).toBe(404);
    const q = (await list(r[1]!))[0]!;
    expect((await fac.post(`/api/questions/${q.id}/moderate`, { action: 'teleport' })).status).toBe(400);
  });

  it('word cloud: segments and counts answers, hides a word for everyone, caps answers, closes', async () => {
    const phone = await connect(srv.url, r[0]!.cookie);
    expect((await phone.timeout(5000).emitWithAck('meeting:join', { meetingId: mid })).ok).toBe(true);
    expect((await r[0]!.post(`/api/meetings/${mid}/wordclouds`, { prompt: '停车' })).status).toBe(403);
    const started = await fac.post(`/api/meetings/${mid}/wordclouds`, { prompt: '用一个词说说停车最大的问题' });
    expect(started.status).toBe(201);
    const id = started.body.wordcloud.id as string;
    const answers = ['车位太少', '车位少了', '乱停车', 'Parking', 'parking!', '车位'];
    for (const [i, t] of answers.entries()) expect((await r[i]!.post(`/api/wordclouds/${id}/answers`, { text: t })).status).toBe(201);
    const view = (await r[0]!.get(`/api/wordclouds/${id}`)).body;
    expect(view.prompt).toBe('用一个词说说停车最大的问题');
    expect(view.answers).toBe(6);
    const count = (w: string) => (view.words as { word: string; count: number }[]).find((x) => x.word === w)?.count;
    expect(count('车位')).toBe(3);
    expect(count('parking')).toBe(2);
    expect(view.words.some((x: { word: string }) => x.word === '了')).toBe(false);
    expect(view.mine).toEqual(['车位太少']);
    // Hiding a word: gone from the room's event and from a resident's view; marked for moderators.
    const gone = next<{ wordcloud: { words: { word: string }[] } }>(
      phone,
      'wordcloud:updated',
      (p) => !p.wordcloud.words.some((w) => w.word === 'parking'),
    );
    expect((await r[1]!.post(`/api/wordclouds/${id}/hidden`, { word: 'Parking' })).status).toBe(403);
    expect((await fac.post(`/api/wordclouds/${id}/hidden`, { word: 'Parking' })).status).toBe(200);
    await gone;
    expect((await r[2]!.get(`/api/wordclouds/${id}`)).body.words.some((w: { word: string }) => w.word === 'parking')).toBe(false);
    expect((await fac.get(`/api/wordclouds/${id}`)).body.words.find((w: { word: string }) => w.word === 'parking')).toMatchObject({
      count: 2,
      hidden: true,
    });
    // Three answers each; punctuation alone is no answer; too long is refused.
    await r[0]!.post(`/api/wordclouds/${id}/answers`, { text: '收费' });
    await r[0]!.post(`/api/wordclouds/${id}/answers`, { text: '安全' });
    const fourth = await r[0]!.post(`/api/wordclouds/${id}/answers`, { text: '照明' });
    expect(fourth.status).toBe(429);
    expect((await r[1]!.post(`/api/wordclouds/${id}/answers`, { text: '！！' })).status).toBe(400);
    expect((await r[1]!.post(`/api/wordclouds/${id}/answers`, { text: '长'.repeat(31) })).status).toBe(400);
    expect((await guest.post(`/api/wordclouds/${id}/answers`, { text: '车位' })).status).toBe(403);
    expect((await fac.post(`/api/wordclouds/${id}/close`)).body.wordcloud.status).toBe('closed');
    expect((await r[1]!.post(`/api/wordclouds/${id}/answers`, { text: '车位' })).status).toBe(409);
    expect((await r[1]!.get(`/api/meetings/${mid}/wordclouds/current`)).body.wordcloud.id).toBe(id);
  });

  it('reasons on an open ballot, grouped by choice; refused on a secret ballot', async () => {
    const yesNo = { kind: 'yes_no_abstain', options: [], rule: 'simple_majority', electorate: { kind: 'members' } };
    const open = (await fac.post(`/api/meetings/${mid}/ballots`, { title: '夜间限行', ...yesNo, secret: false })).body.ballot;
    const secret = (await fac.post(`/api/meetings/${mid}/ballots`, { title: '无记名', ...yesNo, secret: true })).body.ballot;
    for (const b of [open, secret]) expect((await fac.post(`/api/ballots/${b.id}/open`)).status).toBe(200);
    const vote = (c: Client, id: string, choice: string, reason?: string) =>
      c.post(`/api/ballots/${id}/votes`, { choice, idempotencyKey: `k-${Math.random()}`, ...(reason !== undefined ? { reason } : {}) });
    const refused = await vote(r[0]!, secret.id, 'yes', '安全第一');
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/secret|无记名/);
    expect((await vote(r[0]!, secret.id, 'yes')).status).toBe(200);
    expect((await vote(r[0]!, open.id, 'yes', '晚上太吵')).status).toBe(200);
    expect((await vote(r[1]!, open.id, 'no', '夜班回家不便')).status).toBe(200);
    expect((await vote(r[2]!, open.id, 'yes', '孩子要睡觉')).status).toBe(200);
    expect((await vote(r[3]!, open.id, 'yes')).status).toBe(200);
    expect((await vote(r[4]!, open.id, 'no', 'x'.repeat(121))).status).toBe(400);
    const groups = (await r[5]!.get(`/api/ballots/${open.id}/reasons`)).body.groups as {
      choice: string;
      reasons: { text: string; by: string }[];
    }[];
    expect(groups.map((g) => [g.choice, g.reasons.map((x) => x.text)])).toEqual([
      ['yes', ['晚上太吵', '孩子要睡觉']],
      ['no', ['夜班回家不便']],
    ]);
    expect(groups[0]!.reasons[0]!.by).toBe('dl-res1');
    expect((await r[5]!.get(`/api/ballots/${secret.id}/reasons`)).body.groups).toEqual([]);
  });

  it('a reason is written with its vote: a changed vote without one clears it; a retry of the same key may add one', async () => {
    const b = (
      await fac.post(`/api/meetings/${mid}/ballots`, {
        title: '改票与理由',
        kind: 'yes_no_abstain',
        options: [],
        rule: 'simple_majority',
        electorate: { kind: 'members' },
        secret: false,
        allowChange: true,
      })
    ).body.ballot;
    expect((await fac.post(`/api/ballots/${b.id}/open`)).status).toBe(200);
    const vote = (choice: string, idempotencyKey: string, reason?: string) =>
      r[0]!.post(`/api/ballots/${b.id}/votes`, { choice, idempotencyKey, ...(reason ? { reason } : {}) });
    const reasons = async () =>
      ((await r[5]!.get(`/api/ballots/${b.id}/reasons`)).body.groups as { choice: string; reasons: { text: string }[] }[]).map((g) => [
        g.choice,
        g.reasons.map((x) => x.text),
      ]);
    expect((await vote('yes', 'reason-key-first', '先投赞成')).status).toBe(200);
    expect(await reasons()).toEqual([['yes', ['先投赞成']]]);
    const changed = await vote('no', 'reason-key-second');
    expect(changed.body).toMatchObject({ changed: true });
    expect(await reasons()).toEqual([]);
    const retried = await vote('no', 'reason-key-second', '想了想还是反对');
    expect(retried.body).toMatchObject({ repeated: true });
    expect(await reasons()).toEqual([['no', ['想了想还是反对']]]);
  });
});
