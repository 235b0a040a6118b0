/** Detections as core shapes (`source: 'model'` with their score), ready to add to a document. */
import type { Box, Mask, Shape } from '@labelkit/core';
import type { Detection } from './detector.ts';

export interface ToShapesOptions {
  /** Makes shape ids. Default: `det-` and a random UUID. */
  newId?: () => string;
  /**
   * For a detection with a mask: `mask` gives the mask only, `both` the mask and its box. Detections without a
   * mask always give a box. Default `mask`.
   */
  masks?: 'mask' | 'both';
}

const randomId = () => `det-${globalThis.crypto.randomUUID()}`;

/** One box (and/or mask) shape per detection, labelled with its dataset label, else its class name. */
export function detectionsToShapes(detections: readonly Detection[], options: ToShapesOptions = {}): Shape[] {
  const newId = options.newId ?? randomId;
  const shapes: Shape[] = [];
  for (const d of detections) {
    const base = { label: d.label ?? d.className, source: 'model' as const, score: d.score };
    if (!d.mask || options.masks === 'both') {
      const box: Box = { id: newId(), type: 'box', ...base, ...d.box };
      shapes.push(box);
    }
    if (d.mask) {
      const mask: Mask = { id: newId(), type: 'mask', ...base, rle: d.mask };
      shapes.push(mask);
    }
  }
  return shapes;
}
