/** Late-wired dependencies (common/port.ts): used unwired they throw; start-up names what is missing. */
import { describe, expect, it } from 'vitest';
import { Port, assertWired } from '../src/common/port.ts';

describe('Port', () => {
  it('throws when used before it is provided, instead of answering nothing', () => {
    const p = new Port<() => number>('consensus.clauses');
    expect(() => p.get()).toThrow(/consensus.clauses is not wired/);
    p.set(() => 7);
    expect(p.get()()).toBe(7);
  });

  it('assertWired names every port nobody provided', () => {
    const a = new Port<number>('a');
    const b = new Port<number>('b');
    const c = new Port<number>('c');
    b.set(1);
    expect(() => assertWired([a, b, c])).toThrow('not wired at start-up: a, c');
    a.set(0);
    c.set(2);
    expect(() => assertWired([a, b, c])).not.toThrow();
  });
});
