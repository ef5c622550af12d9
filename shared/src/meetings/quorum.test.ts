import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { meetingQuorum, participation, rosterTotals, twoThirdsOf, type CountedHousehold } from './quorum.ts';

const h = (id: string, ownerKey: string, m2: number): CountedHousehold => ({ id, ownerKey, areaCentiares: Math.round(m2 * 100) });
const nine = Array.from({ length: 9 }, (_, i) => h(`h${i}`, `o${i}`, 100));

describe('Art. 278 participation', () => {
  it('exactly 2/3 by number and area is met (6 of 9 × 100 m²)', () => {
    const q = meetingQuorum(nine, ['h0', 'h1', 'h2', 'h3', 'h4', 'h5']);
    expect(q).toEqual({
      owners: { present: 6, total: 9 },
      areaCentiares: { present: 60_000, total: 90_000 },
      met: true,
      needed: { owners: 0, areaCentiares: 0 },
      households: { present: 6, total: 9 },
    });
  });

  it('households (units) beside owners (people): one owner of three units is one owner and three households', () => {
    const roster = [h('a1', 'A', 50), h('a2', 'A', 50), h('a3', 'A', 50), h('b', 'B', 100), h('c', 'C', 100)];
    const q = meetingQuorum(roster, ['a2']);
    expect(q.owners).toEqual({ present: 1, total: 3 });
    expect(q.households).toEqual({ present: 3, total: 5 });
  });

  it('one short of 2/3 is not met and says what is still needed (5 of 9)', () => {
    const q = meetingQuorum(nine, ['h0', 'h1', 'h2', 'h3', 'h4']);
    expect(q.met).toBe(false);
    expect(q.needed).toEqual({ owners: 1, areaCentiares: 10_000 });
  });

  it('unequal areas: enough owners but not enough area, and the other way round', () => {
    // A 300, B/C/D 100 each: total 4 owners, 600 m².
    const roster = [h('a', 'A', 300), h('b', 'B', 100), h('c', 'C', 100), h('d', 'D', 100)];
    const bcd = meetingQuorum(roster, ['b', 'c', 'd']);
    expect(bcd.owners).toEqual({ present: 3, total: 4 });
    expect(bcd.areaCentiares).toEqual({ present: 30_000, total: 60_000 });
    expect(bcd.met).toBe(false);
    expect(bcd.needed).toEqual({ owners: 0, areaCentiares: 10_000 });
    const ab = meetingQuorum(roster, ['a', 'b']);
    expect(ab.areaCentiares.present).toBe(40_000);
    expect(ab.met).toBe(false);
    expect(ab.needed).toEqual({ owners: 1, areaCentiares: 0 });
    expect(meetingQuorum(roster, ['a', 'b', 'c']).met).toBe(true);
  });

  it('counts an owner of two units once by number and with both areas', () => {
    // X owns x1 (100.50) and x2 (49.50); Y 100; Z 100. Total: 3 owners, 350 m².
    const roster = [h('x1', 'X', 100.5), h('x2', 'X', 49.5), h('y', 'Y', 100), h('z', 'Z', 100)];
    expect(rosterTotals(roster)).toEqual({ owners: 3, areaCentiares: 35_000 });
    const q = meetingQuorum(roster, ['x1', 'x2', 'y']);
    expect(q.owners).toEqual({ present: 2, total: 3 });
    expect(q.areaCentiares).toEqual({ present: 25_000, total: 35_000 });
    expect(q.met).toBe(true);
    // Present through one unit only: the owner still holds (and brings) both.
    expect(meetingQuorum(roster, ['x2', 'y'])).toEqual(q);
  });

  it('a household listed twice, unknown ids and an empty roster', () => {
    expect(meetingQuorum(nine, ['h0', 'h0', 'nope']).owners.present).toBe(1);
    const empty = meetingQuorum([], []);
    expect(empty.met).toBe(false);
    expect(empty.needed).toEqual({ owners: 0, areaCentiares: 0 });
  });

  it('area in centiares decides at the exact boundary (no floating point)', () => {
    // Total 3 owners, 0.03 m² each → 2/3 of 3 centiares = 2.
    const tiny = [h('a', 'A', 0.01), h('b', 'B', 0.01), h('c', 'C', 0.01)];
    expect(meetingQuorum(tiny, ['a', 'b']).met).toBe(true);
    // 100.01 + 100.00 of 300.02 m² total: 3 × 20001 = 60003 ≥ 2 × 30002 = 60004? no.
    const odd = [h('a', 'A', 100.01), h('b', 'B', 100), h('c', 'C', 100.01)];
    const q = meetingQuorum(odd, ['a', 'b']);
    expect(q.met).toBe(false);
    expect(q.needed.areaCentiares).toBe(1);
  });

  it('property: met ⇔ 3·present ≥ 2·total for both figures, and needed is the exact gap', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ owner: fc.integer({ min: 0, max: 12 }), area: fc.integer({ min: 1, max: 50_000 }), here: fc.boolean() }), {
          minLength: 1,
          maxLength: 40,
        }),
        (rows) => {
          const roster = rows.map((r, i) => h(`h${i}`, `o${r.owner}`, r.area / 100));
          const presentIds = rows.flatMap((r, i) => (r.here ? [`h${i}`] : []));
          const q = meetingQuorum(roster, presentIds);
          const t = rosterTotals(roster);
          expect(q.owners.total).toBe(t.owners);
          const ok = 3 * q.owners.present >= 2 * t.owners && 3 * q.areaCentiares.present >= 2 * t.areaCentiares;
          expect(q.met).toBe(ok);
          expect(q.needed.owners).toBe(Math.max(0, twoThirdsOf(t.owners) - q.owners.present));
          // twoThirdsOf is the least n with 3n ≥ 2w.
          const w = t.areaCentiares;
          expect(3 * twoThirdsOf(w) >= 2 * w && 3 * (twoThirdsOf(w) - 1) < 2 * w).toBe(true);
        },
      ),
    );
  });

  it('participation alone counts the given households (no owner expansion)', () => {
    const roster = [h('x1', 'X', 100), h('x2', 'X', 50), h('y', 'Y', 150)];
    const q = participation([roster[0]!], rosterTotals(roster));
    expect(q.owners).toEqual({ present: 1, total: 2 });
    expect(q.areaCentiares).toEqual({ present: 10_000, total: 30_000 });
  });
});
