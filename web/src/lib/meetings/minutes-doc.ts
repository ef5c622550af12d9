/**
 * Minutes are stored as the few Markdown forms they use (`#`–`###` headings, `- ` items,
 * paragraphs, `**bold**`) and edited in a rich-text editor: these two pure functions carry the
 * text between the two, so nobody has to write Markdown and the exports stay as they were.
 */

/** The Tiptap (ProseMirror) JSON shapes used here. */
export interface DocNode {
  type: string;
  attrs?: Record<string, unknown>;
  content?: DocNode[];
  text?: string;
  marks?: { type: string }[];
}

/** A line's text with `**bold**` spans as text nodes. */
function inline(text: string): DocNode[] {
  const out: DocNode[] = [];
  for (const part of text.split(/(\*\*.+?\*\*)/)) {
    if (!part) continue;
    const bold = /^\*\*(.+)\*\*$/.exec(part);
    out.push(bold ? { type: 'text', text: bold[1]!, marks: [{ type: 'bold' }] } : { type: 'text', text: part });
  }
  return out;
}

/** Minutes Markdown → a Tiptap document. */
export function markdownToDoc(markdown: string): DocNode {
  const content: DocNode[] = [];
  for (const raw of markdown.split(/\r?\n/)) {
    const line = raw.trimEnd();
    if (!line.trim()) continue;
    const h = /^(#{1,3})\s+(.*)$/.exec(line);
    const item = /^\s*[-*]\s+(.*)$/.exec(line);
    const last = content.at(-1);
    if (h) content.push({ type: 'heading', attrs: { level: h[1]!.length }, content: inline(h[2]!) });
    else if (item) {
      const li: DocNode = { type: 'listItem', content: [{ type: 'paragraph', content: inline(item[1]!) }] };
      if (last?.type === 'bulletList') last.content!.push(li);
      else content.push({ type: 'bulletList', content: [li] });
    } else content.push({ type: 'paragraph', content: inline(line.trim()) });
  }
  if (content.length === 0) content.push({ type: 'paragraph' });
  return { type: 'doc', content };
}

/** The text of inline nodes, bold as `**…**`, line breaks as spaces (one Markdown line per block). */
function text(nodes: DocNode[] | undefined): string {
  return (nodes ?? [])
    .map((n) => {
      if (n.type === 'hardBreak') return ' ';
      const t = (n.text ?? '').replace(/\n/g, ' ');
      return n.marks?.some((mk) => mk.type === 'bold') && t.trim() ? `**${t}**` : t;
    })
    .join('');
}

/** A Tiptap document → minutes Markdown (anything else the editor may hold becomes paragraphs). */
export function docToMarkdown(doc: DocNode): string {
  const lines: string[] = [];
  const block = (n: DocNode) => {
    switch (n.type) {
      case 'heading': {
        const level = Math.min(3, Math.max(1, Number(n.attrs?.level ?? 2)));
        lines.push('', `${'#'.repeat(level)} ${text(n.content)}`, '');
        break;
      }
      case 'bulletList':
      case 'orderedList':
        for (const li of n.content ?? [])
          for (const p of li.content ?? [])
            if (p.type === 'paragraph' || p.type === 'heading') lines.push(`- ${text(p.content)}`);
            else block(p);
        break;
      case 'paragraph': {
        const t = text(n.content);
        if (t.trim()) lines.push('', t, '');
        break;
      }
      default:
        for (const c of n.content ?? []) block(c);
    }
  };
  for (const n of doc.content ?? []) block(n);
  return (
    lines
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim() + '\n'
  );
}
