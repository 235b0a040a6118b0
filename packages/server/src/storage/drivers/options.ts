import { StorageError } from './errors.ts';
import { DEFAULT_EXPIRES_IN, DEFAULT_LIST_LIMIT, MAX_EXPIRES_IN, type SignRequest } from './types.ts';

const invalid = (message: string, path: string) => new StorageError('storage/invalid-option', message, { path });

/** Seconds a signed URL lives: default 5 minutes, refused past 1 hour (signed URLs live minutes, not days). */
export function checkExpiresIn(expiresIn: number | undefined): number {
  if (expiresIn === undefined) return DEFAULT_EXPIRES_IN;
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_EXPIRES_IN)
    throw invalid(`expiresIn must be an integer from 1 to ${MAX_EXPIRES_IN} seconds`, '$.expiresIn');
  return expiresIn;
}

export function checkListLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIST_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > DEFAULT_LIST_LIMIT)
    throw invalid(`limit must be an integer from 1 to ${DEFAULT_LIST_LIMIT}`, '$.limit');
  return limit;
}

// type/subtype with optional parameters, no CR/LF (a content type is copied into signed headers).
const CONTENT_TYPE =
  /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*(\s*;\s*[a-z0-9_.+-]+=("[^"\r\n]*"|[^;\s"]+))*$/i;

/** Checks a content type (`type/subtype[; param=value]`) and lowercases its media type. */
export function checkContentType(contentType: string | undefined, path = '$.contentType'): string | undefined {
  if (contentType === undefined) return undefined;
  if (typeof contentType !== 'string' || contentType.length > 200 || !CONTENT_TYPE.test(contentType))
    throw invalid('contentType must be a media type like image/png', path);
  const [media = '', ...params] = contentType.split(';');
  return [media.trim().toLowerCase(), ...params.map((p) => p.trim())].join('; ');
}

export function checkSignRequest(req: SignRequest): void {
  if (req.method !== 'GET' && req.method !== 'PUT') throw invalid('method must be GET or PUT', '$.method');
  if (req.maxBytes !== undefined && (!Number.isSafeInteger(req.maxBytes) || req.maxBytes < 0))
    throw invalid('maxBytes must be a non-negative integer', '$.maxBytes');
  if (req.method === 'GET' && (req.maxBytes !== undefined || req.contentType !== undefined))
    throw invalid('contentType and maxBytes apply to PUT only', '$.method');
}

/**
 * What every URL-signing cloud driver checks before it signs: the request's shape, a writable storage for a PUT,
 * and no `maxBytes`, which their signed URLs cannot bind (`noSizeLimit` says what to use instead).
 */
export function checkUrlSignRequest(
  request: SignRequest,
  readOnly: boolean,
  noSizeLimit: string,
): { expiresIn: number; contentType: string | undefined } {
  checkSignRequest(request);
  const expiresIn = checkExpiresIn(request.expiresIn);
  const contentType = checkContentType(request.contentType);
  if (request.method === 'PUT') {
    if (readOnly) throw new StorageError('storage/read-only', 'This storage is read-only');
    if (request.maxBytes !== undefined)
      throw new StorageError('storage/unsupported', noSizeLimit, { path: '$.maxBytes' });
  }
  return { expiresIn, contentType };
}
