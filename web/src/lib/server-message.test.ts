import { describe, expect, it } from 'vitest';
import { pickLanguage } from './server-message.ts';

describe('pickLanguage', () => {
  it('shows the Chinese half to zh readers and the English half to en readers', () => {
    expect(pickLanguage('No such household. 该户不存在。', 'zh-CN')).toBe('该户不存在。');
    expect(pickLanguage('No such household. 该户不存在。', 'en')).toBe('No such household.');
  });
  it('keeps Chinese addresses and names inside the English half', () => {
    const text = '3栋2单元203 has already voted online. 3栋2单元203已在线投票。';
    expect(pickLanguage(text, 'en')).toBe('3栋2单元203 has already voted online.');
    expect(pickLanguage(text, 'zh-CN')).toBe('3栋2单元203已在线投票。');
  });
  it('splits at the last boundary when the English half has several sentences', () => {
    const text = 'Proxies are capped. Ask the facilitator. 每人最多代理三户。';
    expect(pickLanguage(text, 'en')).toBe('Proxies are capped. Ask the facilitator.');
    expect(pickLanguage(text, 'zh-CN')).toBe('每人最多代理三户。');
  });
  it('leaves one-language messages whole', () => {
    expect(pickLanguage('Could not create the ballot; try again.', 'zh-CN')).toBe('Could not create the ballot; try again.');
    expect(pickLanguage('网络不通，请稍后再试', 'en')).toBe('网络不通，请稍后再试');
    expect(pickLanguage('', 'en')).toBe('');
  });
});
