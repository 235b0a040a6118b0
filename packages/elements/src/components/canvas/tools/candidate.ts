/**
 * What the model tools (`sam`, `extreme`) share: the segmenter interface the canvas expects, and the candidate
 * a prompt gives (one request in flight, stale results dropped, shown over the image until accepted or dropped).
 */
import type { Shape } from '@labelkit/core';
import { LabelKitError } from '@labelkit/core';
import { newShapeId } from '../shape-geometry.ts';
import type { Tool, ToolHost } from './types.ts';

/**
 * What `<label-canvas segmenter=...>` needs from a segmenter (DESIGN.md section 7). `@labelkit/models`'
 * `Segmenter` satisfies it structurally, so elements never loads the model runtime itself. The canvas calls
 * `setImage` once per loaded image (decoded pixels, or the image URL when its pixels cannot be read) and
 * `segment` on each prompt, aborting the previous call's signal when a newer prompt arrives.
 */
export interface SamToolHost {
  setImage(image: ImageData | string, signal?: AbortSignal): Promise<unknown>;
  segment(prompt: SamPrompt, signal?: AbortSignal): Promise<SamResult>;
}

/** Points and an optional box, in image pixels. */
export interface SamPrompt {
  points?: { x: number; y: number; positive: boolean }[];
  box?: { x: number; y: number; width: number; height: number };
  /** Feed the previous result back to the decoder (refining it); false for the first prompt of a candidate. */
  refine?: boolean;
}

/** A segmentation: the mask as COCO RLE, its outlines with holes (flat, image pixels), and the model's score. */
export interface SamResult {
  score: number;
  rle: { size: [number, number]; counts: string };
  polygons: { points: number[]; holes: number[][] }[];
}

/** What an accepted candidate becomes: polygons (with holes) or one mask. */
export const SamOutput = { Polygon: 'polygon', Mask: 'mask' } as const;
export type SamOutput = (typeof SamOutput)[keyof typeof SamOutput];

/** A model tool as the canvas sees it: a tool with a candidate that can be accepted. */
export interface SamTool extends Tool {
  readonly hasCandidate: boolean;
  /** Commits the candidate as one undo step; false when there is none. */
  accept(): boolean;
}

export function noSegmenter(tool: string): LabelKitError {
  return new LabelKitError('canvas/no-segmenter', `The ${tool} tool needs a segmenter (set the segmenter property)`);
}

/** The candidate of a model tool: the latest prompt's result, until accepted or cleared. */
export interface Candidate {
  readonly result: SamResult | undefined;
  /** A prompt is in flight. */
  readonly pending: boolean;
  /** Segments `prompt`, aborting the request in flight; its result becomes the candidate. */
  run(prompt: SamPrompt): void;
  /** Commits the candidate (as the host's `samOutput` says) with the active label; false when there is none. */
  accept(): boolean;
  /** Aborts the request in flight and drops the candidate. */
  clear(): void;
  /** Draws the candidate's outlines, filled, in the active label's colour. */
  paint(g: CanvasRenderingContext2D, scale: number): void;
}

export function createCandidate(host: ToolHost, tool: string): Candidate {
  let controller: AbortController | undefined;
  let result: SamResult | undefined;

  const output = (): SamOutput => {
    const o = (host as ToolHost & { samOutput?: unknown }).samOutput;
    return o === SamOutput.Mask ? SamOutput.Mask : SamOutput.Polygon;
  };

  const clear = () => {
    controller?.abort();
    controller = undefined;
    result = undefined;
  };

  return {
    get result() {
      return result;
    },
    get pending() {
      return controller !== undefined;
    },
    run(prompt) {
      const segmenter = host.segmenter;
      if (!segmenter) return host.error(noSegmenter(tool));
      controller?.abort();
      const ctrl = new AbortController();
      controller = ctrl;
      segmenter.segment(prompt, ctrl.signal).then(
        (r) => {
          // A newer prompt or Escape came first: this result is stale.
          if (ctrl.signal.aborted) return;
          controller = undefined;
          result = r;
          host.redraw();
        },
        (cause: unknown) => {
          if (ctrl.signal.aborted) return;
          controller = undefined;
          const code = cause instanceof LabelKitError ? cause.code : 'canvas/segment-failed';
          host.error(new LabelKitError(code, 'Segmentation failed', { cause }));
        },
      );
    },
    accept() {
      const r = result;
      if (!r || host.readonly) return false;
      const base = { label: host.currentLabel(), source: 'model' as const, score: r.score };
      const added: Shape[] =
        output() === SamOutput.Mask
          ? [{ ...base, id: newShapeId(), type: 'mask', rle: r.rle }]
          : r.polygons.map((p) => ({
              ...base,
              id: newShapeId(),
              type: 'polygon' as const,
              points: p.points,
              ...(p.holes.length ? { holes: p.holes } : {}),
            }));
      clear();
      if (added.length) host.commit({ added, updated: [], removed: [] });
      return added.length > 0;
    },
    clear,
    paint(g, scale) {
      if (!result) return;
      const color = host.colorOf(host.currentLabel());
      g.save();
      g.lineWidth = 2 / scale;
      g.fillStyle = color;
      g.strokeStyle = color;
      g.beginPath();
      for (const ring of result.polygons.flatMap((p) => [p.points, ...p.holes])) {
        for (let i = 0; i + 1 < ring.length; i += 2) {
          const x = ring[i] ?? 0;
          const y = ring[i + 1] ?? 0;
          if (i === 0) g.moveTo(x, y);
          else g.lineTo(x, y);
        }
        g.closePath();
      }
      g.globalAlpha = 0.35;
      g.fill('evenodd');
      g.globalAlpha = 1;
      g.setLineDash([6 / scale, 4 / scale]);
      g.stroke();
      g.restore();
    },
  };
}
