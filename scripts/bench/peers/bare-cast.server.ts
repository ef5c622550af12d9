// The ceiling of the vote storm in `npm run bench -- peers`: a bare Socket.IO server (no auth, no
// adapter, no broadcast) whose `cast` handler does only what any durable, audited vote must do —
// a receipt, the sealed idempotency record, the audit body hash — and runs Linli's own cast Lua
// script on the same private Redis (appendfsync always), then acks. Started as a child process by
// votes.ts with REDIS_URL; prints `ready <port>`.
import http from 'node:http';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import { canonicalJson } from '@linli/shared';
import { BallotsRepository } from '../../../server/src/ballots/ballots.repository.ts';
import { newReceipt, sealReceipt } from '../../../server/src/ballots/ballots.cast.ts';
import { auditBody } from '../../../server/src/ballots/ballots.rules.ts';

// Without auto-pipelining: with one command per vote it only delays the first acks (measured: a
// 2,000 storm 478 → 568 ms), so this is the stricter ceiling. BENCH_BARE_AUTOPIPELINE=1 turns it on.
const redis = new Redis(process.env.REDIS_URL!, { enableAutoPipelining: process.env.BENCH_BARE_AUTOPIPELINE === '1' });
const repo = new BallotsRepository(redis);
const server = http.createServer();
const io = new Server(server, { path: '/socket.io', serveClient: false, transports: ['websocket'] });

io.on('connection', (socket) => {
  socket.on('cast', async (p: { ballotId: string; voterId: string; choice: string; key: string }, ack: (r: unknown) => void) => {
    try {
      for (let attempt = 0; attempt < 8; attempt++) {
        const receipt = newReceipt();
        const seal = sealReceipt(p.ballotId, p.voterId, p.key, receipt);
        const ck = canonicalJson(p.choice);
        const data = { receipt, choice: p.choice, voters: [{ id: p.voterId, via: 'online' }], by: p.voterId };
        const r = await repo.cast({
          ballotId: p.ballotId,
          secret: false,
          idemField: seal.field,
          idemValue: seal.value,
          receipt,
          choiceKey: ck,
          auditType: 'vote',
          ...auditBody(p.ballotId, 'vote', data),
          receiptRecord: canonicalJson({ choice: p.choice, voters: [p.voterId], via: 'online', by: p.voterId }),
          by: p.voterId,
          mode: 'new',
          voters: [
            { id: p.voterId, via: 'online', record: JSON.stringify({ receipt, choice: p.choice, ck, via: 'online', by: p.voterId }) },
          ],
        });
        if (r.kind === 'receipt_taken') continue;
        ack(r.kind === 'ok' ? { ok: true, receipt } : { ok: false, error: { code: r.kind } });
        return;
      }
      ack({ ok: false, error: { code: 'conflict' } });
    } catch (err) {
      ack({ ok: false, error: { code: 'internal', message: (err as Error).message } });
    }
  });
});

server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  console.log(`ready ${typeof addr === 'object' && addr ? addr.port : 0}`);
});
process.on('SIGTERM', () => {
  void io.close();
  void redis.quit().finally(() => process.exit(0));
});
