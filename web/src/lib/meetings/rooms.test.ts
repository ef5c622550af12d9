import { describe, expect, it } from 'vitest';
import { exactRoom, roomTerms } from './rooms';

const h = (building: string, unit: string, room: string) => ({ id: `${building}-${unit}-${room}`, building, unit, room });
const loose = [h('3', '1', '101'), h('3', '2', '101'), h('1', '1', '301'), h('3', '1', '1201'), h('3', '2', '1201')];

describe('room numbers typed in the hall', () => {
  it('splits the ways people write an address', () => {
    expect(roomTerms('3-2-1201')).toEqual(['3', '2', '1201']);
    expect(roomTerms(' 3 1201 ')).toEqual(['3', '1201']);
    expect(roomTerms('3栋2单元1201室')).toEqual(['3', '2', '1201']);
    expect(roomTerms('３－２－１２０１')).toEqual(['3', '2', '1201']);
  });

  it('takes the exact building-unit-room among loose matches', () => {
    expect(exactRoom('3-1-101', loose)?.id).toBe('3-1-101');
    expect(exactRoom('3栋2单元1201', loose)?.id).toBe('3-2-1201');
  });

  it('takes nothing when building and room fit two units: the person picks', () => {
    expect(exactRoom('3 1201', loose)).toBeNull();
    expect(exactRoom('3 1201', [h('3', '1', '1201'), h('1', '1', '1201')])?.id).toBe('3-1-1201');
  });

  it('takes the only match, and nothing from an empty list', () => {
    expect(exactRoom('1201', [h('3', '2', '1201')])?.id).toBe('3-2-1201');
    expect(exactRoom('9-9-999', [])).toBeNull();
  });
});
