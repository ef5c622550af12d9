/** Unit tests of deliberation's pure rules: question order, merged upvoters, word-cloud counting. */
import { describe, expect, it } from 'vitest';
import { countWords, groupReasons, mergeUpvoters, normaliseWord, orderQuestions, wordStep, wordsOf } from './logic.ts';
import { QuestionCreate, QuestionModerate } from './schemas.ts';

describe('orderQuestions', () => {
  it('orders by votes, then oldest first', () => {
    const qs = [
      { id: 'a', votes: 1, createdAt: 3 },
      { id: 'b', votes: 3, createdAt: 5 },
      { id: 'c', votes: 1, createdAt: 1 },
      { id: 'd', votes: 3, createdAt: 4 },
    ];
    expect(orderQuestions(qs).map((q) => q.id)).toEqual(['d', 'b', 'c', 'a']);
  });
  it('does not change its input', () => {
    const qs = [
      { id: 'a', votes: 0, createdAt: 2 },
      { id: 'b', votes: 1, createdAt: 1 },
    ];
    orderQuestions(qs);
    expect(qs[0]!.id).toBe('a');
  });
});

describe('mergeUpvoters', () => {
  it('counts a member who upvoted both once', () => {
    expect(mergeUpvoters(['u1', 'u2'], ['u2', 'u3']).size).toBe(3);
  });
});

describe('wordsOf', () => {
  it('segments Chinese into words and drops particles and punctuation', () => {
    const w = wordsOf('停车位太少了，晚上没地方停车！');
    expect(w).toContain('停车位');
    expect(w).toContain('停车');
    expect(w).not.toContain('了');
    expect(w.some((x) => /[，！]/.test(x))).toBe(false);
  });
  it('lower-cases Latin and folds full-width letters', () => {
    expect(wordsOf('Parking ＰＡＲＫＩＮＧ the lots')).toEqual(['parking', 'lots']);
  });
  it('gives nothing for punctuation or stop words only', () => {
    expect(wordsOf('的了是和！！')).toEqual([]);
  });
  it('normalises a moderator-typed word the same way', () => {
    expect(normaliseWord(' Ｐarking! ')).toBe('parking');
  });
});

describe('countWords', () => {
  const answers = ['停车', '停车 噪音', '噪音', '停车', 'Noise', 'noise'];
  it('counts each word once per answer, most first', () => {
    expect(countWords(answers)).toEqual([
      { word: '停车', count: 3 },
      { word: 'noise', count: 2 },
      { word: '噪音', count: 2 },
    ]);
    expect(countWords(['停车 停车'])).toEqual([{ word: '停车', count: 1 }]);
  });
  it('drops hidden words, or marks them for moderators', () => {
    const hidden = new Set(['噪音']);
    expect(countWords(answers, { hidden }).map((w) => w.word)).toEqual(['停车', 'noise']);
    expect(countWords(answers, { hidden, keepHidden: true }).find((w) => w.word === '噪音')).toEqual({
      word: '噪音',
      count: 2,
      hidden: true,
    });
  });
  it('keeps at most the limit', () => {
    expect(countWords(['一二三 四五', '甲乙 丙丁 戊己'], { limit: 2 })).toHaveLength(2);
  });
});

describe('wordStep', () => {
  it('maps counts to five font steps', () => {
    expect(wordStep(1, 1)).toBe(2);
    expect(wordStep(1, 9)).toBe(0);
    expect(wordStep(9, 9)).toBe(4);
    expect(wordStep(5, 9)).toBe(2);
  });
});

describe('groupReasons', () => {
  it('groups by choice key in order of first appearance', () => {
    const g = groupReasons([
      { choiceKey: '"yes"', choice: 'yes', t: 1 },
      { choiceKey: '"no"', choice: 'no', t: 2 },
      { choiceKey: '"yes"', choice: 'yes', t: 3 },
    ]);
    expect(g.map((x) => [x.choice, x.rows.map((r) => r.t)])).toEqual([
      ['yes', [1, 3]],
      ['no', [2]],
    ]);
  });
});

describe('schemas', () => {
  it('refuses an empty or over-long question and control characters', () => {
    expect(QuestionCreate.safeParse({ text: '  ' }).success).toBe(false);
    expect(QuestionCreate.safeParse({ text: 'x'.repeat(201) }).success).toBe(false);
    expect(QuestionCreate.safeParse({ text: 'a\u202Eb' }).success).toBe(false);
    expect(QuestionCreate.parse({ text: ' 电梯何时修？ ' }).text).toBe('电梯何时修？');
  });
  it('needs a target for a merge', () => {
    expect(QuestionModerate.safeParse({ action: 'merge' }).success).toBe(false);
    expect(QuestionModerate.safeParse({ action: 'merge', into: 'q1' }).success).toBe(true);
  });
});
