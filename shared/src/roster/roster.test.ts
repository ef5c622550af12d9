import { describe, expect, it } from 'vitest';
import { DomainError } from '../common/errors.ts';
import { formatAddress, householdKey, mapHeader, normalizeOwnerName, parseRoster, tableToRawRows } from './roster.ts';
import { ROSTER_MAX_ROWS } from './schemas.ts';
import { formatInvitationCode, INVITATION_CODE_BITS, normalizeInvitationCode } from './invitation.ts';

const header = ['building', 'unit', 'room', 'area', 'owner', 'phone'];

describe('mapHeader', () => {
  it('accepts English and Chinese headers, in any order, with a BOM', () => {
    expect(mapHeader(['\uFEFFbuilding', 'Unit', 'ROOM', 'area', 'owner'])).toEqual({ building: 0, unit: 1, room: 2, area: 3, owner: 4 });
    expect(mapHeader(['业主', '楼栋', '单元', '房号', '面积', '电话'])).toEqual({
      owner: 0,
      building: 1,
      unit: 2,
      room: 3,
      area: 4,
      phone: 5,
    });
    expect(mapHeader(['楼栋', '单元', '房号', '建筑面积(㎡)', '业主姓名'])).toMatchObject({ area: 3, owner: 4 });
  });

  it('refuses a header without the required columns, naming them', () => {
    try {
      mapHeader(['building', 'room', 'owner']);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(DomainError);
      expect((err as DomainError).status).toBe(400);
      expect((err as DomainError).message).toContain('unit, area');
    }
  });
});

describe('parseRoster', () => {
  it('keeps good rows and refuses bad ones with their line numbers', () => {
    const table = [
      header,
      ['1', '1', '101', '88.50', '张伟', '13800138000'],
      ['1', '1', '102', '', '王芳', ''],
      ['', '', '', '', '', ''],
      ['1', '1', '103', '88.555', '李娜', ''],
      ['1', '1', '104', '0', '刘洋', ''],
      ['1', '1', '105', '12000', '陈静', ''],
      ['1', '1', '106', '90', '', ''],
      ['1', '1', '107', '90', '杨磊', 'call me'],
      ['1', '2', '201', '120.3', '赵敏', ''],
    ];
    const { rows, rejected } = parseRoster(tableToRawRows(table));
    expect(rows.map((r) => [r.line, r.room, r.areaCentiares])).toEqual([
      [2, '101', 8850],
      [10, '201', 12030],
    ]);
    expect(rows[0]!.phone).toBe('13800138000');
    expect(rows[1]!.phone).toBeUndefined();
    expect(rejected.map((r) => [r.line, r.code])).toEqual([
      [3, 'missing_field'],
      [5, 'invalid_area'],
      [6, 'area_out_of_range'],
      [7, 'area_out_of_range'],
      [8, 'missing_field'],
      [9, 'invalid_phone'],
    ]);
    expect(rejected[0]!.message).toContain('area');
    expect(rejected[4]!.message).toContain('owner');
  });

  it('refuses a room that appears twice on every line it appears on', () => {
    const table = [header, ['1', '1', '101', '88', 'A', ''], ['1', '1', '102', '88', 'B', ''], [' 1 ', '1', '101', '90', 'C', '']];
    const { rows, rejected } = parseRoster(tableToRawRows(table));
    expect(rows.map((r) => r.room)).toEqual(['102']);
    expect(rejected).toEqual([
      { line: 2, code: 'duplicate_room', lines: [4], message: expect.stringContaining('line 4') },
      { line: 4, code: 'duplicate_room', lines: [2], message: expect.stringContaining('line 2') },
    ]);
  });

  it('finds the header below a title row and counts lines from the top', () => {
    const raws = tableToRawRows([['海月花园业主名册'], [], header, ['1', '1', '101', 'x', 'A', '']]);
    expect(parseRoster(raws).rejected).toEqual([expect.objectContaining({ line: 4, code: 'invalid_area' })]);
  });

  it('uses the given file lines (CSV records spanning lines)', () => {
    const raws = tableToRawRows([header, ['1', '1', '101', 'x', 'A', '']], { lines: [1, 5] });
    expect(parseRoster(raws).rejected[0]!.line).toBe(5);
  });

  it('reads spreadsheet doubles as Excel showed them', () => {
    const raws = tableToRawRows([header, ['1', '1', '101', '88.549999999999997', 'A', '']], { spreadsheet: true });
    expect(parseRoster(raws).rows[0]!.areaCentiares).toBe(8855);
  });

  it('refuses more than 20,000 rows as a whole', () => {
    const table = [header, ...Array.from({ length: ROSTER_MAX_ROWS + 1 }, (_, i) => ['1', '1', String(i), '50', 'A', ''])];
    expect(() => tableToRawRows(table)).toThrow(/20000/);
    const exact = tableToRawRows(table.slice(0, ROSTER_MAX_ROWS + 1));
    expect(parseRoster(exact).rows).toHaveLength(ROSTER_MAX_ROWS);
  });

  it('normalises full-width text and refuses control characters', () => {
    const { rows, rejected } = parseRoster([
      { line: 2, building: '１', unit: '２', room: 'Ａ０１', area: '50', owner: '  张  伟 ' },
      { line: 3, building: '1', unit: '2', room: 'x\u0007', area: '50', owner: 'B' },
    ]);
    expect(rows[0]).toMatchObject({ building: '1', unit: '2', room: 'A01', owner: '张 伟' });
    expect(rejected[0]).toMatchObject({ line: 3, code: 'invalid_text' });
  });
});

describe('keys and names', () => {
  it('keys a household by building/unit/room, case- and width-insensitive', () => {
    expect(householdKey('1', '2', 'a01')).toBe(householdKey('１', '2 ', 'A01'));
    expect(householdKey('1', '2', '301')).not.toBe(householdKey('1', '23', '01'));
  });
  it('normalises owner names so one owner of several units counts once', () => {
    expect(normalizeOwnerName('张 伟')).toBe(normalizeOwnerName('张伟'));
    expect(normalizeOwnerName('Li Na')).toBe(normalizeOwnerName('li na'));
    expect(normalizeOwnerName('张伟')).not.toBe(normalizeOwnerName('张玮'));
  });
  it('writes an address without doubling 栋/单元', () => {
    expect(formatAddress({ building: '3', unit: '2', room: '1201' })).toBe('3栋2单元1201');
    expect(formatAddress({ building: '3栋', unit: '2单元', room: '1201' })).toBe('3栋2单元1201');
  });
});

describe('invitation codes', () => {
  it('have at least 50 bits', () => {
    expect(INVITATION_CODE_BITS).toBeGreaterThanOrEqual(50);
  });
  it('read typed codes with dashes, spaces and lower case, and refuse anything else', () => {
    expect(formatInvitationCode('ABCDEFGHJKM')).toBe('ABCD-EFGH-JKM');
    expect(normalizeInvitationCode('abcd-efgh-jkm')).toBe('ABCDEFGHJKM');
    expect(normalizeInvitationCode(' ABCD EFGH JKM ')).toBe('ABCDEFGHJKM');
    expect(normalizeInvitationCode('ABCD-EFGH-JK')).toBeNull();
    expect(normalizeInvitationCode('ABCD-EFGH-JKO')).toBeNull(); // O is not in the alphabet
    expect(normalizeInvitationCode('*')).toBeNull();
  });
});
