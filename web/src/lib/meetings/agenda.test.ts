import { describe, expect, it } from 'vitest';
import { agendaPatch, droppedOrder, movedOrder } from './agenda';

describe('agenda orders in the console', () => {
  it('moves one place up or down, not past either end', () => {
    expect(movedOrder(['a', 'b', 'c'], 2, -1)).toEqual(['a', 'c', 'b']);
    expect(movedOrder(['a', 'b', 'c'], 0, 1)).toEqual(['b', 'a', 'c']);
    expect(movedOrder(['a', 'b', 'c'], 0, -1)).toBeNull();
    expect(movedOrder(['a', 'b', 'c'], 2, 1)).toBeNull();
  });

  it('a dropped item takes the place of the one it was dropped on', () => {
    expect(droppedOrder(['a', 'b', 'c', 'd'], 'a', 'c')).toEqual(['b', 'c', 'a', 'd']);
    expect(droppedOrder(['a', 'b', 'c', 'd'], 'd', 'b')).toEqual(['a', 'd', 'b', 'c']);
    expect(droppedOrder(['a', 'b'], 'a', 'a')).toBeNull();
    expect(droppedOrder(['a', 'b'], 'x', 'a')).toBeNull();
  });

  it('an edit sends only what changed, null to clear', () => {
    const item = { title: '停车', description: '地库', plannedMinutes: 10 };
    expect(agendaPatch(item, { title: '停车', description: '地库', plannedMinutes: 10 })).toBeNull();
    expect(agendaPatch(item, { title: '停车秩序', description: null, plannedMinutes: 10 })).toEqual({
      title: '停车秩序',
      description: null,
    });
    expect(agendaPatch({ title: 'x' }, { title: 'x', description: null, plannedMinutes: 5 })).toEqual({ plannedMinutes: 5 });
  });
});
