/**
 * The `auth`, `cors` and `rateLimit` sections of `labelkit.config.json` (see docs in api.md and SECURITY.md):
 * validated here, each problem a {@link ConfigError} with the JSON path of the field.
 */

import { createHash } from 'node:crypto';
import { jsonPath } from '@labelkit/core';
import { bad, DATASET_ID, object, onlyKeys } from '../config-fields.ts';
import { isScope, type Scope } from './scopes.ts';

/** JWT algorithms LabelKit verifies; `none` is never one of them. */
export const JWT_ALGORITHMS = [
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];
export const isSymmetric = (alg: JwtAlgorithm): boolean => alg.startsWith('HS');

export interface TokenConfig {
  /** Recorded as the author of commits. */
  name: string;
  /** Lowercase hex sha256 of the token; a plain `token` in the file is hashed at load and not kept. */
  sha256: string;
  /** Dataset id or `'*'` -> scope. */
  scopes: Record<string, Scope>;
}

export interface JwtConfig {
  /** HMAC key (HS256/384/512); at least 32 characters. */
  secret?: string;
  /** PEM public key (RS*, PS*, ES*, EdDSA). */
  publicKey?: string;
  /** The only algorithms accepted; the token header's `alg` must be one of them (pinned, never `none`). */
  algorithms: JwtAlgorithm[];
  /** Required `aud` (one of). */
  audience: string[];
  /** Required `iss`, when set. */
  issuer?: string;
  /** Claim holding `{ "<dataset>|*": "read|write|admin" }`. Default `labelkit_scopes`. */
  scopesClaim: string;
  /** Seconds of clock difference tolerated on `exp`/`nbf`. Default 30. */
  clockSkewSeconds: number;
}

export interface AuthConfig {
  /** Bearer tokens with their scopes. */
  tokens: TokenConfig[];
  /** JWTs signed by the host application. */
  jwt?: JwtConfig;
  /** Scopes of requests without credentials. Default none. */
  anonymous: Record<string, Scope>;
  /** Name of a cookie that may carry the JWT (then state-changing requests need an allowed `Origin`). */
  cookie?: string;
  /**
   * Whether the encoder (`/v1/embeddings`) answers requests without credentials. Default: true when no token
   * and no JWT is configured (a local server), false otherwise.
   */
  anonymousEncoder: boolean;
}

export interface CorsConfig {
  /** Exact origins (`https://app.example.com`) allowed to call the API from a browser. Default none. */
  origins: string[];
}

export interface RateLimitConfig {
  /** Encoder requests per minute per principal (per IP address when anonymous). */
  encoderPerMinute: number;
}

export const defaultAuthConfig = (): AuthConfig => ({ tokens: [], anonymous: {}, anonymousEncoder: true });
export const defaultRateLimit = (): RateLimitConfig => ({ encoderPerMinute: 120 });

const COOKIE_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/;

function string(raw: unknown, path: string, min = 1): string {
  if (typeof raw !== 'string' || raw.length < min)
    throw bad(path, `${path} must be a string of at least ${min} character(s)`);
  return raw;
}

/** `{ "<dataset id>|*": "read|write|admin" }`. */
export function parseScopes(raw: unknown, path: string): Record<string, Scope> {
  const o = object(raw, path);
  const out: Record<string, Scope> = {};
  for (const [k, v] of Object.entries(o)) {
    if (k !== '*' && !DATASET_ID.test(k)) throw bad(jsonPath(path, k), `"${k}" is not a dataset id or "*"`);
    if (!isScope(v)) throw bad(jsonPath(path, k), `scope must be "read", "write" or "admin", got ${JSON.stringify(v)}`);
    out[k] = v;
  }
  return out;
}

const sha256Hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

function parseToken(raw: unknown, path: string, names: Set<string>): TokenConfig {
  const o = object(raw, path);
  onlyKeys(o, ['name', 'token', 'sha256', 'scopes'], path);
  const name = string(o.name, `${path}.name`);
  if (names.has(name)) throw bad(`${path}.name`, `token name "${name}" is used twice`);
  names.add(name);
  if ((o.token === undefined) === (o.sha256 === undefined))
    throw bad(path, `${path} needs exactly one of "token" or "sha256"`);
  let sha256: string;
  if (o.token !== undefined) {
    // Short tokens can be guessed; 16 characters of a random string is the floor.
    sha256 = sha256Hex(string(o.token, `${path}.token`, 16));
  } else {
    const hex = string(o.sha256, `${path}.sha256`).toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(hex)) throw bad(`${path}.sha256`, `${path}.sha256 must be 64 hex digits`);
    sha256 = hex;
  }
  return { name, sha256, scopes: parseScopes(o.scopes ?? {}, `${path}.scopes`) };
}

function parseJwt(raw: unknown, path: string): JwtConfig {
  const o = object(raw, path);
  onlyKeys(o, ['secret', 'publicKey', 'algorithms', 'audience', 'issuer', 'scopesClaim', 'clockSkewSeconds'], path);
  if (!Array.isArray(o.algorithms) || o.algorithms.length === 0)
    throw bad(`${path}.algorithms`, `${path}.algorithms must list the accepted algorithms (e.g. ["HS256"])`);
  const algorithms: JwtAlgorithm[] = [];
  for (const [i, a] of o.algorithms.entries()) {
    if (typeof a === 'string' && a.toLowerCase() === 'none')
      throw bad(`${path}.algorithms[${i}]`, 'the "none" algorithm accepts unsigned tokens and is refused');
    if (!(JWT_ALGORITHMS as readonly unknown[]).includes(a))
      throw bad(`${path}.algorithms[${i}]`, `unsupported JWT algorithm ${JSON.stringify(a)}`);
    algorithms.push(a as JwtAlgorithm);
  }
  const secret = o.secret === undefined ? undefined : string(o.secret, `${path}.secret`, 32);
  const publicKey = o.publicKey === undefined ? undefined : string(o.publicKey, `${path}.publicKey`);
  if (publicKey !== undefined && !publicKey.includes('-----BEGIN PUBLIC KEY-----'))
    throw bad(`${path}.publicKey`, `${path}.publicKey must be a PEM "PUBLIC KEY" (SPKI)`);
  if (algorithms.some(isSymmetric) && secret === undefined)
    throw bad(`${path}.secret`, 'an HS* algorithm needs "secret"');
  if (algorithms.some((a) => !isSymmetric(a)) && publicKey === undefined)
    throw bad(`${path}.publicKey`, 'an asymmetric algorithm needs "publicKey"');
  const aud = o.audience;
  const audience = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  if (audience.length === 0 || audience.some((a) => typeof a !== 'string' || a.length === 0))
    throw bad(`${path}.audience`, `${path}.audience is required (a string or an array of strings)`);
  const skew = o.clockSkewSeconds ?? 30;
  if (typeof skew !== 'number' || !Number.isInteger(skew) || skew < 0 || skew > 300)
    throw bad(`${path}.clockSkewSeconds`, 'clockSkewSeconds must be an integer from 0 to 300');
  return {
    ...(secret === undefined ? {} : { secret }),
    ...(publicKey === undefined ? {} : { publicKey }),
    algorithms,
    audience: audience as string[],
    ...(o.issuer === undefined ? {} : { issuer: string(o.issuer, `${path}.issuer`) }),
    scopesClaim: o.scopesClaim === undefined ? 'labelkit_scopes' : string(o.scopesClaim, `${path}.scopesClaim`),
    clockSkewSeconds: skew,
  };
}

export function parseAuth(raw: unknown, path = '$.auth'): AuthConfig {
  const o = object(raw, path);
  onlyKeys(o, ['tokens', 'jwt', 'anonymous', 'cookie', 'anonymousEncoder'], path);
  if (o.tokens !== undefined && !Array.isArray(o.tokens)) throw bad(`${path}.tokens`, 'tokens must be an array');
  const names = new Set<string>();
  const tokens = ((o.tokens as unknown[] | undefined) ?? []).map((t, i) =>
    parseToken(t, `${path}.tokens[${i}]`, names),
  );
  const jwt = o.jwt === undefined ? undefined : parseJwt(o.jwt, `${path}.jwt`);
  let cookie: string | undefined;
  if (o.cookie !== undefined) {
    cookie = string(o.cookie, `${path}.cookie`);
    if (!COOKIE_NAME.test(cookie)) throw bad(`${path}.cookie`, 'cookie must be a cookie name');
    if (!jwt) throw bad(`${path}.cookie`, 'a session cookie carries a JWT: configure auth.jwt too');
  }
  if (o.anonymousEncoder !== undefined && typeof o.anonymousEncoder !== 'boolean')
    throw bad(`${path}.anonymousEncoder`, 'anonymousEncoder must be true or false');
  return {
    tokens,
    ...(jwt ? { jwt } : {}),
    anonymous: parseScopes(o.anonymous ?? {}, `${path}.anonymous`),
    ...(cookie ? { cookie } : {}),
    anonymousEncoder: (o.anonymousEncoder as boolean | undefined) ?? (tokens.length === 0 && !jwt),
  };
}

/** An exact origin: scheme, host and port, nothing else (`https://app.example.com`). */
export function parseOrigin(raw: unknown, path: string): string {
  const s = string(raw, path);
  if (s === '*') return s;
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    throw bad(path, `${JSON.stringify(s)} is not an origin like https://app.example.com`);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== s)
    throw bad(path, `${JSON.stringify(s)} must be exactly an origin (scheme://host[:port], no path or slash)`);
  return s;
}

export function parseCors(raw: unknown, path = '$.cors'): CorsConfig {
  const o = object(raw, path);
  onlyKeys(o, ['origins'], path);
  if (!Array.isArray(o.origins)) throw bad(`${path}.origins`, 'origins must be an array of origins');
  return { origins: o.origins.map((x, i) => parseOrigin(x, `${path}.origins[${i}]`)) };
}

export function parseRateLimit(raw: unknown, path = '$.rateLimit'): RateLimitConfig {
  const o = object(raw, path);
  onlyKeys(o, ['encoderPerMinute'], path);
  const n = o.encoderPerMinute ?? defaultRateLimit().encoderPerMinute;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 1_000_000)
    throw bad(`${path}.encoderPerMinute`, 'encoderPerMinute must be an integer from 1 to 1000000');
  return { encoderPerMinute: n };
}

/** Checks between sections: a wildcard CORS origin is refused as soon as any credential is in use. */
export function checkAuthAndCors(auth: AuthConfig, cors: CorsConfig): void {
  const i = cors.origins.indexOf('*');
  if (i >= 0 && (auth.tokens.length > 0 || auth.jwt || auth.cookie))
    throw bad(`$.cors.origins[${i}]`, 'cors origin "*" is refused while tokens, JWTs or cookies are in use');
}

export function parseSigningSecret(raw: unknown, path = '$.signingSecret'): string {
  return string(raw, path, 32);
}
