/**
 * Lineage of source images (issue 12): each committed document records the ETag and size of the image it
 * was labeled on (`item.image`, stamped by the server); these compare it with the image in storage now.
 */
import type { AnnotationDocument, FidelityEntry, ImageStamp } from '@labelkit/core';
import { isStorageError } from '../storage/drivers/errors.ts';
import type { Location } from './digest.ts';

export const LineageStatus = {
  /** The image is still the one the annotations were made on. */
  Unchanged: 'unchanged',
  /** The image under the item's key has other content (another ETag) than when it was committed. */
  Changed: 'image-changed',
  /** No image under the item's key any more. */
  Missing: 'image-missing',
  /** The document records no image (committed before lineage, or the image did not exist then). */
  Unrecorded: 'unrecorded',
} as const;
export type LineageStatus = (typeof LineageStatus)[keyof typeof LineageStatus];

/**
 * The stamp of the image of item `itemId` in the dataset's source, or undefined when there is no such
 * image (or the id cannot be a storage key).
 */
export async function imageStamp(source: Location, itemId: string): Promise<ImageStamp | undefined> {
  try {
    const info = await source.driver.head(source.prefix + itemId);
    return info && { etag: info.etag, size: info.size };
  } catch (e) {
    if (isStorageError(e, 'storage/forbidden-key')) return undefined;
    throw e;
  }
}

export interface LineageCheck {
  status: LineageStatus;
  recorded?: ImageStamp;
  current?: ImageStamp;
}

/** Compares a document's recorded image with the image in `source` now. */
export async function checkLineage(source: Location, doc: AnnotationDocument): Promise<LineageCheck> {
  const recorded = doc.item.image;
  if (!recorded) return { status: 'unrecorded' };
  const current = await imageStamp(source, doc.item.id);
  if (!current) return { status: 'image-missing', recorded };
  const changed = current.etag !== recorded.etag || (recorded.size !== undefined && current.size !== recorded.size);
  return { status: changed ? 'image-changed' : 'unchanged', recorded, current };
}

/** One line about a changed or missing image, for reports. */
export function describeLineage(itemId: string, c: LineageCheck): string {
  if (c.status === 'image-missing')
    return `the image of ${JSON.stringify(itemId)} (ETag ${c.recorded?.etag}) is gone from the source`;
  return `the image of ${JSON.stringify(itemId)} changed since it was labeled: ETag ${c.recorded?.etag}, now ${c.current?.etag}`;
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * The documents of a commit with `item.image` set from the source image as it is now (one `head` per item,
 * `concurrency` at once), or removed when the item has no image in the source: a value a client sent is never
 * kept. Deletions (null) and values that are not documents pass through unchanged, for validation to refuse.
 */
export async function stampImages<T>(
  source: Location,
  items: ReadonlyMap<string, T>,
  concurrency = 16,
): Promise<Map<string, T>> {
  const out = new Map(items);
  const ids = [...items.keys()].filter((id) => {
    const d = items.get(id);
    return isRecord(d) && isRecord(d.item);
  });
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < ids.length; i = next++) {
      const id = ids[i] as string;
      const doc = items.get(id) as Record<string, unknown> & { item: Record<string, unknown> };
      const { image: _client, ...item } = doc.item;
      const stamp = await imageStamp(source, id);
      out.set(id, { ...doc, item: stamp ? { ...item, image: stamp } : item } as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, worker));
  return out;
}

/** The fidelity-report entry of an export for a document whose image changed or vanished, else undefined. */
export function lineageFidelity(source: Location): (doc: AnnotationDocument) => Promise<FidelityEntry | undefined> {
  return async (doc) => {
    const c = await checkLineage(source, doc);
    if (c.status !== 'image-changed' && c.status !== 'image-missing') return undefined;
    return { code: c.status, itemId: doc.item.id, message: describeLineage(doc.item.id, c) };
  };
}

/**
 * Passes documents through in order while checking each one's lineage `ahead` documents in advance (an
 * export of 100,000 items waits on storage latency once, not once per item). Before a document is yielded,
 * its entry, if any, is pushed onto `entries`.
 */
export async function* withLineage(
  documents: AsyncIterable<AnnotationDocument> | Iterable<AnnotationDocument>,
  check: (doc: AnnotationDocument) => Promise<FidelityEntry | undefined>,
  entries: FidelityEntry[],
  ahead = 16,
): AsyncGenerator<AnnotationDocument> {
  const queue: { doc: AnnotationDocument; entry: Promise<FidelityEntry | undefined> }[] = [];
  const take = async () => {
    const { doc, entry } = queue.shift() as (typeof queue)[number];
    const e = await entry;
    if (e) entries.push(e);
    return doc;
  };
  for await (const doc of documents) {
    const entry = check(doc);
    entry.catch(() => undefined); // awaited in order below; this keeps a failure from being "unhandled" meanwhile
    queue.push({ doc, entry });
    if (queue.length >= ahead) yield await take();
  }
  while (queue.length > 0) yield await take();
}
