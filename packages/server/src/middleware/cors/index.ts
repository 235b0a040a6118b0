import type { MiddlewareHandler } from 'hono';
import { HttpError } from '../../errors.ts';
import { ownOrigin } from '../csrf/index.ts';

export interface CorsOptions {
  /** Exact origins allowed (`https://app.example.com`); `'*'` allows any origin, never with credentials. */
  origins: readonly string[];
  /** Send `Access-Control-Allow-Credentials: true` to allowed origins (cookie sessions). Default false. */
  credentials?: boolean;
  /** Methods a preflight may ask for. */
  methods?: readonly string[];
  /** Request headers a preflight may ask for (lowercase). */
  headers?: readonly string[];
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'];
const HEADERS = ['authorization', 'content-type', 'if-match', 'if-none-match', 'x-request-id'];
const EXPOSED = 'ETag, Retry-After, X-Request-Id, Content-Location, Content-Disposition, X-LabelKit-Cache';
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CORS with an allowlist of exact origins. Every response carries `Vary: Origin`. An allowed origin is echoed
 * (exactly that one); an unknown origin gets no CORS header at all, its preflights are refused (403
 * `cors/origin-not-allowed`), and so are its state-changing requests, which a browser could otherwise send
 * as "simple" requests. A preflight asking for a method or header outside the lists is refused too.
 */
export const cors = (options: CorsOptions): MiddlewareHandler => {
  const wildcard = options.origins.includes('*');
  if (wildcard && options.credentials) throw new TypeError('cors: the "*" origin cannot be combined with credentials');
  const exact = new Set(options.origins.filter((o) => o !== '*'));
  const methods = options.methods ?? METHODS;
  const headers = new Set(options.headers ?? HEADERS);
  return async (c, next) => {
    const origin = c.req.header('origin');
    if (origin === undefined) {
      await next();
      c.header('Vary', 'Origin', { append: true });
      return;
    }
    const same = origin === ownOrigin(c);
    const allowed = exact.has(origin) || same || (wildcard && origin !== 'null');
    const preflight = c.req.method === 'OPTIONS' && c.req.header('access-control-request-method') !== undefined;
    if (!allowed && (preflight || !SAFE.has(c.req.method)))
      throw new HttpError(403, 'cors/origin-not-allowed', 'This origin may not call the API', {
        headers: { Vary: 'Origin' },
      });
    const allowOrigin = exact.has(origin) || same ? origin : wildcard ? '*' : undefined;
    const setCommon = (set: (name: string, value: string) => void) => {
      if (allowOrigin === undefined) return;
      set('Access-Control-Allow-Origin', allowOrigin);
      if (options.credentials && allowOrigin !== '*') set('Access-Control-Allow-Credentials', 'true');
    };
    if (preflight) {
      const method = (c.req.header('access-control-request-method') ?? '').toUpperCase();
      const asked = (c.req.header('access-control-request-headers') ?? '')
        .split(',')
        .map((h) => h.trim().toLowerCase())
        .filter((h) => h !== '');
      if (!methods.includes(method) || asked.some((h) => !headers.has(h)))
        throw new HttpError(403, 'cors/not-allowed', 'This method or header may not be used cross-origin', {
          headers: { Vary: 'Origin' },
        });
      c.header('Vary', 'Origin', { append: true });
      setCommon((k, v) => c.header(k, v));
      c.header('Access-Control-Allow-Methods', methods.join(', '));
      c.header('Access-Control-Allow-Headers', [...headers].join(', '));
      c.header('Access-Control-Max-Age', '600');
      return c.body(null, 204);
    }
    await next();
    c.header('Vary', 'Origin', { append: true });
    setCommon((k, v) => c.header(k, v));
    if (allowOrigin !== undefined) c.header('Access-Control-Expose-Headers', EXPOSED);
  };
};
