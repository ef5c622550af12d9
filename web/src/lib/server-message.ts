/**
 * The server writes each error once in both languages, English first: "No such household. 该户不存在。"
 * (API.md keeps one `message` field). The page shows the reader's half. The English half may hold
 * Chinese names and addresses ("3栋2单元203 has already voted online. 3栋2单元203已在线投票。"), so
 * the split is at the first sentence end after which the rest is Chinese (no Latin words left).
 */
const BOUNDARY = /[.!?)]\s+/g;
const CJK = /[\u3400-\u9fff]/;
const LATIN_WORD = /[A-Za-z]{2,}/;

/** The half of a bilingual server message for `locale` (the whole text when it has only one). */
export function pickLanguage(text: string, locale: string): string {
  for (const m of text.matchAll(BOUNDARY)) {
    const cut = m.index! + 1;
    const en = text.slice(0, cut).trim();
    const zh = text.slice(cut).trim();
    if (LATIN_WORD.test(en) && CJK.test(zh) && !LATIN_WORD.test(zh)) return locale.startsWith('zh') ? zh : en;
  }
  return text;
}
