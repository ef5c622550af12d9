import type { Handle, HandleFetch } from '@sveltejs/kit';
import { paraglideMiddleware } from '$lib/paraglide/server.js';

// Chinese first: the locale comes from the `linli_lang` cookie, else the browser, else zh-CN.
export const handle: Handle = ({ event, resolve }) =>
  paraglideMiddleware(event.request, ({ request, locale }) => {
    event.request = request;
    return resolve(event, { transformPageChunk: ({ html }) => html.replace('%lang%', locale) });
  });

/**
 * Where this server process listens, from the connection the page request came in on (adapter-node
 * hands SvelteKit the Node request as `platform.req`): the address the process itself accepted it
 * on, so it can reach itself there, behind a load balancer too.
 */
function ownOrigin(platform: App.Platform | undefined): string | null {
  const socket = platform?.req?.socket;
  if (!socket?.localAddress || !socket.localPort) return null;
  const host = socket.localAddress.startsWith('::ffff:') ? socket.localAddress.slice(7) : socket.localAddress;
  return `http://${host.includes(':') ? `[${host}]` : host}:${socket.localPort}`;
}

/**
 * The pages run inside the Express server, but SvelteKit answers a server-side `fetch('/api/…')`
 * itself (and finds no such route): send those to the Express server over the connection's own
 * address instead, as the person (their cookie). The Origin header is dropped: this is the server
 * calling itself, and SvelteKit has already checked the origin of any form POST that led here.
 */
export const handleFetch: HandleFetch = async ({ event, request, fetch }) => {
  const internal = ownOrigin(event.platform);
  const url = new URL(request.url);
  if (!internal || url.origin !== event.url.origin || !url.pathname.startsWith('/api/')) return fetch(request);
  const headers = new Headers(request.headers);
  for (const h of ['origin', 'host', 'connection', 'content-length']) headers.delete(h);
  const cookie = event.request.headers.get('cookie');
  if (cookie) headers.set('cookie', cookie);
  const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.arrayBuffer();
  return globalThis.fetch(new URL(url.pathname + url.search, internal), { method: request.method, headers, body, redirect: 'manual' });
};
