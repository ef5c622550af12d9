/**
 * A vote storm against real Redis and two server processes: 1,000 Socket.IO voters cast at once
 * across both, 10% retry with the same key, 5% try a second vote with a new key; the tally is
 * exact and the observer's tally events are coalesced. Then one process is killed with SIGKILL
 * mid-storm and its voters retry on the other: every acknowledged vote is counted exactly once.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioc, type Socket } from 'socket.io-client';
import { verifyChain } from '@linli/shared';
import { startRedis, startServer, type TestRedis, type TestServer } from './helpers/processes.ts';
import { Client } from './helpers/http-client.ts';
import { People, type Person } from './helpers/people.ts';
import { TALLY_GAP_MS } from '../src/ballots/ballots.socket.ts';
import { pace, until } from './helpers/wait.ts';

const N = 1000;
const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

type Ack = { ok: true; receipt: string; repeated: boolean } | { ok: false; error: { code: string; message: string } };

function connect(url: string, cookie: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = ioc(url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie }, reconnection: false, timeout: 10_000 });
    s.once('connect', () => resolve(s));
    s.once('connect_error', reject);
  });
}

/** Emits and waits for the ack, or fails at once if the connection drops (a killed server). */
function cast(s: Socket, payload: object, ms = 20_000): Promise<Ack> {
  return new Promise((resolve, reject) => {
    if (!s.connected) return reject(new Error('disconnected'));
    const onDrop = () => reject(new Error('disconnected'));
    s.once('disconnect', onDrop);
    s.timeout(ms).emit('ballot:cast', payload, (err: Error | null, ack: Ack) => {
      s.off('disconnect', onDrop);
      if (err) reject(err);
      else resolve(ack);
    });
  });
}

describe('vote storm on two processes', () => {
  let redis: TestRedis;
  let a: TestServer;
  let b: TestServer;
  let admin: Client;
  let people: People;
  let meetingId: string;
  let voters: Person[];
  const sockets: Socket[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    [a, b] = await Promise.all([startServer({ redisUrl: redis.url }), startServer({ redisUrl: redis.url })]);
    admin = new Client(a.url);
    await admin.login('admin', a.adminPassword!);
    people = new People(redis.url);
    const cid = (await admin.post('/api/communities', { name: '千人表决小区' })).body.community.id;
    meetingId = (await admin.post(`/api/communities/${cid}/meetings`, { title: '千人议事会', mode: 'hybrid' })).body.meeting.id;
    voters = await people.members(cid, N, '居民');
    // Half the phones on each process, 100 connecting at a time.
    for (let i = 0; i < N; i += 100) {
      sockets.push(...(await Promise.all(voters.slice(i, i + 100).map((p, j) => connect((i + j) % 2 ? b.url : a.url, p.cookie)))));
    }
  }, 120_000);
  afterAll(async () => {
    for (const s of sockets) s.close();
    await people?.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
  });

  const openBallot = async (body: object) => {
    const ballot = (await admin.post(`/api/meetings/${meetingId}/ballots`, body)).body.ballot;
    expect((await admin.post(`/api/ballots/${ballot.id}/open`)).status).toBe(200);
    return ballot.id as string;
  };

  it('counts 1,000 concurrent voters exactly; retries return the same receipt; second votes are refused; tallies are coalesced', async () => {
    const options = ['east', 'west', 'none'];
    const ballotId = await openBallot({
      title: '充电桩选址',
      kind: 'single',
      options: options.map((id) => ({ id, label: id })),
      rule: 'simple_majority',
      electorate: { kind: 'members' },
      secret: false,
    });
    const observer = await connect(b.url, admin.cookie);
    expect((await observer.emitWithAck('meeting:join', { meetingId })).ok).toBe(true);
    const events: { at: number; result: { tally: { options: { id: string; votes: number }[] }; turnout: { voted: number } } }[] = [];
    observer.on('ballot:tally', (p) => p.ballotId === ballotId && events.push({ at: Date.now(), result: p.result }));

    const ackMs: number[] = [];
    const t0 = Date.now();
    const outcomes = await Promise.all(
      sockets.map(async (s, i) => {
        const choice = options[i % 3]!;
        const idempotencyKey = `storm-${i}-${ballotId}`;
        const start = Date.now();
        const first = await cast(s, { ballotId, choice, idempotencyKey });
        ackMs.push(Date.now() - start);
        if (!first.ok) throw new Error(`voter ${i}: ${first.error.message}`);
        let retry: Ack | null = null;
        let second: Ack | null = null;
        if (i % 10 === 0) retry = await cast(s, { ballotId, choice, idempotencyKey });
        if (i % 20 === 1) second = await cast(s, { ballotId, choice: options[(i + 1) % 3], idempotencyKey: `second-${i}` });
        return { first, retry, second };
      }),
    );
    const lastAck = Date.now();
    for (const o of outcomes) {
      if (o.retry)
        expect(o.retry).toEqual({ ok: true, receipt: (o.first as { receipt: string }).receipt, repeated: true, voters: expect.any(Array) });
      if (o.second) expect(o.second).toMatchObject({ ok: false, error: { code: 'already_voted' } });
    }
    expect(outcomes.filter((o) => o.retry).length).toBe(100);
    expect(outcomes.filter((o) => o.second).length).toBe(50);
    expect(new Set(outcomes.map((o) => (o.first as { receipt: string }).receipt)).size).toBe(N);

    // Exact: 334 east, 333 west, 333 none.
    const expected = { east: 334, west: 333, none: 333 };
    const result = (await admin.get(`/api/ballots/${ballotId}/result`)).body;
    expect(Object.fromEntries(result.tally.options.map((o: { id: string; votes: number }) => [o.id, o.votes]))).toEqual(expected);
    // Every member may vote: the 1,000 voters and the admin who created the community (its first member).
    expect(result.turnout).toMatchObject({ voted: N, eligible: N + 1 });
    const counts = await people.redis.hgetall(`{ballot:${ballotId}}:counts`);
    expect(counts).toMatchObject({ cast: String(N), 'via:online': String(N), 'c:"east"': '334', 'c:"west"': '333', 'c:"none"': '333' });

    // Coalesced: after the storm, wait for the trailing broadcast that carries every vote.
    await until(() => events.at(-1)?.result.turnout.voted === N, 10_000, 'the trailing tally with every vote');
    observer.close();
    expect(events.length).toBeGreaterThan(0);
    const span = events.at(-1)!.at - t0;
    // Never two broadcasts of a ballot closer than the gap, across both processes.
    expect(events.length).toBeLessThanOrEqual(Math.floor(span / TALLY_GAP_MS) + 2);
    const last = events.at(-1)!.result;
    expect(Object.fromEntries(last.tally.options.map((o) => [o.id, o.votes]))).toEqual(expected);
    expect(last.turnout.voted).toBe(N);
    const sorted = [...ackMs].sort((x, y) => x - y);
    console.log(
      `storm: ${N} votes in ${lastAck - t0} ms (ack p50 ${sorted[N / 2]} ms, p99 ${sorted[Math.floor(N * 0.99)]} ms); ${events.length} tally events over ${span} ms`,
    );
  }, 60_000);

  it('kill -9 of one process mid-storm: voters retry on the other, every acknowledged vote counted once', async () => {
    const ballotId = await openBallot({
      title: '是否更换物业',
      kind: 'yes_no_abstain',
      options: [],
      rule: 'simple_majority',
      electorate: { kind: 'members' },
      secret: false,
    });
    const choices = ['yes', 'no', 'abstain'];
    const ackedOnA = new Map<number, string>();
    let killed = false;
    const t0 = Date.now();
    // 100 phones on the doomed process send at 700 ms, and it dies a few ms later: some of their
    // votes are stored but never acknowledged, and their retries must get the same receipt.
    const burst = (i: number) => i % 20 === 0;
    const killer = (async () => {
      await pace(706); // the kill lands just after the burst at 700 ms
      await a.stop('SIGKILL');
      killed = true;
    })();
    const finals = await Promise.all(
      sockets.map(async (s0, i) => {
        // Spread over 1.5 s so the kill lands in the middle of the storm.
        await pace(burst(i) ? 700 - (Date.now() - t0) : (i * 1500) / N - (Date.now() - t0));
        const payload = { ballotId, choice: choices[i % 3], idempotencyKey: `kill-storm-${i}` };
        let s = s0;
        let retried = false;
        for (let attempt = 0; attempt < 20; attempt++) {
          try {
            const ack = await cast(s, payload, 10_000);
            if (!ack.ok) throw new Error(`voter ${i}: ${ack.error.code} ${ack.error.message}`);
            if (i % 2 === 0 && !retried) ackedOnA.set(i, ack.receipt);
            return { receipt: ack.receipt, retried, repeated: ack.repeated };
          } catch (err) {
            if (String((err as Error).message).startsWith('voter')) throw err;
            // The connection dropped (or the ack never came): the phone reconnects, to the live process, and sends the same key.
            retried = true;
            await until(() => killed, 10_000, 'the kill to have happened', 20);
            s.close();
            s = await connect(b.url, voters[i]!.cookie);
            sockets[i] = s;
          }
        }
        throw new Error(`voter ${i} never got an ack`);
      }),
    );
    await killer;
    const retried = finals.filter((f) => f.retried);
    console.log(
      `kill -9: ${ackedOnA.size} acked on the killed process before the kill, ${retried.length} retried on the other (${retried.filter((f) => f.repeated).length} of them had been stored already), ${Date.now() - t0} ms`,
    );
    expect(retried.length).toBeGreaterThan(0);
    expect(ackedOnA.size).toBeGreaterThan(0);

    // Every phone holds a receipt; Redis holds exactly one vote per voter, with that receipt.
    const votes = await people.redis.hgetall(`{ballot:${ballotId}}:votes`);
    expect(Object.keys(votes).length).toBe(N);
    for (const [i, f] of finals.entries()) {
      const rec = JSON.parse(votes[voters[i]!.userId]!);
      expect(rec.receipt).toBe(f.receipt);
      if (ackedOnA.has(i)) expect(rec.receipt).toBe(ackedOnA.get(i));
      expect(rec.choice).toBe(choices[i % 3]);
    }
    const live = new Client(b.url);
    await live.login('admin', b.adminPassword!);
    const closed = (await live.post(`/api/ballots/${ballotId}/close`)).body.result;
    expect(Object.fromEntries(closed.tally.options.map((o: { id: string; votes: number }) => [o.id, o.votes]))).toEqual({
      yes: 334,
      no: 333,
      abstain: 333,
    });
    const log = (await people.redis.lrange(`{ballot:${ballotId}}:audit`, '0', '-1')).map((l) => JSON.parse(l));
    expect(verifyChain(log, sha).ok).toBe(true);
    expect(log.filter((e) => e.type === 'vote').length).toBe(N);
  }, 60_000);
});
