// `npm run bench -- votes`: K = 100, 500, 2,000 Socket.IO clients cast one vote each on one ballot
// at the same moment (one server process, real Redis with appendfsync always, as the managed Redis
// runs). Prints votes per second, ack p50 / p99, and the time from the last ack to the observer's
// tally event that counts every vote; beside it, the ceiling of the bare cast Lua script called in
// a loop on the same Redis in the same run (one call in flight, and 64 in flight). Nothing here
// asserts times.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { io as ioc, type Socket } from 'socket.io-client';
import { bodyText, canonicalJson } from '@linli/shared';
import { freePort, pingRedis } from '../../server/src/redis/managed-redis.ts';
import { BallotsRepository, type CastWrite } from '../../server/src/ballots/ballots.repository.ts';
import { startServer, tmpDir } from '../../server/test/helpers/processes.ts';
import { Client } from '../../server/test/helpers/http-client.ts';
import { People } from '../../server/test/helpers/people.ts';

const SIZES = (process.env.BENCH_VOTERS ?? '100,500,2000').split(',').map(Number);
const MAX = Math.max(...SIZES);
const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function connect(url: string, cookie: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = ioc(url, { path: '/socket.io', transports: ['websocket'], extraHeaders: { cookie }, reconnection: false, timeout: 20_000 });
    s.once('connect', () => resolve(s));
    s.once('connect_error', reject);
  });
}

// A private redis-server as the managed one runs it: append-only file, fsync on every write.
const port = await freePort();
const redisProc = spawn(
  'redis-server',
  [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    tmpDir('linli-bench-redis-'),
    '--appendonly',
    'yes',
    '--appendfsync',
    'always',
    '--save',
    '',
  ],
  { stdio: 'ignore' },
);
for (let i = 0; i < 200 && !(await pingRedis(port)); i++) await sleep(50);
const redisUrl = `redis://127.0.0.1:${port}`;
const srv = await startServer({ redisUrl });
const people = new People(redisUrl);
const sockets: Socket[] = [];
const rows: string[][] = [];
try {
  const admin = new Client(srv.url);
  await admin.login('admin', srv.adminPassword!);
  const cid = (await admin.post('/api/communities', { name: '表决压测小区' })).body.community.id;
  const meetingId = (await admin.post(`/api/communities/${cid}/meetings`, { title: '压测', mode: 'hall' })).body.meeting.id;
  const voters = await people.members(cid, MAX, '居民');
  for (let i = 0; i < MAX; i += 200) sockets.push(...(await Promise.all(voters.slice(i, i + 200).map((p) => connect(srv.url, p.cookie)))));
  const observer = await connect(srv.url, admin.cookie);
  await observer.emitWithAck('meeting:join', { meetingId });

  for (const K of SIZES) {
    const ballot = (
      await admin.post(`/api/meetings/${meetingId}/ballots`, {
        title: `K=${K}`,
        kind: 'yes_no_abstain',
        options: [],
        rule: 'simple_majority',
        electorate: { kind: 'members' },
        secret: false,
      })
    ).body.ballot;
    await admin.post(`/api/ballots/${ballot.id}/open`);
    let finalAt = 0;
    observer.on('ballot:tally', (p: { ballotId: string; result: { turnout: { voted: number } } }) => {
      if (p.ballotId === ballot.id && p.result.turnout.voted === K && !finalAt) finalAt = performance.now();
    });
    const acks: number[] = [];
    let failures = 0;
    const t0 = performance.now();
    let lastAck = 0;
    await Promise.all(
      sockets.slice(0, K).map(async (s, i) => {
        const start = performance.now();
        const ack = await s
          .timeout(60_000)
          .emitWithAck('ballot:cast', { ballotId: ballot.id, choice: ['yes', 'no', 'abstain'][i % 3], idempotencyKey: `bench-${K}-${i}` });
        const now = performance.now();
        if (!ack.ok) failures++;
        acks.push(now - start);
        lastAck = Math.max(lastAck, now);
      }),
    );
    for (let w = 0; w < 100 && !finalAt; w++) await sleep(50);
    observer.removeAllListeners('ballot:tally');
    const secs = (lastAck - t0) / 1000;
    rows.push([
      `${K} clients`,
      (K / secs).toFixed(0),
      pct(acks, 50).toFixed(1),
      pct(acks, 99).toFixed(1),
      finalAt ? (finalAt - lastAck).toFixed(0) : 'never',
      String(failures),
    ]);
  }

  // The ceiling: the same cast script, called directly in a loop (arguments prepared beforehand).
  const redis = new Redis(redisUrl);
  const repo = new BallotsRepository(redis);
  const L = 5000;
  const bid = 'benchceiling';
  const body = (type: string, data: unknown) => ({ dataJson: canonicalJson(data), bodyHash: sha(bodyText({ ballotId: bid, type, data })) });
  const ids = Array.from({ length: 2 * L }, (_, i) => `v${i}`);
  await repo.transition({ ballotId: bid, from: ['none'], to: 'draft', metaJson: '{}', auditType: 'created', ...body('created', {}) });
  await repo.transition({
    ballotId: bid,
    from: ['draft'],
    to: 'open',
    metaJson: '{}',
    auditType: 'opened',
    ...body('opened', {}),
    electorateJson: '{}',
    eligible: ids,
  });
  const writes: CastWrite[] = ids.map((id, i) => {
    const receipt = `R${String(i).padStart(7, '0')}`;
    const data = { receipt, choice: 'yes', voters: [{ id, via: 'online' }], by: id };
    return {
      ballotId: bid,
      secret: false,
      idemField: sha(`f${i}`),
      idemValue: receipt,
      receipt,
      choiceKey: '"yes"',
      auditType: 'vote',
      ...body('vote', data),
      receiptRecord: canonicalJson({ choice: 'yes', voters: [id], via: 'online', by: id }),
      by: id,
      mode: 'new',
      voters: [{ id, via: 'online', record: JSON.stringify({ receipt, choice: 'yes', ck: '"yes"', via: 'online', by: id }) }],
    };
  });
  let t = performance.now();
  for (let i = 0; i < L; i++) await repo.cast(writes[i]!);
  const serial = L / ((performance.now() - t) / 1000);
  t = performance.now();
  let next = L;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < 2 * L) await repo.cast(writes[next++]!);
    }),
  );
  const parallel = L / ((performance.now() - t) / 1000);
  await redis.quit();

  console.log('\nvotes on one ballot, one server process, Redis appendfsync always');
  const head = ['', 'votes/s', 'ack p50 ms', 'ack p99 ms', 'last ack → final tally ms', 'failed'];
  const table = [
    head,
    ...rows,
    ['bare cast.lua, 1 in flight', serial.toFixed(0), '', '', '', ''],
    ['bare cast.lua, 64 in flight', parallel.toFixed(0), '', '', '', ''],
  ];
  const widths = head.map((_, c) => Math.max(...table.map((r) => (r[c] ?? '').length)));
  for (const r of table) console.log(r.map((x, c) => (c === 0 ? x.padEnd(widths[c]!) : x.padStart(widths[c]!))).join('  '));
} finally {
  for (const s of sockets) s.close();
  await people.close();
  await srv.stop();
  redisProc.kill('SIGTERM');
}
