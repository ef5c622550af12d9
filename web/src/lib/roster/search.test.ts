import { describe, expect, it } from 'vitest';
import { buildingsOf, matchesHousehold, pageOf, searchTerms } from './search.ts';

const h = (building: string, unit: string, room: string, owner: string) => ({ building, unit, room, owner });

describe('roster search', () => {
  const rows = [h('1', '1', '101', '王伟'), h('3', '2', '1201', '张秀英'), h('3', '1', '1202', '李 强'), h('10', '1', '101', 'Zhang San')];

  it('finds by room, by building and room, and by the address as written in Chinese', () => {
    expect(rows.filter((r) => matchesHousehold(r, '1201')).map((r) => r.room)).toEqual(['1201']);
    expect(rows.filter((r) => matchesHousehold(r, '3 1201')).length).toBe(1);
    expect(rows.filter((r) => matchesHousehold(r, '3栋2单元1201')).length).toBe(1);
    expect(rows.filter((r) => matchesHousehold(r, '3-1-1202'))[0]?.owner).toBe('李 强');
  });

  it('finds by part of the owner name, ignoring spaces, width and case', () => {
    expect(rows.filter((r) => matchesHousehold(r, '秀英')).map((r) => r.room)).toEqual(['1201']);
    expect(rows.filter((r) => matchesHousehold(r, '李强')).length).toBe(1);
    expect(rows.filter((r) => matchesHousehold(r, 'ｚｈａｎｇ')).map((r) => r.building)).toEqual(['10']);
  });

  it('matches everything on an empty query and nothing on a miss', () => {
    expect(rows.filter((r) => matchesHousehold(r, '  ')).length).toBe(4);
    expect(rows.filter((r) => matchesHousehold(r, '9 999')).length).toBe(0);
    expect(searchTerms(' 3栋 1201室 ')).toEqual(['3', '1201']);
  });

  it('lists buildings in natural order and pages without going out of range', () => {
    expect(buildingsOf(rows)).toEqual(['1', '3', '10']);
    const many = Array.from({ length: 120 }, (_, i) => i);
    expect(pageOf(many, 3, 50)).toEqual({ rows: many.slice(100), page: 3, pages: 3 });
    expect(pageOf(many, 99, 50).page).toBe(3);
    expect(pageOf([], 1, 50)).toEqual({ rows: [], page: 1, pages: 1 });
  });
});
