import type { Shape } from '@labelkit/core';
import { newShapeId, translateShape } from './shape-geometry.ts';

/** Offset of pasted copies, in image pixels, so that they do not hide their originals. */
const OFFSET = 10;

/** Shapes copied with Ctrl/Cmd+C, shared by every canvas of the page (copy in one, paste in another). */
let held: Shape[] = [];

export function copy(shapes: Shape[]): void {
  held = shapes;
}

/** Offset copies with new ids. */
export function copies(shapes: Shape[]): Shape[] {
  return shapes.map((s) => ({ ...translateShape(s, OFFSET, OFFSET), id: newShapeId() }));
}

/** The shapes to paste; the clipboard then holds them, so that pasting again steps further. */
export function take(): Shape[] {
  held = copies(held);
  return held;
}
