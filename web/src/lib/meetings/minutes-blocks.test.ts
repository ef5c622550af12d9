import { describe, expect, it } from 'vitest';
import { minutesBlocks } from './minutes-blocks';

describe('minutesBlocks', () => {
  it('groups consecutive items into one list and keeps headings and paragraphs in order', () => {
    const md =
      '# 会议纪要 Minutes：议事会\n\n- 时间：19:30\n- 地点：二楼\n\n## 议程 Agenda\n\n### 1. 充电桩\n\n讨论位置。\n- 动议：设在空地\n';
    expect(minutesBlocks(md)).toEqual([
      { kind: 'heading', depth: 1, text: '会议纪要 Minutes：议事会' },
      { kind: 'list', items: ['时间：19:30', '地点：二楼'] },
      { kind: 'heading', depth: 2, text: '议程 Agenda' },
      { kind: 'heading', depth: 3, text: '1. 充电桩' },
      { kind: 'paragraph', text: '讨论位置。' },
      { kind: 'list', items: ['动议：设在空地'] },
    ]);
  });

  it('keeps markup in the text as text (no HTML) and drops bold markers', () => {
    expect(minutesBlocks('<script>x</script> **重要**')).toEqual([{ kind: 'paragraph', text: '<script>x</script> 重要' }]);
  });
});
