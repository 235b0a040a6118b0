import type { Context } from 'hono';
import { HttpError } from '../errors.ts';

/** What a principal may do on a dataset; each scope includes the ones before it. */
export const Scope = { Read: 'read', Write: 'write', Admin: 'admin' } as const;
export type Scope = (typeof Scope)[keyof typeof Scope];

const RANK: Record<Scope, number> = { read: 1, write: 2, admin: 3 };

/** Who made the request: a configured token or a verified JWT. */
export interface Principal {
  /** Recorded as the author of commits (token name, or the JWT's `sub`). */
  name: string;
  /** Dataset id (or `'*'` for every dataset) -> scope. */
  scopes: Readonly<Record<string, Scope>>;
  /** How the principal was authenticated. */
  via: 'token' | 'jwt' | 'anonymous' | 'cookie';
}

export interface AuthEnv {
  Variables: { principal?: Principal };
}

export const isScope = (x: unknown): x is Scope => x === 'read' || x === 'write' || x === 'admin';

/** The highest scope the principal holds on `dataset` (its own entry or `'*'`), or undefined. */
export function scopeOf(principal: Principal | undefined, dataset: string): Scope | undefined {
  if (!principal) return undefined;
  const own = principal.scopes[dataset];
  const all = principal.scopes['*'];
  if (own && all) return RANK[own] >= RANK[all] ? own : all;
  return own ?? all;
}

export function can(principal: Principal | undefined, dataset: string, need: Scope): boolean {
  const have = scopeOf(principal, dataset);
  return have !== undefined && RANK[have] >= RANK[need];
}

/**
 * Throws 401 (`auth/unauthenticated`) without a principal, 403 (`auth/forbidden`) when it lacks `need` on
 * `dataset`; returns the principal otherwise. Routes call this before touching storage.
 */
export function requireScope(c: Context<AuthEnv>, dataset: string, need: Scope): Principal {
  const principal = c.get('principal');
  if (!principal)
    throw new HttpError(401, 'auth/unauthenticated', 'A bearer token is required', {
      headers: { 'WWW-Authenticate': 'Bearer realm="labelkit"' },
    });
  if (!can(principal, dataset, need))
    throw new HttpError(403, 'auth/forbidden', `This token may not ${need} dataset "${dataset}"`);
  return principal;
}
