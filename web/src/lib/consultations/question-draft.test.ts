import { describe, expect, it } from 'vitest';
import { blankQuestion, rulesFor, toQuestionInput } from './question-draft';
import { shanghaiIsoFromInput, shanghaiLocalInput } from './consultation-view';

describe('question drafts', () => {
  it('an election becomes candidates c1… with its seats under an Art. 278 rule', () => {
    const q = toQuestionInput(blankQuestion('election', { title: '选举第一届业委会', lines: '王芳\n\n 李强 \n张伟', seats: 2 }));
    expect(q).toEqual({
      title: '选举第一届业委会',
      kind: 'election',
      rule: 'civil_code_278_ordinary',
      seats: 2,
      options: [
        { id: 'c1', label: '王芳' },
        { id: 'c2', label: '李强' },
        { id: 'c3', label: '张伟' },
      ],
    });
  });
  it('a multi question caps its picks at the number of options', () => {
    expect(toQuestionInput(blankQuestion('multi', { title: '选哪些', lines: 'a\nb', maxPicks: 5 })).maxPicks).toBe(2);
  });
  it('Art. 278 rules are offered only where owners and area can be counted', () => {
    expect(rulesFor('single')).not.toContain('civil_code_278_major');
    expect(rulesFor('election')).toEqual(['civil_code_278_ordinary', 'civil_code_278_major']);
  });
});

describe('Shanghai times', () => {
  it('a datetime-local value is read as Beijing time and round-trips', () => {
    expect(shanghaiIsoFromInput('2026-12-20T18:00')).toBe('2026-12-20T18:00:00+08:00');
    expect(Date.parse(shanghaiIsoFromInput('2026-12-20T18:00'))).toBe(Date.parse('2026-12-20T10:00:00Z'));
    expect(shanghaiLocalInput(Date.parse('2026-12-20T10:00:00Z'))).toBe('2026-12-20T18:00');
  });
});
