import type Konva from 'konva';
import type { Bounds } from './shape-geometry.ts';

/** Zoom limits (screen pixels per image pixel). */
export const MIN_SCALE = 0.01;
export const MAX_SCALE = 64;

/**
 * The stage transform: image point p is drawn at screen point p * scale + offset. All zooming goes through
 * `zoomAt`, which keeps the image point under `at` (screen pixels, relative to the element) where it was.
 */
export class Viewport {
  constructor(readonly stage: Konva.Stage) {}

  get scale(): number {
    return this.stage.scaleX();
  }

  toImage(sx: number, sy: number): { x: number; y: number } {
    const s = this.scale;
    return { x: (sx - this.stage.x()) / s, y: (sy - this.stage.y()) / s };
  }

  toScreen(x: number, y: number): { x: number; y: number } {
    const s = this.scale;
    return { x: x * s + this.stage.x(), y: y * s + this.stage.y() };
  }

  /** The image rectangle currently visible, with a margin in screen pixels. */
  visible(margin = 0): Bounds {
    const a = this.toImage(-margin, -margin);
    const b = this.toImage(this.stage.width() + margin, this.stage.height() + margin);
    return { minX: a.x, minY: a.y, maxX: b.x, maxY: b.y };
  }

  zoomAt(scale: number, at: { x: number; y: number }): void {
    const next = Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale));
    const p = this.toImage(at.x, at.y);
    this.stage.scale({ x: next, y: next });
    this.stage.position({ x: at.x - p.x * next, y: at.y - p.y * next });
  }

  panBy(dx: number, dy: number): void {
    this.stage.position({ x: this.stage.x() + dx, y: this.stage.y() + dy });
  }

  fit(width: number, height: number): void {
    const w = this.stage.width();
    const h = this.stage.height();
    const scale = Math.min(w / width, h / height);
    this.stage.scale({ x: scale, y: scale });
    this.stage.position({ x: (w - width * scale) / 2, y: (h - height * scale) / 2 });
  }
}
