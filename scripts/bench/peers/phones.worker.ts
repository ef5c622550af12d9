// A process full of phones for the joins workload of `npm run bench -- peers`: the bench starts two
// of these so that thousands of Socket.IO clients do not share one event loop with the bench (or
// each other). Driven over IPC by joins.ts; every time it reports is performance.timeOrigin +
// performance.now(), comparable across processes of this machine.
import { io as ioc, type Socket } from 'socket.io-client';
import { Client } from '../../../server/test/helpers/http-client.ts';
import { connect, sleep } from './phones.ts';

type Msg =
  | {
      type: 'joinByCode';
      url: string;
      joinCode: string;
      meetingId: string;
      n: number;
      offset: number;
      total: number;
      windowMs: number;
      startAt: number;
    }
  | { type: 'joinMembers'; url: string; meetingId: string; cookies: string[] }
  | { type: 'watchTally'; ballotId: string; voted: number }
  | { type: 'reportTally' }
  | { type: 'close' };

const now = () => performance.timeOrigin + performance.now();
const send = (m: object) => process.send!(m);
const phones: Socket[] = [];
let watch: { ballotId: string; voted: number; at: Map<Socket, number> } | null = null;

function listen(s: Socket) {
  s.on('ballot:tally', (p: { ballotId: string; result: { turnout: { voted: number } } }) => {
    if (watch && p.ballotId === watch.ballotId && p.result.turnout.voted >= watch.voted && !watch.at.has(s)) watch.at.set(s, now());
  });
}

/** Guests arriving by code, spread evenly over the window: HTTP join, connect, `meeting:join`. */
async function joinByCode(m: Extract<Msg, { type: 'joinByCode' }>) {
  const joinMs: number[] = [];
  let failed = 0;
  await Promise.all(
    Array.from({ length: m.n }, async (_, j) => {
      const i = m.offset + j;
      await sleep(m.startAt + (i * m.windowMs) / m.total - now());
      const start = now();
      try {
        const c = new Client(m.url);
        const r = await c.post('/api/meetings/join', { joinCode: m.joinCode, displayName: `听众${i}` });
        if (r.status !== 200) throw new Error(`join ${r.status}`);
        const s = await connect(m.url, c.cookie);
        phones.push(s);
        listen(s);
        const ack = await s.timeout(30_000).emitWithAck('meeting:join', { meetingId: m.meetingId });
        if (!ack.ok || !ack.state) throw new Error(JSON.stringify(ack.error));
        joinMs.push(now() - start);
      } catch (err) {
        if (failed++ < 3) console.error(`guest ${i}: ${(err as Error).message}`);
      }
    }),
  );
  send({ type: 'joined', joinMs, failed });
}

/** Members already signed in (cookies from the bench): connect and join, 100 at a time. */
async function joinMembers(m: Extract<Msg, { type: 'joinMembers' }>) {
  let failed = 0;
  for (let i = 0; i < m.cookies.length; i += 100) {
    await Promise.all(
      m.cookies.slice(i, i + 100).map(async (cookie) => {
        try {
          const s = ioc(m.url, {
            path: '/socket.io',
            transports: ['websocket'],
            extraHeaders: { cookie },
            reconnection: false,
            timeout: 60_000,
          });
          await new Promise<void>((res, rej) => {
            s.once('connect', () => res());
            s.once('connect_error', rej);
          });
          phones.push(s);
          listen(s);
          const ack = await s.timeout(60_000).emitWithAck('meeting:join', { meetingId: m.meetingId });
          if (!ack.ok) throw new Error(JSON.stringify(ack.error));
        } catch (err) {
          if (failed++ < 3) console.error(`member: ${(err as Error).message}`);
        }
      }),
    );
  }
  send({ type: 'joined', joinMs: [], failed });
}

process.on('message', (m: Msg) => {
  switch (m.type) {
    case 'joinByCode':
      void joinByCode(m);
      break;
    case 'joinMembers':
      void joinMembers(m);
      break;
    case 'watchTally':
      watch = { ballotId: m.ballotId, voted: m.voted, at: new Map() };
      send({ type: 'watching' });
      break;
    case 'reportTally':
      send({ type: 'tally', times: watch ? [...watch.at.values()] : [], phones: phones.length });
      break;
    case 'close':
      for (const s of phones) s.close();
      process.exit(0);
  }
});
send({ type: 'up' });
