/** The items of a job, in a stable order, from a checkpointed position on. */
import { isImageKey } from '../datasets/items.ts';
import type { DatasetService } from '../datasets/service.ts';
import type { JobRecord, JobSpec } from './types.ts';

/** Items a job goes over: the list's length, or the images of the listing (one pass over it). */
export async function countItems(service: DatasetService, spec: JobSpec): Promise<number> {
  if ('list' in spec.items) return spec.items.list.length;
  const sourcePrefix = service.dataset.source.prefix;
  let n = 0;
  let cursor: string | undefined;
  do {
    const page = await service.source.list(sourcePrefix + spec.items.prefix, cursor === undefined ? {} : { cursor });
    for (const k of page.keys) if (k.key.length > sourcePrefix.length && isImageKey(k.key)) n++;
    cursor = page.cursor;
  } while (cursor !== undefined);
  return n;
}

/** Called for each item (`next` false), and at each listing page's end (no item; `next` undefined after the last). */
export type EachItem = (
  item: string | undefined,
  key: string | undefined,
  offset: number,
  next: string | undefined | false,
) => Promise<void>;

/**
 * Calls `each(item, key, offset, false)` for every item from the record's position on (offset = the position
 * just after it: items of the page done, or the list index), and `each(undefined, undefined, 0, next)` at each
 * listing page's end. `check` runs before each item and may throw to stop.
 */
export async function walkItems(
  service: DatasetService,
  record: JobRecord,
  pageSize: number,
  check: () => void,
  each: EachItem,
): Promise<void> {
  const sourcePrefix = service.dataset.source.prefix;
  const { items } = record.spec;
  if (record.position.complete) return;
  if ('list' in items) {
    for (let i = record.position.offset; i < items.list.length; i++) {
      check();
      const item = items.list[i] as string;
      await each(item, sourcePrefix + item, i + 1, false);
    }
    return;
  }
  let page = record.position.page;
  let offset = record.position.offset;
  for (;;) {
    check();
    // The same cursor lists the same page again (keys in order), so `offset` finds where the job stopped.
    const listed = await service.source.list(sourcePrefix + items.prefix, {
      limit: pageSize,
      ...(page === undefined ? {} : { cursor: page }),
    });
    const keys = listed.keys.filter((k) => k.key.length > sourcePrefix.length && isImageKey(k.key));
    for (let i = offset; i < keys.length; i++) {
      check();
      const key = (keys[i] as { key: string }).key;
      await each(key.slice(sourcePrefix.length), key, i + 1, false);
    }
    await each(undefined, undefined, 0, listed.cursor);
    if (listed.cursor === undefined) return;
    page = listed.cursor;
    offset = 0;
  }
}
