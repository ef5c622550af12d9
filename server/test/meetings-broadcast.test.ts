/**
 * MeetingBroadcaster on its own (a stand-in for Socket.IO and the state, fake timers): a burst of
 * joins into a big room yields a handful of `meeting:state` broadcasts, the last one built after the
 * last change; an agenda change does not wait behind the longer attendance gap. The end-to-end
 * counts (every phone ends with the right attendance) are in meetings.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MeetingBroadcaster, meetingRoom } from '../src/meetings/meetings.socket.ts';
import type { LinliIO } from '../src/realtime/socket.ts';
import type { MeetingsState } from '../src/meetings/meetings.state.ts';
import type { Logger } from '../src/logger.ts';

const MID = 'm1';

/** A room of `size` sockets here; every broadcast recorded with the change count it was built from. */
function harness(size: number) {
  let changes = 0;
  const sent: { changes: number; at: number }[] = [];
  const io = {
    sockets: { adapter: { rooms: new Map([[meetingRoom(MID), { size }]]) } },
    to: (room: string) => ({
      emit: (_event: string, p: { state: { changes: number } }) =>
        room === meetingRoom(MID) && sent.push({ changes: p.state.changes, at: Date.now() }),
    }),
  } as unknown as LinliIO;
  const state = { invalidate: () => {}, snapshot: async () => ({ changes }) } as unknown as MeetingsState;
  const logger = { warn: () => {} } as unknown as Logger;
  const b = new MeetingBroadcaster(io, state, logger);
  const change = (kind: 'state' | 'presence') => {
    changes++;
    b.schedule(MID, kind);
  };
  return { b, sent, change, changes: () => changes };
}

describe('MeetingBroadcaster', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('1,000 joins over 2 s into a room of 1,000 give at most one broadcast per second, the last one up to date', async () => {
    const h = harness(1000);
    for (let i = 0; i < 1000; i++) {
      h.change('presence');
      await vi.advanceTimersByTimeAsync(2);
    }
    await vi.advanceTimersByTimeAsync(2000);
    // At 0 ms, then one per second: 3 (a fixed 250 ms gap gave 9).
    expect(h.sent.length).toBeLessThanOrEqual(4);
    expect(h.sent.at(-1)!.changes).toBe(h.changes());
    for (let i = 1; i < h.sent.length; i++) expect(h.sent[i]!.at - h.sent[i - 1]!.at).toBeGreaterThanOrEqual(1000);
    h.b.stop();
  });

  it('a small room is not held back: a change after a finished broadcast goes out at once, the last one up to date', async () => {
    const h = harness(20);
    for (let i = 0; i < 100; i++) {
      h.change('presence');
      await vi.advanceTimersByTimeAsync(10);
    }
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.sent.length).toBeGreaterThanOrEqual(4);
    for (const s of h.sent) expect(s.at - h.sent[0]!.at).toBeLessThanOrEqual(1000);
    expect(h.sent.at(-1)!.changes).toBe(h.changes());
    h.b.stop();
  });

  it('an agenda change during a long attendance wait goes out after the short gap', async () => {
    const h = harness(1000);
    h.change('presence');
    await vi.advanceTimersByTimeAsync(1);
    expect(h.sent).toHaveLength(1);
    h.change('presence');
    await vi.advanceTimersByTimeAsync(100);
    h.change('state');
    await vi.advanceTimersByTimeAsync(200);
    expect(h.sent).toHaveLength(2);
    expect(h.sent[1]!.changes).toBe(3);
    expect(h.sent[1]!.at - h.sent[0]!.at).toBeLessThan(1000);
    h.b.stop();
  });
});
