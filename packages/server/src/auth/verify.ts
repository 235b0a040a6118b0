/**
 * Credential checks: configured bearer tokens (sha256 digests compared in constant time) and JWTs with the
 * algorithm pinned by the configuration. Every failure is one generic `auth/invalid-token` toward the client;
 * the precise reason goes to the audit log only.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { verify } from 'hono/jwt';
import type { AuthConfig, JwtAlgorithm, JwtConfig, TokenConfig } from './config.ts';
import { isSymmetric, parseScopes } from './config.ts';
import type { Principal } from './scopes.ts';

export type Verdict = { ok: true; principal: Principal } | { ok: false; reason: string };

const fail = (reason: string): Verdict => ({ ok: false, reason });

/**
 * The token whose sha256 equals the given token's. Every configured digest is compared (no early exit), so
 * the time taken does not tell which token nearly matched.
 */
export function matchToken(tokens: readonly TokenConfig[], given: string): TokenConfig | undefined {
  const digest = createHash('sha256').update(given, 'utf8').digest();
  let found: TokenConfig | undefined;
  for (const t of tokens) {
    if (timingSafeEqual(digest, Buffer.from(t.sha256, 'hex')) && !found) found = t;
  }
  return found;
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
export const looksLikeJwt = (token: string): boolean => JWT_SHAPE.test(token);

/** Verifies a JWT against the configuration; `now` in milliseconds. */
export async function verifyJwt(
  cfg: JwtConfig,
  token: string,
  via: 'jwt' | 'cookie',
  now: number = Date.now(),
): Promise<Verdict> {
  if (!looksLikeJwt(token)) return fail('malformed JWT');
  let alg: string;
  try {
    const header = JSON.parse(Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').toString('utf8')) as {
      alg?: unknown;
    };
    if (typeof header.alg !== 'string') return fail('JWT header has no alg');
    alg = header.alg;
  } catch {
    return fail('malformed JWT header');
  }
  // The header only chooses among the configured algorithms; `none` is never configured (config refuses it).
  if (!(cfg.algorithms as readonly string[]).includes(alg)) return fail(`algorithm ${String(alg)} is not allowed`);
  const pinned = alg as JwtAlgorithm;
  const key = isSymmetric(pinned) ? cfg.secret : cfg.publicKey;
  if (key === undefined) return fail('no key for the algorithm');
  let payload: Record<string, unknown>;
  try {
    payload = (await verify(token, key, {
      alg: pinned,
      aud: cfg.audience,
      ...(cfg.issuer === undefined ? {} : { iss: cfg.issuer }),
      // Checked below with the configured clock skew (and `exp` is required, which hono leaves optional).
      exp: false,
      nbf: false,
      iat: false,
    })) as Record<string, unknown>;
  } catch (e) {
    return fail(`JWT rejected: ${(e as Error).name}`);
  }
  const skew = cfg.clockSkewSeconds * 1000;
  const { exp, nbf, sub } = payload;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) return fail('JWT has no exp');
  if (exp * 1000 + skew <= now) return fail('JWT expired');
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf * 1000 - skew > now)) return fail('JWT not yet valid');
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 256) return fail('JWT has no sub');
  const claim = payload[cfg.scopesClaim];
  let scopes: Principal['scopes'] = {};
  if (claim !== undefined) {
    try {
      scopes = parseScopes(claim, `$.${cfg.scopesClaim}`);
    } catch {
      return fail('JWT scopes claim is invalid');
    }
  }
  return { ok: true, principal: { name: sub, scopes, via } };
}

/** Checks an `Authorization: Bearer` value: a JWT when it has that shape and JWTs are configured, else a token. */
export async function verifyBearer(auth: AuthConfig, token: string, now?: number): Promise<Verdict> {
  if (auth.jwt && looksLikeJwt(token)) return verifyJwt(auth.jwt, token, 'jwt', now);
  const t = matchToken(auth.tokens, token);
  if (!t) return fail('unknown token');
  return { ok: true, principal: { name: t.name, scopes: t.scopes, via: 'token' } };
}
