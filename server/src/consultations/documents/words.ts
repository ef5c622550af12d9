/**
 * Plain Chinese words for what the consultation documents print: answers (同意/反对/弃权, option
 * labels, an election's per-candidate answers), channels, organisers, how each kind of question is
 * filled in. No machine code (yes, civil_code_278_major, paper…) ever reaches paper or a register.
 */
import type { Choice, Question, ResponseChannel } from '@linli/shared';

export const ANSWER_WORDS: Record<string, string> = {
  yes: '同意',
  no: '反对',
  abstain: '弃权',
  agree: '同意',
  stand_aside: '保留意见',
  block: '阻止',
};

export const CHANNEL_WORDS: Record<ResponseChannel, string> = { phone: '手机', paper: '纸质表决票', hall: '现场' };

export const ORGANISER_KIND_WORDS: Record<string, string> = {
  owners_committee: '业主委员会',
  residents_committee: '居民委员会',
  property_firm: '物业服务企业',
  party_branch: '党支部',
  other: '组织者',
};

/** The fixed answers of a question printed as boxes (null: the question lists its own options). */
export function fixedAnswers(q: Pick<Question, 'kind'>): { id: string; label: string }[] | null {
  switch (q.kind) {
    case 'yes_no_abstain':
    case 'election':
      return ['yes', 'no', 'abstain'].map((id) => ({ id, label: ANSWER_WORDS[id]! }));
    case 'consent':
      return ['agree', 'stand_aside', 'block'].map((id) => ({ id, label: ANSWER_WORDS[id]! }));
    case 'score':
      return [0, 1, 2, 3, 4, 5].map((n) => ({ id: String(n), label: `${n} 分` }));
    default:
      return null;
  }
}

/** How to fill a question in, one short line. */
export function howToAnswer(q: Pick<Question, 'kind' | 'maxPicks' | 'seats'>): string {
  switch (q.kind) {
    case 'yes_no_abstain':
      return '在“同意”“反对”“弃权”中选一项打“√”';
    case 'election':
      return `对每位候选人分别选“同意”“反对”或“弃权”并打“√”${q.seats ? `（应选 ${q.seats} 名）` : ''}`;
    case 'single':
      return '只选一项，打“√”';
    case 'multi':
      return `可选多项${q.maxPicks ? `，最多 ${q.maxPicks} 项` : ''}，打“√”`;
    case 'ranked':
      return '在方框内按意愿顺序填写 1、2、3……（可只填部分）';
    case 'consent':
      return '在“同意”“保留意见”“阻止”中选一项打“√”';
    case 'score':
      return '选一个分数（0–5 分）打“√”';
    default:
      return '打“√”';
  }
}

const labelOf = (q: Pick<Question, 'options'>, id: string) => q.options?.find((o) => o.id === id)?.label ?? id;

/** One household's answer to one question, in words ("同意", "张三：同意；李四：反对", "1. 甲 2. 乙"). */
export function choiceWords(q: Pick<Question, 'kind' | 'options'>, choice: Choice | Record<string, unknown> | undefined): string {
  if (choice === undefined || choice === null) return '';
  if (q.kind === 'election' && typeof choice === 'object' && !Array.isArray(choice)) {
    return (q.options ?? [])
      .filter((o) => (choice as Record<string, unknown>)[o.id] !== undefined)
      .map(
        (o) =>
          `${o.label}：${ANSWER_WORDS[String((choice as Record<string, unknown>)[o.id])] ?? String((choice as Record<string, unknown>)[o.id])}`,
      )
      .join('；');
  }
  if (Array.isArray(choice)) {
    if (q.kind === 'ranked') return choice.map((id, i) => `${i + 1}. ${labelOf(q, String(id))}`).join(' ');
    return choice.map((id) => labelOf(q, String(id))).join('、');
  }
  if (typeof choice === 'number') return `${choice} 分`;
  if (typeof choice === 'string') return ANSWER_WORDS[choice] ?? labelOf(q, choice);
  return '';
}
