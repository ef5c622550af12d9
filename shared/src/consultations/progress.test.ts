/** Progress of a consultation: totals, channels, hours in Asia/Shanghai, and the heat map cells. */
import { describe, expect, it } from 'vitest';
import { computeProgress, floorOf } from './progress.ts';

describe('computeProgress', () => {
  const hh = [
    { householdId: 'a', building: '1', unit: '1', floor: floorOf('101'), areaCentiares: 9000 },
    { householdId: 'b', building: '1', unit: '1', floor: floorOf('1203'), areaCentiares: 12000 },
    { householdId: 'c', building: '1', unit: '2', floor: floorOf('101'), areaCentiares: 8000 },
    { householdId: 'd', building: '2', unit: '1', floor: floorOf('301'), areaCentiares: 10000 },
  ];
  // 2026-12-20 09:10 and 09:50 Shanghai (01:10Z, 01:50Z), 10:05 Shanghai.
  const t = (h: number, m: number) => Date.UTC(2026, 11, 20, h - 8, m);
  const p = computeProgress(hh, [
    { householdId: 'a', channel: 'phone', at: t(9, 10) },
    { householdId: 'd', channel: 'paper', at: t(9, 50) },
    { householdId: 'b', channel: 'hall', at: t(10, 5) },
    { householdId: 'zz', channel: 'phone', at: t(10, 6) }, // not in the electorate: ignored
  ]);

  it('counts households and area that responded, by channel', () => {
    expect(floorOf('1203')).toBe('12');
    expect(floorOf('301')).toBe('3');
    expect(floorOf('B1')).toBe('B1');
    expect(p.households).toEqual({ eligible: 4, responded: 3 });
    expect(p.areaCentiares).toEqual({ eligible: 39000, responded: 31000 });
    expect(p.byChannel).toEqual({ phone: 1, paper: 1, hall: 1 });
  });

  it('groups by hour in Asia/Shanghai and by building, unit and floor', () => {
    expect(p.overTime).toEqual([
      { hour: '2026-12-20 09:00', count: 2 },
      { hour: '2026-12-20 10:00', count: 1 },
    ]);
    expect(p.byBuilding.map((c) => [c.key, c.eligible, c.responded])).toEqual([
      ['1', 3, 2],
      ['2', 1, 1],
    ]);
    expect(p.byUnit.find((c) => c.key === '1/2')).toMatchObject({
      eligible: 1,
      responded: 0,
      areaCentiares: { eligible: 8000, responded: 0 },
    });
    expect(p.byFloor.map((c) => c.key)).toEqual(['1/1/1', '1/1/12', '1/2/1', '2/1/3']);
  });
});
