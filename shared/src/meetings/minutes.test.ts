import { describe, expect, it } from 'vitest';
import { BALLOT_RULES, OUTCOME_REASONS } from '../voting/schemas.ts';
import { BALLOT_RULE_WORDS, OUTCOME_REASON_WORDS, composeMinutes, reasonWords, ruleWords, type MinutesInput } from './minutes.ts';

const input: MinutesInput = {
  title: '第三次居民协商议事会',
  startedAt: Date.UTC(2026, 10, 25, 6, 30),
  closedAt: Date.UTC(2026, 10, 25, 8, 0),
  place: '社区活动中心',
  mode: 'hybrid',
  conveners: ['party_branch', 'owners_committee'],
  facilitators: ['王主持'],
  attendance: {
    present: 12,
    members: 9,
    guests: 2,
    checkedIn: 1,
    households: 8,
    byRole: { owner: 7, property_firm: 1, guest: 2 },
    byBuilding: [{ building: '1', people: 5, households: 4 }],
    attendedTotal: 12,
  },
  quorum: {
    owners: { present: 7, total: 12 },
    areaCentiares: { present: 70000, total: 120000 },
    met: false,
    needed: { owners: 1, areaCentiares: 10000 },
  },
  agenda: [
    {
      title: '增设充电桩',
      usedMs: 20 * 60_000,
      plannedMinutes: 30,
      clauseRefs: [{ conventionId: 'c1', clauseId: 'k1' }],
      motions: [{ text: '在2栋与3栋之间设充电桩', status: 'balloted' }],
    },
  ],
  motions: [{ text: '在2栋与3栋之间设充电桩', proposerName: '林老师', seconds: ['张阿姨'], status: 'balloted' }],
  ballots: [
    { title: '是否增设充电桩', rule: 'civil_code_278_major', outcome: { passed: false, reason: 'quorum_not_met' } },
    { title: '楼道堆物清理', rule: 'simple_majority', outcome: { passed: true, reason: 'passed' } },
    { title: '绿化调整', rule: 'two_thirds', outcome: { passed: false, reason: 'threshold_not_met' } },
  ],
  problems: [{ title: '路灯不亮', status: 'in_progress', assignee: 'property_firm', dueDate: '2026-12-20' }],
  checkIns: [{ address: '1栋1单元101', byName: '王主持' }],
};

describe('generated minutes', () => {
  it('are written in Chinese only: no English half, no raw codes', () => {
    const md = composeMinutes(input, 'zh');
    expect(md.startsWith('# 会议纪要：第三次居民协商议事会\n')).toBe(true);
    // No Latin words at all (ids, codes, English labels), whatever the input held.
    expect(md).not.toMatch(/[A-Za-z]{2,}/);
    expect(md).toContain(
      '- 是否增设充电桩：未通过。原因：参与表决的业主未达到人数和面积的三分之二。表决规则：民法典第二百七十八条 重大事项（参与表决四分之三以上同意）。',
    );
    expect(md).toContain('- 楼道堆物清理：通过。表决规则：简单多数（赞成多于反对）。');
    expect(md).toContain('- 路灯不亮：处理中，责任方 物业，期限 2026-12-20');
    expect(md).toContain('- 召集：党支部、业委会');
    expect(md).toContain('- 时间：2026-11-25 14:30 – 2026-11-25 16:00');
    expect(md).toContain('7/12 人，专有面积 700.00/1200.00 平方米，未达到三分之二（尚差 1 人、100.00 平方米）');
    expect(md).toContain('- 在2栋与3栋之间设充电桩——提出人 林老师；附议人 张阿姨；已付表决');
    expect(md).toContain('## 共识\n\n- 楼道堆物清理');
  });

  it('are written in English only when the meeting is in English', () => {
    const md = composeMinutes(input, 'en');
    expect(md.startsWith('# Minutes: 第三次居民协商议事会\n')).toBe(true);
    const withoutUserText = md.replace(
      /第三次居民协商议事会|社区活动中心|王主持|增设充电桩|在2栋与3栋之间设充电桩|林老师|张阿姨|是否增设充电桩|楼道堆物清理|绿化调整|路灯不亮|1栋1单元101/g,
      '',
    );
    expect(withoutUserText).not.toMatch(/[\u4e00-\u9fff]/);
    expect(md).toContain(
      '- 是否增设充电桩: not passed. Reason: owners taking part held less than two thirds of the owners or of the floor area. Rule: Civil Code Art. 278, major matter (three quarters of those taking part).',
    );
    expect(md).not.toMatch(/quorum_not_met|civil_code|threshold_not_met|in_progress|property_firm|_/);
  });

  it('map every reason and rule code to plain words in both languages', () => {
    for (const r of OUTCOME_REASONS) {
      for (const lang of ['zh', 'en'] as const) {
        expect(OUTCOME_REASON_WORDS[r][lang]).not.toMatch(/_/);
        expect(reasonWords(r, lang)).not.toBe('');
      }
      expect(OUTCOME_REASON_WORDS[r].zh).not.toMatch(/[A-Za-z]/);
    }
    for (const r of BALLOT_RULES) {
      expect(ruleWords(r, 'zh')).not.toMatch(/[A-Za-z_]/);
      expect(BALLOT_RULE_WORDS[r].en).not.toMatch(/_/);
    }
    // An unknown code never shows itself.
    expect(reasonWords('some_new_code', 'zh')).toBe('');
    expect(
      composeMinutes(
        { ...input, ballots: [{ title: '新表决', rule: 'future_rule', outcome: { passed: false, reason: 'future_reason' } }] },
        'zh',
      ),
    ).not.toMatch(/future/);
  });
});
