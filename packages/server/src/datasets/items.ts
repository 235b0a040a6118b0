/** Pages of a dataset's source images, read page by page from the source driver's listing. */
import { isStorageError } from '../storage/drivers/errors.ts';
import type { StorageDriver } from '../storage/drivers/types.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { DatasetError } from './errors.ts';

/** Extensions of the objects listed as items (api.md), case-insensitive. */
export const IMAGE_EXTENSIONS = ['png', 'jpg', 'jpeg', 'webp', 'gif', 'bmp', 'tif', 'tiff', 'avif'] as const;
const IMAGE = new RegExp(`\\.(${IMAGE_EXTENSIONS.join('|')})$`, 'i');

/** One source image and a signed GET URL for it. */
export interface SourceItem {
  /** The key relative to the dataset's source prefix; also the item id in the history. */
  id: string;
  /** The key in the source storage. */
  key: string;
  size: number;
  etag: string;
  url: string;
  expiresAt: string;
}

export interface ItemsPage {
  items: SourceItem[];
  /** Present when there may be more items. */
  cursor?: string;
}

export interface ListItemsOptions {
  cursor?: string;
  /** Items per page, 1 to 1000 (default 100). */
  limit?: number;
  signal?: AbortSignal;
  /** Seconds the signed URLs live (default: the driver's, 5 minutes). */
  expiresIn?: number;
  /**
   * Most listing requests one page may make (default 64). A prefix crowded with non-images then yields a short
   * page with a cursor instead of one request that scans the whole bucket.
   */
  maxListCalls?: number;
}

export const isImageKey = (key: string): boolean => IMAGE.test(key);

/**
 * One page of items. Each listing request asks the driver for exactly the number of items still missing, so
 * the driver's own cursor is always where the next page starts and no key is skipped or listed twice.
 */
export async function listSourceItems(
  driver: StorageDriver,
  prefix: string,
  options: ListItemsOptions = {},
): Promise<ItemsPage> {
  const limit = options.limit ?? 100;
  let cursor =
    options.cursor === undefined
      ? undefined
      : decodeCursor('items', options.cursor, (s) => (typeof s.c === 'string' && s.c.length > 0 ? s.c : undefined));
  const found: { id: string; key: string; size: number; etag: string }[] = [];
  const maxCalls = options.maxListCalls ?? 64;
  let calls = 0;
  do {
    options.signal?.throwIfAborted();
    let page: Awaited<ReturnType<StorageDriver['list']>>;
    try {
      page = await driver.list(prefix, { limit: limit - found.length, ...(cursor === undefined ? {} : { cursor }) });
    } catch (e) {
      // A cursor the driver cannot use (edited by hand) is the client's error, not the storage's.
      if (options.cursor !== undefined && isStorageError(e, 'storage/invalid-option'))
        throw new DatasetError('dataset/invalid-cursor', 'This cursor was not issued for this listing', {
          path: '$.cursor',
        });
      throw e;
    }
    calls++;
    for (const k of page.keys)
      if (k.key.startsWith(prefix) && k.key.length > prefix.length && isImageKey(k.key))
        found.push({ id: k.key.slice(prefix.length), key: k.key, size: k.size, etag: k.etag });
    cursor = page.cursor;
  } while (found.length < limit && cursor !== undefined && calls < maxCalls);
  const items = await Promise.all(
    found.map(async (f) => {
      const signed = await driver.sign({
        key: f.key,
        method: 'GET',
        ...(options.expiresIn === undefined ? {} : { expiresIn: options.expiresIn }),
      });
      return { ...f, url: signed.url, expiresAt: signed.expiresAt };
    }),
  );
  return cursor === undefined ? { items } : { items, cursor: encodeCursor('items', { c: cursor }) };
}
