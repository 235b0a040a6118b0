/** How a job's predictions land on an item's document: human shapes stay as they are, model shapes are replaced. */
import type { AnnotationDocument } from '@labelkit/core';
import type { ItemResult } from './types.ts';

/**
 * The item's document with `result`'s shapes as its model shapes: every shape that is not `source: 'model'`
 * (human shapes, and shapes with no source, which people drew) is kept unchanged and in order; the model
 * shapes of earlier jobs are replaced. Undefined when nothing would change (no document and no prediction).
 */
export function mergePredictions(
  itemId: string,
  existing: AnnotationDocument | undefined,
  result: ItemResult,
): AnnotationDocument | undefined {
  if (!existing) {
    if (result.shapes.length === 0) return undefined;
    return { version: 1, item: { id: itemId, width: result.width, height: result.height }, shapes: result.shapes };
  }
  const kept = existing.shapes.filter((s) => s.source !== 'model');
  if (kept.length === existing.shapes.length && result.shapes.length === 0) return undefined;
  const taken = new Set(kept.map((s) => s.id));
  // A human shape could, in theory, hold the id a prediction got: the prediction then gets another.
  const shapes = result.shapes.map((s) => (taken.has(s.id) ? { ...s, id: `${s.id}-${taken.size}` } : s));
  return { ...existing, shapes: [...kept, ...shapes] };
}
