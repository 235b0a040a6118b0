import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { Logger } from '../../logger.ts';
import type { Metrics } from '../../metrics.ts';

export interface RequestContextOptions {
  logger: Logger;
  metrics: Metrics;
  /** Response header carrying the request id (taken from the request when it is a sane one). Default `X-Request-Id`. */
  header?: string;
}

export type RequestContextEnv = { Variables: { requestId: string } };

const SANE_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Gives each request an id, logs it as one JSON line when it ends and counts it by route pattern.
 * Only the path is logged, never the query string: that is where signed URLs carry their signature.
 */
export const requestContext = (options: RequestContextOptions): MiddlewareHandler<RequestContextEnv> => {
  const header = options.header ?? 'X-Request-Id';
  return async (c, next) => {
    const given = c.req.header(header);
    const requestId = given && SANE_ID.test(given) ? given : randomUUID();
    c.set('requestId', requestId);
    const started = performance.now();
    await next();
    c.header(header, requestId);
    // The handler that answered (after next(), routeIndex points at it); unmatched requests keep a middleware's '*'.
    const route =
      c.res.status === 404 && routePath(c, c.req.routeIndex).includes('*')
        ? 'unmatched'
        : routePath(c, c.req.routeIndex);
    const status = c.res.status;
    const seconds = (performance.now() - started) / 1000;
    options.metrics.requests.inc({ method: c.req.method, route, status: String(status) });
    options.metrics.requestSeconds.observe({ route }, seconds);
    options.logger.info('request', {
      requestId,
      method: c.req.method,
      path: c.req.path,
      route,
      status,
      ms: Math.round(seconds * 1e4) / 10,
    });
  };
};
