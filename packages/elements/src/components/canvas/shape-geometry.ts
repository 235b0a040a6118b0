import type { Shape } from '@labelkit/core';
import { boxCorners, exhaustiveSwitchError, pointsBBox } from '@labelkit/core';

/** Axis-aligned bounds in image pixels. */
export interface Bounds {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

function flatBounds(points: number[]): Bounds {
  const [x, y, w, h] = pointsBBox(points);
  return { minX: x, minY: y, maxX: x + w, maxY: y + h };
}

/** Bounds of a mask shape: the whole RLE frame (cheap; exact bounds need decoding). */
export function shapeBounds(s: Shape): Bounds {
  switch (s.type) {
    case 'box':
      return s.rotation
        ? flatBounds(boxCorners(s))
        : { minX: s.x, minY: s.y, maxX: s.x + s.width, maxY: s.y + s.height };
    case 'polygon':
    case 'polyline':
      return flatBounds(s.points);
    case 'point':
      return { minX: s.x, minY: s.y, maxX: s.x, maxY: s.y };
    case 'mask':
      return { minX: 0, minY: 0, maxX: s.rle.size[1], maxY: s.rle.size[0] };
    default:
      return exhaustiveSwitchError(s, 'shape type');
  }
}

export function pointInRing(points: number[], x: number, y: number): boolean {
  let inside = false;
  const n = points.length >> 1;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = points[2 * i] as number;
    const yi = points[2 * i + 1] as number;
    const xj = points[2 * j] as number;
    const yj = points[2 * j + 1] as number;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

export function segmentDistance(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len = dx * dx + dy * dy;
  const t = len ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len)) : 0;
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

function nearLine(points: number[], x: number, y: number, tol: number, closed: boolean): boolean {
  const n = points.length >> 1;
  const last = closed ? n : n - 1;
  for (let i = 0; i < last; i++) {
    const j = (i + 1) % n;
    const d = segmentDistance(
      x,
      y,
      points[2 * i] as number,
      points[2 * i + 1] as number,
      points[2 * j] as number,
      points[2 * j + 1] as number,
    );
    if (d <= tol) return true;
  }
  return false;
}

/**
 * Whether image point (x, y) hits a shape; `tol` is the pick tolerance in image pixels (a few screen pixels).
 * `maskAt` answers for masks (decoded lazily by the caller, which caches them).
 */
export function hitShape(
  s: Shape,
  x: number,
  y: number,
  tol: number,
  maskAt?: (s: Shape, x: number, y: number) => boolean,
): boolean {
  switch (s.type) {
    case 'box': {
      const c = boxCorners(s);
      return pointInRing(c, x, y) || nearLine(c, x, y, tol, true);
    }
    case 'polygon':
      return (
        (pointInRing(s.points, x, y) && !(s.holes ?? []).some((h) => pointInRing(h, x, y))) ||
        nearLine(s.points, x, y, tol, true)
      );
    case 'polyline':
      return nearLine(s.points, x, y, tol, false);
    case 'point':
      return Math.hypot(s.x - x, s.y - y) <= tol * 1.5;
    case 'mask':
      return maskAt ? maskAt(s, x, y) : false;
    default:
      return exhaustiveSwitchError(s, 'shape type');
  }
}

/** The shape moved by (dx, dy) image pixels. Masks move by whole pixels (their RLE is re-encoded by the caller). */
export function translateShape<S extends Shape>(s: S, dx: number, dy: number): S {
  switch (s.type) {
    case 'box':
    case 'point':
      return { ...s, x: s.x + dx, y: s.y + dy };
    case 'polygon': {
      const points = s.points.map((v, i) => v + (i % 2 ? dy : dx));
      const holes = s.holes?.map((h) => h.map((v, i) => v + (i % 2 ? dy : dx)));
      return holes ? { ...s, points, holes } : { ...s, points };
    }
    case 'polyline':
      return { ...s, points: s.points.map((v, i) => v + (i % 2 ? dy : dx)) };
    case 'mask':
      return s;
    default:
      return exhaustiveSwitchError(s, 'shape type');
  }
}

let counter = 0;
/** A new shape id, unique in this page (random part so that two tabs rarely collide). */
export function newShapeId(): string {
  counter++;
  const rnd = globalThis.crypto?.randomUUID?.().slice(0, 8) ?? Math.random().toString(36).slice(2, 10);
  return `s-${rnd}-${counter.toString(36)}`;
}
