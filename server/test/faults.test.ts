/**
 * Redis gone for a while (ARCHITECTURE.md, STYLE.md "Faults"): the server keeps running, refuses
 * what it cannot store with a clear error, and when Redis is back no acknowledged vote and no
 * acknowledged edit is lost; what was refused during the outage lands once when retried (votes by
 * their idempotency key; edits by the Yjs client re-syncing its state on reconnect).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioc } from 'socket.io-client';
import * as Y from 'yjs';
import { startRedis, startServer, type TestRedis, type TestServer } from './helpers/processes.ts';
import { Client, addMember } from './helpers/http-client.ts';
import { People, type Person } from './helpers/people.ts';
import { clauseTexts, connectDoc, synced, until, type LiveClient } from './helpers/yjs-clients.ts';
import { quietFor } from './helpers/wait.ts';

const ENV = { LINLI_YJS_UNLOAD_DELAY_MS: '300' };

async function healthy(url: string, ms = 20_000): Promise<void> {
  await until(async () => (await fetch(`${url}/healthz`).catch(() => undefined))?.status === 200, ms, `${url} healthy`);
}

/** The first paragraph's text of clause `i` (creating the clause if the document has none). */
function textOf(doc: Y.Doc, i = 0): Y.XmlText {
  const clauses = doc.getArray<Y.Map<unknown>>('clauses');
  if (clauses.length <= i) {
    doc.transact(() => {
      const m = new Y.Map<unknown>();
      const body = new Y.XmlFragment();
      m.set('id', `fault-${i}`);
      m.set('body', body);
      clauses.push([m]);
      const p = new Y.XmlElement('paragraph');
      p.insert(0, [new Y.XmlText()]);
      body.insert(0, [p]);
    });
  }
  return ((clauses.get(i).get('body') as Y.XmlFragment).get(0) as Y.XmlElement).get(0) as Y.XmlText;
}

describe('Redis away for a while', () => {
  let redis: TestRedis;
  let srv: TestServer;
  let admin: Client;
  let people: People;
  let cid: string;
  const live: LiveClient[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    srv = await startServer({ redisUrl: redis.url, env: ENV });
    admin = new Client(srv.url);
    await admin.login('admin', srv.adminPassword!);
    people = new People(redis.url);
    people.redis.on('error', () => {}); // this test takes Redis away on purpose
    cid = (await admin.post('/api/communities', { name: '断线测试小区' })).body.community.id;
  });
  afterAll(async () => {
    for (const c of live) c.destroy();
    await people?.close();
    await srv?.stop();
    await redis?.stop();
  });

  it('keeps every acknowledged vote; a vote refused during the outage is counted once when retried with its key', async () => {
    const voters: Person[] = [];
    for (let i = 0; i < 5; i++) voters.push(await people.member(cid, `投票人${i}`, ['resident']));
    const meetingId = (await admin.post(`/api/communities/${cid}/meetings`, { title: '断线议事会', mode: 'hall' })).body.meeting.id;
    const ballot = (
      await admin.post(`/api/meetings/${meetingId}/ballots`, {
        title: '是否更换门禁',
        kind: 'yes_no_abstain',
        options: [],
        rule: 'simple_majority',
        electorate: { kind: 'members' },
        secret: false,
      })
    ).body.ballot;
    expect((await admin.post(`/api/ballots/${ballot.id}/open`)).status).toBe(200);
    const vote = (p: Person, choice: string, idempotencyKey: string) =>
      Object.assign(new Client(srv.url), { cookie: p.cookie }).post(`/api/ballots/${ballot.id}/votes`, { choice, idempotencyKey });

    const before: string[] = [];
    for (const [i, choice] of (['yes', 'yes', 'no'] as const).entries()) {
      const r = await vote(voters[i]!, choice, `before-outage-${i}`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      before.push(r.body.receipt);
    }

    // A phone stays connected over Socket.IO through the outage.
    const phone = ioc(srv.url, { transports: ['websocket'], extraHeaders: { cookie: voters[4]!.cookie }, reconnectionDelayMax: 300 });
    await new Promise<void>((resolve) => phone.once('connect', () => resolve()));
    const cast = () =>
      phone.timeout(8000).emitWithAck('ballot:cast', { ballotId: ballot.id, choice: 'abstain', idempotencyKey: 'phone-outage-4' });

    await redis.kill();
    const phoneRefused = await cast();
    expect(phoneRefused).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    const refused = await vote(voters[3]!, 'yes', 'during-outage-3');
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('unavailable');

    await redis.start();
    await healthy(srv.url);
    const retried = await vote(voters[3]!, 'yes', 'during-outage-3');
    expect(retried.status, JSON.stringify(retried.body)).toBe(200);
    const again = await vote(voters[3]!, 'yes', 'during-outage-3');
    expect(again.body).toMatchObject({ receipt: retried.body.receipt, repeated: true });
    await until(() => phone.connected, 10_000, 'the phone reconnected');
    const phoneRetried = await cast();
    expect(phoneRetried, JSON.stringify(phoneRetried)).toMatchObject({ ok: true });
    expect(await cast()).toMatchObject({ ok: true, receipt: phoneRetried.receipt, repeated: true });
    phone.close();
    // The votes acknowledged before the outage are still the same votes (a retry returns their receipts).
    expect((await vote(voters[0]!, 'no', 'before-outage-0')).body).toMatchObject({ receipt: before[0], repeated: true });

    const result = (await admin.get(`/api/ballots/${ballot.id}/result`)).body;
    expect(Object.fromEntries(result.tally.options.map((o: { id: string; votes: number }) => [o.id, o.votes]))).toEqual({
      yes: 3,
      no: 1,
      abstain: 1,
    });
  });

  it('keeps every acknowledged edit; edits typed while Redis is away reach the document when it returns', async () => {
    const editor = await addMember(admin, srv.url, cid, 'fault-editor', ['owners_committee']);
    // Right after the first test's outage: a refusal here is logged (CI saw one once, not reproduced
    // in 3 runs alone) and the creation retried; this test is about the edits that follow.
    let created = await editor.post(`/api/communities/${cid}/conventions`, { title: '断线公约' });
    if (created.status !== 201) console.warn('convention create after the outage refused:', created.status, JSON.stringify(created.body));
    await until(
      async () =>
        created.status === 201 ||
        (created = await editor.post(`/api/communities/${cid}/conventions`, { title: '断线公约' })).status === 201,
      10_000,
      'the convention created',
    );
    const conv = created.body.convention as { id: string; docName: string };
    const a = connectDoc(srv.url, conv.docName, editor.cookie);
    const b = connectDoc(srv.url, conv.docName, editor.cookie);
    live.push(a, b);
    await Promise.all([synced(a), synced(b)]);

    textOf(a.doc).insert(0, '晚上十点后');
    await until(() => clauseTexts(b.doc)[0] === '晚上十点后', 10_000, 'b sees a');
    // b saw a's edit through the server, so it was stored: that is an acknowledged edit.

    await redis.kill();
    textOf(a.doc).insert(textOf(a.doc).length, '保持安静');
    // Redis is away: the server cannot store it, so it must not pass it on as if it were stored.
    await quietFor(1500, 'no event follows an edit that is never stored, and the stats need Redis for the session');
    expect(clauseTexts(b.doc)[0]).toBe('晚上十点后');
    await redis.start();
    await healthy(srv.url);

    await until(() => clauseTexts(b.doc)[0] === '晚上十点后保持安静', 20_000, 'the edit typed during the outage reaches b');
    a.destroy();
    b.destroy();
    // Once everyone has left and the document is unloaded, a newcomer loads it from Redis alone.
    await until(async () => (await admin.get('/api/yjs/stats')).body.docs === 0, 10_000, 'the document unloaded');
    const fresh = connectDoc(srv.url, conv.docName, editor.cookie);
    live.push(fresh);
    await synced(fresh);
    expect(clauseTexts(fresh.doc)).toEqual(['晚上十点后保持安静']);
    const rest = (await editor.get(`/api/conventions/${conv.id}`)).body;
    expect(rest.clauses.map((c: { text: string }) => c.text)).toEqual(['晚上十点后保持安静']);
  });
});
