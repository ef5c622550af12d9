/** The Express app: security headers, JSON, Origin check, /healthz, /api routers, errors, pages. */
import express, { type Express, type RequestHandler, type Router } from 'express';
import helmet from 'helmet';
import compression from 'compression';
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../context.ts';
import { errorHandler, notFoundApi } from './errors.ts';

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
  const origin = req.headers.origin;
  if (!origin) return next();
  let host: string | null = null;
  try {
    host = new URL(origin).host;
  } catch {
    /* invalid origin */
  }
  const expected = req.headers['x-forwarded-host'] ?? req.headers.host;
  if (host && host === expected) return next();
  res.status(403).json({ error: { code: 'forbidden', message: 'Cross-site request refused.' } });
};

export function createApp(ctx: AppContext, parts: AppParts): Express {
  const app = express();
  app.disable('x-powered-by');
  if (ctx.config.trustProxy) app.set('trust proxy', true);
  app.use((req, _res, next) => {
    req.id = randomUUID().slice(0, 8);
    next();
  });
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: true,
        directives: {
          // SvelteKit's inline bootstrap script; the kit config adds hashes where it can.
          'script-src': ["'self'", "'unsafe-inline'"],
          'img-src': ["'self'", 'data:', 'blob:'],
          'connect-src': ["'self'", 'ws:', 'wss:'],
          'upgrade-insecure-requests': null,
        },
      },
      // Plain-HTTP installs on a LAN (a hall laptop) must still work.
      strictTransportSecurity: false,
      // helmet's default `no-referrer` makes browsers send `Origin: null` on our own form posts,
      // which SvelteKit's CSRF check refuses (the phone votes by form before its scripts load).
      // `same-origin` still sends nothing to other sites.
      referrerPolicy: { policy: 'same-origin' },
    }),
  );
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
  api.use(sameOrigin);
  api.use(express.json({ limit: '1mb' }));
  // text/csv is not decoded here: the roster route reads it as bytes to tell UTF-8 from GBK.
  api.use(express.text({ type: ['text/plain'], limit: '6mb' }));
  for (const h of parts.before) api.use(h);
  for (const r of parts.api) api.use(r);
  api.use(notFoundApi);
  api.use(errorHandler(ctx.logger));
  app.use('/api', api);

  if (parts.pages) app.use(parts.pages);
  else
    app.get('/{*path}', (_req, res) => {
      res
        .status(200)
        .type('html')
        .send('<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>邻里 Linli</title><h1>邻里 Linli</h1><p>The web app is not built yet: run <code>npm run build</code>.</p></html>');
    });
  app.use(errorHandler(ctx.logger));
  return app;
}
