import type { Handle } from '@sveltejs/kit';

// Chinese first: the page language defaults to zh-CN (the i18n layer may override per person).
export const handle: Handle = async ({ event, resolve }) => {
  const lang = event.cookies.get('linli_lang') === 'en' ? 'en' : 'zh-CN';
  return resolve(event, { transformPageChunk: ({ html }) => html.replace('%lang%', lang) });
};
