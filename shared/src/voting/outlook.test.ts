/**
 * ballotOutlook / canStillPass278: a ballot is called lost only when no completion of the votes
 * still to come would pass it (checked by brute force over every completion), and never while it
 * is uncounted (the projector's "0 / 0 户 ✗ 已无法通过" on a just-opened ballot).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countBallot } from './count.ts';
import { canStillPass278 } from './art278.ts';
import { ballotOutlook } from './outlook.ts';
import { BallotSpec, type BallotRule, type CastVote, type ElectorateSnapshot } from './schemas.ts';

const spec278 = (rule: BallotRule, secret = false) =>
  BallotSpec.parse({ kind: 'yes_no_abstain', rule, options: [], electorate: { kind: 'households' }, secret });
const households = (areas: number[], owners?: string[]): ElectorateSnapshot => ({
  kind: 'households',
  voters: areas.map((a, i) => ({ voterId: `h${i}`, ownerKey: owners?.[i] ?? `o${i}`, areaCentiares: a })),
});
const yes = (...ids: number[]): CastVote[] => ids.map((i) => ({ voterId: `h${i}`, choice: 'yes' }));

describe('ballotOutlook', () => {
  const open = { status: 'open', rule: 'civil_code_278_ordinary' as BallotRule };

  it('a just-opened Art. 278 ballot is in progress, never lost', () => {
    const r = countBallot(spec278('civil_code_278_ordinary'), households([10000, 10000, 10000]), []);
    expect(ballotOutlook(open, r)).toBe('in_progress');
    expect(
      ballotOutlook(
        { ...open, rule: 'civil_code_278_major' },
        countBallot(spec278('civil_code_278_major'), households([10000, 10000]), []),
      ),
    ).toBe('in_progress');
  });

  it('a stale count over an empty electorate (the draft, before opening) or no count at all is "waiting", not lost', () => {
    const draft = countBallot(spec278('civil_code_278_ordinary'), { kind: 'households', voters: [] }, []);
    expect(draft.outcome.needed?.pass?.possible).toBe(false); // what the old screen read as "lost"
    expect(ballotOutlook(open, draft)).toBe('waiting');
    expect(ballotOutlook(open, null)).toBe('waiting');
    expect(ballotOutlook(open, undefined)).toBe('waiting');
    const members = BallotSpec.parse({
      kind: 'yes_no_abstain',
      rule: 'simple_majority',
      options: [],
      electorate: { kind: 'members' },
      secret: false,
    });
    expect(ballotOutlook({ status: 'open', rule: 'simple_majority' }, countBallot(members, { kind: 'members', voters: [] }, []))).toBe(
      'waiting',
    );
  });

  it('follows the ballot: draft, hidden by its setting or by the result, then decided', () => {
    const r = countBallot(spec278('civil_code_278_ordinary'), households([100, 100, 100]), yes(0, 1, 2));
    expect(ballotOutlook({ ...open, status: 'draft' }, r)).toBe('draft');
    expect(ballotOutlook({ ...open, hideTallyUntilClose: true }, r)).toBe('hidden');
    expect(ballotOutlook(open, { ...r, hidden: true })).toBe('hidden');
    const closed = countBallot(spec278('civil_code_278_ordinary'), households([100, 100, 100]), yes(0, 1, 2), { closed: true });
    expect(ballotOutlook({ ...open, status: 'closed' }, closed)).toBe('passed');
    expect(ballotOutlook({ ...open, status: 'published', hideTallyUntilClose: true }, closed)).toBe('passed');
    expect(
      ballotOutlook(
        { ...open, status: 'closed' },
        countBallot(spec278('civil_code_278_ordinary'), households([100, 100, 100]), [], { closed: true }),
      ),
    ).toBe('failed');
    // Closed, but the final count has not arrived yet: wait, say nothing.
    expect(ballotOutlook({ ...open, status: 'closed' }, r)).toBe('waiting');
  });

  it('calls an Art. 278 ballot lost exactly when it is', () => {
    // 4 owners of 100: 2 no → even 2 more yes make 2/4, not more than half.
    const e = households([100, 100, 100, 100]);
    const votes: CastVote[] = [
      { voterId: 'h0', choice: 'no' },
      { voterId: 'h1', choice: 'no' },
    ];
    expect(ballotOutlook(open, countBallot(spec278('civil_code_278_ordinary'), e, votes))).toBe('cannot_pass');
    expect(ballotOutlook(open, countBallot(spec278('civil_code_278_ordinary'), e, votes.slice(0, 1)))).toBe('in_progress');
  });

  it('multi and ranked ballots give no "needed": never called lost', () => {
    const multi = BallotSpec.parse({
      kind: 'multi',
      rule: 'simple_majority',
      options: [
        { id: 'a', label: 'a' },
        { id: 'b', label: 'b' },
      ],
      electorate: { kind: 'members' },
      secret: false,
    });
    const r = countBallot(multi, { kind: 'members', voters: [{ voterId: 'v0' }] }, []);
    expect(['unknown', 'in_progress']).toContain(ballotOutlook({ status: 'open', rule: 'simple_majority' }, r));
  });
});

describe('properties', () => {
  const ANSWERS = ['yes', 'no', 'abstain', null] as const;
  /** Every way the voters who have not voted could still vote (or stay away). */
  function* completions(ids: string[]): Generator<CastVote[]> {
    if (ids.length === 0) {
      yield [];
      return;
    }
    const [first, ...rest] = ids;
    for (const tail of completions(rest)) for (const a of ANSWERS) yield a ? [{ voterId: first!, choice: a }, ...tail] : tail;
  }

  const scenario = fc.record({
    rule: fc.constantFrom<BallotRule>('civil_code_278_ordinary', 'civil_code_278_major'),
    units: fc.array(fc.record({ owner: fc.integer({ min: 0, max: 4 }), area: fc.integer({ min: 1, max: 30_000 }) }), {
      minLength: 1,
      maxLength: 7,
    }),
    cast: fc.array(fc.constantFrom('yes', 'no', 'abstain', null), { minLength: 7, maxLength: 7 }),
  });

  it('open and counted: "cannot_pass" iff no completion of the remaining votes passes (Art. 278, brute force)', () => {
    fc.assert(
      fc.property(scenario, ({ rule, units, cast }) => {
        const e = households(
          units.map((u) => u.area),
          units.map((u) => `o${u.owner}`),
        );
        const votes: CastVote[] = [];
        const rest: string[] = [];
        units.forEach((_, i) => (cast[i] ? votes.push({ voterId: `h${i}`, choice: cast[i]! }) : rest.push(`h${i}`)));
        const spec = spec278(rule);
        const outlook = ballotOutlook({ status: 'open', rule }, countBallot(spec, e, votes));
        let anyPass = false;
        for (const more of completions(rest)) {
          if (countBallot(spec, e, [...votes, ...more], { closed: true }).outcome.passed) {
            anyPass = true;
            break;
          }
        }
        expect(outlook).toBe(anyPass ? 'in_progress' : 'cannot_pass');
      }),
      { numRuns: 300 },
    );
  });

  it('before any vote, a ballot with anyone to vote can pass (never lost at the start)', () => {
    fc.assert(
      fc.property(scenario, ({ rule, units }) => {
        const e = households(
          units.map((u) => u.area),
          units.map((u) => `o${u.owner}`),
        );
        expect(ballotOutlook({ status: 'open', rule }, countBallot(spec278(rule), e, []))).toBe('in_progress');
      }),
    );
  });

  it('canStillPass278 on an uncounted (empty) roster is false, and on all-absent owners true', () => {
    const f = {
      totalOwners: 0,
      totalAreaCentiares: 0,
      participatingOwners: 0,
      participatingAreaCentiares: 0,
      approvingOwners: 0,
      approvingAreaCentiares: 0,
      splitOwners: 0,
    };
    expect(canStillPass278('civil_code_278_ordinary', f)).toBe(false);
    expect(canStillPass278('civil_code_278_major', { ...f, totalOwners: 3, totalAreaCentiares: 300 })).toBe(true);
  });

  it('binary rules: "cannot_pass" iff no completion passes (members, brute force)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<BallotRule>('simple_majority', 'two_thirds', 'three_quarters', 'unanimous'),
        fc.constantFrom<'cast' | 'eligible'>('cast', 'eligible'),
        fc.array(fc.constantFrom('yes', 'no', 'abstain', null), { minLength: 1, maxLength: 6 }),
        (rule, denominator, cast) => {
          const spec = BallotSpec.parse({
            kind: 'yes_no_abstain',
            rule,
            options: [],
            electorate: { kind: 'members' },
            secret: false,
            denominator,
          });
          const e: ElectorateSnapshot = { kind: 'members', voters: cast.map((_, i) => ({ voterId: `h${i}` })) };
          const votes: CastVote[] = [];
          const rest: string[] = [];
          cast.forEach((c, i) => (c ? votes.push({ voterId: `h${i}`, choice: c }) : rest.push(`h${i}`)));
          const outlook = ballotOutlook({ status: 'open', rule }, countBallot(spec, e, votes));
          let anyPass = false;
          for (const more of completions(rest))
            if (countBallot(spec, e, [...votes, ...more], { closed: true }).outcome.passed) anyPass = true;
          expect(outlook).toBe(anyPass ? 'in_progress' : 'cannot_pass');
        },
      ),
      { numRuns: 200 },
    );
  });
});
