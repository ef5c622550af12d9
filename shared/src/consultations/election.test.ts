/**
 * Committee elections: seat allocation (fast-check properties: never more winners than seats,
 * winners ordered by approving area then owners, a tie across the last seat always reported and
 * never broken, input order irrelevant) and a counted election under Art. 278.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ElectorateSnapshot } from '../voting/schemas.ts';
import { allocateSeats, countElection, electionChoiceSchema } from './election.ts';

const ranked = fc.uniqueArray(
  fc.record({
    id: fc.string({ minLength: 1, maxLength: 4 }),
    area: fc.integer({ min: 0, max: 5 }),
    owners: fc.integer({ min: 0, max: 3 }),
  }),
  { selector: (r) => r.id, maxLength: 12 },
);

describe('allocateSeats', () => {
  it('seats at most `seats`, best first, and reports a tie across the last seat instead of breaking it', () => {
    fc.assert(
      fc.property(ranked, fc.integer({ min: 1, max: 6 }), (rs, seats) => {
        const { winners, tiedForLastSeat } = allocateSeats(rs, seats);
        expect(winners.length).toBeLessThanOrEqual(seats);
        const by = new Map(rs.map((r) => [r.id, r]));
        // Ordered by area, then owners.
        for (let i = 1; i < winners.length; i++) {
          const a = by.get(winners[i - 1]!)!;
          const b = by.get(winners[i]!)!;
          expect(a.area > b.area || (a.area === b.area && a.owners >= b.owners)).toBe(true);
        }
        // Every winner beats every loser strictly, or the tie is reported.
        const losers = rs.filter((r) => !winners.includes(r.id));
        for (const w of winners)
          for (const l of losers) {
            const a = by.get(w)!;
            expect(a.area > l.area || (a.area === l.area && a.owners > l.owners)).toBe(true);
          }
        // Without a reported tie, every seat that can be filled is filled.
        if (tiedForLastSeat.length === 0) expect(winners.length).toBe(Math.min(seats, rs.length));
        else {
          expect(tiedForLastSeat.length).toBeGreaterThanOrEqual(2);
          expect(winners.length + tiedForLastSeat.length).toBeGreaterThan(seats);
          const t = by.get(tiedForLastSeat[0]!)!;
          for (const id of tiedForLastSeat) expect(by.get(id)).toMatchObject({ area: t.area, owners: t.owners });
        }
      }),
    );
  });

  it('does not depend on the order candidates come in', () => {
    fc.assert(
      fc.property(ranked, fc.integer({ min: 1, max: 6 }), (rs, seats) => {
        const a = allocateSeats(rs, seats);
        const b = allocateSeats([...rs].reverse(), seats);
        expect(new Set(b.winners)).toEqual(new Set(a.winners));
        expect(new Set(b.tiedForLastSeat)).toEqual(new Set(a.tiedForLastSeat));
      }),
    );
  });

  it('orders by approving area first, then owners', () => {
    const r = allocateSeats(
      [
        { id: 'a', area: 100, owners: 9 },
        { id: 'b', area: 200, owners: 1 },
        { id: 'c', area: 100, owners: 10 },
      ],
      2,
    );
    expect(r).toEqual({ winners: ['b', 'c'], tiedForLastSeat: [] });
  });
});

describe('countElection', () => {
  // Five owners, 100 m² each, one owner with two units (o4: h4 + h5).
  const electorate: ElectorateSnapshot = {
    kind: 'households',
    voters: ['h1', 'h2', 'h3', 'h4', 'h5'].map((id, i) => ({ voterId: id, ownerKey: i >= 3 ? 'o4' : `o${i + 1}`, areaCentiares: 10000 })),
  };
  const options = [
    { id: 'x', label: '张三' },
    { id: 'y', label: '李四' },
  ];
  it('counts each candidate under Art. 278 by owners and area and seats who pass', () => {
    const votes = [
      { voterId: 'h1', choice: { x: 'yes', y: 'no' } },
      { voterId: 'h2', choice: { x: 'yes', y: 'no' } },
      { voterId: 'h3', choice: { x: 'yes', y: 'yes' } },
      { voterId: 'h4', choice: { x: 'no', y: 'yes' } },
      { voterId: 'h5', choice: { x: 'no', y: 'yes' } },
    ] as const;
    const r = countElection(
      { rule: 'civil_code_278_ordinary', options, seats: 2 },
      electorate,
      votes.map((v) => ({ ...v, choice: { ...v.choice } })),
      { closed: true, secret: false },
    );
    // x: 3 of 4 owners, 300 of 500 m² → passes; y: 2 of 4 owners (o3, o4) → not by number.
    expect(r.candidates[0]).toMatchObject({
      id: 'x',
      passed: true,
      seat: 1,
      yes: { owners: 3, areaCentiares: 30000 },
      no: { owners: 1, areaCentiares: 20000 },
    });
    expect(r.candidates[1]).toMatchObject({ id: 'y', passed: false });
    expect(r.winners).toEqual(['x']);
  });

  it('refuses an answer naming an unknown candidate or a wrong word', () => {
    const s = electionChoiceSchema(options);
    expect(s.safeParse({ x: 'yes' }).success).toBe(true);
    expect(s.safeParse({ z: 'yes' }).success).toBe(false);
    expect(s.safeParse({ x: 'maybe' }).success).toBe(false);
    expect(s.safeParse({}).success).toBe(false);
  });
});
