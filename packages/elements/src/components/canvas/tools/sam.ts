import { LabelKitError } from '@labelkit/core';
import { newShapeId } from '../shape-geometry.ts';
import type { Tool, ToolHost } from './types.ts';

/**
 * What `<label-canvas segmenter=...>` needs from a segmenter (DESIGN.md section 7); `@labelkit/models`'
 * `Segmenter` satisfies it. The canvas calls `setImage` once per loaded image and `segment` on each click
 * (shift-click adds a negative point), aborting the previous call's signal when a newer click arrives.
 */
export interface SamToolHost {
  setImage(image: HTMLImageElement | ImageBitmap, signal?: AbortSignal): Promise<void>;
  segment(prompt: SamPrompt, signal?: AbortSignal): Promise<SamResult>;
}

/** Points and an optional box, in image pixels. */
export interface SamPrompt {
  points: { x: number; y: number; positive: boolean }[];
  box?: { x: number; y: number; width: number; height: number };
}

/** A segmentation: the polygon (flat, image pixels) and/or the RLE mask, and the model's score. */
export interface SamResult {
  score: number;
  polygon?: number[];
  rle?: { size: [number, number]; counts: string };
}

/**
 * `sam`: the slot for interactive segmentation. Without a segmenter it reports `canvas/no-segmenter`; with one,
 * a click segments and the result is added as a model shape (polygon when given, else mask).
 */
export function samTool(host: ToolHost): Tool {
  let controller: AbortController | undefined;
  const points: SamPrompt['points'] = [];
  return {
    name: 'sam',
    cursor: 'crosshair',
    down() {},
    move() {},
    up(p) {
      const segmenter = host.segmenter;
      if (!segmenter) {
        host.error(
          new LabelKitError('canvas/no-segmenter', 'The sam tool needs a segmenter (set the segmenter property)'),
        );
        return;
      }
      if (host.readonly) return;
      controller?.abort();
      const ctrl = (controller = new AbortController());
      points.push({ x: p.x, y: p.y, positive: !p.shift });
      segmenter.segment({ points: [...points] }, ctrl.signal).then(
        (r) => {
          if (ctrl.signal.aborted) return;
          points.length = 0;
          const base = { id: newShapeId(), label: host.currentLabel(), source: 'model' as const, score: r.score };
          const shape = r.polygon
            ? { ...base, type: 'polygon' as const, points: r.polygon }
            : r.rle
              ? { ...base, type: 'mask' as const, rle: r.rle }
              : undefined;
          if (shape) host.commit({ added: [shape], updated: [], removed: [] });
        },
        (cause: unknown) => {
          if (ctrl.signal.aborted) return;
          points.length = 0;
          host.error(new LabelKitError('canvas/segment-failed', 'Segmentation failed', { cause }));
        },
      );
    },
    cancel() {
      controller?.abort();
      points.length = 0;
    },
  };
}
