/**
 * Prompts of a Segmenter, in image pixels (origin top-left, x right, y down), and their checks.
 */
import { ModelInputError } from './preprocess/index.ts';

export interface PromptPoint {
  x: number;
  y: number;
  /** true: on the object (label 1); false: not on it (label 0). */
  positive: boolean;
}

export interface PromptBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Prompt {
  points?: PromptPoint[];
  box?: PromptBox;
  /**
   * Feed the previous result's low-resolution logits back to the decoder (`mask_input`), as SAM does to
   * refine a mask with the next click. Default true; the previous mask is that of the same image.
   */
  refine?: boolean;
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Throws a ModelInputError (`model/invalid-prompt`, with the path of the bad field) for a malformed prompt. */
export function checkPrompt(prompt: Prompt, width: number, height: number): void {
  const fail = (message: string, path: string) => {
    throw new ModelInputError('model/invalid-prompt', message, { path });
  };
  const points = prompt.points ?? [];
  if (!Array.isArray(points)) fail('points must be an array', '$.points');
  if (points.length === 0 && !prompt.box) fail('A prompt needs at least one point or a box', '$');
  points.forEach((p, i) => {
    if (!finite(p.x) || !finite(p.y)) fail('x and y must be finite numbers', `$.points[${i}]`);
    if (p.x < 0 || p.y < 0 || p.x > width || p.y > height)
      fail(`Point (${p.x}, ${p.y}) lies outside the ${width}x${height} image`, `$.points[${i}]`);
    if (typeof p.positive !== 'boolean') fail('positive must be a boolean', `$.points[${i}].positive`);
  });
  const b = prompt.box;
  if (b) {
    if (![b.x, b.y, b.width, b.height].every(finite)) fail('x, y, width, height must be finite numbers', '$.box');
    if (b.width <= 0 || b.height <= 0) fail('A box needs a positive width and height', '$.box');
  }
}

/**
 * Points and labels in the encoder frame as SAM's predictors build them: clicks (1/0), then the box corners
 * (2, 3), or a padding point (0, 0) labelled -1 when there is no box.
 */
export function encodePoints(
  prompt: Prompt,
  scaleX: number,
  scaleY: number,
): { coords: Float32Array; labels: Float32Array; count: number } {
  const points = prompt.points ?? [];
  const count = points.length + (prompt.box ? 2 : 1);
  const coords = new Float32Array(count * 2);
  const labels = new Float32Array(count);
  points.forEach((p, i) => {
    coords[i * 2] = p.x * scaleX;
    coords[i * 2 + 1] = p.y * scaleY;
    labels[i] = p.positive ? 1 : 0;
  });
  const n = points.length;
  const b = prompt.box;
  if (b) {
    coords.set([b.x * scaleX, b.y * scaleY, (b.x + b.width) * scaleX, (b.y + b.height) * scaleY], n * 2);
    labels.set([2, 3], n);
  } else {
    labels[n] = -1;
  }
  return { coords, labels, count };
}
