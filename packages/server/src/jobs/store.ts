/**
 * Job records and partial results in a dataset's target storage: `jobs/<id>.json` moved only by
 * compare-and-swap (`If-None-Match: *` to create, `If-Match` to update), `jobs/<id>/part-<n>.json` beside it.
 */
import { isStorageError } from '../storage/drivers/errors.ts';
import type { StorageDriver } from '../storage/drivers/types.ts';
import type { ItemResult, JobRecord } from './types.ts';

export const JOB_ID = /^j-[0-9a-f]{16}$/;
const JSON_TYPE = 'application/json';
const encode = (x: unknown) => new TextEncoder().encode(JSON.stringify(x));
const decode = <T>(b: Uint8Array): T => JSON.parse(new TextDecoder().decode(b)) as T;

export interface StoredJob {
  record: JobRecord;
  etag: string;
}

export class JobStore {
  readonly driver: StorageDriver;
  /** The dataset's target prefix (`''` or ending with `/`). */
  readonly prefix: string;

  constructor(driver: StorageDriver, prefix: string) {
    this.driver = driver;
    this.prefix = prefix;
  }

  #key(id: string): string {
    return `${this.prefix}jobs/${id}.json`;
  }

  async read(id: string): Promise<StoredJob | undefined> {
    if (!JOB_ID.test(id)) return undefined;
    const found = await this.driver.get(this.#key(id));
    return found ? { record: decode<JobRecord>(found.body), etag: found.etag } : undefined;
  }

  /** Writes a new record; false when the id exists. */
  async create(record: JobRecord): Promise<string | undefined> {
    try {
      return (await this.driver.put(this.#key(record.id), encode(record), { ifNoneMatch: '*', contentType: JSON_TYPE }))
        .etag;
    } catch (e) {
      if (isStorageError(e, 'storage/precondition-failed')) return undefined;
      throw e;
    }
  }

  /** Replaces the record only if it still has `etag`; the new etag, or undefined when another writer moved it. */
  async swap(record: JobRecord, etag: string): Promise<string | undefined> {
    try {
      return (await this.driver.put(this.#key(record.id), encode(record), { ifMatch: etag, contentType: JSON_TYPE }))
        .etag;
    } catch (e) {
      if (isStorageError(e, 'storage/precondition-failed')) return undefined;
      throw e;
    }
  }

  /**
   * Part `n` of the results. Written before the record that counts it, so a part is never counted unwritten; a
   * part rewritten after a lost swap holds the same items (they are redone from the same position).
   */
  async putPart(id: string, n: number, items: Record<string, ItemResult>): Promise<void> {
    await this.driver.put(`${this.prefix}jobs/${id}/part-${n}.json`, encode({ items }), { contentType: JSON_TYPE });
  }

  async readPart(id: string, n: number): Promise<Record<string, ItemResult>> {
    const found = await this.driver.get(`${this.prefix}jobs/${id}/part-${n}.json`);
    if (!found) throw new Error(`Part ${n} of job ${id} is missing`);
    return decode<{ items: Record<string, ItemResult> }>(found.body).items;
  }

  /** Ids of every job of the dataset, page by page. */
  async *ids(): AsyncGenerator<string> {
    const base = `${this.prefix}jobs/`;
    let cursor: string | undefined;
    do {
      const page = await this.driver.list(base, cursor === undefined ? {} : { cursor });
      for (const k of page.keys) {
        const name = k.key.slice(base.length);
        if (name.endsWith('.json') && JOB_ID.test(name.slice(0, -5))) yield name.slice(0, -5);
      }
      cursor = page.cursor;
    } while (cursor !== undefined);
  }
}
