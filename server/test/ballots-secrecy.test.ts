/**
 * Issue 14, defect 1: a secret ballot must not let anyone link a voter to a choice. The attack runs
 * through the real server and Redis as a facilitator would: after each vote it reads everything a
 * facilitator may read (audit log, who voted, result, ballot, meeting list, the socket's tally
 * events), then, after close, guesses that the i-th voter to arrive chose the i-th choice listed.
 * On the old code the audit log gave `{receipt, choice}` in arrival order (6 of 6 linked); now no
 * per-vote choice is readable while open and the published order is the receipts' order, so over
 * four arrival orders the guess does no better than chance. Redis itself is inspected too: no
 * element that follows arrival (list, hash fields) carries a choice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioc, type Socket } from 'socket.io-client';
import type { TestServer } from './helpers/processes.ts';
import { startCommunity, type CommunityFixture } from './helpers/community.ts';
import { Client } from './helpers/http-client.ts';
import type { People, Person } from './helpers/people.ts';

const N = 8;
const PICKS = Array.from({ length: N }, (_, i) => `pick-${i + 1}`);
const key = () => `k-${Math.random().toString(36).slice(2)}-${Date.now()}`;

/** Fisher–Yates with a fixed seed: the arrival orders are the test's, not chance's. */
function permutation(n: number, seed: number): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  let s = seed;
  for (let i = n - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}

describe('secret ballots: the linkage attack', () => {
  let srv: TestServer;
  let f: CommunityFixture | undefined;
  let admin: Client;
  let people: People;
  let cid: string;
  let meetingId: string;
  let voters: Person[];
  let observer: Socket;
  const tallies: { ballotId: string; result: any }[] = [];

  beforeAll(async () => {
    f = await startCommunity({ name: '无记名测试小区' });
    ({ srv, admin, people, cid } = f);
    voters = [];
    for (let i = 0; i < N; i++) voters.push(await people.member(cid, `居民${i + 1}`, ['resident']));
    meetingId = (await admin.post(`/api/communities/${cid}/meetings`, { title: '评议会', mode: 'hybrid' })).body.meeting.id;
    observer = await new Promise<Socket>((resolve, reject) => {
      const s = ioc(srv.url, {
        path: '/socket.io',
        transports: ['websocket'],
        extraHeaders: { cookie: admin.cookie },
        reconnection: false,
      });
      s.once('connect', () => resolve(s));
      s.once('connect_error', reject);
    });
    observer.on('ballot:tally', (p: { ballotId: string; result: unknown }) => tallies.push(p));
    expect((await observer.emitWithAck('meeting:join', { meetingId })).ok).toBe(true);
  });
  afterAll(async () => {
    observer?.close();
    await f?.stop();
  });

  const as = (p: Person) => Object.assign(new Client(srv.url), { cookie: p.cookie });
  const mentionsChoice = (x: unknown) => PICKS.some((c) => JSON.stringify(x ?? null).includes(`"${c}"`));

  /** Redis elements of the ballot that hold a vote's choice, with the type of the key holding them. */
  async function choiceElements(ballotId: string): Promise<{ key: string; type: string }[]> {
    const found: { key: string; type: string }[] = [];
    for (const k of await people.redis.keys(`{ballot:${ballotId}}*`)) {
      const type = await people.redis.type(k);
      const elements =
        type === 'string'
          ? [(await people.redis.get(k))!]
          : type === 'hash'
            ? Object.entries(await people.redis.hgetall(k)).map(([f, v]) => `${f}\n${v}`)
            : type === 'list'
              ? await people.redis.lrange(k, '0', '-1')
              : type === 'set'
                ? await people.redis.smembers(k)
                : await people.redis.zrange(k, '0', '-1');
      // A vote's choice (the question itself, in the meta and the opening entry, lists the options).
      for (const e of elements) if (/"choice":"pick-|c:"pick-/.test(e)) found.push({ key: k, type });
    }
    return found;
  }

  /**
   * One secret ballot: voter i always picks PICKS[i]; they arrive in `order`. Returns how many
   * voters the attacker matched by the arrival-order guess, and what a voter can check.
   */
  async function runOnce(order: number[]): Promise<{ hits: number; ballotId: string; receipts: string[] }> {
    const b = (
      await admin.post(`/api/meetings/${meetingId}/ballots`, {
        title: '无记名评议',
        kind: 'single',
        options: PICKS.map((id) => ({ id, label: id })),
        rule: 'simple_majority',
        electorate: { kind: 'members', roles: ['resident'] },
        secret: true,
      })
    ).body.ballot;
    expect((await admin.post(`/api/ballots/${b.id}/open`)).status).toBe(200);
    const receipts: string[] = [];
    const arrival: string[] = [];
    let seenVoters = new Set<string>();
    for (const i of order) {
      const r = await as(voters[i]!).post(`/api/ballots/${b.id}/votes`, { choice: PICKS[i], idempotencyKey: key() });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      receipts[i] = r.body.receipt;

      // The facilitator reads everything it may after this vote.
      const audit = await admin.get(`/api/ballots/${b.id}/audit`);
      expect(audit.status).toBe(409);
      expect(audit.body.error.message).toMatch(/secret ballot/);
      const v = await admin.get(`/api/ballots/${b.id}/voters`);
      expect(v.status).toBe(200);
      const now = new Set<string>(v.body.voted.map((x: { voterId: string }) => x.voterId));
      const fresh = [...now].filter((id) => !seenVoters.has(id));
      expect(fresh).toEqual([voters[i]!.userId]); // who just voted is known to the facilitator …
      arrival.push(fresh[0]!);
      seenVoters = now;
      expect(mentionsChoice(v.body)).toBe(false); // … but nothing of what they chose
      expect(Object.keys(v.body.counts).filter((k) => k.startsWith('c:'))).toEqual([]);
      const res = await admin.get(`/api/ballots/${b.id}/result`);
      expect(res.body).toMatchObject({ hidden: true, tally: { options: [] }, turnout: { voted: arrival.length } });
      expect(mentionsChoice(res.body)).toBe(false);
      expect(mentionsChoice((await admin.get(`/api/ballots/${b.id}`)).body.result)).toBe(false);
      const list = (await admin.get(`/api/meetings/${meetingId}/ballots`)).body.ballots.find((x: { id: string }) => x.id === b.id);
      expect(mentionsChoice(list.result)).toBe(false);
      expect((await admin.get(`/api/ballots/${b.id}/record`)).status).toBe(409);
      // Stored order: while open, a choice sits only in the choices set, ordered by receipt.
      const where = await choiceElements(b.id);
      expect(
        where.every((w) => w.key.endsWith(':choices') && w.type === 'zset'),
        JSON.stringify(where),
      ).toBe(true);
      const stored = await people.redis.zrange(`{ballot:${b.id}}:choices`, '0', '-1');
      const storedReceipts = stored.map((m) => m.slice(0, m.indexOf(' ')));
      expect(storedReceipts).toEqual([...storedReceipts].sort());
    }

    // The socket's live tally: the last one after the last vote, and none with a count.
    await expect.poll(() => tallies.some((t) => t.ballotId === b.id && t.result.turnout.voted === N)).toBe(true);
    const live = tallies.filter((t) => t.ballotId === b.id);
    expect(live.every((t) => t.result.hidden === true && !mentionsChoice(t.result))).toBe(true);

    const closed = await admin.post(`/api/ballots/${b.id}/close`);
    expect(closed.status).toBe(200);
    expect(closed.body.result.turnout.voted).toBe(N);
    expect(closed.body.result.head).toMatchObject({ hash: expect.stringMatching(/^[0-9a-f]{64}$/), length: N + 4 });

    // After close the log is published: the votes in arrival order carry nothing, and the choices
    // come once, sorted by receipt, in the result entry.
    const audit = String((await as(voters[0]!).get(`/api/ballots/${b.id}/audit`)).body)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const votes = audit.filter((e) => e.type === 'vote');
    expect(votes).toHaveLength(N);
    expect(votes.every((e) => JSON.stringify(e.data) === '{}')).toBe(true);
    const listed = audit.find((e) => e.type === 'result').data.ballots as { receipt: string; choice: string }[];
    expect(listed.map((x) => x.receipt)).toEqual([...receipts].sort());
    // Each voter finds their own receipt with their own choice.
    for (let i = 0; i < N; i++) expect(listed.find((x) => x.receipt === receipts[i])?.choice).toBe(PICKS[i]);

    // The attack: the i-th voter to arrive chose the i-th choice listed.
    const chose = new Map(voters.map((p, i) => [p.userId, PICKS[i]]));
    const hits = arrival.filter((id, pos) => listed[pos]!.choice === chose.get(id)).length;
    return { hits, ballotId: b.id, receipts };
  }

  it('reads nothing that links a voter to a choice, and guesses no better than chance over four arrival orders', async () => {
    const orders = [permutation(N, 1), permutation(N, 2), permutation(N, 3), Array.from({ length: N }, (_, i) => i)];
    let hits = 0;
    for (const order of orders) hits += (await runOnce(order)).hits;
    // Following arrival would match all 32; chance matches about 4 (one fixed point per random
    // order). More than 16 happens by chance about once in a million runs.
    expect(hits).toBeLessThanOrEqual(16);
  });

  it('keeps the receipt check: the published record lists each receipt with its choice, sorted by receipt', async () => {
    const { ballotId, receipts } = await runOnce(permutation(N, 7));
    expect((await admin.post(`/api/ballots/${ballotId}/publish`, { objectionDays: 0 })).status).toBe(200);
    const record = (await as(voters[3]!).get(`/api/ballots/${ballotId}/record`)).body;
    expect(record.rows.map((r: { receipt: string }) => r.receipt)).toEqual([...receipts].sort());
    expect(record.rows.find((r: { receipt: string }) => r.receipt === receipts[3]).choice).toBe(PICKS[3]);
    expect(record.rows.every((r: object) => Object.keys(r).sort().join() === 'choice,receipt')).toBe(true);
  });

  it('hides the live count of a ballot that hides its tally until close, on REST and on the socket', async () => {
    const b = (
      await admin.post(`/api/meetings/${meetingId}/ballots`, {
        title: '暗计票',
        kind: 'yes_no_abstain',
        options: [],
        rule: 'simple_majority',
        electorate: { kind: 'members', roles: ['resident'] },
        secret: false,
        hideTallyUntilClose: true,
      })
    ).body.ballot;
    await admin.post(`/api/ballots/${b.id}/open`);
    for (const [i, c] of (['yes', 'no', 'yes'] as const).entries()) {
      expect((await as(voters[i]!).post(`/api/ballots/${b.id}/votes`, { choice: c, idempotencyKey: key() })).status).toBe(200);
      const v = (await admin.get(`/api/ballots/${b.id}/voters`)).body;
      expect(Object.keys(v.counts).filter((k) => k.startsWith('c:'))).toEqual([]);
    }
    await expect.poll(() => tallies.some((t) => t.ballotId === b.id && t.result.turnout.voted === 3)).toBe(true);
    expect(tallies.filter((t) => t.ballotId === b.id).every((t) => t.result.hidden === true && t.result.tally.options.length === 0)).toBe(
      true,
    );
    const closed = (await admin.post(`/api/ballots/${b.id}/close`)).body.result;
    expect(Object.fromEntries(closed.tally.options.map((o: { id: string; votes: number }) => [o.id, o.votes]))).toEqual({
      yes: 2,
      no: 1,
      abstain: 0,
    });
  });
});
