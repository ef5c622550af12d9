import { describe, expect, it } from 'vitest';
import { exactHousehold, rankRooms, roomTerms } from './rooms.ts';

const h = (building: string, unit: string, room: string) => ({ id: `${building}-${unit}-${room}`, building, unit, room });
// In roster order, the household that fits "2 1 101" only loosely comes first: the old entry took it.
const roster = [
  h('1', '1', '101'),
  h('1', '2', '101'),
  h('1', '2', '1101'),
  h('2', '1', '1101'),
  h('2', '1', '101'),
  h('2', '2', '101'),
  h('3', '1', '1201'),
  h('3', '2', '1201'),
];

describe('rooms typed in the hall', () => {
  it('splits the ways people write an address', () => {
    expect(roomTerms('2 1 101')).toEqual(['2', '1', '101']);
    expect(roomTerms('2-1-101')).toEqual(['2', '1', '101']);
    expect(roomTerms('2栋1单元101室')).toEqual(['2', '1', '101']);
    expect(roomTerms('２－１－１０１')).toEqual(['2', '1', '101']);
  });

  it('ranks the exact building-unit-room first: "2 1 101" is 2栋1单元101, not 1栋2单元101', () => {
    const ranked = rankRooms('2 1 101', roster);
    expect(ranked[0]).toMatchObject({ id: '2-1-101', exact: true });
    expect(ranked.filter((x) => x.exact).map((x) => x.id)).toEqual(['2-1-101']);
    // The same parts in another order next, then loose matches (101 inside 1101).
    expect(ranked[1]).toMatchObject({ id: '1-2-101', exact: false });
    expect(ranked.map((x) => x.id)).toContain('2-1-1101');
    expect(ranked.map((x) => x.id)).not.toContain('3-1-1201');
    expect(exactHousehold('2 1 101', roster)?.id).toBe('2-1-101');
    expect(exactHousehold('2栋1单元101室', roster)?.id).toBe('2-1-101');
  });

  it('compares building and unit with or without 栋/单元 on the roster', () => {
    const named = [h('1栋', '2单元', '101'), h('2栋', '1单元', '101')];
    expect(exactHousehold('2 1 101', named)?.building).toBe('2栋');
    expect(rankRooms('2-1-101', named)[0]!.building).toBe('2栋');
  });

  it('takes nothing when the typed room is ambiguous: the person must choose', () => {
    expect(exactHousehold('3 1201', roster)).toBeNull(); // two units of building 3
    expect(exactHousehold('101', roster)).toBeNull(); // room 101 in four places
    expect(exactHousehold('9 9 999', roster)).toBeNull();
    expect(exactHousehold('', roster)).toBeNull();
    expect(rankRooms('3 1201', roster).filter((x) => x.exact)).toHaveLength(2);
  });

  it('never drops or invents households: every result fits every typed part', () => {
    for (const q of ['1', '1 101', '2 1 101', '1201', '3 2 1201', 'x']) {
      const ranked = rankRooms(q, roster);
      for (const x of ranked) expect(roomTerms(q).every((t) => [x.building, x.unit, x.room].some((p) => p.includes(t)))).toBe(true);
      const exact = ranked.findIndex((x) => !x.exact);
      if (exact >= 0) expect(ranked.slice(exact).every((x) => !x.exact)).toBe(true);
    }
  });
});
