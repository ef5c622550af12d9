/**
 * Paper entry by double entry against a real redis-server: the entry service's compare-and-set
 * (entry.lua), the progress counters the core reads, counting once when two people make the
 * second entry at the same moment, the same person refused a second entry, a mismatch held and
 * resolved by a third person, a household that answered by phone refused with channel and time.
 * The consultations core is behind the EntryCore seam; here a small stand-in keeps its one rule
 * that matters to entry (one household, one answer: the first recorded counts).
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DomainError,
  encodePaperCode,
  type Actor,
  type Answers,
  type Consultation,
  type ResponseAck,
  type ResponseChannel,
} from '@linli/shared';
import { DoorsService } from '../src/consultations/consultations.doors.ts';
import { PaperEntryService, type EntryCore, type EntryHousehold } from '../src/consultations/consultations.entry.ts';
import { startRedis, type TestRedis } from './helpers/processes.ts';
import { pace } from './helpers/wait.ts';

const CODE = 'K7QM';
const consultation = {
  id: 'c1',
  communityId: 'com1',
  code: CODE,
  questions: [
    { id: 'q1', title: '采纳第3条', kind: 'yes_no_abstain', rule: { kind: 'art278_ordinary' } },
    { id: 'q2', title: '采纳第4条', kind: 'yes_no_abstain', rule: { kind: 'art278_ordinary' } },
  ],
} as unknown as Consultation;

const households: EntryHousehold[] = [1, 2, 3, 4].map((n) => ({
  householdId: `h${n}`,
  building: n <= 2 ? '1' : '2',
  unit: '1',
  room: `10${n}`,
  address: `${n <= 2 ? 1 : 2}栋1单元10${n}`,
  areaCentiares: 9000 + n,
  owner: `业主${n}`,
  phone: `1380000000${n}`,
  serial: n,
  paperCode: encodePaperCode(CODE, n),
}));

/** Stand-in for the core's recordAnswers: the first answer of a household counts, a later one is refused. */
class CoreStandIn implements EntryCore {
  recorded = new Map<string, { channel: ResponseChannel; at: string; answers: Answers; receipt: string; key: string }>();
  async get() {
    return consultation;
  }
  async householdForPaperCode(_cid: string, code: string) {
    const h = households.find((x) => x.paperCode === code);
    if (!h) throw new DomainError('unknown_paper', 'unknown paper', { status: 404 });
    return h;
  }
  async householdsOf() {
    return households;
  }
  validateAnswers(_c: Consultation, a: Record<string, unknown>) {
    for (const v of Object.values(a))
      if (!['yes', 'no', 'abstain'].includes(String(v))) throw new DomainError('validation_failed', 'bad answer');
    return a as Answers;
  }
  async recordAnswers(
    _cid: string,
    hid: string,
    answers: Answers,
    opts: { channel: ResponseChannel; by: string; idempotencyKey: string },
  ): Promise<ResponseAck> {
    await pace(5); // a store round trip, so concurrent entries interleave as they would against Redis
    const prev = this.recorded.get(hid);
    if (prev && prev.key === opts.idempotencyKey) return { receipt: prev.receipt, householdId: hid, channel: prev.channel, repeated: true };
    if (prev)
      throw Object.assign(new DomainError('already_answered', 'already answered', { status: 409 }), {
        details: { channel: prev.channel, at: prev.at },
      });
    const receipt = `R${this.recorded.size + 1}`;
    this.recorded.set(hid, { channel: opts.channel, at: '2026-12-20T09:30:00.000+08:00', answers, receipt, key: opts.idempotencyKey });
    return { receipt, householdId: hid, channel: opts.channel, repeated: false };
  }
  async answered() {
    return new Map([...this.recorded].map(([k, v]) => [k, { channel: v.channel, at: v.at }]));
  }
  async displayName(id: string) {
    return `name-${id}`;
  }
}

const actor = (userId: string, roles: Actor['roles'], buildings: string[] = []): Actor => ({
  userId,
  communityId: 'com1',
  roles,
  buildings,
});
const clerkA = actor('a', ['owners_committee']);
const clerkB = actor('b', ['owners_committee']);
const reviewer = actor('r', ['owners_committee']);
const leader1 = actor('l1', ['building_leader'], ['1']);

let redis: TestRedis;
let client: Redis;
let core: CoreStandIn;
let entries: PaperEntryService;

beforeAll(async () => {
  redis = await startRedis();
  client = new Redis(redis.url);
  core = new CoreStandIn();
  entries = new PaperEntryService(client, core);
});
afterAll(async () => {
  client.disconnect();
  await redis.stop();
});

const code = (n: number) => households[n - 1]!.paperCode;

describe('double entry of papers', () => {
  it('holds a first entry, refuses the same person again, counts when a second person agrees', async () => {
    const first = await entries.enter(consultation, clerkA, code(1), { q1: 'yes', q2: 'no' }, 'key-a-0001');
    expect(first.state).toBe('awaiting_second');
    expect(first.address).toBe('1栋1单元101');
    expect(await entries.counts('c1')).toEqual({ awaiting: 1, mismatch: 0 });
    await expect(entries.enter(consultation, clerkA, code(1), { q1: 'yes', q2: 'no' }, 'key-a-0002')).rejects.toMatchObject({
      code: 'same_person',
      status: 409,
    });
    const second = await entries.enter(consultation, clerkB, code(1), { q2: 'no', q1: 'yes' }, 'key-b-0001');
    expect(second.state).toBe('counted');
    expect(second.receipt).toBe(core.recorded.get('h1')!.receipt);
    expect(core.recorded.get('h1')!.channel).toBe('paper');
    expect(await entries.counts('c1')).toEqual({ awaiting: 0, mismatch: 0 });
  });

  it('reads a typed code with a typo as a typo (400), not as another household', async () => {
    const typo = code(2).slice(0, 8) + (code(2)[8] === 'A' ? 'B' : 'A');
    await expect(entries.enter(consultation, clerkA, typo, { q1: 'yes' }, 'key-a-0003')).rejects.toMatchObject({
      code: 'bad_paper_code',
      status: 400,
    });
    await expect(entries.enter(consultation, clerkA, encodePaperCode('ZZZZ', 2), { q1: 'yes' }, 'key-a-0004')).rejects.toMatchObject({
      code: 'unknown_paper',
    });
  });

  it('counts once when two people make the second entry at the same moment', async () => {
    await entries.enter(consultation, clerkA, code(2), { q1: 'no', q2: 'no' }, 'key-a-0005');
    const recordedBefore = core.recorded.size;
    const [x, y] = await Promise.all([
      entries.enter(consultation, clerkB, code(2), { q1: 'no', q2: 'no' }, 'key-b-0002'),
      entries.enter(consultation, reviewer, code(2), { q1: 'no', q2: 'no' }, 'key-r-0001'),
    ]);
    expect([x.state, y.state]).toEqual(['counted', 'counted']);
    expect(x.entries).toHaveLength(2);
    // One response for the household; whoever finished the count, both read the same receipt.
    expect(core.recorded.size - recordedBefore).toBe(1);
    expect(x.receipt).toBe(core.recorded.get('h2')!.receipt);
    expect(y.receipt).toBe(x.receipt);
    expect(await entries.counts('c1')).toEqual({ awaiting: 0, mismatch: 0 });
  });

  it('holds a mismatch (counting nothing) until a third person resolves it from the paper', async () => {
    await entries.enter(consultation, clerkA, code(3), { q1: 'yes', q2: 'yes' }, 'key-a-0006');
    const held = await entries.enter(consultation, clerkB, code(3), { q1: 'yes', q2: 'no' }, 'key-b-0003');
    expect(held.state).toBe('mismatch');
    expect(core.recorded.has('h3')).toBe(false);
    expect(await entries.counts('c1')).toEqual({ awaiting: 0, mismatch: 1 });
    expect((await entries.list(consultation, reviewer, 'mismatch')).map((e) => e.householdId)).toEqual(['h3']);
    await expect(entries.resolve(consultation, clerkB, code(3), { q1: 'yes', q2: 'no' })).rejects.toMatchObject({ status: 403 });
    const done = await entries.resolve(consultation, reviewer, code(3), { q1: 'yes', q2: 'no' }, '第2题勾了“反对”');
    expect(done.state).toBe('counted');
    expect(core.recorded.get('h3')!.answers).toEqual({ q1: 'yes', q2: 'no' });
    expect(await entries.counts('c1')).toEqual({ awaiting: 0, mismatch: 0 });
  });

  it('refuses the paper of a household that answered by phone, saying by which channel and when', async () => {
    await core.recordAnswers('c1', 'h4', { q1: 'no' }, { channel: 'phone', by: 'owner4', idempotencyKey: 'phone-0001' });
    await entries.enter(consultation, clerkA, code(4), { q1: 'yes' }, 'key-a-0007');
    const refused = await entries.enter(consultation, clerkB, code(4), { q1: 'yes' }, 'key-b-0004');
    expect(refused.state).toBe('refused');
    expect(refused.reason).toContain('phone');
    expect(refused.reason).toContain('2026-12-20T09:30');
    expect(core.recorded.get('h4')!.answers).toEqual({ q1: 'no' });
  });

  it('lets a building leader enter only the papers of their building', async () => {
    await expect(entries.enter(consultation, leader1, code(4), { q1: 'yes' }, 'key-l-0001')).rejects.toMatchObject({ status: 403 });
  });
});

describe('door to door', () => {
  it('shows a building leader their building without phones, and keeps the marks', async () => {
    const doors = new DoorsService(client, core);
    const rows = await doors.list(consultation, leader1, '1');
    expect(rows.map((r) => [r.householdId, r.responded, r.channel])).toEqual([
      ['h1', true, 'paper'],
      ['h2', true, 'paper'],
    ]);
    expect(rows.every((r) => r.phone === undefined)).toBe(true);
    await expect(doors.list(consultation, leader1, '2')).rejects.toMatchObject({ status: 403 });
    const marked = await doors.mark(consultation, leader1, 'h2', { collected: true });
    expect([marked.handedOut, marked.collected]).toEqual([true, true]);
    const full = await doors.list(consultation, actor('admin', ['facilitator']), '2');
    expect(full[0]!.phone).toBeUndefined();
  });
});
