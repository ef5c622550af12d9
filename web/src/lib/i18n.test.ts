/**
 * i18n completeness: every message exists in every locale with the same parameters, every
 * `m.key()` used in the app exists, and no component carries hard-coded Chinese text.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const WEB = path.resolve(import.meta.dirname, '../..');
const settings = JSON.parse(fs.readFileSync(path.join(WEB, 'project.inlang/settings.json'), 'utf8')) as {
  locales: string[];
  'plugin.inlang.messageFormat': { pathPattern: string[] };
};

type Message = string | { match: Record<string, string> }[];
function load(locale: string): Record<string, Message> {
  const all: Record<string, Message> = {};
  for (const pattern of settings['plugin.inlang.messageFormat'].pathPattern) {
    const file = path.join(WEB, pattern.replace('{locale}', locale));
    const { $schema: _schema, ...messages } = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, Message>;
    for (const key of Object.keys(messages)) expect(all, `${key} defined twice (${file})`).not.toHaveProperty(key);
    Object.assign(all, messages);
  }
  return all;
}
const params = (msg: Message): string[] => {
  const texts = typeof msg === 'string' ? [msg] : msg.flatMap((v) => Object.values(v.match));
  return [...new Set(texts.flatMap((t) => [...t.matchAll(/\{(\w+)\}/g)].map((x) => x[1]!)))].sort();
};

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return d.name === 'paraglide' ? [] : sources(p);
    return /\.(svelte|ts)$/.test(d.name) && !d.name.endsWith('.test.ts') ? [p] : [];
  });
}

describe('messages', () => {
  const [base, ...others] = settings.locales.map((l) => ({ locale: l, messages: load(l) }));

  it('every locale has exactly the keys of the base locale, with the same parameters', () => {
    for (const other of others) {
      expect(Object.keys(other.messages).sort(), other.locale).toEqual(Object.keys(base!.messages).sort());
      for (const [key, msg] of Object.entries(base!.messages)) {
        expect(params(other.messages[key]!), `${other.locale} ${key}`).toEqual(params(msg));
        expect(params(other.messages[key]!).length === 0 ? String(other.messages[key]).trim() : 'x', key).not.toBe('');
      }
    }
  });

  it('every message the app uses exists', () => {
    const used = new Set<string>();
    for (const file of sources(path.join(WEB, 'src'))) {
      for (const match of fs.readFileSync(file, 'utf8').matchAll(/\bm\.([a-z][a-z0-9_]*)\(/g)) used.add(match[1]!);
    }
    const missing = [...used].filter((k) => !(k in base!.messages));
    expect(missing).toEqual([]);
  });

  it('no component shows hard-coded Chinese text', () => {
    const offenders: string[] = [];
    for (const file of sources(path.join(WEB, 'src')).filter((f) => f.endsWith('.svelte'))) {
      const markup = fs
        .readFileSync(file, 'utf8')
        .replace(/<script[\s\S]*?<\/script>/g, '')
        .replace(/<style[\s\S]*?<\/style>/g, '')
        .replace(/<!--[\s\S]*?-->/g, '');
      const hit = /[\u4e00-\u9fff]+/.exec(markup);
      if (hit) offenders.push(`${path.relative(WEB, file)}: ${hit[0]}`);
    }
    expect(offenders).toEqual([]);
  });
});
