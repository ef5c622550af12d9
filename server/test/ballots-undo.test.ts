/**
 * Undoing a paper vote entered for the wrong household (issue 13): only the person who entered it,
 * only while the ballot is open, as an audited `paper_vote_undone` entry in the ballot's hash chain;
 * the tally follows, the household may vote again, and `npm run verify` still passes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVerify, tmpDir, type TestServer } from './helpers/processes.ts';
import { startCommunity, type CommunityFixture } from './helpers/community.ts';
import { Client } from './helpers/http-client.ts';
import type { People, Person } from './helpers/people.ts';

const key = () => `k-${Math.random().toString(36).slice(2)}-${Date.now()}`;
const tallyOf = (r: { tally: { options: { id: string; votes: number }[] } }) =>
  Object.fromEntries(r.tally.options.map((o) => [o.id, o.votes]));

describe('undoing a paper vote', () => {
  let srv: TestServer;
  let admin: Client;
  let people: People;
  let meetingId: string;
  let hh: Record<string, string>;
  let facilitator: Client;
  let other: Client;
  let owner101: Person;
  let f: CommunityFixture | undefined;

  beforeAll(async () => {
    f = await startCommunity({
      name: '撤销测试小区',
      households: ['1-2-101', '2-1-101', '2-1-102', '2-2-101'].map((a) => {
        const [building, unit, room] = a.split('-') as [string, string, string];
        return { building, unit, room, area: '100', owner: `业主${a}` };
      }),
    });
    ({ srv, admin, people } = f);
    const cid = f.cid;
    hh = Object.fromEntries(f.households.map((h) => [`${h.building}-${h.unit}-${h.room}`, h.id]));
    facilitator = Object.assign(new Client(srv.url), { cookie: (await people.member(cid, '主持人王', ['facilitator'])).cookie });
    other = Object.assign(new Client(srv.url), { cookie: (await people.member(cid, '主持人李', ['facilitator'])).cookie });
    owner101 = await people.member(cid, '业主1-2-101', ['owner'], { householdIds: [hh['1-2-101']!] });
    meetingId = (await admin.post(`/api/communities/${cid}/meetings`, { title: '现场会', mode: 'hall' })).body.meeting.id;
  });
  afterAll(async () => f?.stop());

  const openBallot = async (title: string, extra: object = {}) => {
    const b = (
      await admin.post(`/api/meetings/${meetingId}/ballots`, {
        title,
        kind: 'yes_no_abstain',
        options: [],
        rule: 'civil_code_278_ordinary',
        electorate: { kind: 'households' },
        secret: false,
        ...extra,
      })
    ).body.ballot;
    expect((await admin.post(`/api/ballots/${b.id}/open`)).status).toBe(200);
    return b.id as string;
  };
  const paper = (c: Client, ballotId: string, householdId: string, choice: string) =>
    c.post(`/api/ballots/${ballotId}/paper-votes`, { householdId, choice, idempotencyKey: key() });
  const undo = (c: Client, ballotId: string, receipt: string) => c.post(`/api/ballots/${ballotId}/paper-votes/undo`, { receipt });
  const result = async (ballotId: string) => (await admin.get(`/api/ballots/${ballotId}/result`)).body;

  it('takes back the entrant’s own paper vote: tally back, chain entry, household may vote again, verify passes', async () => {
    const b = await openBallot('增设充电桩');
    const wrong = await paper(facilitator, b, hh['1-2-101']!, 'yes');
    expect(wrong.status).toBe(200);
    expect(await paper(facilitator, b, hh['2-1-102']!, 'no').then((r) => r.status)).toBe(200);
    expect(tallyOf(await result(b))).toEqual({ yes: 1, no: 1, abstain: 0 });

    // Someone else may not undo it.
    const notYours = await undo(other, b, wrong.body.receipt);
    expect(notYours.status).toBe(403);
    expect(notYours.body.error.message).toMatch(/Only the person who entered/);
    expect(notYours.body.error.message).toMatch(/只有录入/);
    expect(tallyOf(await result(b))).toEqual({ yes: 1, no: 1, abstain: 0 });

    const done = await undo(facilitator, b, wrong.body.receipt);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.undone).toEqual({ receipt: wrong.body.receipt, voters: [hh['1-2-101']] });
    const after = await result(b);
    expect(tallyOf(after)).toEqual({ yes: 0, no: 1, abstain: 0 });
    expect(after.turnout.voted).toBe(1);
    // Twice is a 404: nothing left to undo.
    expect((await undo(facilitator, b, wrong.body.receipt)).status).toBe(404);

    // The household is free again: its owner votes from the phone, the right household on paper.
    const own = await Object.assign(new Client(srv.url), { cookie: owner101.cookie }).post(`/api/ballots/${b}/votes`, {
      choice: 'no',
      idempotencyKey: key(),
    });
    expect(own.status).toBe(200);
    expect((await paper(facilitator, b, hh['2-1-101']!, 'yes')).status).toBe(200);
    expect(tallyOf(await result(b))).toEqual({ yes: 1, no: 2, abstain: 0 });

    // Closed: no more undoing.
    expect((await admin.post(`/api/ballots/${b}/close`)).status).toBe(200);
    const last = (await admin.get(`/api/ballots/${b}/voters`)).body.voted.find((v: { voterId: string }) => v.voterId === hh['2-1-101']);
    const late = await undo(facilitator, b, last.receipt);
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('ballot_not_open');

    const log = await admin.get(`/api/ballots/${b}/audit`);
    const lines = String(log.body)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type)).toEqual([
      'created',
      'opened',
      'paper_vote',
      'paper_vote',
      'paper_vote_undone',
      'vote',
      'paper_vote',
      'closed',
      'result',
    ]);
    const undone = lines.find((l) => l.type === 'paper_vote_undone');
    expect(undone.data).toMatchObject({ receipt: wrong.body.receipt, voters: [{ id: hh['1-2-101'] }], choice: 'yes' });
    const file = path.join(tmpDir('linli-undo-'), 'audit.jsonl');
    fs.writeFileSync(file, log.body);
    // Checked against the head published with the result, as a committee would.
    const head = (await admin.get(`/api/ballots/${b}/result`)).body.head as { hash: string; length: number };
    const v = await runVerify([file, '--head', `${head.hash}:${head.length}`]);
    expect(v.code, v.out).toBe(0);
    expect(v.out).toMatch(/OK: chain intact, it matches the published head/);
    expect(v.out).toMatch(/paper_vote_undone 1/);
    expect(v.out).toMatch(/yes\s+1/);
  });

  it('finds the exact building-unit-room first when a room is typed ("2 1 101" is not 1栋2单元101)', async () => {
    const found = (await facilitator.get(`/api/meetings/${meetingId}/households?q=${encodeURIComponent('2 1 101')}`)).body.households as {
      id: string;
    }[];
    expect(found[0]!.id).toBe(hh['2-1-101']);
    expect(found.map((h) => h.id)).toContain(hh['1-2-101']);
  });

  it('undoes only paper votes that still stand', async () => {
    const b = await openBallot('可改票', { allowChange: true });
    const phone = await Object.assign(new Client(srv.url), { cookie: owner101.cookie }).post(`/api/ballots/${b}/votes`, {
      choice: 'yes',
      idempotencyKey: key(),
    });
    const onPhone = await undo(facilitator, b, phone.body.receipt);
    expect(onPhone.status).toBe(409);
    expect(onPhone.body.error.message).toMatch(/paper/);
    const first = await paper(facilitator, b, hh['2-2-101']!, 'yes');
    const changed = await paper(facilitator, b, hh['2-2-101']!, 'no');
    expect(changed.body.changed).toBe(true);
    const stale = await undo(facilitator, b, first.body.receipt);
    expect(stale.status).toBe(409);
    expect(stale.body.error.message).toMatch(/replaced/);
    expect((await undo(facilitator, b, changed.body.receipt)).status).toBe(200);
    expect(tallyOf(await result(b))).toEqual({ yes: 1, no: 0, abstain: 0 });
  });
});
