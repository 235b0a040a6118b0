/**
 * Contour tracing: a binary mask to polygons with holes, along pixel edges (vertices at pixel corners),
 * then simplified. Foreground is 4-connected: pixels touching only at a corner are separate polygons.
 *
 * Every pixel edge between inside and outside is a directed edge with the inside on its right; following
 * them (turning right first at a corner shared by two diagonal pixels) gives closed loops that each border
 * one connected component: clockwise on screen for its outline, counter-clockwise for its holes.
 */
import { GeometryError } from '../errors.ts';
import { signedArea } from './polygon.ts';
import { checkSize } from './rle.ts';
import { simplifyRing } from './simplify.ts';

export interface MaskToPolygonsOptions {
  /** Douglas-Peucker tolerance in pixels; 0 keeps every corner of the pixel outline. Default 0.5. */
  tolerance?: number;
  /** Outlines and holes enclosing fewer pixels than this are dropped (a dropped hole is filled). Default 0. */
  minArea?: number;
}

export interface PolygonRings {
  points: number[];
  holes: number[][];
}

// Directions in clockwise order on screen: E, S, W, N. Turning right is +1.
const DX = [1, 0, -1, 0] as const;
const DY = [0, 1, 0, -1] as const;

/**
 * Horizontal runs of the foreground, row by row, joined into 4-connected components with union-find
 * (runs of consecutive rows that share a column). Tracing asks for the component of a few pixels only.
 */
class Runs {
  start: Int32Array = new Int32Array(1024);
  end: Int32Array = new Int32Array(1024);
  parent: Int32Array = new Int32Array(1024);
  readonly rowStart: Uint32Array;
  count = 0;

  constructor(height: number) {
    this.rowStart = new Uint32Array(height + 1);
  }

  add(x0: number, x1: number): void {
    if (this.count === this.start.length) {
      const grow = (a: Int32Array) => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.start = grow(this.start);
      this.end = grow(this.end);
      this.parent = grow(this.parent);
    }
    this.start[this.count] = x0;
    this.end[this.count] = x1;
    this.parent[this.count] = this.count;
    this.count++;
  }

  find(i: number): number {
    const p = this.parent;
    while (p[i] !== i) {
      p[i] = p[p[i] as number] as number;
      i = p[i] as number;
    }
    return i;
  }

  /** Closes row y (its runs are those added since the previous call) and joins it to row y - 1. */
  endRow(y: number): void {
    this.rowStart[y + 1] = this.count;
    if (y === 0) return;
    let a = this.rowStart[y - 1] as number;
    const aEnd = this.rowStart[y] as number;
    let b = aEnd;
    const bEnd = this.count;
    while (a < aEnd && b < bEnd) {
      if ((this.start[a] as number) < (this.end[b] as number) && (this.start[b] as number) < (this.end[a] as number)) {
        const ra = this.find(a);
        const rb = this.find(b);
        if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
      }
      if ((this.end[a] as number) < (this.end[b] as number)) a++;
      else b++;
    }
  }

  /** Component (root run) of the foreground pixel (x, y). */
  component(x: number, y: number): number {
    let lo = this.rowStart[y] as number;
    let hi = (this.rowStart[y + 1] as number) - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.start[mid] as number) <= x) lo = mid;
      else hi = mid - 1;
    }
    return this.find(lo);
  }
}

/**
 * Traces a row-major mask (nonzero = inside) into outlines with their holes, simplified to `tolerance`.
 * Polygons come in the order of their top-left pixel.
 */
export function maskToPolygons(
  mask: Uint8Array,
  width: number,
  height: number,
  options: MaskToPolygonsOptions = {},
): PolygonRings[] {
  checkSize(height, width, 'mask size');
  if (!(mask instanceof Uint8Array) || mask.length !== width * height)
    throw new GeometryError('geometry/size-mismatch', `mask must be a Uint8Array of width*height = ${width * height}`);
  const tolerance = options.tolerance ?? 0.5;
  const minArea = options.minArea ?? 0;
  if (!Number.isFinite(tolerance) || tolerance < 0)
    throw new GeometryError('geometry/invalid-argument', `tolerance must be a finite number >= 0, got ${tolerance}`);
  if (!Number.isFinite(minArea) || minArea < 0)
    throw new GeometryError('geometry/invalid-argument', `minArea must be a finite number >= 0, got ${minArea}`);

  const W = width + 1;
  const edges = new Uint8Array(W * (height + 1));
  const runs = new Runs(height);
  // One pass: a pixel edge lies wherever a pixel differs from its left or upper neighbour (outside = 0).
  for (let y = 0; y <= height; y++) {
    const row = y * width;
    const v = y * W;
    let left = 0;
    let runFrom = 0;
    for (let x = 0; x <= width; x++) {
      const a = y < height && x < width && mask[row + x] !== 0 ? 1 : 0;
      const up = y > 0 && x < width && mask[row - width + x] !== 0 ? 1 : 0;
      if (a !== up) {
        if (a)
          edges[v + x]! |= 1; // E along the top of (x, y)
        else edges[v + x + 1]! |= 4; // W along the bottom of (x, y - 1)
      }
      if (y < height && a !== left) {
        if (a) {
          edges[v + W + x]! |= 8; // N along the left of (x, y)
          runFrom = x;
        } else {
          edges[v + x]! |= 2; // S along the right of (x - 1, y)
          runs.add(runFrom, x);
        }
      }
      left = a;
    }
    if (y < height) runs.endRow(y);
  }
  const used = new Uint8Array(edges.length);
  const outlines = new Map<number, PolygonRings>();
  let ring = new Int32Array(256);

  for (let v0 = 0; v0 < edges.length; v0++) {
    while ((edges[v0] as number) & ~(used[v0] as number)) {
      const free = (edges[v0] as number) & ~(used[v0] as number);
      const d0 = free & 1 ? 0 : free & 2 ? 1 : free & 4 ? 2 : 3;
      let n = 0;
      let v = v0;
      let d = d0;
      for (;;) {
        used[v]! |= 1 << d;
        v += DX[d]! + DY[d]! * W;
        const e = edges[v] as number;
        const right = (d + 1) & 3;
        const left = (d + 3) & 3;
        // The pairing of edges at a vertex follows the original edges (right turn first), never what is left.
        const nd = e & (1 << right) ? right : e & (1 << d) ? d : left;
        if (nd !== d) {
          if (n + 2 > ring.length) {
            const bigger = new Int32Array(ring.length * 2);
            bigger.set(ring);
            ring = bigger;
          }
          ring[n++] = v % W;
          ring[n++] = (v / W) | 0;
        }
        if ((used[v] as number) & (1 << nd)) break;
        d = nd;
      }
      // The start is recorded last when it is a corner: rotate it to the front (rings start top-left).
      const x0 = v0 % W;
      const y0 = (v0 / W) | 0;
      if (n >= 2 && ring[n - 2] === x0 && ring[n - 1] === y0) {
        ring.copyWithin(2, 0, n - 2);
        ring[0] = x0;
        ring[1] = y0;
      }
      const pts = ring.subarray(0, n);
      const area = signedArea(pts);
      if (Math.abs(area) < minArea || n < 6) continue;
      // The pixel on the right of the first edge tells which component this loop borders.
      const px = d0 === 0 || d0 === 3 ? x0 : x0 - 1;
      const py = d0 === 0 || d0 === 1 ? y0 : y0 - 1;
      const id = runs.component(px, py);
      const simplified = simplifyRing(pts, n / 2, tolerance);
      if (area > 0) outlines.set(id, { points: simplified, holes: outlines.get(id)?.holes ?? [] });
      else {
        const o = outlines.get(id);
        if (o) o.holes.push(simplified);
        else outlines.set(id, { points: [], holes: [simplified] });
      }
    }
  }
  // An outline dropped by minArea leaves its holes behind with no points: drop them too.
  return [...outlines.values()].filter((p) => p.points.length > 0);
}
