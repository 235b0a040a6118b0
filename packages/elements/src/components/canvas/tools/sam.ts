import type { Shape } from '@labelkit/core';
import { LabelKitError } from '@labelkit/core';
import { newShapeId } from '../shape-geometry.ts';
import type { Tool, ToolHost, ToolPointer } from './types.ts';

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

/** The sam tool as the canvas sees it: a tool with a candidate that can be accepted. */
export interface SamTool extends Tool {
  readonly hasCandidate: boolean;
  /** Commits the candidate as one undo step; false when there is none. */
  accept(): boolean;
}

/** A drag shorter than this (screen pixels) is a click. */
const DRAG_PX = 4;

function noSegmenter(): LabelKitError {
  return new LabelKitError('canvas/no-segmenter', 'The sam tool needs a segmenter (set the segmenter property)');
}

/**
 * `sam`: interactive segmentation. A click adds a positive point, a right-, alt- or shift-click a negative one, a drag
 * sets the box; each prompt re-segments (aborting the one in flight) and shows the result as a candidate over
 * the image. Enter (or the canvas' accept button) commits it; Escape drops it and its prompts.
 */
export function samTool(host: ToolHost): SamTool {
  let controller: AbortController | undefined;
  const points: NonNullable<SamPrompt['points']> = [];
  let box: SamPrompt['box'];
  let start: ToolPointer | undefined;
  let dragBox: SamPrompt['box'];
  let candidate: SamResult | undefined;

  const output = (): SamOutput => {
    const o = (host as ToolHost & { samOutput?: unknown }).samOutput;
    return o === SamOutput.Mask ? SamOutput.Mask : SamOutput.Polygon;
  };

  const reset = () => {
    controller?.abort();
    controller = undefined;
    points.length = 0;
    box = undefined;
    start = undefined;
    dragBox = undefined;
    candidate = undefined;
    host.redraw();
  };

  const run = () => {
    const segmenter = host.segmenter;
    if (!segmenter) return host.error(noSegmenter());
    controller?.abort();
    const ctrl = new AbortController();
    controller = ctrl;
    const prompt: SamPrompt = { points: [...points], refine: candidate !== undefined };
    if (box) prompt.box = { ...box };
    segmenter.segment(prompt, ctrl.signal).then(
      (r) => {
        // A newer prompt or Escape came first: this result is stale.
        if (ctrl.signal.aborted) return;
        candidate = r;
        host.redraw();
      },
      (cause: unknown) => {
        if (ctrl.signal.aborted) return;
        const code = cause instanceof LabelKitError ? cause.code : 'canvas/segment-failed';
        host.error(new LabelKitError(code, 'Segmentation failed', { cause }));
      },
    );
  };

  const accept = (): boolean => {
    const r = candidate;
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
    reset();
    if (added.length) host.commit({ added, updated: [], removed: [] });
    return added.length > 0;
  };

  return {
    name: 'sam',
    cursor: 'crosshair',
    secondaryButton: true,
    get hasCandidate() {
      return candidate !== undefined;
    },
    accept,
    down(p) {
      if (!host.segmenter) return host.error(noSegmenter());
      if (host.readonly) return;
      start = p;
    },
    move(p) {
      if (!start) return;
      if (Math.hypot(p.sx - start.sx, p.sy - start.sy) < DRAG_PX && !dragBox) return;
      dragBox = {
        x: Math.min(start.x, p.x),
        y: Math.min(start.y, p.y),
        width: Math.abs(p.x - start.x),
        height: Math.abs(p.y - start.y),
      };
      host.redraw();
    },
    up(p) {
      const s = start;
      start = undefined;
      if (!s) return;
      if (dragBox && dragBox.width > 0 && dragBox.height > 0) box = dragBox;
      else points.push({ x: p.x, y: p.y, positive: !(p.alt || p.shift || p.secondary) });
      dragBox = undefined;
      run();
    },
    key(e) {
      if (e.key === 'Enter' && candidate) return accept();
      if (e.key === 'Escape' && (candidate || points.length || box || controller)) {
        reset();
        return true;
      }
      return false;
    },
    paint(g, scale) {
      const color = host.colorOf(host.currentLabel());
      g.save();
      g.lineWidth = 2 / scale;
      if (candidate) {
        g.fillStyle = color;
        g.strokeStyle = color;
        g.beginPath();
        for (const ring of candidate.polygons.flatMap((p) => [p.points, ...p.holes])) {
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
      }
      const b = dragBox ?? box;
      if (b) {
        g.strokeStyle = color;
        g.setLineDash([4 / scale, 4 / scale]);
        g.strokeRect(b.x, b.y, b.width, b.height);
      }
      g.setLineDash([]);
      for (const pt of points) {
        g.fillStyle = pt.positive ? '#1b9e3e' : '#d62728';
        g.beginPath();
        g.arc(pt.x, pt.y, 5 / scale, 0, Math.PI * 2);
        g.fill();
      }
      g.restore();
    },
    cancel: reset,
  };
}
