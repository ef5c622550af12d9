/**
 * Written consultations through the real server and Redis: a consultation with three clause
 * questions and a three-candidate committee election opens by itself; phones answer; one
 * household answers by phone and then on paper (recordAnswers) and counts once with a clear 409;
 * the result per question (Art. 278) with the tie for the last seat reported, not broken; the
 * audit log passes `npm run verify`; bad input gets clear errors.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVerify, startRedis, startServer, tmpDir, type TestRedis, type TestServer } from './helpers/processes.ts';
import { Client, sixHouseholds } from './helpers/http-client.ts';
import { People, type Person } from './helpers/people.ts';
import { AuthRepository } from '../src/auth/auth.repository.ts';
import { AuthService } from '../src/auth/auth.service.ts';
import { RosterRepository } from '../src/roster/roster.repository.ts';
import { RosterService } from '../src/roster/roster.service.ts';
import { ConsultationsRepository } from '../src/consultations/consultations.repository.ts';
import { ConsultationsService } from '../src/consultations/consultations.service.ts';
import * as Y from 'yjs';
import { io as ioc, type Socket } from 'socket.io-client';
import { connectDoc, synced } from './helpers/yjs-clients.ts';
import { until } from './helpers/wait.ts';

/** Adds a one-paragraph clause the way the editor (Tiptap) stores it. */
function addClause(doc: Y.Doc, id: string, text: string): void {
  doc.transact(() => {
    const m = new Y.Map<unknown>();
    const body = new Y.XmlFragment();
    m.set('id', id);
    m.set('body', body);
    doc.getArray('clauses').push([m]);
    const t = new Y.XmlText();
    const p = new Y.XmlElement('paragraph');
    p.insert(0, [t]);
    body.insert(0, [p]);
    t.insert(0, text);
  });
}

const as = (srv: TestServer, p: Person) => Object.assign(new Client(srv.url), { cookie: p.cookie });
const key = () => `k-${Math.random().toString(36).slice(2)}-${Date.now()}`;
const iso = (ms: number) => new Date(ms).toISOString();

let conventionId = 'conv1';
const clauses = (n: number) => ({
  title: `第${n}条`,
  kind: 'yes_no_abstain',
  rule: 'civil_code_278_ordinary',
  clauseRef: { conventionId, clauseId: `c${n}` },
});
const election = {
  title: '选举业主委员会委员（两名）',
  kind: 'election',
  rule: 'civil_code_278_ordinary',
  seats: 2,
  options: [
    { id: 'c1', label: '张三' },
    { id: 'c2', label: '李四' },
    { id: 'c3', label: '王五' },
  ],
};

describe('consultations', () => {
  let redis: TestRedis;
  let srv: TestServer;
  let admin: Client;
  let people: People;
  let cid: string;
  let hh: string[]; // household ids by room 101..106
  const owners: Person[] = [];
  let tenant: Person;
  let outsider: Client;
  let service: ConsultationsService;

  beforeAll(async () => {
    redis = await startRedis();
    srv = await startServer({ redisUrl: redis.url });
    admin = new Client(srv.url);
    await admin.login('admin', srv.adminPassword!);
    people = new People(redis.url);
    cid = (await admin.post('/api/communities', { name: '征求意见测试小区' })).body.community.id;
    hh = await sixHouseholds(admin, cid);
    for (let i = 0; i < 6; i++) owners.push(await people.member(cid, `业主${i + 1}`, ['owner'], { householdIds: [hh[i]!] }));
    tenant = await people.member(cid, '租户', ['resident']);
    const other = (await admin.post('/api/communities', { name: '别的小区' })).body.community.id;
    outsider = as(srv, await people.member(other, '外人', ['owner']));
    // The same service the server runs, in this process on the same Redis: paper entry calls it so.
    const auth = new AuthService(new AuthRepository(people.redis));
    service = new ConsultationsService(new ConsultationsRepository(people.redis), {
      auth,
      roster: new RosterService(new RosterRepository(people.redis)),
    });
  }, 120_000);
  afterAll(async () => {
    await people?.close();
    await srv?.stop();
    await redis?.stop();
  });

  it('refuses bad input with clear errors and keeps outsiders out', async () => {
    const now = Date.now();
    const base = { title: '坏的', notice: '公告', opensAt: iso(now), closesAt: iso(now + 60_000) };
    const noQ = await admin.post(`/api/communities/${cid}/consultations`, { ...base, questions: [] });
    expect(noQ.status).toBe(400);
    expect(noQ.body.error.code).toBe('validation_failed');
    const noSeats = await admin.post(`/api/communities/${cid}/consultations`, { ...base, questions: [{ ...election, seats: undefined }] });
    expect(noSeats.status).toBe(400);
    expect(JSON.stringify(noSeats.body.error.issues)).toContain('seats');
    const noOffset = await admin.post(`/api/communities/${cid}/consultations`, {
      ...base,
      opensAt: '2026-12-20T18:00:00',
      questions: [clauses(1)],
    });
    expect(noOffset.status).toBe(400);
    const backwards = await admin.post(`/api/communities/${cid}/consultations`, {
      ...base,
      closesAt: iso(now - 1000),
      questions: [clauses(1)],
    });
    expect(backwards.status).toBe(400);
    const art278Single = await admin.post(`/api/communities/${cid}/consultations`, {
      ...base,
      questions: [
        {
          title: 'x',
          kind: 'single',
          rule: 'civil_code_278_major',
          options: [
            { id: 'a', label: 'A' },
            { id: 'b', label: 'B' },
          ],
        },
      ],
    });
    expect(art278Single.status).toBe(400);
    expect((await as(srv, owners[0]!).post(`/api/communities/${cid}/consultations`, { ...base, questions: [clauses(1)] })).status).toBe(
      403,
    );
    expect((await outsider.post(`/api/communities/${cid}/consultations`, { ...base, questions: [clauses(1)] })).status).toBe(404);
    expect((await outsider.get(`/api/communities/${cid}/consultations`)).status).toBe(404);
  });

  /** A convention with these clauses (through the live document), and a version of it. */
  async function makeConvention(title: string, texts: Record<string, string>): Promise<{ conv: { id: string }; version: { id: string } }> {
    const conv = (await admin.post(`/api/communities/${cid}/conventions`, { title })).body.convention;
    const w = connectDoc(srv.url, conv.docName, admin.cookie);
    await synced(w);
    for (const [id, text] of Object.entries(texts)) addClause(w.doc, id, text);
    await until(
      async () => (await admin.get(`/api/conventions/${conv.id}`)).body.clauses?.length === Object.keys(texts).length,
      10_000,
      'clauses stored',
    );
    const version = (await admin.post(`/api/conventions/${conv.id}/versions`, { name: '表决稿' })).body.version;
    w.destroy();
    return { conv, version };
  }

  it('opens by itself, counts phone and paper once per household, and closes with the result per question', async () => {
    conventionId = (await makeConvention('小区公约', { c1: '第一条。', c2: '第二条。', c3: '第三条。' })).conv.id;
    const now = Date.now();
    const created = await admin.post(`/api/communities/${cid}/consultations`, {
      title: '管理规约修订及业委会选举',
      notice: '请各位业主于截止时间前表决。',
      organiser: { kind: 'owners_committee', name: '测试小区业主委员会' },
      opensAt: iso(now + 500),
      closesAt: iso(now + 20_000),
      questions: [clauses(1), clauses(2), clauses(3), election],
    });
    expect(created.status).toBe(201);
    const c = created.body.consultation;
    expect(c.status).toBe('scheduled');
    expect(c.questions.map((q: { id: string; kind: string }) => q.kind)).toEqual([
      'yes_no_abstain',
      'yes_no_abstain',
      'yes_no_abstain',
      'election',
    ]);
    expect(c.closesAt).toMatch(/\+08:00$/);
    expect((await admin.get(`/api/communities/${cid}/consultations`)).body.consultations.map((x: { id: string }) => x.id)).toContain(c.id);

    // Paper codes: every household has one at creation, in address order; a typo is caught.
    const codes = await Promise.all(hh.map((h) => service.paperCodeFor(c.id, h)));
    expect(new Set(codes).size).toBe(6);
    expect((await service.householdForPaperCode(codes[2]!)).householdId).toBe(hh[2]);
    expect((await service.householdsOf(c.id)).map((h) => h.householdId)).toEqual(hh);
    const typo = codes[2]!.slice(0, 5) + (codes[2]![5] === 'A' ? 'B' : 'A') + codes[2]!.slice(6);
    await expect(service.householdForPaperCode(typo)).rejects.toMatchObject({ code: 'unknown_paper' });

    // Before it opens: 409 not_open.
    const early = await as(srv, owners[0]!).post(`/api/consultations/${c.id}/responses`, { answers: { q1: 'yes' }, idempotencyKey: key() });
    if (early.status !== 201) expect(early.body.error.code).toBe('not_open');
    await until(
      async () => (await admin.get(`/api/consultations/${c.id}`)).body.consultation.status === 'open',
      10_000,
      'the consultation to open',
    );

    const all = (q1: string, q2: string, q3: string, el: Record<string, string>) => ({ q1, q2, q3, q4: el });
    const answers = [
      all('yes', 'no', 'yes', { c1: 'yes', c2: 'yes', c3: 'no' }),
      all('yes', 'no', 'yes', { c1: 'yes', c2: 'no', c3: 'yes' }),
      all('yes', 'no', 'yes', { c1: 'yes', c2: 'yes', c3: 'yes' }),
      all('yes', 'yes', 'yes', { c1: 'yes', c2: 'yes', c3: 'yes' }),
      all('yes', 'yes', 'no', { c1: 'yes', c2: 'yes', c3: 'yes' }),
    ];
    for (let i = 0; i < 5; i++) {
      const k = key();
      const r = await as(srv, owners[i]!).post(`/api/consultations/${c.id}/responses`, { answers: answers[i], idempotencyKey: k });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(r.body.receipt).toMatch(/^[A-Z2-9]{8}$/);
      expect(r.body.channel).toBe('phone');
      if (i === 0) {
        const again = await as(srv, owners[0]!).post(`/api/consultations/${c.id}/responses`, { answers: answers[0], idempotencyKey: k });
        expect(again.status).toBe(200);
        expect(again.body).toMatchObject({ receipt: r.body.receipt, repeated: true });
      }
    }
    // Household 5 answered by phone; its paper is refused with a clear 409 and counts nothing.
    await expect(
      service.recordAnswers(c.id, hh[4]!, answers[0]!, { channel: 'paper', by: 'clerk', idempotencyKey: key() }),
    ).rejects.toMatchObject({
      code: 'already_answered',
      status: 409,
      message: expect.stringContaining('phone'),
    });
    // …and household 1 cannot answer again by phone either.
    const twice = await as(srv, owners[0]!).post(`/api/consultations/${c.id}/responses`, { answers: answers[1], idempotencyKey: key() });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('already_answered');
    // Household 6 answers on paper (after double entry, paper entry calls this).
    const paper = await service.recordAnswers(c.id, hh[5]!, all('no', 'no', 'no', { c1: 'yes', c2: 'no', c3: 'no' }), {
      channel: 'paper',
      by: 'clerk',
      idempotencyKey: key(),
    });
    expect(paper.channel).toBe('paper');

    // Bad answers and wrong people.
    const bad = await as(srv, owners[5]!).post(`/api/consultations/${c.id}/responses`, { answers: { q9: 'yes' }, idempotencyKey: key() });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues[0].path).toBe('answers.q9');
    const badCand = await as(srv, owners[5]!).post(`/api/consultations/${c.id}/responses`, {
      answers: { q4: { c9: 'yes' } },
      idempotencyKey: key(),
    });
    expect(badCand.status).toBe(400);
    expect(
      (await as(srv, tenant).post(`/api/consultations/${c.id}/responses`, { answers: { q1: 'yes' }, idempotencyKey: key() })).status,
    ).toBe(403);
    expect((await outsider.get(`/api/consultations/${c.id}`)).status).toBe(404);

    const view = (await as(srv, owners[0]!).get(`/api/consultations/${c.id}`)).body;
    expect(view.progress.households).toEqual({ eligible: 6, responded: 6 });
    expect(view.progress.byChannel).toEqual({ phone: 5, paper: 1, hall: 0 });
    expect(view.progress.areaCentiares).toEqual({ eligible: 60000, responded: 60000 });
    expect(view.mine).toEqual([expect.objectContaining({ householdId: hh[0], responded: true, channel: 'phone' })]);

    // Open: live figures, nothing decided.
    const live = (await admin.get(`/api/consultations/${c.id}/result`)).body;
    expect(live.final).toBe(false);
    expect(live.questions[0].outcome.passed).toBeNull();
    expect(live.questions[0].outcome.wouldPass).toBe(true);

    // A later deadline needs a reason; a past one is refused.
    expect((await admin.post(`/api/consultations/${c.id}/extend`, { closesAt: iso(Date.now() + 60_000) })).status).toBe(400);
    expect((await admin.post(`/api/consultations/${c.id}/extend`, { closesAt: iso(Date.now() - 60_000), reason: '往回' })).status).toBe(
      400,
    );

    const closed = await until(
      async () => {
        const r = (await admin.get(`/api/consultations/${c.id}/result`)).body;
        return r.final ? r : null;
      },
      30_000,
      'the consultation to close',
    );
    expect(closed.status).toBe('closed');
    const [q1, q2, q3, q4] = closed.questions;
    expect(q1.outcome).toMatchObject({ passed: true, reason: 'passed' }); // 5 of 6 yes
    expect(q2.outcome.passed).toBe(false); // 2 of 6 yes
    expect(q3.outcome).toMatchObject({ passed: true }); // 4 of 6 yes
    expect(q1.turnout.owners).toEqual({ voted: 6, total: 6 });
    // c1 passes with 6; c2 and c3 pass with 4 each (same owners, same area): tied for the last seat.
    expect(q4.winners).toEqual(['c1']);
    expect(q4.tiedForLastSeat.sort()).toEqual(['c2', 'c3']);
    expect(q4.outcome.reason).toBe('tie_for_last_seat');
    expect(q4.candidates.map((x: { id: string; passed: boolean; seat?: number }) => [x.id, x.passed, x.seat ?? null])).toEqual([
      ['c1', true, 1],
      ['c2', true, null],
      ['c3', true, null],
    ]);
    expect(q4.candidates[1].yes).toEqual({ owners: 4, areaCentiares: 40000 });

    // After the deadline: 409 closed on every channel.
    const late = await as(srv, owners[5]!).post(`/api/consultations/${c.id}/responses`, { answers: { q1: 'yes' }, idempotencyKey: key() });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('closed');
    await expect(
      service.recordAnswers(c.id, hh[5]!, { q1: 'yes' }, { channel: 'paper', by: 'clerk', idempotencyKey: key() }),
    ).rejects.toMatchObject({ code: 'closed' });
    expect(
      (await admin.post(`/api/consultations/${c.id}/extend`, { closesAt: iso(Date.now() + 60_000), reason: '补充' })).body.error.code,
    ).toBe('deadline_passed');

    // Publish with an objection period; the audit log is a chain `npm run verify` accepts.
    const pub = await admin.post(`/api/consultations/${c.id}/publish`, { objectionDays: 7 });
    expect(pub.status).toBe(200);
    expect(pub.body.consultation.status).toBe('published');
    expect(pub.body.consultation.objectionEndsAt).toMatch(/\+08:00$/);
    const log = (await admin.get(`/api/consultations/${c.id}/audit?format=json`)).body.entries as {
      type: string;
      data: Record<string, unknown>;
    }[];
    expect(log.map((e) => e.type).filter((t) => t !== 'vote' && t !== 'paper_vote')).toEqual([
      'created',
      'opened',
      'closed',
      'result',
      'published',
    ]);
    expect(log.filter((e) => e.type === 'vote')).toHaveLength(5);
    expect(log.filter((e) => e.type === 'paper_vote')).toHaveLength(1);
    const dir = tmpDir('linli-consult-');
    const file = path.join(dir, 'audit.json');
    fs.writeFileSync(file, JSON.stringify(log));
    const head = (await admin.get(`/api/consultations/${c.id}/result`)).body.head;
    const ok = await runVerify([file, '--head', `${head.hash}:${head.length}`]);
    expect(ok.code, ok.out).toBe(0);
    expect(ok.out).toMatch(/recount of every question/);
    const byUrl = await runVerify([`${srv.url}/api/consultations/${c.id}/audit`, '--cookie', owners[0]!.cookie]);
    expect(byUrl.code, byUrl.out).toBe(0);
    const tampered = log.map((e, i) => (i === 3 ? { ...e, data: { ...e.data, channel: 'hall' } } : e));
    fs.writeFileSync(file, JSON.stringify(tampered));
    expect((await runVerify([file])).code).not.toBe(0);
  }, 120_000);

  it('a passed "adopt version" question adopts the convention version; bad references are refused', async () => {
    const { conv, version } = await makeConvention('管理规约', { k1: '业主应当遵守本规约。', k2: '公共区域不得堆放杂物。' });

    const now = Date.now();
    const base = { title: '表决管理规约', notice: '请表决是否通过管理规约（表决稿）。', opensAt: iso(now - 1000) };
    const adoptQ = {
      title: '是否通过《管理规约》表决稿',
      kind: 'yes_no_abstain',
      rule: 'civil_code_278_major',
      versionRef: { conventionId: conv.id, versionId: version.id },
    };
    const badVersion = await admin.post(`/api/communities/${cid}/consultations`, {
      ...base,
      closesAt: iso(now + 60_000),
      questions: [{ ...adoptQ, versionRef: { conventionId: conv.id, versionId: 'nope' } }],
    });
    expect(badVersion.status).toBe(400);
    expect(badVersion.body.error.issues[0].path).toBe('questions.0.versionRef');
    const badClause = await admin.post(`/api/communities/${cid}/consultations`, {
      ...base,
      closesAt: iso(now + 60_000),
      questions: [{ ...adoptQ, clauseRef: { conventionId: conv.id, clauseId: 'k9' } }],
    });
    expect(badClause.status).toBe(400);

    const c = (await admin.post(`/api/communities/${cid}/consultations`, { ...base, closesAt: iso(now + 9000), questions: [adoptQ] })).body
      .consultation;
    await until(async () => (await admin.get(`/api/consultations/${c.id}`)).body.consultation.status === 'open', 8000, 'open');
    const opened = (await admin.get(`/api/consultations/${c.id}`)).body.consultation;
    expect(opened.questions[0].textHash).toMatch(/^[0-9a-f]{64}$/);
    for (let i = 0; i < 5; i++) {
      expect(
        (await as(srv, owners[i]!).post(`/api/consultations/${c.id}/responses`, { answers: { q1: 'yes' }, idempotencyKey: key() })).status,
      ).toBe(201);
    }
    expect((await admin.get(`/api/conventions/${conv.id}`)).body.convention.adoptedVersionId).toBeUndefined();
    const result = await until(
      async () => {
        const r = (await admin.get(`/api/consultations/${c.id}/result`)).body;
        return r.final ? r : null;
      },
      20_000,
      'close',
    );
    expect(result.questions[0].outcome).toMatchObject({ passed: true, reason: 'passed' });
    await until(
      async () => (await admin.get(`/api/conventions/${conv.id}`)).body.convention.adoptedVersionId === version.id,
      5000,
      'the version adopted',
    );
    const approvals = (await admin.get(`/api/conventions/${conv.id}/versions/${version.id}/approvals`)).body;
    expect(approvals.missing).toEqual([]);
    expect(approvals.ballots.map((b: { ballotId: string }) => b.ballotId)).toEqual([c.id, c.id]);
    const log = (await admin.get(`/api/consultations/${c.id}/audit?format=json`)).body.entries as {
      type: string;
      data: Record<string, unknown>;
    }[];
    expect(log.at(-1)).toMatchObject({ type: 'adopted', data: { conventionId: conv.id, versionId: version.id, outcome: 'adopted' } });
  }, 120_000);

  it('in the hall: a linked live meeting records hall answers, and progress reaches the community and meeting rooms', async () => {
    const now = Date.now();
    const c = (
      await admin.post(`/api/communities/${cid}/consultations`, {
        title: '会场表决',
        notice: '现场也可表决。',
        opensAt: iso(now - 1000),
        closesAt: iso(now + 600_000),
        questions: [{ title: '是否同意', kind: 'yes_no_abstain', rule: 'simple_majority' }],
      })
    ).body.consultation;
    await until(async () => (await admin.get(`/api/consultations/${c.id}`)).body.consultation.status === 'open', 8000, 'open');
    const meetingId = (await admin.post(`/api/communities/${cid}/meetings`, { title: '业主大会现场', mode: 'hybrid' })).body.meeting.id;
    expect((await admin.patch(`/api/meetings/${meetingId}`, { status: 'open' })).status).toBe(200);
    expect((await as(srv, owners[0]!).request('PUT', `/api/meetings/${meetingId}/consultation`, { consultationId: c.id })).status).toBe(
      403,
    );
    const linked = await admin.request('PUT', `/api/meetings/${meetingId}/consultation`, { consultationId: c.id });
    expect(linked.status, JSON.stringify(linked.body)).toBe(200);
    expect((await admin.get(`/api/consultations/${c.id}`)).body.consultation.meetingId).toBe(meetingId);
    const projector = (await as(srv, owners[1]!).get(`/api/meetings/${meetingId}/consultation`)).body;
    expect(projector.consultation.id).toBe(c.id);
    expect(projector.progress.households.eligible).toBe(6);

    const connect = (p: { cookie: string }) =>
      new Promise<Socket>((resolve, reject) => {
        const s = ioc(srv.url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie: p.cookie }, reconnection: false });
        s.once('connect', () => resolve(s));
        s.once('connect_error', reject);
      });
    const inHall = await connect(owners[0]!);
    const watcher = await connect(owners[1]!);
    try {
      const joined = await inHall.emitWithAck('meeting:join', { meetingId });
      expect(joined).toMatchObject({ ok: true, consultationId: c.id });
      expect((await watcher.emitWithAck('community:watch', { communityId: cid })).ok).toBe(true);
      const seen: { room: string; responded: number }[] = [];
      inHall.on(
        'consultation:progress',
        (p) => p.consultationId === c.id && seen.push({ room: 'meeting', responded: p.progress.households.responded }),
      );
      watcher.on(
        'consultation:progress',
        (p) => p.consultationId === c.id && seen.push({ room: 'community', responded: p.progress.households.responded }),
      );
      const hallAnswer = await as(srv, owners[0]!).post(`/api/consultations/${c.id}/responses`, {
        answers: { q1: 'yes' },
        idempotencyKey: key(),
      });
      expect(hallAnswer.body.channel).toBe('hall');
      const phoneAnswer = await as(srv, owners[1]!).post(`/api/consultations/${c.id}/responses`, {
        answers: { q1: 'no' },
        idempotencyKey: key(),
      });
      expect(phoneAnswer.body.channel).toBe('phone');
      await until(
        async () =>
          seen.some((e) => e.room === 'meeting' && e.responded === 2) && seen.some((e) => e.room === 'community' && e.responded === 2),
        5000,
        'progress in both rooms',
      );
      expect((await admin.get(`/api/consultations/${c.id}`)).body.progress.byChannel).toEqual({ phone: 1, paper: 0, hall: 1 });
      const unlinked = await admin.request('PUT', `/api/meetings/${meetingId}/consultation`, { consultationId: null });
      expect(unlinked.body).toEqual({ meetingId, consultationId: null });
      expect((await admin.get(`/api/consultations/${c.id}`)).body.consultation.meetingId).toBeUndefined();
    } finally {
      inHall.close();
      watcher.close();
    }
  }, 60_000);
});
