import type { Context } from 'hono';
import { HttpError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The origin the request was sent to, as the server sees it (`http://host:port`). */
export const ownOrigin = (c: Context): string => new URL(c.req.url).origin;

/**
 * CSRF check for requests authenticated by a cookie (the browser attaches cookies to cross-site requests;
 * it never attaches `Authorization`). A state-changing request (anything but GET/HEAD/OPTIONS) must carry an
 * `Origin` header naming this server's own origin or one of the allowed origins; a missing or `null` Origin is
 * refused. Every browser that sends cookies sends `Origin` on such requests, so this needs no token.
 * Behind a TLS-terminating proxy the server sees `http://`: list the public origin in `cors.origins`.
 * Throws 403 `auth/csrf`.
 */
export function checkCsrf(c: Context, allowedOrigins: readonly string[], logger: Logger): void {
  if (SAFE.has(c.req.method)) return;
  const origin = c.req.header('origin');
  if (origin !== undefined && origin !== 'null' && (origin === ownOrigin(c) || allowedOrigins.includes(origin))) return;
  logger.warn('auth denied', {
    requestId: c.get('requestId') as unknown,
    method: c.req.method,
    path: c.req.path,
    reason: origin === undefined ? 'cookie request without Origin' : 'cookie request from a foreign Origin',
  });
  throw new HttpError(403, 'auth/csrf', 'Cross-site request refused: a cookie session needs an allowed Origin');
}
