/**
 * A document's store writes are pipelined (issue 16): a write is sent while earlier ones are still
 * in flight, yet each is applied (and so broadcast) only once it is stored and every earlier write
 * is settled, whatever order the store answers in. A failed write refuses its writers and holds up
 * nothing behind it. The store here is a fake whose answers the test releases one by one.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { DocRoom, type RoomDeps } from '../src/yjs/yjs.room.ts';
import { loadConfig } from '../src/config.ts';
import type { DocsRepository } from '../src/yjs/yjs.repository.ts';

interface PendingAppend {
  updates: Uint8Array[];
  answer(r: (string | Error)[] | Error): void;
}

function fakeRoom(writesInFlight: number) {
  const appends: PendingAppend[] = [];
  let seq = 0;
  const repo = {
    append: (_name: string, updates: Uint8Array[]) =>
      new Promise<(string | Error)[]>((resolve, reject) => {
        appends.push({ updates, answer: (r) => (r instanceof Error ? reject(r) : resolve(r)) });
      }),
  } as unknown as DocsRepository;
  const broadcasts: Uint8Array[] = [];
  const errors: unknown[] = [];
  const deps: RoomDeps = {
    repo,
    limits: { ...loadConfig({}).yjs, writesInFlight, writeGapPerBroadcast: 0 },
    processId: 'p1',
    send: () => {},
    broadcast: (_conns, data) => broadcasts.push(data),
    onIdleCheck: () => {},
    onError: (err) => errors.push(err),
  };
  const room = new DocRoom('d', deps);
  const nextId = () => `1-${++seq}`;
  return { room, appends, broadcasts, errors, nextId };
}

/** An update inserting `text` at the end of a client's own Y.Text. */
function edit(doc: Y.Doc, text: string): Uint8Array {
  let update: Uint8Array | null = null;
  const grab = (u: Uint8Array) => (update = u);
  doc.on('update', grab);
  doc.getText('t').insert(doc.getText('t').length, text);
  doc.off('update', grab);
  return update!;
}

describe('pipelined store writes', () => {
  it('sends a second write while the first is in flight, and applies them in order when the answers come in reverse', async () => {
    const { room, appends, broadcasts, nextId } = fakeRoom(4);
    const client = new Y.Doc();
    const settled: string[] = [];
    const a = room.submit(edit(client, 'a'), null).then(() => settled.push('a'));
    await expect.poll(() => appends.length).toBe(1);
    const b = room.submit(edit(client, 'b'), null).then(() => settled.push('b'));
    await expect.poll(() => appends.length).toBe(2);
    expect(room.busy).toBe(true);

    // The second answer first: nothing of it is applied or broadcast before the first is stored.
    appends[1]!.answer([nextId()]);
    await new Promise((r) => setImmediate(r));
    expect(room.doc.getText('t').toString()).toBe('');
    expect(broadcasts).toHaveLength(0);
    expect(settled).toEqual([]);

    appends[0]!.answer([nextId()]);
    await Promise.all([a, b]);
    expect(settled).toEqual(['a', 'b']);
    expect(room.doc.getText('t').toString()).toBe('ab');
    expect(broadcasts).toHaveLength(2);
    await room.flushed();
    expect(room.busy).toBe(false);
    expect(room.queuedBytes).toBe(0);
  });

  it('keeps at most writesInFlight writes in flight and merges what queues meanwhile into the next one', async () => {
    const { room, appends, nextId } = fakeRoom(1);
    const client = new Y.Doc();
    const first = room.submit(edit(client, 'x'), null);
    await expect.poll(() => appends.length).toBe(1);
    const rest = ['y', 'z', 'w'].map((t) => room.submit(edit(client, t), null));
    await new Promise((r) => setImmediate(r));
    expect(appends).toHaveLength(1);
    appends[0]!.answer([nextId()]);
    await first;
    await expect.poll(() => appends.length).toBe(2);
    expect(appends[1]!.updates).toHaveLength(1);
    appends[1]!.answer([nextId()]);
    await Promise.all(rest);
    expect(room.doc.getText('t').toString()).toBe('xyzw');
    expect(room.storeWrites).toBe(2);
  });

  it('a failed write refuses its writers and does not hold up the writes behind it', async () => {
    const { room, appends, nextId } = fakeRoom(4);
    const one = new Y.Doc();
    const two = new Y.Doc();
    const failed = room.submit(edit(one, 'lost'), null);
    await expect.poll(() => appends.length).toBe(1);
    const ok = room.submit(edit(two, 'kept'), null);
    await expect.poll(() => appends.length).toBe(2);
    appends[1]!.answer([nextId()]);
    appends[0]!.answer(new Error('store away'));
    await expect(failed).rejects.toThrow('store away');
    await ok;
    expect(room.doc.getText('t').toString()).toBe('kept');
    await room.flushed();
    expect(room.queuedBytes).toBe(0);
  });
});
