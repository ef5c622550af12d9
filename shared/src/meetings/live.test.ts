import { describe, expect, it } from 'vitest';
import { DomainError } from '../common/errors.ts';
import {
  buildAgenda,
  checkStatusChange,
  closeLive,
  emptyLive,
  lowerHand,
  markBalloted,
  motionReadyForBallot,
  moveAgenda,
  proposeMotion,
  queuePosition,
  raiseHand,
  reorderSpeakers,
  replaceAgenda,
  addAgendaItem,
  editAgendaItem,
  reorderAgenda,
  deleteAgendaItem,
  secondMotion,
  speakerNext,
  withdrawMotion,
} from './live.ts';
import { MeetingJoinRequest } from './schemas.ts';

let n = 0;
const id = () => `id${++n}`;
const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as DomainError).code;
  }
  return null;
};

const withAgenda = () => emptyLive(buildAgenda([{ title: 'A', plannedMinutes: 10 }, { title: 'B' }, { title: 'C' }], [], id));
const alice = { userId: 'u1', name: '甲' };
const bob = { userId: 'u2', name: '乙' };
const carol = { userId: 'u3', name: '丙' };

describe('agenda', () => {
  it('banks the time of the item left and continues it on return', () => {
    let l = withAgenda();
    const [a, b] = l.agenda;
    l = moveAgenda(l, a!.id, 1_000);
    expect(l.agenda[0]).toMatchObject({ startedAt: 1_000, usedMs: 0 });
    l = moveAgenda(l, b!.id, 61_000);
    expect(l.agenda[0]).toMatchObject({ startedAt: null, usedMs: 60_000, done: true });
    expect(l.agenda[1]).toMatchObject({ startedAt: 61_000 });
    l = moveAgenda(l, a!.id, 91_000);
    expect(l.agenda[1]).toMatchObject({ usedMs: 30_000, startedAt: null });
    expect(l.agenda[0]).toMatchObject({ startedAt: 91_000, usedMs: 60_000 });
    l = closeLive(l, 101_000);
    expect(l.agenda[0]).toMatchObject({ startedAt: null, usedMs: 70_000 });
    expect(code(() => moveAgenda(l, 'nope', 0))).toBe('not_found');
  });

  it('moving the agenda ends the floor but keeps the queue', () => {
    let l = raiseHand(raiseHand(withAgenda(), alice, 1), bob, 2);
    l = speakerNext(l, 3);
    l = moveAgenda(l, l.agenda[0]!.id, 4);
    expect(l.speaker).toBeNull();
    expect(l.speakers.map((s) => s.userId)).toEqual(['u2']);
  });

  it('replacing the agenda keeps timers of kept items, refuses unknown ids and the removal of the current item', () => {
    const base = withAgenda();
    const l = moveAgenda(base, base.agenda[0]!.id, 0);
    const [a, b] = l.agenda;
    const kept = replaceAgenda(l, [{ id: b!.id, title: 'B2' }, { id: a!.id, title: 'A' }, { title: 'new' }], id);
    expect(kept.agenda.map((x) => x.title)).toEqual(['B2', 'A', 'new']);
    expect(kept.agenda[1]).toMatchObject({ id: a!.id, startedAt: 0 });
    expect(kept.currentItemId).toBe(a!.id);
    // The item under discussion never silently vanishes from phones and the projector.
    expect(code(() => replaceAgenda(l, [{ id: b!.id, title: 'B' }], id))).toBe('conflict');
    expect(replaceAgenda(base, [{ id: b!.id, title: 'B' }], id).agenda).toHaveLength(1);
    expect(code(() => replaceAgenda(l, [{ id: 'ghost', title: 'x' }], id))).toBe('validation_failed');
    expect(
      code(() =>
        replaceAgenda(
          l,
          [
            { id: a!.id, title: 'x' },
            { id: a!.id, title: 'y' },
          ],
          id,
        ),
      ),
    ).toBe('validation_failed');
  });
});

describe('agenda editing during the meeting', () => {
  it('adds at the end or at a place, up to the limit', () => {
    let l = withAgenda();
    l = addAgendaItem(l, { title: 'D', plannedMinutes: 5 }, 'd1');
    expect(l.agenda.map((a) => a.title)).toEqual(['A', 'B', 'C', 'D']);
    expect(l.agenda[3]).toMatchObject({ id: 'd1', plannedMinutes: 5, startedAt: null, usedMs: 0, done: false });
    l = addAgendaItem(l, { title: 'first', index: 0 }, 'f1');
    expect(l.agenda.map((a) => a.title)).toEqual(['first', 'A', 'B', 'C', 'D']);
    l = addAgendaItem(l, { title: 'far', index: 40 }, 'x1');
    expect(l.agenda.at(-1)!.title).toBe('far');
    let full = emptyLive();
    for (let i = 0; i < 50; i++) full = addAgendaItem(full, { title: `t${i}` }, `t${i}`);
    expect(code(() => addAgendaItem(full, { title: 'one too many' }, 'z'))).toBe('conflict');
  });

  it('edits title, description and planned minutes, keeping the clock; null clears', () => {
    const base = withAgenda();
    let l = moveAgenda(base, base.agenda[0]!.id, 1_000);
    l = editAgendaItem(l, l.agenda[0]!.id, { title: 'A2', description: '说明', plannedMinutes: null });
    expect(l.agenda[0]).toMatchObject({ title: 'A2', description: '说明', startedAt: 1_000 });
    expect(l.agenda[0]).not.toHaveProperty('plannedMinutes');
    expect(l.currentItemId).toBe(l.agenda[0]!.id);
    l = editAgendaItem(l, l.agenda[0]!.id, { description: null, plannedMinutes: 15 });
    expect(l.agenda[0]).not.toHaveProperty('description');
    expect(l.agenda[0]!.plannedMinutes).toBe(15);
    expect(editAgendaItem(l, l.agenda[0]!.id, { title: 'A2' })).toBe(l);
    expect(code(() => editAgendaItem(l, 'ghost', { title: 'x' }))).toBe('not_found');
  });

  it('reorders by a stale list without losing items added meanwhile', () => {
    const l = withAgenda();
    const [a, b, c] = l.agenda;
    const added = addAgendaItem(l, { title: 'D' }, 'd1');
    const r = reorderAgenda(added, [c!.id, 'gone', a!.id, b!.id]);
    expect(r.agenda.map((x) => x.title)).toEqual(['C', 'A', 'B', 'D']);
    expect(
      reorderAgenda(
        r,
        r.agenda.map((x) => x.id),
      ),
    ).toBe(r);
  });

  it('deletes an item, but never the one under discussion', () => {
    const base = withAgenda();
    const l = moveAgenda(base, base.agenda[1]!.id, 0);
    expect(code(() => deleteAgendaItem(l, base.agenda[1]!.id))).toBe('conflict');
    const d = deleteAgendaItem(l, base.agenda[0]!.id);
    expect(d.agenda.map((x) => x.title)).toEqual(['B', 'C']);
    expect(d.currentItemId).toBe(base.agenda[1]!.id);
    expect(code(() => deleteAgendaItem(d, base.agenda[0]!.id))).toBe('not_found');
    // Moved off it (to none), it may go.
    expect(deleteAgendaItem(moveAgenda(l, null, 5), base.agenda[1]!.id).agenda).toHaveLength(2);
  });
});

describe('speakers', () => {
  it('queues once, gives the floor in order, reorders without dropping late hands', () => {
    let l = raiseHand(raiseHand(raiseHand(emptyLive(), alice, 1), bob, 2), alice, 3);
    expect(l.speakers.map((s) => s.userId)).toEqual(['u1', 'u2']);
    l = raiseHand(l, carol, 4);
    // The facilitator ordered from an older list (without carol, with a stale id).
    l = reorderSpeakers(l, ['u2', 'gone', 'u1']);
    expect(l.speakers.map((s) => s.userId)).toEqual(['u2', 'u1', 'u3']);
    expect(queuePosition(l, 'u3')).toBe(3);
    l = speakerNext(l, 10);
    expect(l.speaker).toEqual({ userId: 'u2', name: '乙', since: 10 });
    expect(raiseHand(l, bob, 11)).toBe(l);
    l = lowerHand(l, 'u2');
    expect(l.speaker).toBeNull();
    l = lowerHand(l, 'u1');
    expect(l.speakers.map((s) => s.userId)).toEqual(['u3']);
    l = speakerNext(speakerNext(l, 20), 30);
    expect(l.speaker).toBeNull();
  });
});

describe('motions', () => {
  it('propose → second (not one’s own, once each) → ballot; withdrawn ones cannot be seconded', () => {
    let l = proposeMotion(emptyLive(), { id: 'm1', text: '设充电桩', proposerId: 'u1', proposerName: '甲' }, 5);
    expect(code(() => motionReadyForBallot(l, 'm1'))).toBe('conflict');
    expect(code(() => secondMotion(l, 'm1', alice, 6))).toBe('conflict');
    l = secondMotion(l, 'm1', bob, 6);
    expect(secondMotion(l, 'm1', bob, 7)).toBe(l);
    expect(l.motions[0]).toMatchObject({ status: 'seconded', seconds: [{ userId: 'u2', name: '乙', at: 6 }] });
    expect(motionReadyForBallot(l, 'm1').id).toBe('m1');
    const balloted = markBalloted(l, 'm1', 'b1');
    expect(balloted.motions[0]).toMatchObject({ status: 'balloted', ballotId: 'b1' });
    expect(code(() => withdrawMotion(balloted, 'm1'))).toBe('conflict');
    expect(code(() => motionReadyForBallot(balloted, 'm1'))).toBe('conflict');
    const w = withdrawMotion(l, 'm1');
    expect(code(() => secondMotion(w, 'm1', carol, 8))).toBe('conflict');
    expect(code(() => secondMotion(w, 'nope', carol, 8))).toBe('not_found');
  });
});

describe('status and join codes', () => {
  it('moves only forward; closed refuses with meeting_closed', () => {
    expect(code(() => checkStatusChange('scheduled', 'open'))).toBeNull();
    expect(code(() => checkStatusChange('scheduled', 'closed'))).toBeNull();
    expect(code(() => checkStatusChange('in_progress', 'open'))).toBe('conflict');
    expect(code(() => checkStatusChange('open', 'open'))).toBe('conflict');
    expect(code(() => checkStatusChange('closed', 'in_progress'))).toBe('meeting_closed');
  });

  it('reads a code typed with spaces or dashes from either field; refuses letters and wrong lengths', () => {
    expect(MeetingJoinRequest.parse({ code: '3847 2915' })).toEqual({ joinCode: '38472915', displayName: undefined });
    expect(MeetingJoinRequest.parse({ joinCode: '3847-2915', displayName: ' 王 ' })).toEqual({ joinCode: '38472915', displayName: '王' });
    for (const bad of [{ code: '12345' }, { code: '123456789' }, { joinCode: '12ab5678' }, {}]) {
      expect(MeetingJoinRequest.safeParse(bad).success).toBe(false);
    }
  });
});
