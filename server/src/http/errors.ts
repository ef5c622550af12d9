/** Error middleware: every failure in the API.md shape; unexpected ones logged and masked. */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { DomainError } from '@linli/shared';
import type { Logger } from '../logger.ts';

export const notFoundApi: RequestHandler = (req, res) => {
  res.status(404).json({ error: { code: 'not_found', message: `No such endpoint: ${req.method} ${req.originalUrl.split('?')[0]}` } });
};

/** True for ioredis failures while Redis is away (no offline queue, timeouts, closed connection). */
/**
 * Errors that mean "the store did not take this write, or cannot say": the client is told
 * `unavailable` and retries with the same idempotency key (counted once). Besides a lost
 * connection, a Redis Cluster in failover answers CLUSTERDOWN, MOVED loops, TRYAGAIN, READONLY or
 * LOADING for a few seconds; ioredis gives up after its redirections with "Too many Cluster
 * redirections", or fails to refresh its slot map.
 */
const UNAVAILABLE =
  /enableOfflineQueue|Connection is closed|Command timed out|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|Stream isn't writeable|MaxRetriesPerRequest|max retries per request|Too many Cluster redirections|CLUSTERDOWN|TRYAGAIN|MASTERDOWN|READONLY|LOADING|Failed to refresh slots cache|None of startup nodes is available|Cluster is disconnected|Node is disconnected|No master node is available/i;

export function isRedisUnavailable(err: unknown): boolean {
  return err instanceof Error && UNAVAILABLE.test(err.message);
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (res.headersSent) return;
    const e = err as { type?: string; status?: number; statusCode?: number };
    if (err instanceof DomainError) {
      if (err.retryAfter) res.setHeader('Retry-After', String(Math.ceil(err.retryAfter)));
      res.status(err.status).json({ error: err.toBody() });
      return;
    }
    if (e.type === 'entity.parse.failed') {
      res.status(400).json({ error: { code: 'invalid_json', message: 'The request body is not valid JSON.' } });
      return;
    }
    if (e.type === 'entity.too.large' || e.status === 413) {
      res.status(413).json({ error: { code: 'too_large', message: 'The request body is too large (limit 1 MB).' } });
      return;
    }
    if (isRedisUnavailable(err)) {
      res
        .status(503)
        .json({ error: { code: 'unavailable', message: 'The data store is unavailable; nothing was saved. Try again shortly.' } });
      return;
    }
    const status = e.status ?? e.statusCode;
    if (status && status >= 400 && status < 500) {
      res.status(status).json({ error: { code: 'bad_request', message: (err as Error).message || 'Bad request' } });
      return;
    }
    const requestId = (req as { id?: string }).id;
    logger.error({ err, requestId, method: req.method, url: req.originalUrl }, 'unexpected error');
    res.status(500).json({ error: { code: 'internal', message: `Internal error (request ${requestId}).` } });
  };
}
