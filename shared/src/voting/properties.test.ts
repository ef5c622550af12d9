/**
 * Properties of the voting core (fast-check): the tally holds exactly the valid votes; the order of
 * votes never matters; for majority rules one more yes never turns a pass into a fail; IRV
 * eliminates by the stated tie rule; choiceSchemaFor accepts exactly the in-range choices; `needed`
 * is exactly the smallest number of votes that would pass.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countBallot } from './count.ts';
import { instantRunoff } from './irv.ts';
import {
  BallotSpec,
  choiceSchemaFor,
  OUTCOME_REASONS,
  BallotResult,
  type BallotKind,
  type BallotRule,
  type CastVote,
  type ElectorateSnapshot,
} from './schemas.ts';

const IDS = ['a', 'b', 'c', 'd', 'e'];
const members = (n: number): ElectorateSnapshot => ({
  kind: 'members',
  voters: Array.from({ length: n }, (_, i) => ({ voterId: `v${i}` })),
});

/** A valid spec of any kind (members electorate) with 2–5 options where options apply. */
const anySpec: fc.Arbitrary<BallotSpec> = fc
  .record({
    kind: fc.constantFrom<BallotKind>('yes_no_abstain', 'single', 'multi', 'consent', 'score', 'ranked'),
    rule: fc.constantFrom<BallotRule>('simple_majority', 'two_thirds', 'three_quarters', 'unanimous'),
    n: fc.integer({ min: 2, max: 5 }),
    picks: fc.integer({ min: 1, max: 5 }),
    denominator: fc.constantFrom<'cast' | 'eligible'>('cast', 'eligible'),
    consensus: fc.boolean(),
    secret: fc.boolean(),
  })
  .map(({ kind, rule, n, picks, denominator, consensus, secret }) => {
    const withOptions = kind === 'single' || kind === 'multi' || kind === 'ranked';
    return BallotSpec.parse({
      kind,
      rule: kind === 'consent' && consensus ? 'consensus' : rule,
      options: withOptions ? IDS.slice(0, n).map((id) => ({ id, label: id })) : [],
      maxPicks: kind === 'multi' ? Math.min(picks, n) : undefined,
      electorate: { kind: 'members' },
      secret,
      denominator,
    });
  });

/** A choice that is valid on the spec, or (sometimes) garbage. */
function choiceFor(spec: BallotSpec): fc.Arbitrary<unknown> {
  const ids = spec.options.map((o) => o.id);
  const valid: fc.Arbitrary<unknown> = (() => {
    switch (spec.kind) {
      case 'yes_no_abstain':
        return fc.constantFrom('yes', 'no', 'abstain');
      case 'consent':
        return fc.constantFrom('agree', 'stand_aside', 'block');
      case 'score':
        return fc.integer({ min: 0, max: 5 });
      case 'single':
        return fc.constantFrom(...ids);
      case 'multi':
        return fc.shuffledSubarray(ids, { minLength: 1, maxLength: spec.maxPicks ?? ids.length });
      case 'ranked':
        return fc.shuffledSubarray(ids, { minLength: 1 });
    }
  })();
  return fc.oneof(
    { arbitrary: valid, weight: 9 },
    { arbitrary: fc.oneof(fc.string(), fc.integer(), fc.array(fc.string({ maxLength: 2 }))), weight: 1 },
  );
}

/** A spec, a members electorate and votes (distinct voters, some invalid choices, some strangers). */
const ballotCase = anySpec.chain((spec) =>
  fc.integer({ min: 0, max: 25 }).chain((n) =>
    fc.array(fc.tuple(fc.integer({ min: 0, max: n + 2 }), choiceFor(spec)), { maxLength: n + 3 }).map((pairs) => {
      const seen = new Set<number>();
      const votes: CastVote[] = [];
      for (const [i, choice] of pairs) {
        if (seen.has(i)) continue;
        seen.add(i);
        votes.push({ voterId: `v${i}`, choice: choice as CastVote['choice'] });
      }
      return { spec, electorate: members(n), votes };
    }),
  ),
);

/** The valid votes of a case, counted independently of count.ts. */
function validCount({ spec, electorate, votes }: { spec: BallotSpec; electorate: ElectorateSnapshot; votes: CastVote[] }): number {
  const ids = new Set(electorate.voters.map((v) => v.voterId));
  const schema = choiceSchemaFor(spec);
  return votes.filter((v) => schema.safeParse(v.choice).success && (spec.secret || ids.has(v.voterId))).length;
}

describe('tally', () => {
  it('holds exactly the valid votes (each ballot once; multi: each pick)', () => {
    fc.assert(
      fc.property(ballotCase, (c) => {
        const r = countBallot(c.spec, c.electorate, c.votes);
        const n = validCount(c);
        expect(r.turnout.voted).toBe(n);
        const total = r.tally.options.reduce((s, o) => s + o.votes, 0);
        if (c.spec.kind === 'multi') {
          const schema = choiceSchemaFor(c.spec);
          const ids = new Set(c.electorate.voters.map((v) => v.voterId));
          const picks = c.votes
            .filter((v) => schema.safeParse(v.choice).success && (c.spec.secret || ids.has(v.voterId)))
            .reduce((s, v) => s + (v.choice as string[]).length, 0);
          expect(total).toBe(picks);
        } else {
          expect(total).toBe(n);
        }
        if (c.spec.kind === 'score') expect(r.tally.average?.den).toBe(n);
        expect(OUTCOME_REASONS).toContain(r.outcome.reason);
        expect(BallotResult.safeParse(r).success).toBe(true);
        const setAside = ['invalid', 'notEligible', 'conflicting'].reduce((s, k) => s + Number(r.outcome.figures[k] ?? 0), 0);
        expect(n + setAside).toBe(c.votes.length);
      }),
      { numRuns: 400 },
    );
  });

  it('never depends on the order of the votes (open and closed)', () => {
    fc.assert(
      fc.property(ballotCase, fc.array(fc.integer(), { minLength: 30, maxLength: 30 }), fc.boolean(), (c, keys, closed) => {
        const shuffled = c.votes
          .map((v, i) => ({ v, k: keys[i % keys.length]! * 31 + i }))
          .sort((x, y) => x.k - y.k)
          .map((x) => x.v);
        expect(countBallot(c.spec, c.electorate, shuffled, { closed })).toEqual(countBallot(c.spec, c.electorate, c.votes, { closed }));
      }),
      { numRuns: 300 },
    );
  });

  it('secret and open ballots count the same valid votes of eligible voters the same way', () => {
    fc.assert(
      fc.property(ballotCase, (c) => {
        const ids = new Set(c.electorate.voters.map((v) => v.voterId));
        const eligibleVotes = c.votes.filter((v) => ids.has(v.voterId));
        const open = countBallot({ ...c.spec, secret: false }, c.electorate, eligibleVotes, { closed: true });
        const secret = countBallot({ ...c.spec, secret: true }, c.electorate, eligibleVotes, { closed: true });
        expect(secret.tally).toEqual(open.tally);
        expect(secret.outcome.passed).toBe(open.outcome.passed);
      }),
      { numRuns: 200 },
    );
  });
});

/** An Art. 278 case: households (some owners with several units) and yes/no/abstain votes. */
const art278Case = fc
  .record({
    rule: fc.constantFrom<BallotRule>('civil_code_278_ordinary', 'civil_code_278_major'),
    units: fc.array(fc.record({ owner: fc.integer({ min: 0, max: 12 }), area: fc.integer({ min: 0, max: 30000 }) }), {
      minLength: 1,
      maxLength: 20,
    }),
    answers: fc.array(fc.constantFrom('yes', 'no', 'abstain', '-'), { minLength: 20, maxLength: 20 }),
  })
  .map(({ rule, units, answers }) => {
    const electorate: ElectorateSnapshot = {
      kind: 'households',
      voters: units.map((u, i) => ({ voterId: `h${i}`, ownerKey: `o${u.owner}`, areaCentiares: u.area })),
    };
    const votes: CastVote[] = units.flatMap((_, i) => (answers[i] === '-' ? [] : [{ voterId: `h${i}`, choice: answers[i]! }]));
    const spec = BallotSpec.parse({ kind: 'yes_no_abstain', rule, electorate: { kind: 'households' }, secret: false });
    return { spec, electorate, votes };
  });

describe('monotonicity: one more yes never turns a pass into a fail', () => {
  it('yes/no/abstain under every majority rule and denominator', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<BallotRule>('simple_majority', 'two_thirds', 'three_quarters', 'unanimous'),
        fc.constantFrom<'cast' | 'eligible'>('cast', 'eligible'),
        fc.nat(15),
        fc.nat(15),
        fc.nat(15),
        fc.nat(5),
        (rule, denominator, yes, no, abstain, spare) => {
          const spec = BallotSpec.parse({ kind: 'yes_no_abstain', rule, electorate: { kind: 'members' }, secret: false, denominator });
          const electorate = members(yes + no + abstain + 1 + spare);
          const list = [...Array(yes).fill('yes'), ...Array(no).fill('no'), ...Array(abstain).fill('abstain')] as string[];
          const votes = list.map((choice, i) => ({ voterId: `v${i}`, choice }));
          const before = countBallot(spec, electorate, votes, { closed: true });
          const after = countBallot(spec, electorate, [...votes, { voterId: `v${list.length}`, choice: 'yes' }], { closed: true });
          if (before.outcome.passed) expect(after.outcome.passed).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('Art. 278: a household whose owner has not voted (or voted yes) adding a yes', () => {
    fc.assert(
      fc.property(art278Case, fc.nat(), (c, pick) => {
        const byId = new Map(c.electorate.voters.map((v) => [v.voterId, v]));
        const answerOf = new Map<string, Set<string>>();
        for (const v of c.votes) {
          const o = byId.get(v.voterId)!.ownerKey!;
          answerOf.set(o, (answerOf.get(o) ?? new Set()).add(v.choice as string));
        }
        const voted = new Set(c.votes.map((v) => v.voterId));
        const free = c.electorate.voters.filter((v) => {
          const a = answerOf.get(v.ownerKey!);
          return !voted.has(v.voterId) && (!a || (a.size === 1 && a.has('yes')));
        });
        fc.pre(free.length > 0);
        const extra = free[pick % free.length]!;
        const before = countBallot(c.spec, c.electorate, c.votes, { closed: true });
        expect(OUTCOME_REASONS).toContain(before.outcome.reason);
        expect(BallotResult.safeParse(before).success).toBe(true);
        const after = countBallot(c.spec, c.electorate, [...c.votes, { voterId: extra.voterId, choice: 'yes' }], { closed: true });
        if (before.outcome.passed) expect(after.outcome.passed).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('Art. 278: an owner voting through one unit or through all of them is counted the same', () => {
    fc.assert(
      fc.property(art278Case, (c) => {
        const byId = new Map(c.electorate.voters.map((v) => [v.voterId, v]));
        const firstByOwner = new Map<string, CastVote>();
        for (const v of c.votes) {
          const o = byId.get(v.voterId)!.ownerKey!;
          if (!firstByOwner.has(o)) firstByOwner.set(o, v);
        }
        // Every unit of an owner votes like the owner's first voting unit.
        const all = c.electorate.voters.flatMap((h) => {
          const first = firstByOwner.get(h.ownerKey!);
          return first ? [{ voterId: h.voterId, choice: first.choice }] : [];
        });
        const one = countBallot(c.spec, c.electorate, [...firstByOwner.values()], { closed: true });
        const each = countBallot(c.spec, c.electorate, all, { closed: true });
        expect(each.outcome.passed).toBe(one.outcome.passed);
        expect(each.turnout.owners).toEqual(one.turnout.owners);
        expect(each.turnout.areaCentiares).toEqual(one.turnout.areaCentiares);
        expect(each.tally.options.map((o) => [o.owners, o.areaCentiares])).toEqual(
          one.tally.options.map((o) => [o.owners, o.areaCentiares]),
        );
      }),
      { numRuns: 300 },
    );
  });
});

describe('needed while open', () => {
  it('yes/no: `needed.pass.votes` more yes pass it, one fewer does not', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<BallotRule>('simple_majority', 'two_thirds', 'three_quarters', 'unanimous'),
        fc.constantFrom<'cast' | 'eligible'>('cast', 'eligible'),
        fc.nat(12),
        fc.nat(12),
        fc.nat(6),
        fc.nat(30),
        (rule, denominator, yes, no, abstain, spare) => {
          const spec = BallotSpec.parse({ kind: 'yes_no_abstain', rule, electorate: { kind: 'members' }, secret: false, denominator });
          const n = yes + no + abstain;
          const electorate = members(n + spare);
          const list = [...Array(yes).fill('yes'), ...Array(no).fill('no'), ...Array(abstain).fill('abstain')] as string[];
          const votes = list.map((choice, i) => ({ voterId: `v${i}`, choice }));
          const need = countBallot(spec, electorate, votes).outcome.needed!.pass!;
          const withYes = (k: number) =>
            countBallot(spec, electorate, [...votes, ...Array.from({ length: k }, (_, i) => ({ voterId: `v${n + i}`, choice: 'yes' }))]);
          if (need.votes === undefined) {
            expect(need.possible).toBe(false);
            expect(withYes(spare).outcome.wouldPass).toBe(false);
            return;
          }
          expect(need.possible).toBe(need.votes <= spare);
          if (need.votes <= spare) {
            expect(withYes(need.votes).outcome.wouldPass).toBe(true);
            if (need.votes > 0) expect(withYes(need.votes - 1).outcome.wouldPass).toBe(false);
          } else {
            expect(withYes(spare).outcome.wouldPass).toBe(false);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  // Every unit not yet voted, voting yes: also the open units of owners who took part (their area
  // then goes with yes), the best completion there is (outlook.test.ts checks it against all of them).
  it('Art. 278: pass.possible is exactly "every unit that has not voted, voting yes, would pass it"', () => {
    fc.assert(
      fc.property(art278Case, (c) => {
        const r = countBallot(c.spec, c.electorate, c.votes);
        const voted = new Set(c.votes.map((v) => v.voterId));
        const rest = c.electorate.voters.filter((h) => !voted.has(h.voterId)).map((h) => ({ voterId: h.voterId, choice: 'yes' }));
        const allYes = countBallot(c.spec, c.electorate, [...c.votes, ...rest], { closed: true });
        expect(r.outcome.needed!.pass!.possible).toBe(allYes.outcome.passed);
        if (r.outcome.wouldPass) expect(r.outcome.needed!.pass).toMatchObject({ owners: 0, areaCentiares: 0 });
      }),
      { numRuns: 400 },
    );
  });
});

describe('IRV follows the stated tie rule', () => {
  const rankings = fc.array(fc.shuffledSubarray(IDS.slice(0, 4), { minLength: 1 }), { maxLength: 30 });
  it('eliminates the fewest, then fewest in the first earlier round that separates, then the later option; elects only a majority', () => {
    fc.assert(
      fc.property(rankings, (ballots) => {
        const order = IDS.slice(0, 4);
        const r = instantRunoff(order, ballots);
        const history = r.rounds.map((x) => new Map(x.counts.map((c) => [c.id, c.votes])));
        r.rounds.forEach((round, ri) => {
          const counts = history[ri]!;
          const sum = [...counts.values()].reduce((s, n) => s + n, 0);
          expect(sum).toBe(round.continuing);
          expect(round.continuing + round.exhausted).toBe(ballots.length);
          if (round.elected) expect(2 * counts.get(round.elected)!).toBeGreaterThan(round.continuing);
          else for (const n of counts.values()) expect(2 * n).toBeLessThanOrEqual(round.continuing);
          if (!round.eliminated) return;
          const e = round.eliminated;
          const fewest = Math.min(...counts.values());
          expect(counts.get(e)).toBe(fewest);
          for (const other of counts.keys()) {
            if (other === e || counts.get(other) !== fewest) continue;
            // The first earlier round separating e and other has e lower; none: e is listed later.
            const sep = history.slice(0, ri).find((h) => (h.get(e) ?? 0) !== (h.get(other) ?? 0));
            if (sep) expect(sep.get(e)!).toBeLessThan(sep.get(other)!);
            else expect(order.indexOf(e)).toBeGreaterThan(order.indexOf(other));
          }
          const tied = [...counts.keys()].filter((id) => counts.get(id) === fewest);
          if (tied.length === 1) expect(round.tieBreak).toBe('none');
          expect(history[ri + 1]!.has(e)).toBe(false);
        });
        const last = r.rounds.at(-1)!;
        if (r.tie) {
          const ids = [...history.at(-1)!.keys()];
          expect(ids).toHaveLength(2);
          for (const h of history) expect(h.get(ids[0]!) ?? 0).toBe(h.get(ids[1]!) ?? 0);
        }
        expect(r.winner).toBe(last.elected);
      }),
      { numRuns: 500 },
    );
  });
});

describe('choiceSchemaFor rejects every out-of-range choice', () => {
  /** An independent statement of what a valid choice is. */
  function reference(spec: BallotSpec, c: unknown): boolean {
    const ids = spec.options.map((o) => o.id);
    const list = (max: number) =>
      Array.isArray(c) && c.length >= 1 && c.length <= max && c.every((x) => ids.includes(x)) && new Set(c).size === c.length;
    switch (spec.kind) {
      case 'yes_no_abstain':
        return c === 'yes' || c === 'no' || c === 'abstain';
      case 'consent':
        return c === 'agree' || c === 'stand_aside' || c === 'block';
      case 'score':
        return typeof c === 'number' && Number.isInteger(c) && c >= 0 && c <= 5;
      case 'single':
        return typeof c === 'string' && ids.includes(c);
      case 'multi':
        return list(spec.maxPicks ?? ids.length);
      case 'ranked':
        return list(ids.length);
    }
  }
  const candidates = fc.oneof(
    fc.anything(),
    fc.integer({ min: -3, max: 8 }),
    fc.double(),
    fc.constantFrom('yes', 'no', 'abstain', 'agree', 'stand_aside', 'block', 'a', 'b', 'f', ''),
    fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'yes'), { maxLength: 7 }),
  );
  it('agrees with the reference on arbitrary values', () => {
    fc.assert(
      fc.property(anySpec, candidates, (spec, c) => {
        expect(choiceSchemaFor(spec).safeParse(c).success).toBe(reference(spec, c));
      }),
      { numRuns: 2000 },
    );
  });
});
