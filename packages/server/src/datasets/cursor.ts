/**
 * Opaque page cursors: base64url JSON with a kind tag, so a cursor of one listing is refused by another
 * (`dataset/invalid-cursor`). They hold no secret; everything in them is checked again when it is used.
 */
import { DatasetError } from './errors.ts';

const invalid = () =>
  new DatasetError('dataset/invalid-cursor', 'This cursor was not issued for this listing', { path: '$.cursor' });

export function encodeCursor(kind: string, state: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify({ k: kind, ...state }), 'utf8').toString('base64url');
}

/** The state of a cursor of `kind`; `check` returns it typed or undefined when a field is wrong. */
export function decodeCursor<T>(
  kind: string,
  cursor: string,
  check: (state: Record<string, unknown>) => T | undefined,
): T {
  if (cursor.length > 4096 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let state: unknown;
  try {
    state = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof state !== 'object' || state === null || (state as { k?: unknown }).k !== kind) throw invalid();
  const out = check(state as Record<string, unknown>);
  if (out === undefined) throw invalid();
  return out;
}
