/**
 * The checks a document must pass before it enters the history. They cover what the history itself relies on
 * (version, the item id matching its key in the tree, unique shape ids for the per-shape merge, JSON-only
 * values); the full record rules belong to the records' validator.
 */

import { jsonPath } from '../errors.ts';
import { HistoryError } from './errors.ts';

/** Longest item id accepted: ids become tree keys, kept small so shards stay small. */
export const MAX_ITEM_ID_LENGTH = 1024;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const SHAPE_TYPES = new Set(['box', 'polygon', 'polyline', 'point', 'mask']);

function invalidDoc(message: string, path: string): HistoryError {
  return new HistoryError('history/invalid-document', message, { path });
}

/** `undefined` when `id` can name an item, else `history/invalid-item-id`. */
export function checkItemId(id: unknown, path = '$'): HistoryError | undefined {
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ITEM_ID_LENGTH || LONE_SURROGATE.test(id)) {
    return new HistoryError(
      'history/invalid-item-id',
      `An item id is a non-empty string of at most ${MAX_ITEM_ID_LENGTH} UTF-16 units, without lone surrogates`,
      { path },
    );
  }
  return undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `undefined` when `doc` may be stored as item `itemId`; else the first problem, with its JSON path. */
export function checkDocument(doc: unknown, itemId: string, path = '$'): HistoryError | undefined {
  if (!isRecord(doc)) return invalidDoc('A document is an object', path);
  if (doc.version !== 1) return invalidDoc('Only document version 1 is stored', jsonPath(path, 'version'));
  const item = doc.item;
  if (!isRecord(item)) return invalidDoc('item is an object', jsonPath(path, 'item'));
  if (item.id !== itemId) {
    return invalidDoc(`item.id must equal the item id ${JSON.stringify(itemId)}`, jsonPath(path, 'item', 'id'));
  }
  for (const dim of ['width', 'height'] as const) {
    const v = item[dim];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      return invalidDoc(`item.${dim} is a positive number`, jsonPath(path, 'item', dim));
    }
  }
  if (!Array.isArray(doc.shapes)) return invalidDoc('shapes is an array', jsonPath(path, 'shapes'));
  const seen = new Set<string>();
  for (let i = 0; i < doc.shapes.length; i++) {
    const s: unknown = doc.shapes[i];
    const at = jsonPath(path, 'shapes', i);
    if (!isRecord(s)) return invalidDoc('A shape is an object', at);
    if (typeof s.id !== 'string' || s.id.length === 0)
      return invalidDoc('A shape id is a non-empty string', jsonPath(at, 'id'));
    // The per-shape merge matches shapes by id: two shapes with one id would merge unpredictably.
    if (seen.has(s.id)) return invalidDoc(`Duplicate shape id ${JSON.stringify(s.id)}`, jsonPath(at, 'id'));
    seen.add(s.id);
    if (typeof s.type !== 'string' || !SHAPE_TYPES.has(s.type))
      return invalidDoc('Unknown shape type', jsonPath(at, 'type'));
    if (typeof s.label !== 'string') return invalidDoc('A shape label is a string', jsonPath(at, 'label'));
  }
  if (doc.tags !== undefined) {
    if (!Array.isArray(doc.tags) || doc.tags.some((t) => typeof t !== 'string')) {
      return invalidDoc('tags is an array of strings', jsonPath(path, 'tags'));
    }
    if (new Set(doc.tags).size !== doc.tags.length) return invalidDoc('tags repeat a tag', jsonPath(path, 'tags'));
  }
  return undefined;
}
