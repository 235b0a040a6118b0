/** Commits: `commits/<sha256>.json` = `{ parents, tree, author, message, time }` (DESIGN.md section 6). */
import { jsonPath } from '../errors.ts';
import { err, ok, type Result } from '../result.ts';
import { HistoryError } from './errors.ts';
import { isHash } from './hash.ts';
import { commitKey, corrupt, encodeObject, type ObjectPut, type ObjectReader, readObjectJSON } from './store.ts';

export interface Commit {
  /** Parent commit hashes: none for the first commit, one for an edit, two or more for a merge (first: the branch merged into). */
  parents: string[];
  /** Root tree hash. */
  tree: string;
  /** Who committed (a user id or `Name <email>`; the server sets it from the token, never from the body). */
  author: string;
  message: string;
  /** ISO 8601 UTC time, e.g. `2026-11-25T21:00:00.000Z`. */
  time: string;
}

/** Most parents of a merge commit. */
export const MAX_PARENTS = 16;
export const MAX_AUTHOR_LENGTH = 256;
export const MAX_MESSAGE_LENGTH = 65_536;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

const invalid = (message: string, path: string) => new HistoryError('history/invalid-commit', message, { path });

/** `undefined` when `c` is a well-formed commit, else the first problem with its path. */
export function checkCommit(c: unknown): HistoryError | undefined {
  if (typeof c !== 'object' || c === null || Array.isArray(c)) return invalid('A commit is an object', '$');
  const o = c as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!['parents', 'tree', 'author', 'message', 'time'].includes(k))
      return invalid(`Unknown field ${k}`, jsonPath('$', k));
  }
  if (!Array.isArray(o.parents) || o.parents.length > MAX_PARENTS) {
    return invalid(`parents is an array of at most ${MAX_PARENTS} hashes`, '$.parents');
  }
  for (let i = 0; i < o.parents.length; i++) {
    if (!isHash(o.parents[i])) return invalid('A parent is a commit hash', jsonPath('$.parents', i));
    if (o.parents.indexOf(o.parents[i]) !== i) return invalid('A parent is repeated', jsonPath('$.parents', i));
  }
  if (!isHash(o.tree)) return invalid('tree is a tree hash', '$.tree');
  if (typeof o.author !== 'string' || o.author.trim().length === 0 || o.author.length > MAX_AUTHOR_LENGTH) {
    return invalid(`author is a non-empty string of at most ${MAX_AUTHOR_LENGTH} characters`, '$.author');
  }
  if (typeof o.message !== 'string' || o.message.length > MAX_MESSAGE_LENGTH) {
    return invalid(`message is a string of at most ${MAX_MESSAGE_LENGTH} characters`, '$.message');
  }
  if (typeof o.time !== 'string' || !ISO_UTC.test(o.time) || Number.isNaN(Date.parse(o.time))) {
    return invalid('time is an ISO 8601 UTC time such as 2026-11-25T21:00:00.000Z', '$.time');
  }
  return undefined;
}

/**
 * Encodes a commit. The caller puts `put` (immutable) and then moves the branch ref to `hash` with a
 * compare-and-swap on the ref's previous value.
 * @returns `history/invalid-commit` (or `history/invalid-json-value` for lone surrogates), with the field's path.
 */
export async function createCommit(commit: Commit): Promise<Result<{ hash: string; put: ObjectPut }, HistoryError>> {
  const bad = checkCommit(commit);
  if (bad) return err(bad);
  // Copy the known fields only, so that a caller's extra properties never reach storage.
  const { parents, tree, author, message, time } = commit;
  try {
    return ok(await encodeObject('commits', { parents: [...parents], tree, author, message, time }));
  } catch (e) {
    if (e instanceof HistoryError) return err(e);
    throw e;
  }
}

/**
 * Reads and checks `commits/<hash>.json`.
 * @throws HistoryError `history/invalid-hash`, `history/missing-object`, `history/corrupt-object` (naming the key)
 */
export async function readCommit(reader: ObjectReader, hash: string): Promise<Commit> {
  if (!isHash(hash)) throw new HistoryError('history/invalid-hash', 'Expected a commit hash', { path: '$' });
  const json = await readObjectJSON(reader, 'commits', hash);
  const bad = checkCommit(json);
  if (bad) throw corrupt(commitKey(hash), `${bad.message} (at ${bad.path})`);
  return json as Commit;
}
