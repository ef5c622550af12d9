/** The Express app: security headers, JSON, Origin check, /healthz, /api routers, errors, pages. */
import express, { type Express, type RequestHandler, type Router } from 'express';
import helmet from 'helmet';
import compression from 'compression';
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../context.ts';
import { errorHandler, notFoundApi } from './errors.ts';
import { isSameOrigin } from './origin.ts';

export interface AppParts {
  /** Runs before the routers (e.g. session lookup). */
  before: RequestHandler[];
  /** Mounted under /api. */
  api: Router[];
  /** Serves every other path (the SvelteKit handler), if built. */
  pages?: RequestHandler;
}

/** Browsers: a state-changing request whose Origin is not this server's is refused (CSRF). */
const sameOrigin: RequestHandler = (req, res, next) => {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
  if (isSameOrigin(req.headers)) return next();
  res.status(403).json({ error: { code: 'forbidden', message: 'Cross-site request refused. 拒绝跨站请求。' } });
};

/** Features no page uses, refused to every page and frame (Permissions-Policy). */
const PERMISSIONS_POLICY = [
  'camera=(self)', // scanning an invitation slip's QR code
  'microphone=()',
  'geolocation=()',
  'payment=()',
  'usb=()',
].join(', ');

/** Permissions-Policy everywhere; Strict-Transport-Security when the request came over TLS. */
function securityExtras(hstsMaxAge: number): RequestHandler {
  return (req, res, next) => {
    res.setHeader('Permissions-Policy', PERMISSIONS_POLICY);
    // req.secure: TLS here, or X-Forwarded-Proto https from a trusted proxy (LINLI_TRUST_PROXY).
    if (req.secure && hstsMaxAge > 0) res.setHeader('Strict-Transport-Security', `max-age=${hstsMaxAge}`);
    next();
  };
}

/** SvelteKit sets each page's CSP (with its nonce); helmet's must not add a second policy. */
function pagesWithoutHelmetCsp(pages: RequestHandler): RequestHandler {
  return (req, res, next) => {
    res.removeHeader('Content-Security-Policy');
    return pages(req, res, next);
  };
}

export function createApp(ctx: AppContext, parts: AppParts): Express {
  const app = express();
  app.disable('x-powered-by');
  // Exactly the configured hops (or proxy addresses): req.ip is then the right-most address
  // that no trusted proxy added, whatever a client writes into X-Forwarded-For itself.
  app.set('trust proxy', ctx.config.trustProxy);
  app.use((req, _res, next) => {
    req.id = randomUUID().slice(0, 8);
    next();
  });
  app.use(
    helmet({
      // Pages carry SvelteKit's own CSP (kit.csp in web/svelte.config.js: a nonce for its
      // bootstrap script); this one covers the API, /healthz and static files, and is taken off
      // page answers (pagesWithoutHelmetCsp) so a page never gets two policies.
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          'default-src': ["'self'"],
          'script-src': ["'self'"],
          'style-src': ["'self'", "'unsafe-inline'"],
          'img-src': ["'self'", 'data:', 'blob:'],
          'font-src': ["'self'", 'data:'],
          'connect-src': ["'self'"],
          'object-src': ["'none'"],
          'base-uri': ["'self'"],
          'form-action': ["'self'"],
          'frame-ancestors': ["'none'"],
        },
      },
      // HSTS only on answers to requests that came over TLS (below): a plain-HTTP hall laptop on a
      // LAN must keep working.
      strictTransportSecurity: false,
      // helmet's default `no-referrer` makes browsers send `Origin: null` on our own form posts,
      // which SvelteKit's CSRF check refuses (the phone votes by form before its scripts load).
      // `same-origin` still sends nothing to other sites.
      referrerPolicy: { policy: 'same-origin' },
    }),
  );
  app.use(securityExtras(ctx.config.hstsMaxAge));
  // gzip pages, scripts and JSON: the phone page's HTML is 18 KB raw, 5 KB gzipped, which is a
  // quarter of a second on slow 3G. (Socket.IO and the Yjs sockets do not pass through Express.)
  app.use(compression());

  app.get('/healthz', async (_req, res) => {
    let redis = 'down';
    try {
      if (ctx.redis.status === 'ready' && (await ctx.redis.ping()) === 'PONG') redis = 'ok';
    } catch {
      redis = 'down';
    }
    res.status(redis === 'ok' ? 200 : 503).json({ status: redis === 'ok' ? 'ok' : 'degraded', redis });
  });

  const api = express.Router();
  // Answers carry personal data (names, rooms, sessions): never kept by browsers or proxies.
  api.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  api.use(sameOrigin);
  api.use(express.json({ limit: '1mb' }));
  // text/csv is not decoded here: the roster route reads it as bytes to tell UTF-8 from GBK.
  api.use(express.text({ type: ['text/plain'], limit: '6mb' }));
  for (const h of parts.before) api.use(h);
  for (const r of parts.api) api.use(r);
  api.use(notFoundApi);
  api.use(errorHandler(ctx.logger));
  app.use('/api', api);

  if (parts.pages) app.use(pagesWithoutHelmetCsp(parts.pages));
  else
    app.get('/{*path}', (_req, res) => {
      res
        .status(200)
        .type('html')
        .send(
          '<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>邻里 Linli</title><h1>邻里 Linli</h1><p>The web app is not built yet: run <code>npm run build</code>.</p></html>',
        );
    });
  app.use(errorHandler(ctx.logger));
  return app;
}
