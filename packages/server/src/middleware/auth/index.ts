import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { AuthConfig } from '../../auth/config.ts';
import type { AuthEnv, Principal } from '../../auth/scopes.ts';
import { verifyBearer, verifyJwt } from '../../auth/verify.ts';
import { HttpError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import { checkCsrf } from '../csrf/index.ts';
import type { RequestContextEnv } from '../request-context/index.ts';

export interface AuthMiddlewareOptions {
  auth: AuthConfig;
  /** Exact origins allowed cross-origin (cookie requests from them pass the CSRF check). */
  allowedOrigins: readonly string[];
  /** Where denied requests are logged (the audit log): never a token, only who, what and why. */
  logger: Logger;
}

/** Query parameters that carry credentials somewhere; URLs end up in logs, history and Referer headers. */
const CREDENTIAL_PARAMS = ['token', 'access_token', 'id_token', 'jwt', 'api_key', 'apikey', 'auth', 'authorization'];

export type AuthMiddlewareEnv = { Variables: AuthEnv['Variables'] & RequestContextEnv['Variables'] };

/**
 * Sets `c.get('principal')` from `Authorization: Bearer <token|JWT>`, else from the session cookie (a JWT; then
 * state-changing requests must pass {@link checkCsrf}), else the configured anonymous scopes (none by default,
 * leaving no principal). Bad credentials are refused with 401 `auth/invalid-token`, never downgraded to
 * anonymous; credentials in the URL are refused with 400 `auth/token-in-url`. Routes then call `requireScope`.
 */
export const authenticate = (options: AuthMiddlewareOptions): MiddlewareHandler<AuthMiddlewareEnv> => {
  const { auth, logger } = options;
  const anonymous: Principal | undefined =
    Object.keys(auth.anonymous).length > 0
      ? { name: 'anonymous', scopes: auth.anonymous, via: 'anonymous' }
      : undefined;
  const deny = (c: Parameters<MiddlewareHandler<AuthMiddlewareEnv>>[0], reason: string) => {
    logger.warn('auth denied', { requestId: c.get('requestId'), method: c.req.method, path: c.req.path, reason });
    return new HttpError(401, 'auth/invalid-token', 'The credentials are invalid or expired', {
      headers: { 'WWW-Authenticate': 'Bearer realm="labelkit", error="invalid_token"' },
    });
  };
  return async (c, next) => {
    const query = new URL(c.req.url).searchParams;
    const named = CREDENTIAL_PARAMS.find((p) => query.has(p));
    if (named) {
      logger.warn('auth denied', {
        requestId: c.get('requestId'),
        method: c.req.method,
        path: c.req.path,
        reason: `credential in URL (${named})`,
      });
      throw new HttpError(400, 'auth/token-in-url', 'Credentials are never accepted in the URL: send Authorization', {
        path: `$.query.${named}`,
      });
    }
    const header = c.req.header('authorization');
    if (header !== undefined) {
      const m = /^Bearer +([\x21-\x7e]{1,8192})$/i.exec(header.trim());
      if (!m?.[1]) throw deny(c, 'Authorization is not "Bearer <token>"');
      const verdict = await verifyBearer(auth, m[1]);
      if (!verdict.ok) throw deny(c, verdict.reason);
      c.set('principal', verdict.principal);
      return next();
    }
    const cookie = auth.cookie && auth.jwt ? getCookie(c, auth.cookie) : undefined;
    if (cookie !== undefined && auth.jwt) {
      const verdict = await verifyJwt(auth.jwt, cookie, 'cookie');
      if (!verdict.ok) throw deny(c, `cookie: ${verdict.reason}`);
      checkCsrf(c, options.allowedOrigins, logger);
      c.set('principal', verdict.principal);
      return next();
    }
    if (anonymous) c.set('principal', anonymous);
    return next();
  };
};
