import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
export default {
  preprocess: vitePreprocess(),
  kit: {
    // Private build dirs (LINLI_WEB_BUILD, LINLI_KIT_DIR) let several checkouts or engineers build
    // side by side without overwriting each other; the server reads LINLI_WEB_BUILD too.
    adapter: adapter({ out: process.env.LINLI_WEB_BUILD ?? 'build' }),
    outDir: process.env.LINLI_KIT_DIR ?? '.svelte-kit',
    alias: { $ui: 'src/lib/ui' },
    // Stylesheets under 8 KB go inline into the HTML: on slow 3G each separate (render-blocking)
    // one costs round trips before the phone page's ballot shows (scripts/bench/phone.bench.ts).
    inlineStyleThreshold: 8192,
    // The page's only policy (the server drops helmet's on pages): SvelteKit puts a nonce on its
    // bootstrap script (a hash on prerendered pages), so no 'unsafe-inline' script runs.
    // Styles stay 'unsafe-inline' (inlined stylesheets, style attributes); sockets are same-origin.
    csp: {
      mode: 'auto',
      directives: {
        'default-src': ['self'],
        'script-src': ['self'],
        'style-src': ['self', 'unsafe-inline'],
        'img-src': ['self', 'data:', 'blob:'],
        'font-src': ['self', 'data:'],
        'connect-src': ['self'],
        'object-src': ['none'],
        'base-uri': ['self'],
        'form-action': ['self'],
        'frame-ancestors': ['none'],
      },
    },
  },
};
