import type { Shape } from '@labelkit/core';
import { handlesOf, paintHandles } from './handles.ts';
import { type MaskCache, type PaintStyle, paintShapes } from './painter.ts';
import { type Bounds, hitShape } from './shape-geometry.ts';
import { SpatialIndex } from './spatial-index.ts';

/**
 * Level of detail for the cached layer. Stroking paths wider than one device pixel costs Chromium's software
 * rasteriser about 20 times as much as hairlines (measured: 10,000 boxes, ~150 ms against ~8 ms), and translucent fills of
 * shapes a few pixels wide add little: past these counts in view, strokes become 1 px and fills are dropped.
 */
const HAIRLINE_OVER = 500;
const NO_FILL_OVER = 5_000;

/** The shapes as the canvas sees them: where they are (an R-tree) and which are hidden or locked. */
export class Scene {
  readonly index = new SpatialIndex();
  readonly hidden = new Set<string>();
  readonly locked = new Set<string>();

  constructor(
    readonly getShape: (id: string) => Shape | undefined,
    readonly masks: MaskCache,
  ) {}

  /**
   * The topmost pickable shape at an image point. A shape containing the point beats one merely within `tol`
   * of it (thin lines and points are picked with the tolerance), and a selected shape wins ties so that a
   * click inside the selection starts a move.
   */
  hitTest(x: number, y: number, tol: number, selected: ReadonlySet<string>): Shape | undefined {
    const ids = this.index.search({ minX: x - tol, minY: y - tol, maxX: x + tol, maxY: y + tol });
    const maskAt = (s: Shape, px: number, py: number) => s.type === 'mask' && this.masks.covers(s, px, py);
    for (const t of [0, tol]) {
      let found: Shape | undefined;
      for (let i = ids.length - 1; i >= 0; i--) {
        const id = ids[i] as string;
        if (this.hidden.has(id) || this.locked.has(id)) continue;
        const s = this.getShape(id);
        if (!s || !hitShape(s, x, y, t || (s.type === 'point' ? tol : 0), maskAt)) continue;
        if (selected.has(id)) return s;
        found ??= s;
      }
      if (found) return found;
    }
    return undefined;
  }

  /** Pickable shapes whose bounds touch a rectangle. */
  shapesIn(b: Bounds): Shape[] {
    const out: Shape[] = [];
    for (const id of this.index.search(b)) {
      if (this.hidden.has(id) || this.locked.has(id)) continue;
      const s = this.getShape(id);
      if (s) out.push(s);
    }
    return out;
  }

  /** Paints the shapes in view that are neither selected nor hidden (the cached layer). */
  paintBase(g: CanvasRenderingContext2D, style: PaintStyle, view: Bounds, selected: ReadonlySet<string>): void {
    const shapes: Shape[] = [];
    for (const id of this.index.search(view)) {
      if (selected.has(id) || this.hidden.has(id)) continue;
      const s = this.getShape(id);
      if (s) shapes.push(s);
    }
    const lod: PaintStyle = {
      ...style,
      strokeWidth: shapes.length > HAIRLINE_OVER ? 1 : style.strokeWidth,
      fillOpacity: shapes.length > NO_FILL_OVER ? 0 : style.fillOpacity,
    };
    paintShapes(g, shapes, lod, this.masks);
  }

  /** Paints the selection (drafts in place of shapes being edited) and, for one shape, its editing handles. */
  paintSelection(
    g: CanvasRenderingContext2D,
    style: PaintStyle,
    selected: ReadonlySet<string>,
    drafts: ReadonlyMap<string, Shape> | undefined,
    handles: boolean,
  ): void {
    const shapes: Shape[] = [];
    for (const id of selected) {
      const s = drafts?.get(id) ?? this.getShape(id);
      if (s && !this.hidden.has(id)) shapes.push(s);
    }
    if (!shapes.length) return;
    paintShapes(g, shapes, { ...style, strokeWidth: 3 }, this.masks);
    const [only] = shapes;
    if (handles && only && shapes.length === 1) paintHandles(g, handlesOf(only, style.scale), style.scale);
  }
}
