/**
 * The deadline of written consultations across processes and restarts, through real servers and
 * Redis: two server processes share one Redis; one is killed, and the other closes the first
 * consultation at its deadline exactly once; then both are down when the second consultation's
 * deadline passes, a late paper is refused (Redis TIME, though nothing has closed it yet), and
 * both restart at once: it closes exactly once, no late answer counts on any channel. The second
 * consultation is secret: no household beside a choice in Redis or the log, counts hidden until close.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVerify, startRedis, startServer, tmpDir, type TestRedis, type TestServer } from './helpers/processes.ts';
import { Client } from './helpers/http-client.ts';
import { People, type Person } from './helpers/people.ts';
import { AuthRepository } from '../src/auth/auth.repository.ts';
import { AuthService } from '../src/auth/auth.service.ts';
import { RosterRepository } from '../src/roster/roster.repository.ts';
import { RosterService } from '../src/roster/roster.service.ts';
import { ConsultationsRepository, DUE } from '../src/consultations/consultations.repository.ts';
import { ConsultationsService } from '../src/consultations/consultations.service.ts';
import { until } from './helpers/wait.ts';

const as = (srv: TestServer, p: Person) => Object.assign(new Client(srv.url), { cookie: p.cookie });
const key = () => `k-${Math.random().toString(36).slice(2)}-${Date.now()}`;
const iso = (ms: number) => new Date(ms).toISOString();
const question = { title: '是否同意续聘物业公司', kind: 'yes_no_abstain', rule: 'civil_code_278_ordinary' };

describe('consultation deadlines across processes', () => {
  let redis: TestRedis;
  let a: TestServer;
  let b: TestServer;
  const extra: TestServer[] = [];
  let admin: Client;
  let people: People;
  let cid: string;
  let hh: string[];
  const owners: Person[] = [];
  let service: ConsultationsService;

  beforeAll(async () => {
    redis = await startRedis();
    [a, b] = await Promise.all([startServer({ redisUrl: redis.url }), startServer({ redisUrl: redis.url })]);
    admin = new Client(a.url);
    await admin.login('admin', a.adminPassword!);
    people = new People(redis.url);
    cid = (await admin.post('/api/communities', { name: '截止测试小区' })).body.community.id;
    const rows = ['101', '102', '103', '104'].map((room, i) => ({
      building: '2',
      unit: '1',
      room,
      area: String(90 + i),
      owner: `业主${i + 1}`,
    }));
    expect((await admin.post(`/api/communities/${cid}/households`, { households: rows })).status).toBe(200);
    const list = (await admin.get(`/api/communities/${cid}/households`)).body.households as { id: string; room: string }[];
    hh = ['101', '102', '103', '104'].map((room) => list.find((h) => h.room === room)!.id);
    for (let i = 0; i < 4; i++) owners.push(await people.member(cid, `业主${i + 1}`, ['owner'], { householdIds: [hh[i]!] }));
    const auth = new AuthService(new AuthRepository(people.redis));
    service = new ConsultationsService(new ConsultationsRepository(people.redis), {
      auth,
      roster: new RosterService(new RosterRepository(people.redis)),
    });
  }, 120_000);
  afterAll(async () => {
    await people?.close();
    for (const s of [a, b, ...extra]) await s?.stop();
    await redis?.stop();
  });

  it('closes exactly once while a process is down, and on restart after all were down; no late answer counts', async () => {
    const t0 = Date.now();
    const mk = (title: string, closesAt: number, secret: boolean) =>
      admin.post(`/api/communities/${cid}/consultations`, {
        title,
        notice: '请按时表决。',
        opensAt: iso(t0 - 1000),
        closesAt: iso(closesAt),
        secret,
        questions: [question],
      });
    const open = (await mk('公开表决', t0 + 9000, false)).body.consultation;
    const secret = (await mk('不记名表决', t0 + 18_000, true)).body.consultation;
    for (const c of [open, secret])
      await until(async () => (await admin.get(`/api/consultations/${c.id}`)).body.consultation.status === 'open', 8000, 'open');

    // Answers through both processes.
    for (let i = 0; i < 3; i++) {
      const srv = i % 2 ? b : a;
      expect(
        (await as(srv, owners[i]!).post(`/api/consultations/${open.id}/responses`, { answers: { q1: 'yes' }, idempotencyKey: key() }))
          .status,
      ).toBe(201);
      expect(
        (
          await as(srv, owners[i]!).post(`/api/consultations/${secret.id}/responses`, {
            answers: { q1: i === 2 ? 'no' : 'yes' },
            idempotencyKey: key(),
          })
        ).status,
      ).toBe(201);
    }
    // Secret: no household beside a choice in Redis or in the log; counts hidden while open.
    const responses = await people.redis.hgetall(`{consultation:${secret.id}}:responses`);
    expect(Object.keys(responses)).toHaveLength(3);
    for (const r of Object.values(responses)) expect(Object.keys(JSON.parse(r)).sort()).toEqual(['at', 'by', 'channel']);
    for (const r of Object.values(await people.redis.hgetall(`{consultation:${secret.id}}:receipts`)))
      expect(JSON.parse(r)).toEqual({ channel: 'phone' });
    // The electorate is public (who may answer); the vote entries say only a receipt and a channel.
    const votes = String((await admin.get(`/api/consultations/${secret.id}/audit`)).body)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((e) => e.type === 'vote');
    expect(votes).toHaveLength(3);
    for (const v of votes) expect(v.data).toEqual({ channel: 'phone' });
    const hidden = (await as(a, owners[3]!).get(`/api/consultations/${secret.id}/result`)).body.questions[0];
    expect(hidden.hidden).toBe(true);
    expect(hidden.tally.options).toEqual([]);
    expect(hidden.turnout.voted).toBe(3);

    // B is killed; A closes the open consultation at its deadline, exactly once.
    expect(Date.now()).toBeLessThan(t0 + 9000);
    await b.stop('SIGKILL');
    const closed = await until(
      async () => {
        const r = (await admin.get(`/api/consultations/${open.id}/result`)).body;
        return r.final ? r : null;
      },
      20_000,
      'the first consultation to close',
    );
    expect(closed.questions[0].outcome).toMatchObject({ passed: true });
    const late = await as(a, owners[3]!).post(`/api/consultations/${open.id}/responses`, { answers: { q1: 'no' }, idempotencyKey: key() });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('closed');

    // Now A goes down too; the secret consultation's deadline passes with no process up.
    expect(Date.now()).toBeLessThan(t0 + 18_000);
    await a.stop();
    // The deadline passes by the clock the server judges by (Redis TIME), with no process up.
    await until(
      async () => Number((await people.redis.time())[0]) * 1000 > t0 + 18_300,
      20_000,
      'the secret deadline to pass by Redis TIME',
    );
    expect(await people.redis.get(`{consultation:${secret.id}}:status`)).toBe('open');
    // Nobody closed it, but the deadline holds (Redis TIME): a late paper is refused.
    await expect(
      service.recordAnswers(secret.id, hh[3]!, { q1: 'yes' }, { channel: 'paper', by: 'clerk', idempotencyKey: key() }),
    ).rejects.toMatchObject({ code: 'closed', status: 409 });

    // Both come back at once: it closes on start, exactly once.
    const [a2, b2] = await Promise.all([startServer({ redisUrl: redis.url }), startServer({ redisUrl: redis.url })]);
    extra.push(a2, b2);
    const admin2 = new Client(a2.url);
    await admin2.login('admin', a2.adminPassword!);
    const result = await until(
      async () => {
        const r = (await admin2.get(`/api/consultations/${secret.id}/result`)).body;
        return r.final ? r : null;
      },
      20_000,
      'the secret consultation to close on start',
    );
    // Revealed at close: 2 yes, 1 no of 4 owners (3 of 4 take part: quorum met).
    const yes = result.questions[0].tally.options.find((o: { id: string }) => o.id === 'yes');
    expect(yes.owners).toBe(2);
    expect(result.questions[0].outcome.passed).toBe(true);
    const lateHttp = await as(b2, owners[3]!).post(`/api/consultations/${secret.id}/responses`, {
      answers: { q1: 'yes' },
      idempotencyKey: key(),
    });
    expect(lateHttp.status).toBe(409);
    expect(lateHttp.body.error.code).toBe('closed');

    // Barrier: a scheduler takes a close off the queue only once its work is done; once both are
    // gone, no pass of either process can close them again.
    await until(
      async () =>
        (await people.redis.zscore(DUE, `close:${open.id}`)) === null && (await people.redis.zscore(DUE, `close:${secret.id}`)) === null,
      10_000,
      'both closes off the queue',
    );
    for (const c of [open, secret]) {
      const log = (await admin2.get(`/api/consultations/${c.id}/audit?format=json`)).body.entries as { type: string }[];
      expect(log.filter((e) => e.type === 'closed')).toHaveLength(1);
      expect(log.filter((e) => e.type === 'result')).toHaveLength(1);
      expect(log.filter((e) => e.type === 'vote' || e.type === 'paper_vote')).toHaveLength(3);
    }
    const dir = tmpDir('linli-deadline-');
    const file = path.join(dir, 'secret.jsonl');
    fs.writeFileSync(file, String((await admin2.get(`/api/consultations/${secret.id}/audit`)).body));
    const v = await runVerify([file, '--head', `${result.head.hash}:${result.head.length}`]);
    expect(v.code, v.out).toBe(0);
  }, 180_000);
});
