/**
 * The text of generated minutes (会议纪要), pure: what the meeting recorded in, Markdown out, in
 * the meeting's one language (Chinese unless the meeting says English). Minutes are read by
 * residents and may be shown to a court, so no machine code (quorum_not_met,
 * civil_code_278_major, in_progress…) ever appears: every code goes through a map of plain words
 * below. The server gathers the figures; this file only writes them down.
 */
import type { BallotRule, OutcomeReason } from '../voting/schemas.ts';
import type { Attendance, MeetingMode, MotionStatus, Quorum } from './schemas.ts';
import { formatArea } from '../roster/area.ts';

export const MINUTES_LANGS = ['zh', 'en'] as const;
export type MinutesLang = (typeof MINUTES_LANGS)[number];

type Words<K extends string> = Record<K, Record<MinutesLang, string>>;

/** Why a ballot passed or failed, in plain words (the same codes the result screens translate). */
export const OUTCOME_REASON_WORDS: Words<OutcomeReason> = {
  passed: { zh: '达到通过条件', en: 'the required majority was reached' },
  no_votes: { zh: '没有有效票', en: 'no valid votes were cast' },
  all_abstained: { zh: '全部弃权', en: 'everyone abstained' },
  tie: { zh: '赞成与反对票数相同', en: 'the votes were tied' },
  rejected: { zh: '反对多于赞成', en: 'more votes against than for' },
  threshold_not_met: { zh: '未达到规定比例', en: 'the required share was not reached' },
  not_unanimous: { zh: '未获全体一致同意', en: 'not everyone agreed' },
  blocked: { zh: '有人提出阻止', en: 'someone blocked it' },
  no_support: { zh: '无人同意', en: 'nobody agreed' },
  no_electorate: { zh: '没有可投票的人', en: 'nobody could vote' },
  quorum_not_met: {
    zh: '参与表决的业主未达到人数和面积的三分之二',
    en: 'owners taking part held less than two thirds of the owners or of the floor area',
  },
  approval_number: { zh: '同意的业主人数未达到要求', en: 'too few owners agreed' },
  approval_area: { zh: '同意的业主专有面积未达到要求', en: 'the owners who agreed held too little floor area' },
  approval_number_and_area: { zh: '同意的业主人数和专有面积都未达到要求', en: 'too few owners agreed, holding too little floor area' },
};

/** Counting rules, in plain words. */
export const BALLOT_RULE_WORDS: Words<BallotRule> = {
  simple_majority: { zh: '简单多数（赞成多于反对）', en: 'simple majority (more for than against)' },
  two_thirds: { zh: '三分之二多数', en: 'two-thirds majority' },
  three_quarters: { zh: '四分之三多数', en: 'three-quarters majority' },
  unanimous: { zh: '全体一致', en: 'unanimity' },
  consensus: { zh: '共识（无人阻止即通过）', en: 'consent (passes unless someone blocks)' },
  civil_code_278_ordinary: {
    zh: '民法典第二百七十八条 一般事项（参与表决过半数同意）',
    en: 'Civil Code Art. 278, ordinary matter (more than half of those taking part)',
  },
  civil_code_278_major: {
    zh: '民法典第二百七十八条 重大事项（参与表决四分之三以上同意）',
    en: 'Civil Code Art. 278, major matter (three quarters of those taking part)',
  },
};

const MODE_WORDS: Words<MeetingMode> = {
  online: { zh: '线上', en: 'online' },
  hall: { zh: '现场', en: 'in the hall' },
  hybrid: { zh: '线上与现场', en: 'online and in the hall' },
};
const ROLE_WORDS: Words<string> = {
  admin: { zh: '管理员', en: 'administrator' },
  owner: { zh: '业主', en: 'owner' },
  resident: { zh: '住户', en: 'resident' },
  property_firm: { zh: '物业', en: 'property company' },
  owners_committee: { zh: '业委会', en: "owners' committee" },
  party_branch: { zh: '党支部', en: 'party branch' },
  building_leader: { zh: '楼栋长', en: 'building leader' },
  notable: { zh: '贤达能人', en: 'respected resident' },
  facilitator: { zh: '主持人', en: 'facilitator' },
  guest: { zh: '列席', en: 'guest' },
};
const MOTION_WORDS: Words<MotionStatus> = {
  proposed: { zh: '已提出', en: 'proposed' },
  seconded: { zh: '已附议', en: 'seconded' },
  balloted: { zh: '已付表决', en: 'put to the vote' },
  withdrawn: { zh: '已撤回', en: 'withdrawn' },
};
const PROBLEM_WORDS: Words<string> = {
  raised: { zh: '已提出', en: 'raised' },
  accepted: { zh: '已受理', en: 'accepted' },
  in_progress: { zh: '处理中', en: 'in progress' },
  resolved: { zh: '已解决', en: 'resolved' },
  rejected: { zh: '不予受理', en: 'not taken up' },
};

const word = (map: Words<string>, code: string | undefined, lang: MinutesLang, fallback: Record<MinutesLang, string>) =>
  code && map[code] ? map[code]![lang] : fallback[lang];

/** A reason code in plain words; an unknown code never shows itself. */
export function reasonWords(reason: string | undefined, lang: MinutesLang): string {
  return word(OUTCOME_REASON_WORDS, reason, lang, { zh: '', en: '' });
}
/** A rule code in plain words. */
export function ruleWords(rule: string | undefined, lang: MinutesLang): string {
  return word(BALLOT_RULE_WORDS, rule, lang, { zh: '', en: '' });
}
/** A role code in plain words. */
export function roleWords(role: string, lang: MinutesLang): string {
  return word(ROLE_WORDS, role, lang, { zh: '其他', en: 'other' });
}

/** Everything the minutes say, gathered by the server. Times are epoch ms. */
export interface MinutesInput {
  title: string;
  startedAt?: number;
  closedAt?: number;
  place?: string;
  mode: MeetingMode;
  conveners?: string[];
  facilitators: string[];
  topic?: string;
  attendance: Attendance;
  quorum: Quorum;
  agenda: {
    title: string;
    description?: string;
    usedMs: number;
    plannedMinutes?: number;
    clauseRefs?: { conventionId: string; clauseId: string }[];
    motions: { text: string; status: MotionStatus }[];
  }[];
  motions: { text: string; proposerName: string; seconds: string[]; status: MotionStatus }[];
  ballots: {
    title: string;
    rule?: string;
    outcome: { passed?: boolean | null; reason?: string } | null;
    head?: { hash: string; length: number };
  }[];
  problems: { title: string; status: string; assignee?: string; dueDate?: string }[];
  checkIns: { address: string; byName: string }[];
}

/** China time, minutes precision: `2026-11-25 14:30`. */
export function minutesTime(ms: number | undefined): string {
  if (ms === undefined) return '—';
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
}

const T = {
  zh: {
    heading: (t: string) => `# 会议纪要：${t}`,
    time: '时间',
    place: '地点',
    mode: '形式',
    convened: '召集',
    facilitated: '主持',
    sep: '：',
    list: '、',
    comma: '，',
    none: '（无）',
    attendance: '## 出席',
    people: (a: Attendance) => `- 参会人数：${a.present} 人（成员 ${a.members} 人，列席 ${a.guests} 人，现场登记 ${a.checkedIn} 户）`,
    households: (n: number) => `- 到会户数：${n} 户`,
    byRole: '按角色',
    byBuilding: '按楼栋',
    building: (b: string, n: number) => `${/[栋幢座楼号]$/.test(b) ? b : `${b}栋`} ${n} 户`,
    roleCount: (r: string, n: number) => `${r} ${n} 人`,
    quorum: (q: Quorum) =>
      `- 业主参与（民法典第二百七十八条）：${q.owners.present}/${q.owners.total} 人，专有面积 ${formatArea(q.areaCentiares.present)}/${formatArea(q.areaCentiares.total)} 平方米，` +
      (q.met ? '达到三分之二' : `未达到三分之二（尚差 ${q.needed.owners} 人、${formatArea(q.needed.areaCentiares)} 平方米）`),
    agenda: '## 议程',
    used: (min: number, planned?: number) => `- 用时：${min} 分钟${planned ? `（计划 ${planned} 分钟）` : ''}`,
    clauses: (n: number) => `- 讨论公约条款 ${n} 条`,
    motion: '动议',
    motions: '## 动议',
    proposed: (n: string) => `提出人 ${n}`,
    seconded: (s: string) => `附议人 ${s}`,
    ballots: '## 表决结果',
    rule: '表决规则',
    passed: '通过',
    failed: '未通过',
    undecided: '尚未结束',
    consensus: '## 共识',
    problems: '## 问题清单',
    responsible: '责任方',
    due: '期限',
    checkIns: '## 现场登记',
    by: (n: string) => `（登记人 ${n}）`,
    open: '（',
    close: '）',
  },
  en: {
    heading: (t: string) => `# Minutes: ${t}`,
    time: 'Time',
    place: 'Place',
    mode: 'Form',
    convened: 'Convened by',
    facilitated: 'Chaired by',
    sep: ': ',
    list: ', ',
    comma: ', ',
    none: '(none)',
    attendance: '## Attendance',
    people: (a: Attendance) =>
      `- People present: ${a.present} (members ${a.members}, guests ${a.guests}, households checked in by hand ${a.checkedIn})`,
    households: (n: number) => `- Households represented: ${n}`,
    byRole: 'By role',
    byBuilding: 'By building',
    building: (b: string, n: number) => `building ${b}: ${n} households`,
    roleCount: (r: string, n: number) => `${r} ${n}`,
    quorum: (q: Quorum) =>
      `- Owners taking part (Civil Code Art. 278): ${q.owners.present} of ${q.owners.total} owners, ${formatArea(q.areaCentiares.present)} of ${formatArea(q.areaCentiares.total)} m² of floor area; ` +
      (q.met
        ? 'two thirds reached'
        : `two thirds not reached (${q.needed.owners} owners and ${formatArea(q.needed.areaCentiares)} m² short)`),
    agenda: '## Agenda',
    used: (min: number, planned?: number) => `- Time used: ${min} min${planned ? ` (planned ${planned} min)` : ''}`,
    clauses: (n: number) => `- Convention clauses discussed: ${n}`,
    motion: 'Motion',
    motions: '## Motions',
    proposed: (n: string) => `proposed by ${n}`,
    seconded: (s: string) => `seconded by ${s}`,
    ballots: '## Ballots',
    rule: 'rule',
    passed: 'passed',
    failed: 'not passed',
    undecided: 'not decided yet',
    consensus: '## Agreed',
    problems: '## Problems',
    responsible: 'responsible',
    due: 'due',
    checkIns: '## Checked in by hand',
    by: (n: string) => ` (checked in by ${n})`,
    open: ' (',
    close: ')',
  },
} as const;

/** The minutes as Markdown in one language. */
export function composeMinutes(m: MinutesInput, lang: MinutesLang = 'zh'): string {
  const t = T[lang];
  const line = (label: string, value: string) => `- ${label}${t.sep}${value}`;
  const out: string[] = [t.heading(m.title), ''];
  out.push(line(t.time, `${minutesTime(m.startedAt)} – ${minutesTime(m.closedAt)}`));
  if (m.place) out.push(line(t.place, m.place));
  out.push(line(t.mode, MODE_WORDS[m.mode][lang]));
  if (m.conveners?.length) out.push(line(t.convened, m.conveners.map((r) => roleWords(r, lang)).join(t.list)));
  out.push(line(t.facilitated, m.facilitators.join(t.list) || '—'));
  if (m.topic) out.push('', m.topic);

  const a = m.attendance;
  out.push('', t.attendance, '', t.people(a), t.households(a.households));
  const roles = Object.entries(a.byRole).sort(([, x], [, y]) => y - x);
  if (roles.length) out.push(line(t.byRole, roles.map(([r, n]) => t.roleCount(roleWords(r, lang), n)).join(t.comma)));
  if (a.byBuilding.length) out.push(line(t.byBuilding, a.byBuilding.map((b) => t.building(b.building, b.households)).join(t.comma)));
  out.push(t.quorum(m.quorum));

  out.push('', t.agenda, '');
  if (m.agenda.length === 0) out.push(t.none);
  m.agenda.forEach((item, i) => {
    out.push(`### ${i + 1}. ${item.title}`, '');
    if (item.description) out.push(item.description, '');
    out.push(t.used(Math.round(item.usedMs / 60_000), item.plannedMinutes));
    if (item.clauseRefs?.length) out.push(t.clauses(item.clauseRefs.length));
    for (const mo of item.motions) out.push(line(t.motion, `${mo.text}${t.open}${MOTION_WORDS[mo.status][lang]}${t.close}`));
  });

  out.push('', t.motions, '');
  if (m.motions.length === 0) out.push(t.none);
  for (const mo of m.motions) {
    const parts = [
      t.proposed(mo.proposerName),
      ...(mo.seconds.length ? [t.seconded(mo.seconds.join(t.list))] : []),
      MOTION_WORDS[mo.status][lang],
    ];
    out.push(`- ${mo.text}${lang === 'zh' ? '——' : ' — '}${parts.join(lang === 'zh' ? '；' : '; ')}`);
  }

  out.push('', t.ballots, '');
  if (m.ballots.length === 0) out.push(t.none);
  for (const b of m.ballots) {
    const o = b.outcome ?? {};
    const verdict = o.passed === true ? t.passed : o.passed === false ? t.failed : t.undecided;
    const why = o.passed === false ? reasonWords(o.reason, lang) : '';
    const rule = ruleWords(b.rule, lang);
    // The chain head lets anyone check a downloaded audit log against these minutes (npm run verify -- --head).
    const head = b.head ? `${b.head.hash}:${b.head.length}` : '';
    const text =
      lang === 'zh'
        ? `${verdict}。${why ? `原因：${why}。` : ''}${rule ? `表决规则：${rule}。` : ''}${head ? `审计链头：${head}。` : ''}`
        : `${verdict}.${why ? ` Reason: ${why}.` : ''}${rule ? ` Rule: ${rule}.` : ''}${head ? ` Audit chain head: ${head}.` : ''}`;
    out.push(line(b.title, text));
  }

  const agreed = m.ballots.filter((b) => b.outcome?.passed === true);
  out.push('', t.consensus, '');
  if (agreed.length === 0) out.push(t.none);
  for (const b of agreed) out.push(`- ${b.title}`);

  out.push('', t.problems, '');
  if (m.problems.length === 0) out.push(t.none);
  for (const p of m.problems) {
    const extra = [p.assignee ? `${t.responsible} ${roleWords(p.assignee, lang)}` : '', p.dueDate ? `${t.due} ${p.dueDate}` : ''].filter(
      Boolean,
    );
    out.push(line(p.title, [word(PROBLEM_WORDS, p.status, lang, { zh: '', en: '' }), ...extra].filter(Boolean).join(t.comma)));
  }
  if (m.checkIns.length) {
    out.push('', t.checkIns, '');
    for (const c of m.checkIns) out.push(`- ${c.address}${t.by(c.byName)}`);
  }
  return out.join('\n') + '\n';
}
