import { describe, expect, it } from 'vitest';
import { RECENT_CHECK_INS, filterCheckIns, visibleCheckIns } from './checkin-list';

const list = Array.from({ length: 60 }, (_, i) => ({ name: `${1 + (i % 4)}栋${1 + (i % 2)}单元${100 + i} 业主${i}` }));

describe('the check-in list of the console', () => {
  it('shows the latest few, newest first, until expanded', () => {
    const { shown, filtering } = visibleCheckIns(list, '', false);
    expect(filtering).toBe(false);
    expect(shown).toHaveLength(RECENT_CHECK_INS);
    expect(shown[0]!.name).toBe(list[59]!.name);
    expect(visibleCheckIns(list, '', true).shown).toHaveLength(60);
  });

  it('finds by room parts or name, among all', () => {
    expect(filterCheckIns(list, '2-2-105').map((c) => c.name)).toEqual(['2栋2单元105 业主5']);
    expect(filterCheckIns(list, '业主42')).toHaveLength(1);
    expect(visibleCheckIns(list, '3栋', false).shown).toHaveLength(15);
    expect(filterCheckIns(list, '9栋')).toEqual([]);
  });
});
