/**
 * The convention's Y.Doc shape (API.md, relied on by the web editor and other tools):
 *   map `meta` {title: string}; array `clauses` of Y.Map {id: string, body: Y.XmlFragment}
 * where `body` is ProseMirror (Tiptap) content as y-prosemirror stores it: Y.XmlElement nodes named
 * after the node types (paragraph, bulletList, orderedList, listItem, heading, …) holding
 * Y.XmlText with marks as formatting attributes (bold, italic, …).
 * Reading turns a body into blocks of text runs; writing builds paragraphs.
 */
import * as Y from 'yjs';
import { clauseTextHash, type Clause } from '@linli/shared';

export interface Run {
  text: string;
  bold?: boolean;
  italic?: boolean;
}
export interface Block {
  kind: 'paragraph' | 'heading' | 'bullet' | 'ordered';
  /** Nesting depth of list items (0 = top level). */
  depth: number;
  runs: Run[];
}

export interface ClauseContent {
  id: string;
  blocks: Block[];
  text: string;
}

export function clausesArray(doc: Y.Doc): Y.Array<Y.Map<unknown>> {
  return doc.getArray<Y.Map<unknown>>('clauses');
}

export function readTitle(doc: Y.Doc): string {
  const t = doc.getMap('meta').get('title');
  return typeof t === 'string' ? t : '';
}

function runsOf(text: Y.XmlText): Run[] {
  const runs: Run[] = [];
  for (const op of text.toDelta() as { insert?: unknown; attributes?: Record<string, unknown> }[]) {
    if (typeof op.insert !== 'string') continue;
    const a = op.attributes ?? {};
    runs.push({ text: op.insert, ...(a.bold || a.strong ? { bold: true } : {}), ...(a.italic || a.em ? { italic: true } : {}) });
  }
  return runs;
}

function collect(node: Y.XmlElement | Y.XmlFragment, out: Block[], list: { kind: 'bullet' | 'ordered'; depth: number } | null): void {
  for (const child of node.toArray()) {
    if (child instanceof Y.XmlText) {
      out.push({ kind: list?.kind ?? 'paragraph', depth: list?.depth ?? 0, runs: runsOf(child) });
      continue;
    }
    if (!(child instanceof Y.XmlElement)) continue;
    const name = child.nodeName;
    if (name === 'bulletList' || name === 'orderedList') {
      collect(child, out, { kind: name === 'bulletList' ? 'bullet' : 'ordered', depth: list ? list.depth + 1 : 0 });
    } else if (name === 'listItem') {
      collect(child, out, list ?? { kind: 'bullet', depth: 0 });
    } else if (name === 'hardBreak') {
      const last = out[out.length - 1];
      if (last) last.runs.push({ text: '\n' });
    } else {
      // paragraph, heading, blockquote…: the text inside; nested blocks (rare) are flattened.
      const runs: Run[] = [];
      let nested = false;
      for (const c of child.toArray()) {
        if (c instanceof Y.XmlText) runs.push(...runsOf(c));
        else if (c instanceof Y.XmlElement && c.nodeName === 'hardBreak') runs.push({ text: '\n' });
        else nested = true;
      }
      const kind = list?.kind ?? (name === 'heading' ? 'heading' : 'paragraph');
      if (runs.length || !nested) out.push({ kind, depth: list?.depth ?? 0, runs });
      if (nested) collect(child, out, list);
    }
  }
}

/** The blocks of a clause body, in order. */
export function blocksOf(body: Y.XmlFragment): Block[] {
  const out: Block[] = [];
  collect(body, out, null);
  return out;
}

/** Plain text of blocks: one line per block, empty blocks dropped. */
export function textOfBlocks(blocks: Block[]): string {
  return blocks
    .map((b) => b.runs.map((r) => r.text).join(''))
    .filter((line) => line.trim() !== '')
    .join('\n');
}

/** Every clause with its blocks and plain text, in document order (malformed entries skipped). */
export function readClauseContents(doc: Y.Doc): ClauseContent[] {
  return clausesArray(doc)
    .toArray()
    .flatMap((m) => {
      if (!(m instanceof Y.Map)) return [];
      const id = m.get('id');
      const body = m.get('body');
      if (typeof id !== 'string' || !(body instanceof Y.XmlFragment)) return [];
      const blocks = blocksOf(body);
      return [{ id, blocks, text: textOfBlocks(blocks) }];
    });
}

/** The public clause list: id, 1-based number, plain text and its hash. */
export function readClauses(doc: Y.Doc): Clause[] {
  return readClauseContents(doc).map((c, i) => ({ id: c.id, number: i + 1, text: c.text, textHash: clauseTextHash(c.text) }));
}

/** Paragraph nodes (y-prosemirror shape) for plain text: one paragraph per line. */
export function paragraphsOf(text: string): Y.XmlElement[] {
  const lines = text.split(/\r?\n/).filter((l, i, all) => l.trim() !== '' || all.length === 1);
  return lines.map((line) => {
    const p = new Y.XmlElement('paragraph');
    const t = new Y.XmlText();
    t.insert(0, line);
    p.insert(0, [t]);
    return p;
  });
}

/** A new clause map (prelim, to insert into `clauses`). */
export function newClause(id: string, text: string): Y.Map<unknown> {
  const map = new Y.Map<unknown>();
  const body = new Y.XmlFragment();
  map.set('id', id);
  map.set('body', body);
  body.insert(0, paragraphsOf(text));
  return map;
}

/** Replaces a clause's body with plain-text paragraphs (in place: editors bound to it stay bound). */
export function setClauseText(doc: Y.Doc, clauseId: string, text: string): boolean {
  const map = clausesArray(doc)
    .toArray()
    .find((m) => m instanceof Y.Map && m.get('id') === clauseId);
  const body = map?.get('body');
  if (!(body instanceof Y.XmlFragment)) return false;
  body.delete(0, body.length);
  body.insert(0, paragraphsOf(text));
  return true;
}

/** Writes a whole convention into an empty (or any) doc: title and clauses. */
export function writeConvention(doc: Y.Doc, title: string, clauses: { id: string; text: string }[]): void {
  doc.transact(() => {
    doc.getMap('meta').set('title', title);
    const arr = clausesArray(doc);
    if (arr.length) arr.delete(0, arr.length);
    arr.insert(
      0,
      clauses.map((c) => newClause(c.id, c.text)),
    );
  });
}

function bodyKey(body: Y.XmlFragment): string {
  return body.toJSON();
}

/**
 * Makes `doc` match `source` (a version) with the fewest changes: clauses are matched by id;
 * unchanged bodies stay untouched, changed bodies are replaced in place, missing clauses are
 * inserted, extra ones deleted, and the order restored. Runs inside the caller's transaction.
 */
export function restoreFrom(doc: Y.Doc, source: Y.Doc): void {
  const title = readTitle(source);
  if (title && readTitle(doc) !== title) doc.getMap('meta').set('title', title);
  const target = clausesArray(source)
    .toArray()
    .filter((m) => m instanceof Y.Map && typeof m.get('id') === 'string' && m.get('body') instanceof Y.XmlFragment);
  const wanted = new Set(target.map((m) => m.get('id') as string));
  const arr = clausesArray(doc);
  for (let i = arr.length - 1; i >= 0; i--) {
    const id = arr.get(i)?.get('id');
    if (typeof id !== 'string' || !wanted.has(id)) arr.delete(i, 1);
  }
  for (const src of target) {
    const live = arr.toArray().find((m) => m.get('id') === src.get('id'));
    const body = live?.get('body');
    const srcBody = src.get('body') as Y.XmlFragment;
    if (body instanceof Y.XmlFragment && bodyKey(body) !== bodyKey(srcBody)) {
      body.delete(0, body.length);
      body.insert(
        0,
        srcBody.toArray().map((n) => (n as Y.XmlElement | Y.XmlText).clone()),
      );
    }
  }
  target.forEach((src, i) => {
    const id = src.get('id') as string;
    if (arr.get(i)?.get('id') === id) return;
    const j = arr.toArray().findIndex((m) => m.get('id') === id);
    if (j >= 0) {
      const copy = arr.get(j).clone();
      arr.delete(j, 1);
      arr.insert(i, [copy]);
    } else {
      arr.insert(i, [src.clone()]);
    }
  });
}
