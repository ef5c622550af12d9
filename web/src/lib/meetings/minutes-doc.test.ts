import { describe, expect, it } from 'vitest';
import { docToMarkdown, markdownToDoc } from './minutes-doc';

const md = `# 会议纪要：第三次议事会

- 时间：2026-11-25 14:30 – 16:00
- 主持：王主持

## 表决结果

- 是否增设充电桩：**未通过**。原因：参与表决的业主未达到人数和面积的三分之二。

### 1. 增设充电桩

会后补充：物业两周内答复。
`;

describe('minutes between Markdown and the rich-text editor', () => {
  it('keeps headings, lists, paragraphs and bold through a round trip', () => {
    const doc = markdownToDoc(md);
    expect(doc.content!.map((n) => n.type)).toEqual(['heading', 'bulletList', 'heading', 'bulletList', 'heading', 'paragraph']);
    expect(doc.content![1]!.content).toHaveLength(2);
    const back = docToMarkdown(doc);
    expect(back).toContain('# 会议纪要：第三次议事会');
    expect(back).toContain('- 时间：2026-11-25 14:30 – 16:00\n- 主持：王主持');
    expect(back).toContain('**未通过**');
    expect(back).toContain('### 1. 增设充电桩');
    expect(docToMarkdown(markdownToDoc(back))).toBe(back);
  });

  it('turns what the editor adds into the same forms', () => {
    const doc = {
      type: 'doc',
      content: [
        {
          type: 'paragraph',
          content: [
            { type: 'text', text: '下次会议' },
            { type: 'text', text: '通报', marks: [{ type: 'bold' }] },
          ],
        },
        { type: 'paragraph' },
      ],
    };
    expect(docToMarkdown(doc)).toBe('下次会议**通报**\n');
    expect(markdownToDoc('').content).toEqual([{ type: 'paragraph' }]);
  });
});
