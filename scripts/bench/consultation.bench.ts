// `npm run bench -- consultation`: a written consultation at compound scale.
// 1. Printing every ballot paper: 20,000 households (BENCH_PAPERS), 10 questions, streamed by
//    streamPapersPdf into a sink that counts bytes: time, pages/s, bytes per page, peak RSS.
// 2. Paper entry by double entry through the real services on a real redis-server (roster of
//    BENCH_ENTRY_HOUSEHOLDS, default 20,000): two clerks enter BENCH_ENTRIES papers (default 300)
//    each; counted papers per second.
// 3. Tally of 20,000 households × 10 questions (9 yes/no/abstain under Art. 278 + one election of
//    5 candidates): the pure count (tallyConsultation), and the service's count from Redis.
// Prints figures only; nothing here asserts times.
import { Writable } from 'node:stream';
import { encodePaperCode, tallyConsultation, type Actor, type Question } from '@linli/shared';
import { streamPapersPdf } from '../../server/src/consultations/documents/papers.pdf.ts';
import { fixtureConsultation, fixtureHouseholds } from '../../server/test/helpers/consultation-fixtures.ts';
import { startRedis } from '../../server/test/helpers/processes.ts';
import { Redis } from 'ioredis';
import { AuthRepository } from '../../server/src/auth/auth.repository.ts';
import { AuthService } from '../../server/src/auth/auth.service.ts';
import { RosterRepository } from '../../server/src/roster/roster.repository.ts';
import { RosterService } from '../../server/src/roster/roster.service.ts';
import { ConsultationsRepository } from '../../server/src/consultations/consultations.repository.ts';
import { ConsultationsService } from '../../server/src/consultations/consultations.service.ts';
import { createPaperEntry } from '../../server/src/consultations/consultations.entry.feature.ts';

const PAPERS = Number(process.env.BENCH_PAPERS ?? 20_000);
const ENTRY_HOUSEHOLDS = Number(process.env.BENCH_ENTRY_HOUSEHOLDS ?? 20_000);
const ENTRIES = Number(process.env.BENCH_ENTRIES ?? 300);
const TALLY_HOUSEHOLDS = 20_000;
const fmt = (n: number, d = 1) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

const tenQuestions: Question[] = [
  ...Array.from({ length: 9 }, (_, i) => ({
    id: `q${i + 1}`,
    title: `第${i + 1}条 ${['停车位的分配办法', '维修资金的使用', '宠物管理', '装修管理', '公共收益的分配', '电梯更新', '绿化养护', '垃圾分类', '议事规则'][i]}`,
    kind: 'yes_no_abstain' as const,
    rule: i === 1 ? ('civil_code_278_major' as const) : ('civil_code_278_ordinary' as const),
  })),
  {
    id: 'q10',
    title: '选举第一届业主委员会委员（应选 3 名）',
    kind: 'election',
    rule: 'civil_code_278_ordinary',
    seats: 3,
    options: ['王秀英', '李建国', '张丽华', '刘志强', '陈美玲'].map((label, i) => ({ id: `cand${i + 1}`, label })),
  },
];

async function benchPrint() {
  const households = fixtureHouseholds(PAPERS);
  let bytes = 0;
  let peakRss = 0;
  let firstByteMs = NaN;
  const t0 = performance.now();
  const sink = new Writable({
    highWaterMark: 64 * 1024,
    write(chunk: Buffer, _e, cb) {
      if (bytes === 0) firstByteMs = performance.now() - t0;
      bytes += chunk.length;
      cb();
    },
  });
  const r = await streamPapersPdf(
    {
      consultation: fixtureConsultation({ questions: tenQuestions }),
      communityName: '阳光花园',
      households,
      baseUrl: 'https://linli.example',
    },
    sink,
    {
      every: 500,
      onProgress: () => {
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
      },
    },
  );
  const s = (performance.now() - t0) / 1000;
  console.log(
    `print ${fmt(r.papers, 0)} ballot papers (10 questions): ${fmt(r.pages, 0)} pages in ${fmt(s)} s = ${fmt(r.pages / s)} pages/s; ${fmt(bytes / 1e6)} MB = ${fmt(bytes / r.pages / 1024)} KB/page; first bytes out after ${fmt(firstByteMs, 0)} ms; peak RSS ${fmt(peakRss / 1e6, 0)} MB`,
  );
}

async function benchEntryAndTally() {
  const redis = await startRedis();
  const client = new Redis(redis.url);
  try {
    const auth = new AuthService(new AuthRepository(client));
    const roster = new RosterService(new RosterRepository(client));
    const repo = new ConsultationsRepository(client);
    const service = new ConsultationsService(repo, { auth, roster });
    const cid = 'benchcompound';
    const rows = fixtureHouseholds(ENTRY_HOUSEHOLDS).map((h, i) => ({
      line: i + 1,
      building: h.building,
      unit: h.unit,
      room: h.room,
      area: (h.areaCentiares / 100).toFixed(2),
      owner: h.owner,
    }));
    let t = performance.now();
    await roster.importRows(cid, rows);
    console.log(`setup: roster of ${fmt(ENTRY_HOUSEHOLDS, 0)} households imported in ${fmt((performance.now() - t) / 1000)} s`);
    const organiser: Actor = { userId: 'u_org', communityId: cid, roles: ['owners_committee'] };
    const now = Date.now();
    const c = await service.create(organiser, cid, {
      title: '基准测试',
      notice: '基准测试',
      opensAt: new Date(now - 1000).toISOString(),
      closesAt: new Date(now + 3600_000).toISOString(),
      questions: tenQuestions.map(({ id: _id, ...q }) => q),
    });
    await service.openIfDue(c.stored.id);
    const view = service.view(await service.load(c.stored.id));
    const { entries } = createPaperEntry(client, service, repo, auth);
    const clerkA: Actor = { userId: 'u_clerk_a', communityId: cid, roles: ['owners_committee'] };
    const clerkB: Actor = { userId: 'u_clerk_b', communityId: cid, roles: ['owners_committee'] };
    const answers = Object.fromEntries(
      tenQuestions.map((q) => [
        q.id,
        q.kind === 'election' ? { cand1: 'yes', cand2: 'no', cand3: 'abstain', cand4: 'yes', cand5: 'yes' } : 'yes',
      ]),
    );
    t = performance.now();
    for (let serial = 1; serial <= ENTRIES; serial++) {
      const code = encodePaperCode(view.code, serial);
      await entries.enter(view, clerkA, code, answers, `a-${serial}-key`);
      const done = await entries.enter(view, clerkB, code, answers, `b-${serial}-key`);
      if (done.state !== 'counted') throw new Error(`paper ${serial} not counted: ${done.state}`);
    }
    const es = (performance.now() - t) / 1000;
    console.log(
      `paper entry (double entry, 2 clerks, roster ${fmt(ENTRY_HOUSEHOLDS, 0)}): ${fmt(ENTRIES, 0)} papers counted in ${fmt(es)} s = ${fmt(ENTRIES / es)} papers/s (${fmt((es * 1000) / (2 * ENTRIES))} ms per entry)`,
    );

    // tally: the rest answer through recordAnswers (phone), then the service counts from Redis
    const hh = await service.householdsOf(c.stored.id);
    t = performance.now();
    const pending = hh.slice(ENTRIES).map((h, i) => {
      const a = Object.fromEntries(
        tenQuestions.map((q) => [
          q.id,
          q.kind === 'election' ? { cand1: 'yes', cand2: i % 3 ? 'yes' : 'no', cand3: 'abstain' } : ['yes', 'no', 'abstain'][i % 3]!,
        ]),
      );
      return () =>
        service.recordAnswers(c.stored.id, h.householdId, a, { channel: 'phone', by: `u${i}`, idempotencyKey: `phone-${i}-key` });
    });
    for (let i = 0; i < pending.length; i += 200) await Promise.all(pending.slice(i, i + 200).map((f) => f()));
    console.log(`setup: ${fmt(pending.length, 0)} phone answers recorded in ${fmt((performance.now() - t) / 1000)} s`);
    const loaded = await service.load(c.stored.id);
    t = performance.now();
    const counted = await service.count(loaded, true);
    console.log(
      `tally through the service (read ${fmt(hh.length, 0)} responses from Redis + count), ${counted.length} questions: ${fmt(performance.now() - t, 0)} ms`,
    );
  } finally {
    client.disconnect();
    await redis.stop();
  }
}

function benchPureTally() {
  const voters = fixtureHouseholds(TALLY_HOUSEHOLDS).map((h) => ({
    voterId: h.householdId,
    ownerKey: h.owner,
    areaCentiares: h.areaCentiares,
  }));
  const responses = voters.map((v, i) => ({
    voterId: v.voterId,
    answers: Object.fromEntries(
      tenQuestions.map((q) => [
        q.id,
        q.kind === 'election'
          ? { cand1: 'yes', cand2: i % 3 ? 'yes' : 'no', cand3: 'abstain', cand4: i % 2 ? 'no' : 'yes', cand5: 'yes' }
          : ['yes', 'no', 'abstain'][i % 3]!,
      ]),
    ) as Record<string, never>,
  }));
  const runs = 5;
  const t = performance.now();
  for (let i = 0; i < runs; i++)
    tallyConsultation(tenQuestions, { kind: 'households', voters }, responses, { closed: true, secret: false });
  console.log(
    `tally (pure) ${fmt(TALLY_HOUSEHOLDS, 0)} households × 10 questions: ${fmt((performance.now() - t) / runs, 0)} ms per count (mean of ${runs})`,
  );
}

// BENCH_PARTS=print (or tally, entry; comma-separated) runs only those parts.
const parts = (process.env.BENCH_PARTS ?? 'tally,entry,print').split(',');
if (parts.includes('tally')) benchPureTally();
if (parts.includes('entry')) await benchEntryAndTally();
if (parts.includes('print')) await benchPrint();
