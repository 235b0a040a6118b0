import { createHmac, timingSafeEqual } from 'node:crypto';
import { err, ok, type Result } from '@labelkit/core';
import { StorageError } from './errors.ts';

/** What an fs signed URL grants: one method on one key until `expires`, with its content type and size limit. */
export interface FsGrant {
  method: 'GET' | 'PUT';
  /** The full key (driver prefix included), so a URL is valid for one driver's folder only. */
  key: string;
  /** Unix time in seconds. */
  expires: number;
  /** PUT: the content type the upload must carry; `''` when none was signed. */
  contentType: string;
  /** PUT: the largest body accepted; -1 when unlimited. */
  maxBytes: number;
}

/** Query parameters of an fs signed URL. */
export interface FsSignatureParams {
  method: string | undefined;
  expires: string | undefined;
  ct: string | undefined;
  max: string | undefined;
  sig: string | undefined;
}

// Fields are joined with a newline, which no field may contain (keys refuse control characters, content types
// refuse CR/LF, numbers are digits), so no two grants share a canonical string.
const canonical = (g: FsGrant): string =>
  ['labelkit-fs-v1', g.method, g.key, String(g.expires), g.contentType, String(g.maxBytes)].join('\n');

export function fsSignature(grant: FsGrant, secret: string | Uint8Array): string {
  return createHmac('sha256', secret).update(canonical(grant)).digest('base64url');
}

/** The query string of a signed URL for `grant` (without `?`). */
export function fsSignedQuery(grant: FsGrant, secret: string | Uint8Array): string {
  const q = new URLSearchParams({ method: grant.method, expires: String(grant.expires) });
  if (grant.contentType !== '') q.set('ct', grant.contentType);
  if (grant.maxBytes >= 0) q.set('max', String(grant.maxBytes));
  q.set('sig', fsSignature(grant, secret));
  return q.toString();
}

const refuse = (code: 'storage/bad-signature' | 'storage/expired' | 'storage/method-mismatch', message: string) =>
  err(new StorageError(code, message));

/**
 * Checks a signed fs URL for a request of `method` on the full `key`: the signature (constant-time compare),
 * then the method and expiry. Returns the grant, or `storage/bad-signature`, `storage/method-mismatch` or
 * `storage/expired`. The content type and size of a PUT are the caller's to enforce against the grant.
 */
export function verifyFsSignature(
  request: { method: string; key: string; params: FsSignatureParams },
  secret: string | Uint8Array,
  now: number = Date.now(),
): Result<FsGrant, StorageError> {
  const { params } = request;
  const signedMethod = params.method;
  if (signedMethod !== 'GET' && signedMethod !== 'PUT') return refuse('storage/bad-signature', 'Invalid signed URL');
  if (params.sig === undefined || params.expires === undefined || !/^\d{1,12}$/.test(params.expires))
    return refuse('storage/bad-signature', 'Invalid signed URL');
  if (params.max !== undefined && !/^\d{1,15}$/.test(params.max))
    return refuse('storage/bad-signature', 'Invalid signed URL');
  const grant: FsGrant = {
    method: signedMethod,
    key: request.key,
    expires: Number(params.expires),
    contentType: params.ct ?? '',
    maxBytes: params.max === undefined ? -1 : Number(params.max),
  };
  const expected = Buffer.from(fsSignature(grant, secret), 'base64url');
  const given = Buffer.from(params.sig, 'base64url');
  // timingSafeEqual needs equal lengths; a length mismatch reveals only the (public) signature length.
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return refuse('storage/bad-signature', 'Invalid signed URL');
  if (request.method !== signedMethod)
    return refuse('storage/method-mismatch', `This URL is signed for ${signedMethod}, not ${request.method}`);
  if (grant.expires * 1000 <= now) return refuse('storage/expired', 'This signed URL has expired');
  return ok(grant);
}
