/**
 * Pure rules of deliberation: the order of questions (most upvotes first, then oldest first), the
 * upvoters of a merge (a member who upvoted both counts once), and the word cloud (answers cut
 * into words with `Intl.Segmenter` zh word granularity, normalised and counted).
 */
import type { MeetingQuestion, WordCount } from './schemas.ts';

/** Orders questions by votes (desc), then time (asc), then id (a stable tie-break). */
export function orderQuestions<T extends Pick<MeetingQuestion, 'votes' | 'createdAt' | 'id'>>(qs: readonly T[]): T[] {
  return [...qs].sort((a, b) => b.votes - a.votes || a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The upvoters of `into` after `from` is merged into it: the union, so nobody counts twice. */
export function mergeUpvoters(into: Iterable<string>, from: Iterable<string>): Set<string> {
  return new Set([...into, ...from]);
}

/** Words left out of a word cloud: particles and fillers that say nothing alone. */
export const STOP_WORDS: ReadonlySet<string> = new Set([
  '的',
  '了',
  '是',
  '和',
  '在',
  '也',
  '就',
  '都',
  '而',
  '及',
  '与',
  '或',
  '着',
  '呢',
  '吧',
  '吗',
  '啊',
  '呀',
  '嘛',
  '哦',
  '我',
  '你',
  '他',
  '她',
  '它',
  '我们',
  '你们',
  '他们',
  '这',
  '那',
  '这个',
  '那个',
  '有',
  '很',
  '太',
  '没',
  '不',
  '一',
  '个',
  'the',
  'a',
  'an',
  'and',
  'or',
  'of',
  'to',
  'in',
  'on',
  'is',
  'are',
  'it',
  'i',
  'we',
  'for',
  'too',
]);

let segmenter: Intl.Segmenter | null = null;

/**
 * The words of one answer: word-like segments (zh word granularity, which also splits Latin on
 * spaces), NFKC-normalised, Latin lower-cased, punctuation dropped, stop words left out. A word
 * occurs at most once per answer, so repeating it in one answer does not weigh more.
 */
export function wordsOf(text: string): string[] {
  segmenter ??= new Intl.Segmenter('zh', { granularity: 'word' });
  const out = new Set<string>();
  for (const s of segmenter.segment(text.normalize('NFKC'))) {
    if (!s.isWordLike) continue;
    const w = s.segment.toLowerCase().replace(/[\p{P}\p{S}\s]/gu, '');
    if (w && !STOP_WORDS.has(w)) out.add(w);
  }
  return [...out];
}

/** Normalises a word as `wordsOf` does (for hiding a word typed by a moderator). */
export function normaliseWord(word: string): string {
  return word
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\p{P}\p{S}\s]/gu, '');
}

/**
 * Counts the words of all answers; `hidden` words are marked (kept for moderators) or dropped.
 * Ordered by count (desc), then word, at most `limit` words.
 */
export function countWords(
  answers: readonly string[],
  opts: { hidden?: ReadonlySet<string>; keepHidden?: boolean; limit?: number } = {},
): WordCount[] {
  const counts = new Map<string, number>();
  for (const a of answers) for (const w of wordsOf(a)) counts.set(w, (counts.get(w) ?? 0) + 1);
  const hidden = opts.hidden ?? new Set<string>();
  const words: WordCount[] = [];
  for (const [word, count] of counts) {
    if (hidden.has(word)) {
      if (opts.keepHidden) words.push({ word, count, hidden: true });
    } else words.push({ word, count });
  }
  words.sort((a, b) => b.count - a.count || (a.word < b.word ? -1 : a.word > b.word ? 1 : 0));
  return words.slice(0, opts.limit ?? 60);
}

/**
 * A font size step (0–4) for a word by its count relative to the largest: the projector and the
 * phones draw the cloud as a wrapped row of words sized by step, so words never overlap.
 */
export function wordStep(count: number, max: number): 0 | 1 | 2 | 3 | 4 {
  if (max <= 1) return 2;
  return Math.min(4, Math.round((4 * (count - 1)) / (max - 1))) as 0 | 1 | 2 | 3 | 4;
}

/** Groups reasons by choice (canonical JSON keys), choices in order of first appearance. */
export function groupReasons<T extends { choiceKey: string; choice: unknown }>(rows: readonly T[]): { choice: unknown; rows: T[] }[] {
  const groups = new Map<string, { choice: unknown; rows: T[] }>();
  for (const r of rows) {
    let g = groups.get(r.choiceKey);
    if (!g) groups.set(r.choiceKey, (g = { choice: r.choice, rows: [] }));
    g.rows.push(r);
  }
  return [...groups.values()];
}
