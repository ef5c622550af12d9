import { sveltekit } from '@sveltejs/kit/vite';
import { paraglideVitePlugin } from '@inlang/paraglide-js';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [
    paraglideVitePlugin({
      project: './project.inlang',
      outdir: './src/lib/paraglide',
      // Chinese first; a person's choice is remembered in a cookie (a year), else the browser's language.
      strategy: ['cookie', 'preferredLanguage', 'baseLocale'],
      cookieName: 'linli_lang',
      cookieMaxAge: 365 * 24 * 3600,
    }),
    sveltekit(),
  ],
  server: {
    // `npm run dev -w @linli/web` proxies the API and sockets to a running server.
    proxy: {
      '/api': 'http://localhost:3000',
      '/socket.io': { target: 'ws://localhost:3000', ws: true },
      '/yjs': { target: 'ws://localhost:3000', ws: true },
    },
  },
});
