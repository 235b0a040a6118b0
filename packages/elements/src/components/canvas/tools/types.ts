import type { Diff, LabelKitError, Shape } from '@labelkit/core';
import type { MaskCache } from '../painter.ts';
import type { Bounds } from '../shape-geometry.ts';
import type { SamToolHost } from './candidate.ts';

/** Tool names accepted by `<label-canvas tool="...">`. */
export const ToolName = {
  Select: 'select',
  Pan: 'pan',
  Box: 'box',
  Polygon: 'polygon',
  Polyline: 'polyline',
  Point: 'point',
  Brush: 'brush',
  Eraser: 'eraser',
  Sam: 'sam',
  Extreme: 'extreme',
} as const;
export type ToolName = (typeof ToolName)[keyof typeof ToolName];

/** A pointer event reduced to what tools need; `x`, `y` are image pixels, `sx`, `sy` element pixels. */
export interface ToolPointer {
  x: number;
  y: number;
  sx: number;
  sy: number;
  shift: boolean;
  alt: boolean;
  mod: boolean;
  /** The gesture is made with the secondary (right) button; only tools with `secondaryButton` get those. */
  secondary: boolean;
}

/** What the canvas offers its tools. */
export interface ToolHost {
  getShape(id: string): Shape | undefined;
  readonly masks: MaskCache;
  /** Zoom (screen pixels per image pixel); a tolerance of n screen pixels is n / scale image pixels. */
  readonly scale: number;
  readonly readonly: boolean;
  readonly imageSize: { width: number; height: number } | undefined;
  /** Label for new shapes. */
  currentLabel(): string;
  /** Brush and eraser diameter, image pixels. */
  readonly brushSize: number;
  selection(): ReadonlySet<string>;
  setSelection(ids: Iterable<string>): void;
  /** The topmost shape at an image point, or undefined. */
  hitTest(x: number, y: number): Shape | undefined;
  /** Shapes whose bounds touch a rectangle. */
  shapesIn(b: Bounds): Shape[];
  /** Applies a user diff (one undo step unless inside a mark). */
  commit(diff: Diff): void;
  panBy(dx: number, dy: number): void;
  /** Asks for the overlay (drafts, previews, handles) to be redrawn. */
  redraw(): void;
  error(error: LabelKitError): void;
  readonly segmenter: SamToolHost | undefined;
  colorOf(label: string): string;
}

/** A tool turns pointer and key input into previews and, when a gesture ends, into one store diff. */
export interface Tool {
  readonly name: ToolName;
  readonly cursor: string;
  /** The tool also takes right-button gestures (`ToolPointer.secondary`); others never see them. */
  readonly secondaryButton?: boolean;
  down(p: ToolPointer): void;
  move(p: ToolPointer): void;
  up(p: ToolPointer): void;
  /** Returns true when it consumed the key. */
  key?(e: KeyboardEvent): boolean;
  /** Shapes being edited, drawn in place of their stored version. */
  drafts?(): ReadonlyMap<string, Shape> | undefined;
  /** Draws previews on the overlay, in image coordinates (the context is already transformed). */
  paint?(g: CanvasRenderingContext2D, scale: number): void;
  /** Drops an unfinished gesture. */
  cancel(): void;
}
