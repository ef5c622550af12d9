import { describe, expect, it } from 'vitest';
import { answerText, isPressed, press } from './paper-answers';

describe('answer buttons of a paper', () => {
  it('toggles a single choice, multi picks and an election candidate’s choice', () => {
    expect(press({ kind: 'yes_no_abstain' }, undefined, 'yes')).toBe('yes');
    expect(press({ kind: 'yes_no_abstain' }, 'yes', 'yes')).toBeUndefined();
    expect(press({ kind: 'multi' }, ['a'], 'b')).toEqual(['a', 'b']);
    expect(press({ kind: 'multi' }, ['a'], 'a')).toBeUndefined();
    const e = press({ kind: 'election' }, undefined, 'no', 'c2');
    expect(e).toEqual({ c2: 'no' });
    expect(isPressed(e, 'no', 'c2')).toBe(true);
    expect(press({ kind: 'election' }, e, 'no', 'c2')).toBeUndefined();
  });
  it('writes an election answer per candidate in paper order', () => {
    const q = {
      kind: 'election' as const,
      options: [
        { id: 'c1', label: '张三' },
        { id: 'c2', label: '李四' },
      ],
    };
    expect(answerText(q, { c2: 'no', c1: 'yes' }, '-', (id) => ({ yes: '同意', no: '反对' })[id] ?? id)).toBe('张三: 同意  李四: 反对');
    expect(answerText(q, undefined, '-', String)).toBe('-');
  });
});
