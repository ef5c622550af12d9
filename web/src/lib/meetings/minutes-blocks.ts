/**
 * The few Markdown forms the minutes use (`#`–`###` headings, `- ` items, paragraphs) as blocks
 * the page renders with its own markup: no HTML from the text is ever injected.
 */
export type MinutesBlock =
  { kind: 'heading'; depth: 1 | 2 | 3; text: string } | { kind: 'list'; items: string[] } | { kind: 'paragraph'; text: string };

/** Splits minutes Markdown into headings, lists (consecutive items) and paragraphs. */
export function minutesBlocks(markdown: string): MinutesBlock[] {
  const out: MinutesBlock[] = [];
  for (const raw of markdown.split(/\r?\n/)) {
    const line = raw.replace(/\*\*(.+?)\*\*/g, '$1').trimEnd();
    if (!line.trim()) continue;
    const h = /^(#{1,3})\s+(.*)$/.exec(line);
    const item = /^\s*[-*]\s+(.*)$/.exec(line);
    const last = out.at(-1);
    if (h) out.push({ kind: 'heading', depth: h[1]!.length as 1 | 2 | 3, text: h[2]! });
    else if (item && last?.kind === 'list') last.items.push(item[1]!);
    else if (item) out.push({ kind: 'list', items: [item[1]!] });
    else out.push({ kind: 'paragraph', text: line.trim() });
  }
  return out;
}
