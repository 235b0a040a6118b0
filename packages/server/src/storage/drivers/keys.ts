import { StorageError } from './errors.ts';

/** Longest key accepted, in UTF-8 bytes (S3's own limit). */
export const MAX_KEY_BYTES = 1024;

const encoder = new TextEncoder();
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

const refuse = (why: string): StorageError =>
  new StorageError('storage/forbidden-key', `Storage key refused: ${why}`, { path: '$.key' });

function checkForm(key: string): void {
  if (CONTROL.test(key)) throw refuse('it contains control characters');
  if (key.includes('\\')) throw refuse('it contains a backslash');
  if (key.startsWith('/') || /^[A-Za-z]:/.test(key)) throw refuse('it is absolute');
  for (const part of key.split('/'))
    if (part === '' || part === '.' || part === '..') throw refuse('it has an empty, "." or ".." segment');
}

/**
 * Normalizes a storage key (NFC) and refuses any that could leave the storage root, in the raw form and in
 * every percent-decoded form (`%2e%2e`, `%252e%252e`, `%5c`, `%00`...), since some layer between the browser
 * and the disk may decode once more: `..`, `.` and empty segments (`//`), absolute paths (`/x`, `C:`),
 * backslashes, NUL and control characters, keys over 1024 bytes. Throws `StorageError` `storage/forbidden-key`.
 * The key is returned un-decoded: `a%20b` names the object `a%20b`.
 */
export function normalizeStorageKey(key: unknown): string {
  if (typeof key !== 'string' || key.length === 0) throw refuse('it must be a non-empty string');
  const nfc = key.normalize('NFC');
  if (encoder.encode(nfc).length > MAX_KEY_BYTES) throw refuse(`it is longer than ${MAX_KEY_BYTES} bytes`);
  let form = nfc;
  // Decoding stops when nothing changes; four rounds cover any double/triple encoding a proxy could undo.
  for (let round = 0; round < 4; round++) {
    checkForm(form);
    if (!form.includes('%')) return nfc;
    let decoded: string;
    try {
      decoded = decodeURIComponent(form);
    } catch {
      throw refuse('it has a malformed percent-encoding');
    }
    if (decoded === form) return nfc;
    form = decoded;
  }
  throw refuse('it is percent-encoded too many times');
}

/**
 * Checks a driver prefix (`''` or segments ending with `/`, e.g. `datasets/d1/`) with the same rules as keys.
 */
export function normalizePrefix(prefix: string | undefined): string {
  if (prefix === undefined || prefix === '') return '';
  const bare = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  return `${normalizeStorageKey(bare)}/`;
}

/**
 * Checks a list prefix: like a key, but it may be empty and may end with `/` (a folder) or in the middle of a
 * segment (`images/a` lists `images/a1.png` and `images/a/b.png`).
 */
export function normalizeListPrefix(prefix: string | undefined): string {
  if (prefix === undefined || prefix === '') return '';
  if (prefix.endsWith('/')) return `${normalizeStorageKey(prefix.slice(0, -1))}/`;
  return normalizeStorageKey(prefix);
}
