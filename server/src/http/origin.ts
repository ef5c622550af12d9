/**
 * The one Origin check for REST, Socket.IO and the Yjs socket. Browsers send `Origin` on
 * cross-site requests and on every WebSocket upgrade; a page of another site must not act with
 * our cookie (CSRF, cross-site WebSocket hijacking). Requests without Origin (curl, scripts,
 * same-origin GET) pass: they carry no victim's ambient cookie from another site's page.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** The host the browser addressed: a proxy's X-Forwarded-Host (first value), else Host. */
function expectedHost(headers: IncomingHttpHeaders): string | undefined {
  const fwd = headers['x-forwarded-host'];
  const first = (Array.isArray(fwd) ? fwd[0] : fwd)?.split(',')[0]?.trim();
  return first || headers.host;
}

/** True when the request has no Origin, or an Origin whose host is this server's. */
export function isSameOrigin(headers: IncomingHttpHeaders): boolean {
  const origin = headers.origin;
  if (origin === undefined) return true;
  try {
    const host = new URL(origin).host;
    return host !== '' && host === expectedHost(headers);
  } catch {
    return false; // "null" and other opaque origins
  }
}
