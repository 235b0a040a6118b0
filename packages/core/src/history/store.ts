/**
 * Storage keys and verified reads. The history logic does no I/O of its own: it reads through an
 * {@link ObjectReader} and returns the {@link ObjectPut}s its caller must write.
 */
import { canonicalBytes } from './canonical-json.ts';
import { HistoryError } from './errors.ts';
import { assertHash, isHash, sha256Hex } from './hash.ts';

/** Where the history reads objects from (a storage driver, a cache, a Map in tests). */
export interface ObjectReader {
  /** The bytes stored under `key`, or `undefined` when there are none. */
  get(key: string): Promise<Uint8Array | undefined>;
}

/**
 * An object to write. Every key but `refs/*` is content-addressed and immutable, so the writer may use
 * `If-None-Match: *` and treat "already exists" as success.
 */
export interface ObjectPut {
  key: string;
  bytes: Uint8Array;
}

export type ObjectKind = 'objects' | 'trees' | 'commits';

export const objectKey = (hash: string): string => `objects/${hash}.json`;
export const treeKey = (hash: string): string => `trees/${hash}.json`;
export const commitKey = (hash: string): string => `commits/${hash}.json`;

// git check-ref-format, narrowed to a portable set of characters so a branch is also a safe storage key.
const REF_COMPONENT = /^(?!\.)(?!.*\.lock$)[A-Za-z0-9._-]+$/;

/** Whether `branch` is a valid branch name (`main`, `review/alice`...). */
export function isBranchName(branch: unknown): branch is string {
  if (typeof branch !== 'string' || branch.length === 0 || branch.length > 200 || branch.includes('..')) return false;
  return branch.split('/').every((c) => REF_COMPONENT.test(c));
}

/**
 * The key of a branch's ref, `refs/<branch>`. Branch names are path components of `[A-Za-z0-9._-]`,
 * joined by `/`, none starting with `.` or ending with `.lock`, no `..`, at most 200 characters.
 * @throws HistoryError `history/invalid-ref`
 */
export function refKey(branch: string): string {
  if (!isBranchName(branch)) {
    throw new HistoryError('history/invalid-ref', `Invalid branch name ${JSON.stringify(branch)}`, { path: '$' });
  }
  return `refs/${branch}`;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** The bytes of a ref pointing at `commit`: the hash and a newline, as git writes it. */
export function encodeRef(commit: string): Uint8Array {
  assertHash(commit, '$');
  return encoder.encode(`${commit}\n`);
}

/** The commit hash a ref's bytes hold. @throws HistoryError `history/corrupt-object` naming `key`. */
export function parseRef(bytes: Uint8Array, key: string): string {
  let text: string;
  try {
    text = decoder.decode(bytes).trim();
  } catch (cause) {
    throw new HistoryError('history/corrupt-object', `${key} is not UTF-8`, { key, cause });
  }
  if (!isHash(text)) throw new HistoryError('history/corrupt-object', `${key} does not hold a commit hash`, { key });
  return text;
}

/** Encodes a value canonically; its key is `<kind>/<sha256 of the bytes>.json`. */
export async function encodeObject(kind: ObjectKind, value: unknown): Promise<{ hash: string; put: ObjectPut }> {
  const bytes = canonicalBytes(value);
  const hash = await sha256Hex(bytes);
  return { hash, put: { key: `${kind}/${hash}.json`, bytes } };
}

/**
 * Reads `<kind>/<hash>.json`, checks that its bytes hash to `hash` and parses it.
 * @throws HistoryError `history/invalid-hash`, `history/missing-object` or `history/corrupt-object` (naming the key).
 */
export async function readObjectJSON(reader: ObjectReader, kind: ObjectKind, hash: string): Promise<unknown> {
  // The one place keys are built from hashes for reading: a hash from a request can never become a path.
  assertHash(hash, '$');
  const key = `${kind}/${hash}.json`;
  const bytes = await reader.get(key);
  if (bytes === undefined) throw new HistoryError('history/missing-object', `${key} is missing`, { key });
  const actual = await sha256Hex(bytes);
  if (actual !== hash) {
    throw new HistoryError('history/corrupt-object', `${key} hashes to ${actual}`, { key });
  }
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch (cause) {
    throw new HistoryError('history/corrupt-object', `${key} is not UTF-8 JSON`, { key, cause });
  }
}

/** Throws `history/corrupt-object` for a stored object that is valid JSON but not the shape the format needs. */
export function corrupt(key: string, why: string): HistoryError {
  return new HistoryError('history/corrupt-object', `${key}: ${why}`, { key });
}

/**
 * Keeps recently read immutable objects (`objects/`, `trees/`, `commits/`) in memory, up to `maxBytes`, least
 * recently used first out. Refs are never cached: they move. Safe to share between requests and datasets of
 * one storage, since a key names its content.
 */
export function cachingReader(
  reader: ObjectReader,
  maxBytes = 64 * 2 ** 20,
): ObjectReader & { readonly bytes: number } {
  const cache = new Map<string, Uint8Array>();
  let bytes = 0;
  return {
    get bytes() {
      return bytes;
    },
    async get(key: string): Promise<Uint8Array | undefined> {
      const hit = cache.get(key);
      if (hit) {
        cache.delete(key); // re-insert: Map order is the recency order
        cache.set(key, hit);
        return hit;
      }
      const value = await reader.get(key);
      if (value === undefined || key.startsWith('refs/') || value.length > maxBytes) return value;
      cache.set(key, value);
      bytes += value.length;
      for (const [k, v] of cache) {
        if (bytes <= maxBytes) break;
        cache.delete(k);
        bytes -= v.length;
      }
      return value;
    },
  };
}

/**
 * An in-memory object store: a reader over a Map, for tests, benchmarks and clients that stage commits
 * before upload. `write` follows the storage contract: immutable keys are written once.
 */
export class MemoryObjectStore implements ObjectReader {
  readonly objects = new Map<string, Uint8Array>();

  async get(key: string): Promise<Uint8Array | undefined> {
    return this.objects.get(key);
  }

  /** Writes puts whose keys are new (refs are overwritten); returns how many were new. */
  write(puts: Iterable<ObjectPut>): number {
    let written = 0;
    for (const p of puts) {
      if (this.objects.has(p.key) && !p.key.startsWith('refs/')) continue;
      this.objects.set(p.key, p.bytes);
      written++;
    }
    return written;
  }
}
