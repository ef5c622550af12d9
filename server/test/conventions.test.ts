/**
 * Conventions through real processes (Redis, two Linli servers, y-websocket and socket.io
 * clients): records and clauses read from the live document with their text hash, versions with
 * character diffs, restore as a live edit, adoption, export to Markdown and Word, comments and
 * suggestions live for everyone, and the demo convention.
 */
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { unzipSync, strFromU8 } from 'fflate';
import { io as ioc, type Socket } from 'socket.io-client';
import { startRedis, startServer, type TestRedis, type TestServer } from './helpers/processes.ts';
import { Client, addMember } from './helpers/http-client.ts';
import { clauseTexts, connectDoc, synced, until, type LiveClient } from './helpers/yjs-clients.ts';

const ENV = { LINLI_YJS_UNLOAD_DELAY_MS: '300' };
const hash = (t: string) => createHash('sha256').update(t.normalize('NFC').replace(/\s+/gu, ' ').trim()).digest('hex');

const live: LiveClient[] = [];
const sockets: Socket[] = [];

/** Adds a clause with paragraphs (and optionally a bold run and a bullet list) the way Tiptap stores it. */
function addClause(doc: Y.Doc, id: string, paragraphs: string[], opts: { bold?: string; bullets?: string[] } = {}): void {
  doc.transact(() => {
    const m = new Y.Map<unknown>();
    const body = new Y.XmlFragment();
    m.set('id', id);
    m.set('body', body);
    doc.getArray('clauses').push([m]);
    const texts = paragraphs.map(() => new Y.XmlText());
    body.insert(
      0,
      texts.map((t) => {
        const p = new Y.XmlElement('paragraph');
        p.insert(0, [t]);
        return p;
      }),
    );
    // Text goes in once the nodes are part of the document (prelim text has no length yet).
    texts.forEach((t, i) => t.insert(0, paragraphs[i]!));
    if (opts.bold) texts[0]!.insert(texts[0]!.length, opts.bold, { bold: true });
    if (opts.bullets) {
      const list = new Y.XmlElement('bulletList');
      body.insert(body.length, [list]);
      list.insert(
        0,
        opts.bullets.map((b) => {
          const li = new Y.XmlElement('listItem');
          const p = new Y.XmlElement('paragraph');
          const t = new Y.XmlText();
          li.insert(0, [p]);
          p.insert(0, [t]);
          t.insert(0, b);
          return li;
        }),
      );
    }
  });
}

function firstText(doc: Y.Doc, clauseId: string): Y.XmlText {
  const m = doc
    .getArray<Y.Map<unknown>>('clauses')
    .toArray()
    .find((x) => x.get('id') === clauseId)!;
  return ((m.get('body') as Y.XmlFragment).get(0) as Y.XmlElement).get(0) as Y.XmlText;
}

describe('conventions', () => {
  let redis: TestRedis;
  let a: TestServer;
  let b: TestServer;
  let admin: Client;
  let cid: string;
  let editor: Client;
  let resident: Client;
  let outsider: Client;
  let committee2: Client;
  let resident2: Client;
  let notable: Client;

  const person = (login: string, roles: string[], communityId = cid) => addMember(admin, a.url, communityId, login, roles);

  function open(url: string, docName: string, cookie: string): LiveClient {
    const c = connectDoc(url, docName, cookie);
    live.push(c);
    return c;
  }

  async function socket(url: string, cookie: string): Promise<Socket> {
    const s = ioc(url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie } });
    sockets.push(s);
    await new Promise<void>((resolve, reject) => {
      s.once('connect', () => resolve());
      s.once('connect_error', reject);
    });
    return s;
  }

  beforeAll(async () => {
    redis = await startRedis();
    [a, b] = await Promise.all([startServer({ redisUrl: redis.url, env: ENV }), startServer({ redisUrl: redis.url, env: ENV })]);
    admin = new Client(a.url);
    await admin.login('admin', a.adminPassword!);
    cid = (await admin.post('/api/communities', { name: '公约测试小区' })).body.community.id;
    editor = await person('conv-editor', ['owners_committee']);
    resident = await person('conv-resident', ['resident']);
    committee2 = await person('conv-committee2', ['owners_committee']);
    resident2 = await person('conv-committee3', ['owners_committee', 'resident']);
    notable = await person('conv-notable', ['notable']);
    const other = (await admin.post('/api/communities', { name: '隔壁小区' })).body.community.id;
    outsider = await person('conv-outsider', ['owners_committee'], other);
  });

  afterEach(() => {
    for (const c of live.splice(0)) c.destroy();
    for (const s of sockets.splice(0)) s.disconnect();
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
  });

  it('creates, lists and reads a convention; only editors create; outsiders see nothing', async () => {
    const r = await editor.post(`/api/communities/${cid}/conventions`, { title: '  停车公约  ' });
    expect(r.status).toBe(201);
    const c = r.body.convention;
    expect(c).toMatchObject({ title: '停车公约', communityId: cid, docName: `conv-${c.id}` });
    expect(typeof c.createdAt).toBe('number');
    expect((await editor.post(`/api/communities/${cid}/conventions`, { title: '' })).body.error.code).toBe('validation_failed');
    expect((await resident.post(`/api/communities/${cid}/conventions`, { title: 'x' })).status).toBe(403);
    expect((await outsider.post(`/api/communities/${cid}/conventions`, { title: 'x' })).status).toBe(404);
    const list = await resident.get(`/api/communities/${cid}/conventions`);
    expect(list.body.conventions.map((x: { id: string }) => x.id)).toContain(c.id);
    const one = await resident.get(`/api/conventions/${c.id}`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual({ convention: c, clauses: [] });
    expect((await outsider.get(`/api/conventions/${c.id}`)).status).toBe(404);
    expect((await new Client(a.url).get(`/api/conventions/${c.id}`)).status).toBe(401);
  });

  it('reads clauses from the live document: plain text, number, and the text hash (on either process)', async () => {
    const c = (await editor.post(`/api/communities/${cid}/conventions`, { title: '文本公约' })).body.convention;
    const w = open(a.url, c.docName, editor.cookie);
    await synced(w);
    addClause(w.doc, 'c1', ['晚上22:00后', '保持  安静。'], { bold: '违者劝告。' });
    addClause(w.doc, 'c2', ['宠物须知：'], { bullets: ['出门牵绳', '清理粪便'] });
    await until(async () => (await resident.get(`/api/conventions/${c.id}`)).body.clauses.length === 2, 5000, 'clauses');
    for (const s of [a, b]) {
      const client = new Client(s.url);
      client.cookie = resident.cookie;
      const got = await client.get(`/api/conventions/${c.id}`);
      expect(got.body.clauses).toEqual([
        { id: 'c1', number: 1, text: '晚上22:00后违者劝告。\n保持  安静。', textHash: hash('晚上22:00后违者劝告。\n保持  安静。') },
        { id: 'c2', number: 2, text: '宠物须知：\n出门牵绳\n清理粪便', textHash: hash('宠物须知： 出门牵绳 清理粪便') },
      ]);
    }
  });

  it('versions: save, character diff between any two, restore as a live edit', async () => {
    const c = (await editor.post(`/api/communities/${cid}/conventions`, { title: '版本公约' })).body.convention;
    const w = open(a.url, c.docName, editor.cookie);
    await synced(w);
    addClause(w.doc, 'q', ['晚上十点后保持安静。']);
    addClause(w.doc, 'p', ['车辆停入车位。']);
    await until(async () => (await editor.get(`/api/conventions/${c.id}`)).body.clauses.length === 2, 5000, 'clauses stored');
    const v1 = await editor.post(`/api/conventions/${c.id}/versions`, { name: '征求意见稿' });
    expect(v1.status).toBe(201);
    expect(v1.body.version).toMatchObject({ name: '征求意见稿', clauseCount: 2 });
    expect((await resident.post(`/api/conventions/${c.id}/versions`, { name: 'x' })).status).toBe(403);

    firstText(w.doc, 'q').insert(3, '一');
    w.doc.getArray('clauses').delete(1, 1);
    addClause(w.doc, 'n', ['禁止高空抛物。']);
    await until(
      async () => (await editor.get(`/api/conventions/${c.id}`)).body.clauses[0]?.text === '晚上十一点后保持安静。',
      5000,
      'edit stored',
    );
    const v2 = (await editor.post(`/api/conventions/${c.id}/versions`, { name: '表决稿' })).body.version;

    const list = await resident.get(`/api/conventions/${c.id}/versions`);
    expect(list.body.versions.map((v: { name: string }) => v.name)).toEqual(['征求意见稿', '表决稿']);

    const diff = await resident.get(`/api/conventions/${c.id}/diff?from=${v1.body.version.id}&to=${v2.id}`);
    expect(diff.status).toBe(200);
    const byId = Object.fromEntries(diff.body.clauses.map((d: { clauseId: string }) => [d.clauseId, d]));
    expect(byId.q.status).toBe('changed');
    expect(byId.q.parts.filter((p: { added: boolean }) => p.added).map((p: { value: string }) => p.value)).toEqual(['一']);
    expect(byId.p.status).toBe('removed');
    expect(byId.n.status).toBe('added');
    const same = await resident.get(`/api/conventions/${c.id}/diff?from=${v2.id}&to=live`);
    expect(same.body.clauses.every((d: { status: string }) => d.status === 'same')).toBe(true);
    expect((await resident.get(`/api/conventions/${c.id}/diff?from=nope&to=live`)).status).toBe(404);

    // Restore the first version: a watcher on the other process sees the text come back live.
    const watcher = open(b.url, c.docName, resident.cookie);
    await synced(watcher);
    const restored = await editor.post(`/api/conventions/${c.id}/versions/${v1.body.version.id}/restore`);
    expect(restored.status).toBe(200);
    expect(restored.body.clauses.map((x: { text: string }) => x.text)).toEqual(['晚上十点后保持安静。', '车辆停入车位。']);
    await until(
      () => JSON.stringify(clauseTexts(watcher.doc)) === JSON.stringify(['晚上十点后保持安静。', '车辆停入车位。']),
      5000,
      'restore seen live',
    );
    await until(
      () => JSON.stringify(clauseTexts(w.doc)) === JSON.stringify(['晚上十点后保持安静。', '车辆停入车位。']),
      5000,
      'restore seen by the editor',
    );
    // Restoring is a new edit: the later version is still there and unchanged.
    const back = await resident.get(`/api/conventions/${c.id}/diff?from=${v2.id}&to=live`);
    expect(back.body.clauses.find((d: { clauseId: string }) => d.clauseId === 'q').status).toBe('changed');
  });

  /** A members ballot on one clause (electorate: the owners' committee), opened, voted `choice` by `voters`, closed. */
  async function decideClause(
    conventionId: string,
    clauseId: string,
    title: string,
    voters: Client[],
    choice: 'yes' | 'no',
  ): Promise<{ id: string; meetingId: string }> {
    const meetingId = (await editor.post(`/api/communities/${cid}/meetings`, { title: `${title}会议`, mode: 'hybrid' })).body.meeting
      .id as string;
    const created = await editor.post(`/api/meetings/${meetingId}/ballots`, {
      title,
      kind: 'yes_no_abstain',
      options: [],
      rule: 'simple_majority',
      electorate: { kind: 'members', roles: ['owners_committee'] },
      secret: false,
      clauseRef: { conventionId, clauseId },
    });
    expect(created.status).toBe(201);
    const id = created.body.ballot.id as string;
    expect((await editor.post(`/api/ballots/${id}/open`)).status).toBe(200);
    for (const v of voters)
      expect(
        (await v.post(`/api/ballots/${id}/votes`, { choice, idempotencyKey: `k-${Math.random().toString(36).slice(2)}` })).status,
      ).toBe(200);
    const closed = await editor.post(`/api/ballots/${id}/close`);
    expect(closed.body.result.outcome.passed).toBe(choice === 'yes');
    return { id, meetingId };
  }

  it('adoption needs the passed ballots that approved the version: refused without, recorded with them', async () => {
    const c = (await editor.post(`/api/communities/${cid}/conventions`, { title: '表决公约' })).body.convention;
    const w = open(a.url, c.docName, editor.cookie);
    await synced(w);
    // A resident watching from the other process sees versions saved and adopted, live.
    const rs = await socket(b.url, resident.cookie);
    expect((await rs.timeout(5000).emitWithAck('convention:watch', { conventionId: c.id })).versions).toEqual([]);
    const seen: { name: string; adopted?: boolean; adoption?: { ballots: unknown[] } }[] = [];
    rs.on('convention:version', (p) => p.conventionId === c.id && seen.push(p.version));
    addClause(w.doc, 'a1', ['晚上十点后保持安静。']);
    addClause(w.doc, 'a2', ['车辆停入车位。']);
    await until(async () => (await editor.get(`/api/conventions/${c.id}`)).body.clauses.length === 2, 5000, 'clauses stored');
    const v1 = (await editor.post(`/api/conventions/${c.id}/versions`, { name: '征求意见稿' })).body.version;
    firstText(w.doc, 'a1').insert(3, '一');
    await until(
      async () => (await editor.get(`/api/conventions/${c.id}`)).body.clauses[0]?.text === '晚上十一点后保持安静。',
      5000,
      'edit stored',
    );
    const v2 = (await editor.post(`/api/conventions/${c.id}/versions`, { name: '表决稿' })).body.version;

    // No ballot at all: refused, naming the clauses without one, nothing marked.
    const none = await editor.post(`/api/conventions/${c.id}/versions/${v2.id}/adopt`);
    expect(none.status).toBe(409);
    expect(none.body.error.code).toBe('not_approved');
    expect(none.body.error.message).toContain('第1、2条');
    // A failed ballot approves nothing.
    await decideClause(c.id, 'a1', '第一条（否决）', [editor, committee2], 'no');
    // Clause 1 passed on the live (表决稿) text; clause 2 not yet: still refused, for clause 2 only.
    const p1 = await decideClause(c.id, 'a1', '通过第一条', [editor, committee2], 'yes');
    const half = await editor.post(`/api/conventions/${c.id}/versions/${v2.id}/adopt`);
    expect(half.status).toBe(409);
    expect(half.body.error.message).toContain('第2条');
    expect(half.body.error.message).not.toContain('第1、');
    // The 征求意见稿 text of clause 1 was never voted on: that ballot does not adopt it.
    const old = await editor.post(`/api/conventions/${c.id}/versions/${v1.id}/adopt`);
    expect(old.status).toBe(409);
    expect(old.body.error.message).toContain('第1、2条');
    const p2 = await decideClause(c.id, 'a2', '通过第二条', [editor, committee2, resident2], 'yes');
    // What adopting would record, for anyone who may read the convention.
    const approvals = (await resident.get(`/api/conventions/${c.id}/versions/${v2.id}/approvals`)).body;
    expect(approvals.missing).toEqual([]);
    expect(approvals.ballots.map((x: { number: number; title: string }) => `${x.number}:${x.title}`)).toEqual([
      '1:通过第一条',
      '2:通过第二条',
    ]);
    // 征求意见稿's clause 2 reads as voted (unchanged since), its clause 1 does not.
    expect((await resident.get(`/api/conventions/${c.id}/versions/${v1.id}/approvals`)).body.missing).toEqual([1]);

    // Only those who open ballots record adoptions.
    expect((await resident.post(`/api/conventions/${c.id}/versions/${v2.id}/adopt`)).status).toBe(403);
    expect((await notable.post(`/api/conventions/${c.id}/versions/${v2.id}/adopt`)).status).toBe(403);
    // Naming a ballot that did not approve it is refused.
    const wrong = await editor.post(`/api/conventions/${c.id}/versions/${v2.id}/adopt`, { ballotId: 'nosuchballot' });
    expect(wrong.status).toBe(409);
    expect((await resident.get(`/api/conventions/${c.id}`)).body.convention.adoptedVersionId).toBeUndefined();

    const adopt = await editor.post(`/api/conventions/${c.id}/versions/${v2.id}/adopt`, { ballotId: p1.id });
    expect(adopt.status).toBe(200);
    expect((await resident.get(`/api/conventions/${c.id}`)).body.convention.adoptedVersionId).toBe(v2.id);
    const after = (await resident.get(`/api/conventions/${c.id}/versions`)).body.versions;
    expect(after.map((v: { adopted?: boolean }) => v.adopted === true)).toEqual([false, true]);
    const adoption = after[1].adoption;
    expect(adoption.by).toBe(adopt.body.convention.createdBy);
    expect(
      adoption.ballots.map((b: { ballotId: string; clauseId: string; title: string; meetingId: string }) => [
        b.clauseId,
        b.ballotId,
        b.title,
        b.meetingId,
      ]),
    ).toEqual([
      ['a1', p1.id, '通过第一条', p1.meetingId],
      ['a2', p2.id, '通过第二条', p2.meetingId],
    ]);
    expect(adoption.ballots[0].textHash).toBe(hash('晚上十一点后保持安静。'));
    await until(() => seen.some((v) => v.adopted === true), 5000, 'adoption seen live');
    expect(seen.map((v) => `${v.name}:${v.adopted === true}`)).toEqual(['征求意见稿:false', '表决稿:false', '表决稿:true']);
    expect(seen[2]!.adoption!.ballots).toHaveLength(2);
    expect(
      (await rs.timeout(5000).emitWithAck('convention:watch', { conventionId: c.id })).versions.map(
        (v: { adopted?: boolean }) => v.adopted === true,
      ),
    ).toEqual([false, true]);

    // The export names the adopted version, the date and each ballot with its result page.
    const md = (await resident.get(`/api/conventions/${c.id}/export?format=md`)).body as string;
    expect(md).toMatch(
      /> 本公约已于\d{4}年\d{1,2}月\d{1,2}日经表决通过（通过版本：表决稿；表决：「通过第一条」（结果：<http:\/\/[^>]+\/m\/[^>]+>）、「通过第二条」/,
    );
    expect(md).toContain(`/m/${p1.meetingId}/result/${p1.id}>`);
    expect(md).toContain(`/m/${p2.meetingId}/result/${p2.id}>`);
    expect(md).toContain('**第一条** 晚上十一点后保持安静。');
  });

  it('exports Markdown and a Word file with title, numbered clauses, date and adoption note', async () => {
    const c = (await editor.post(`/api/communities/${cid}/conventions`, { title: '导出公约' })).body.convention;
    const w = open(a.url, c.docName, editor.cookie);
    await synced(w);
    addClause(w.doc, 'e1', ['每日22:00至次日7:00为安静时段。'], { bold: '请相互体谅。' });
    addClause(w.doc, 'e2', ['电动自行车不得进楼道充电。'], { bullets: ['集中充电棚', '物业巡查'] });
    await until(async () => (await editor.get(`/api/conventions/${c.id}`)).body.clauses.length === 2, 5000, 'clauses stored');

    const md = await resident.get(`/api/conventions/${c.id}/export?format=md`);
    expect(md.status).toBe(200);
    expect(md.headers.get('content-type')).toMatch(/text\/markdown/);
    expect(md.headers.get('content-disposition')).toContain(`filename*=UTF-8''${encodeURIComponent('导出公约.md')}`);
    const text = md.body as string;
    expect(text).toMatch(/^# 导出公约/);
    expect(text).toContain('**第一条** 每日22:00至次日7:00为安静时段。**请相互体谅。**');
    expect(text).toContain('**第二条** 电动自行车不得进楼道充电。');
    expect(text).toContain('- 集中充电棚');
    expect(text).toContain('尚未经表决通过');
    expect(text).toMatch(/导出日期：\d{4}年\d{1,2}月\d{1,2}日/);

    const v = (await editor.post(`/api/conventions/${c.id}/versions`, { name: '表决稿' })).body.version;
    await decideClause(c.id, 'e1', '通过安静时段', [editor, committee2], 'yes');
    await decideClause(c.id, 'e2', '通过充电条款', [editor, committee2], 'yes');
    expect((await editor.post(`/api/conventions/${c.id}/versions/${v.id}/adopt`)).status).toBe(200);
    const res = await fetch(`${a.url}/api/conventions/${c.id}/export?format=docx`, { headers: { cookie: resident.cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(res.headers.get('content-disposition')).toContain(`filename*=UTF-8''${encodeURIComponent('导出公约.docx')}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(strFromU8(bytes.slice(0, 2))).toBe('PK');
    const files = unzipSync(bytes);
    const xml = strFromU8(files['word/document.xml']!);
    const plain = xml.replace(/<[^>]+>/g, '');
    for (const s of [
      '导出公约',
      '第一条',
      '每日22:00至次日7:00为安静时段。',
      '第二条',
      '集中充电棚',
      '经表决通过（通过版本：表决稿；表决：「通过安静时段」（结果：http',
      '导出日期',
    ])
      expect(plain).toContain(s);
    // Chinese text in a Chinese face (WPS and Word on a Chinese system both have SimSun).
    expect(strFromU8(files['word/styles.xml']!)).toMatch(/w:eastAsia="SimSun"/);
    expect((await resident.get(`/api/conventions/${c.id}/export?format=pdf`)).status).toBe(400);
  });

  it('comments and suggestions are live for everyone; only editors accept; accepting edits the clause', async () => {
    const c = (await editor.post(`/api/communities/${cid}/conventions`, { title: '讨论公约' })).body.convention;
    const w = open(a.url, c.docName, editor.cookie);
    await synced(w);
    addClause(w.doc, 'k1', ['宠物出门须牵绳。']);
    await until(async () => (await editor.get(`/api/conventions/${c.id}`)).body.clauses.length === 1, 5000, 'clause stored');

    // The resident watches from the other process.
    const rs = await socket(b.url, resident.cookie);
    const watched = await rs.timeout(5000).emitWithAck('convention:watch', { conventionId: c.id });
    expect(watched).toEqual({ ok: true, comments: [], suggestions: [], versions: [] });
    const os = await socket(b.url, outsider.cookie);
    expect((await os.timeout(5000).emitWithAck('convention:watch', { conventionId: c.id })).error.code).toBe('not_found');
    const events: { type: string; payload: any }[] = [];
    rs.on('convention:comment', (p) => events.push({ type: 'comment', payload: p }));
    rs.on('convention:suggestion', (p) => events.push({ type: 'suggestion', payload: p }));

    const cm = await editor.post(`/api/conventions/${c.id}/comments`, { clauseId: 'k1', text: '小型犬也要牵绳吗？', quote: '牵绳' });
    expect(cm.status).toBe(201);
    await until(() => events.some((e) => e.type === 'comment' && e.payload.comment.id === cm.body.comment.id), 5000, 'comment live');
    expect(cm.body.comment).toMatchObject({ clauseId: 'k1', text: '小型犬也要牵绳吗？', quote: '牵绳', authorName: 'conv-editor' });
    expect((await editor.post(`/api/conventions/${c.id}/comments`, { clauseId: 'nope', text: 'x' })).status).toBe(404);
    expect((await outsider.post(`/api/conventions/${c.id}/comments`, { clauseId: 'k1', text: 'x' })).status).toBe(404);
    expect((await resident.get(`/api/conventions/${c.id}/comments?clauseId=k1`)).body.comments).toHaveLength(1);

    const sg = await resident.post(`/api/conventions/${c.id}/suggestions`, {
      clauseId: 'k1',
      text: '犬只出门须牵绳。',
      reason: '猫一般不出门',
    });
    expect(sg.status).toBe(201);
    const s = sg.body.suggestion;
    expect(s).toMatchObject({ status: 'open', baseText: '宠物出门须牵绳。', text: '犬只出门须牵绳。' });
    expect(
      s.parts
        .filter((p: { removed: boolean }) => p.removed)
        .map((p: { value: string }) => p.value)
        .join(''),
    ).toBe('宠物');
    await until(() => events.some((e) => e.type === 'suggestion' && e.payload.suggestion.id === s.id), 5000, 'suggestion live');

    expect((await resident.post(`/api/suggestions/${s.id}/accept`)).status).toBe(403);
    expect((await outsider.post(`/api/suggestions/${s.id}/accept`)).status).toBe(404);
    const acc = await editor.post(`/api/suggestions/${s.id}/accept`);
    expect(acc.status).toBe(200);
    expect(acc.body.suggestion.status).toBe('accepted');
    await until(() => clauseTexts(w.doc)[0] === '犬只出门须牵绳。', 5000, 'accepted text live in the editor');
    await until(() => events.some((e) => e.type === 'suggestion' && e.payload.suggestion.status === 'accepted'), 5000, 'decision live');
    expect((await editor.post(`/api/suggestions/${s.id}/accept`)).status).toBe(409);

    // Two editors accepting one suggestion at once: it is applied once.
    const s2 = (
      await resident.post(`/api/conventions/${c.id}/suggestions`, {
        clauseId: 'k1',
        text: '犬只出门须牵绳，大型犬须戴嘴套。',
        reason: '安全',
      })
    ).body.suggestion;
    const both = await Promise.all([editor.post(`/api/suggestions/${s2.id}/accept`), admin.post(`/api/suggestions/${s2.id}/accept`)]);
    expect(both.map((x) => x.status).sort()).toEqual([200, 409]);
    const s3 = (await resident.post(`/api/conventions/${c.id}/suggestions`, { clauseId: 'k1', text: '全部删除', reason: '' })).body
      .suggestion;
    expect((await editor.post(`/api/suggestions/${s3.id}/reject`)).body.suggestion.status).toBe('rejected');
    const final = await resident.get(`/api/conventions/${c.id}`);
    expect(final.body.clauses[0].text).toBe('犬只出门须牵绳，大型犬须戴嘴套。');
    expect((await resident.get(`/api/conventions/${c.id}/suggestions`)).body.suggestions.map((x: { status: string }) => x.status)).toEqual([
      'accepted',
      'accepted',
      'rejected',
    ]);
  });

  it('the demo community has a draft convention of twelve clauses, a version, a comment and a suggestion', async () => {
    const r2 = await startRedis();
    const demo = await startServer({ redisUrl: r2.url, env: { ...ENV, LINLI_DEMO: '1' } });
    try {
      const c = new Client(demo.url);
      await c.login('admin', demo.adminPassword!);
      const community = (await c.get('/api/communities')).body.communities.find((x: { name: string }) => x.name.includes('海月花园'));
      const list = (await c.get(`/api/communities/${community.id}/conventions`)).body.conventions;
      expect(list.map((x: { title: string }) => x.title)).toContain('海月花园邻里公约（草案）');
      const conv = list.find((x: { title: string }) => x.title === '海月花园邻里公约（草案）');
      const got = (await c.get(`/api/conventions/${conv.id}`)).body;
      expect(got.clauses).toHaveLength(12);
      const all = got.clauses.map((x: { text: string }) => x.text).join('\n');
      for (const word of ['22:00', '车位', '牵绳', '装修', '楼道', '分类', '电动自行车', '高空抛物', '绿地', '调解'])
        expect(all).toContain(word);
      for (const x of got.clauses) expect(x.textHash).toBe(hash(x.text));
      expect((await c.get(`/api/conventions/${conv.id}/versions`)).body.versions.map((v: { name: string }) => v.name)).toEqual([
        '征求意见稿',
      ]);
      expect((await c.get(`/api/conventions/${conv.id}/comments`)).body.comments).toHaveLength(1);
      expect((await c.get(`/api/conventions/${conv.id}/suggestions`)).body.suggestions).toHaveLength(1);
      // An editor's browser gets the clauses as y-prosemirror paragraphs.
      const ed = open(demo.url, conv.docName, c.cookie);
      await synced(ed);
      const body = ed.doc.getArray<Y.Map<unknown>>('clauses').get(0).get('body') as Y.XmlFragment;
      expect((body.get(0) as Y.XmlElement).nodeName).toBe('paragraph');
      expect(clauseTexts(ed.doc)[0]).toContain('22:00');
    } finally {
      await demo.stop();
      await r2.stop();
    }
  });
});
