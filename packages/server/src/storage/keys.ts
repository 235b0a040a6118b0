import { HttpError } from '../errors.ts';

const MAX_KEY_BYTES = 1024;

/**
 * Normalizes a storage key and refuses the ones that could leave the storage root: `..` segments, absolute
 * paths, backslashes, control characters, empty segments and over-long keys (DESIGN.md section 9).
 */
export function normalizeKey(key: unknown): string {
  const refuse = (why: string) =>
    new HttpError(400, 'storage/forbidden-key', `Storage key refused: ${why}`, { path: '$.key' });
  if (typeof key !== 'string' || key.length === 0) throw refuse('it must be a non-empty string');
  if (new TextEncoder().encode(key).length > MAX_KEY_BYTES) throw refuse(`it is longer than ${MAX_KEY_BYTES} bytes`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused.
  if (/[\u0000-\u001f\u007f]/.test(key)) throw refuse('it contains control characters');
  if (key.includes('\\')) throw refuse('it contains a backslash');
  if (key.startsWith('/')) throw refuse('it is absolute');
  const parts = key.normalize('NFC').split('/');
  if (parts.some((p) => p === '..' || p === '.' || p === '')) throw refuse('it has an empty, "." or ".." segment');
  return parts.join('/');
}
