import { describe, expect, it } from 'vitest';
import { explainRosterIssue, isPlausiblePhone } from './plausibility.ts';
import { parseRoster, tableToRawRows } from './roster.ts';

const header = ['楼栋', '单元', '房号', '面积', '业主', '电话'];

describe('isPlausiblePhone', () => {
  it('accepts mainland mobiles and landlines as people write them', () => {
    for (const p of [
      '13800138000',
      '138 0013 8000',
      '138-0013-8000',
      '+86 138 0013 8000',
      '+8613800138000',
      '008613800138000',
      '8613800138000',
      '010-12345678',
      '0755 1234 5678',
      '(021) 1234-5678',
      '87654321',
      '010-12345678转123',
      '+852 9123 4567',
      '１３８００１３８０００',
    ]) {
      expect(isPlausiblePhone(p), p).toBe(true);
    }
  });
  it('refuses what cannot be a phone number', () => {
    for (const p of [
      '12345',
      '1380013800',
      '138001380001',
      '23800138000',
      '+86 12345',
      '01012',
      'call me',
      '13800l38000',
      '',
      '000000000000',
      '+1',
    ]) {
      expect(isPlausiblePhone(p), p).toBe(false);
    }
  });
});

describe('roster plausibility in parseRoster', () => {
  const table = [
    header,
    ['1', '1', '101', '88.50', '张伟', '13800138000'],
    ['1', '1', '102', '90', '王芳', '12345'], // line 3: phone refused
    ['1', '1', '103', '5000', '李娜', ''], // line 4: 5,000 m² imported with a warning
    ['1', '1', '104', '8.5', '刘洋', ''], // line 5: 8.5 m² imported with a warning
    ['1', '1', '105', '88.555', '陈静', ''], // line 6: three decimals
    ['1', '1', '106', '', '', ''], // line 7: area and owner missing
  ];

  it('refuses the phone "12345" and warns about 5,000 m² and 8.5 m², importing both', () => {
    const { rows, rejected, warnings } = parseRoster(tableToRawRows(table));
    expect(rows.map((r) => r.room)).toEqual(['101', '103', '104']);
    expect(rejected.map((r) => [r.line, r.code])).toEqual([
      [3, 'invalid_phone'],
      [6, 'invalid_area'],
      [7, 'missing_field'],
    ]);
    expect(warnings).toMatchObject([
      { line: 4, code: 'area_large', value: '5000', limit: '300' },
      { line: 5, code: 'area_small', value: '8.5', limit: '10' },
    ]);
  });

  it('takes the warning threshold from the options', () => {
    const { warnings } = parseRoster(tableToRawRows(table), { areaWarnAboveCentiares: 600_000 });
    expect(warnings.map((w) => w.code)).toEqual(['area_small']);
  });

  it('explains every problem in plain Chinese and English, naming the value and what to do', () => {
    const { rejected, warnings } = parseRoster(tableToRawRows(table));
    const byLine = Object.fromEntries([...rejected, ...warnings].map((r) => [r.line, r]));
    expect(byLine[3]!.message).toContain('电话“12345”不像手机号或座机号');
    expect(byLine[3]!.message).toContain('The phone "12345"');
    expect(byLine[4]!.message).toContain('面积 5000 平方米比一般住户大很多（超过 300 平方米）');
    expect(byLine[6]!.message).toContain('小数超过两位');
    expect(byLine[7]!.message).toContain('这一行没有填面积、业主姓名');
    // Every message: English first, then Chinese with no raw codes or English words in the Chinese half.
    for (const r of [...rejected, ...warnings]) {
      const zh = explainRosterIssue(r.code, r, 'zh');
      expect(r.message.endsWith(zh)).toBe(true);
      expect(zh.replace(/“[^”]*”/g, '')).not.toMatch(/[A-Za-z]{2,}|_/);
      expect(explainRosterIssue(r.code, r, 'en')).not.toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('says an area above the hard limit is a mistake and an area of 0 must be more than 0', () => {
    const { rejected } = parseRoster(tableToRawRows([header, ['1', '1', '1', '12000', 'A', ''], ['1', '1', '2', '0', 'B', '']]));
    expect(rejected.map((r) => explainRosterIssue(r.code, r, 'zh'))).toEqual([
      '面积 12000 平方米超过了 10000 平方米的上限，一定是填错了。',
      '面积必须大于 0。',
    ]);
  });
});
