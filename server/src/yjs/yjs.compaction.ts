/**
 * Compaction: fold a document's log into its snapshot. Reads the snapshot and every entry after
 * it (atomically, page by page), merges them in a fresh Y.Doc, and writes the new snapshot only if
 * the stored one has not changed meanwhile (compare-and-set on the snapshot's last id). Two
 * processes compacting at once: one wins, the other's work is discarded, nothing is lost. The log
 * is trimmed only below the new snapshot's id (and keeps the last `graceMs` for lagging readers).
 */
import * as Y from 'yjs';
import type { DocsRepository } from './yjs.repository.ts';
import { compareIds } from './yjs.repository.ts';

export interface CompactResult {
  result: 'done' | 'conflict' | 'nothing' | 'failed';
  /** Log entries folded into the snapshot. */
  entries: number;
}

const PAGE = 1000;
const minId = (a: string, b: string) => (compareIds(a, b) < 0 ? a : b);

export async function compactDoc(repo: DocsRepository, name: string, graceMs: number): Promise<CompactResult> {
  const first = await repo.loadPage(name, null, PAGE);
  if (first.entries.length === 0) {
    // Nothing new, but the last compaction may have kept entries for lagging readers (the grace
    // window); once that has passed they can go: the snapshot already holds them.
    if (first.snapshotId) await repo.trimLog(name, minId(`${Math.max(0, Date.now() - graceMs)}-0`, first.snapshotId));
    return { result: 'nothing', entries: 0 };
  }
  const doc = new Y.Doc({ gc: true });
  try {
    if (first.snapshot) Y.applyUpdate(doc, first.snapshot);
    let entries = first.entries;
    let count = 0;
    let lastId = first.snapshotId ?? '0-0';
    for (;;) {
      for (const e of entries) Y.applyUpdate(doc, e.update);
      count += entries.length;
      if (entries.length) lastId = entries[entries.length - 1]!.id;
      if (entries.length < PAGE) break;
      const next = await repo.loadPage(name, lastId, PAGE);
      // Someone else compacted past our cursor: their snapshot holds what we read. Let them win.
      if (next.restarted) return { result: 'conflict', entries: 0 };
      entries = next.entries;
    }
    const graceId = `${Math.max(0, Date.now() - graceMs)}-0`;
    const trimBelow = minId(graceId, lastId);
    const ok = await repo.compareAndSetSnapshot(name, first.snapshotId, {
      update: Y.encodeStateAsUpdate(doc),
      stateVector: Y.encodeStateVector(doc),
      id: lastId,
      trimBelow,
    });
    return ok ? { result: 'done', entries: count } : { result: 'conflict', entries: 0 };
  } finally {
    doc.destroy();
  }
}
