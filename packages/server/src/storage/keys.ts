import { HttpError } from '../errors.ts';
import { StorageError } from './drivers/errors.ts';
import { normalizeStorageKey } from './drivers/keys.ts';

/**
 * Normalizes a storage key named by a request, with the storage drivers' rules (`normalizeStorageKey`: `..`, `.`
 * and empty segments, absolute paths, backslashes, control characters, over-long keys, in raw and percent-decoded
 * forms), refusing it as an HTTP 400 `storage/forbidden-key` (DESIGN.md section 9).
 */
export function normalizeKey(key: unknown): string {
  try {
    return normalizeStorageKey(key);
  } catch (e) {
    if (e instanceof StorageError) throw new HttpError(400, e.code, e.message, { path: '$.key' });
    throw e;
  }
}
