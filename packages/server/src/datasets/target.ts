/**
 * The history's I/O on its target storage (DESIGN.md section 6): verified reads through an LRU of immutable
 * objects, write-once puts of content-addressed objects, and refs moved only by compare-and-swap.
 */
import { cachingReader, encodeRef, type ObjectPut, type ObjectReader, parseRef, refKey } from '@labelkit/core';
import { isStorageError } from '../storage/drivers/errors.ts';
import type { StorageDriver } from '../storage/drivers/types.ts';

/** A branch's head and the ETag of its ref object, to pass back to {@link HistoryStore.casRef}. */
export interface RefState {
  head: string;
  etag: string;
}

export interface HistoryStoreOptions {
  driver: StorageDriver;
  /** Key prefix of the history in the driver (`''` or ending with `/`). */
  prefix: string;
  /** Bytes of immutable objects kept in memory (default 32 MiB). */
  cacheBytes?: number;
  /** Puts in flight at once (default 8): latency, not bandwidth, is what a commit waits on. */
  putConcurrency?: number;
}

const JSON_TYPE = 'application/json';
const REF_TYPE = 'text/plain';

export class HistoryStore {
  readonly driver: StorageDriver;
  readonly prefix: string;
  /** Reads straight from storage (for streaming many documents through without evicting the cache). */
  readonly raw: ObjectReader;
  /** Reads through the LRU; safe for every immutable key, never used for refs. */
  readonly reader: ObjectReader;
  readonly #putConcurrency: number;

  constructor(options: HistoryStoreOptions) {
    this.driver = options.driver;
    this.prefix = options.prefix;
    this.#putConcurrency = options.putConcurrency ?? 8;
    this.raw = {
      get: async (key: string) => (await this.driver.get(this.prefix + key))?.body,
    };
    this.reader = cachingReader(this.raw, options.cacheBytes ?? 32 * 2 ** 20);
  }

  /**
   * Writes immutable objects with `If-None-Match: *`. A key that exists already holds the same bytes (its name
   * is their hash), so a failed precondition is success. Only the ref makes objects reachable, so the order of
   * these puts does not matter to readers.
   */
  async putImmutable(puts: readonly ObjectPut[]): Promise<void> {
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < puts.length; i = next++) {
        const p = puts[i] as ObjectPut;
        try {
          await this.driver.put(this.prefix + p.key, p.bytes, { ifNoneMatch: '*', contentType: JSON_TYPE });
        } catch (e) {
          if (!isStorageError(e, 'storage/precondition-failed')) throw e;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#putConcurrency, puts.length) }, worker));
  }

  /** The head of `branch` and its ref's ETag, or undefined when the branch does not exist. */
  async readRef(branch: string): Promise<RefState | undefined> {
    const key = refKey(branch);
    const found = await this.driver.get(this.prefix + key);
    if (!found) return undefined;
    return { head: parseRef(found.body, key), etag: found.etag };
  }

  /**
   * Moves `branch` to `head` only if its ref still has `etag` (`If-Match`), or creates it only if it does not
   * exist (`etag` undefined: `If-None-Match: *`). The one way a ref moves.
   * @returns false when another writer moved (or created) the ref first.
   */
  async casRef(branch: string, head: string, etag: string | undefined): Promise<boolean> {
    const key = this.prefix + refKey(branch);
    try {
      await this.driver.put(
        key,
        encodeRef(head),
        etag === undefined ? { ifNoneMatch: '*', contentType: REF_TYPE } : { ifMatch: etag, contentType: REF_TYPE },
      );
      return true;
    } catch (e) {
      if (isStorageError(e, 'storage/precondition-failed')) return false;
      throw e;
    }
  }

  /** Every branch name with a ref, streamed page by page from storage. */
  async *branches(): AsyncGenerator<string> {
    const refs = `${this.prefix}refs/`;
    let cursor: string | undefined;
    do {
      const page = await this.driver.list(refs, cursor === undefined ? {} : { cursor });
      for (const k of page.keys) if (k.key.startsWith(refs)) yield k.key.slice(refs.length);
      cursor = page.cursor;
    } while (cursor !== undefined);
  }
}
