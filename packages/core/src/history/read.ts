import type { AnnotationDocument } from '../records/types.ts';
import { assertHash } from './hash.ts';
import { readDocument } from './merge.ts';
import type { ObjectReader } from './store.ts';
import { lookupItem } from './tree.ts';

/**
 * The document of item `itemId` in `tree`, or `undefined` when the tree has no such item. Reads one tree node
 * per level and the document, each checked against its hash.
 * @throws HistoryError `history/invalid-hash`, `history/missing-object`, `history/corrupt-object`
 */
export async function readItem(
  reader: ObjectReader,
  tree: string,
  itemId: string,
): Promise<AnnotationDocument | undefined> {
  assertHash(tree, '$.tree');
  const hash = await lookupItem(reader, tree, itemId);
  return hash === undefined ? undefined : readDocument(reader, hash, itemId);
}
