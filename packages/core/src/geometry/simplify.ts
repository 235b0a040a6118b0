/** Douglas-Peucker simplification of closed rings (flat `[x0, y0, x1, y1, ...]`), iterative on typed arrays. */
import { GeometryError } from '../errors.ts';

/** Squared distance from (px, py) to the segment (ax, ay)-(bx, by). */
function segDist2(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  let t = len2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / len2 : 0;
  t = Math.max(0, Math.min(1, t));
  const ex = ax + t * dx - px;
  const ey = ay + t * dy - py;
  return ex * ex + ey * ey;
}

/** Marks in `keep` the points of the open chain first..last that Douglas-Peucker keeps. */
function douglasPeucker(p: ArrayLike<number>, n: number, first: number, last: number, tol2: number, keep: Uint8Array) {
  const stack: number[] = [first, last];
  keep[first % n] = 1;
  keep[last % n] = 1;
  while (stack.length) {
    const b = stack.pop() as number;
    const a = stack.pop() as number;
    const ia = (a % n) * 2;
    const ib = (b % n) * 2;
    let best = -1;
    let bestD = tol2;
    for (let k = a + 1; k < b; k++) {
      const ik = (k % n) * 2;
      const d = segDist2(
        p[ik] as number,
        p[ik + 1] as number,
        p[ia] as number,
        p[ia + 1] as number,
        p[ib] as number,
        p[ib + 1] as number,
      );
      if (d > bestD) {
        bestD = d;
        best = k;
      }
    }
    if (best >= 0) {
      keep[best % n] = 1;
      stack.push(a, best, best, b);
    }
  }
}

/**
 * Simplifies a closed ring so that no removed point lies farther than `tolerance` pixels from the result.
 * Returns a ring of at least 3 points (the input itself when it cannot be reduced below that).
 */
export function simplifyPolygon(points: readonly number[], tolerance: number): number[] {
  if (!Array.isArray(points) || points.length % 2 !== 0)
    throw new GeometryError('geometry/invalid-polygon', 'a ring is a flat array with an even number of coordinates');
  if (!Number.isFinite(tolerance) || tolerance < 0)
    throw new GeometryError('geometry/invalid-argument', `tolerance must be a finite number >= 0, got ${tolerance}`);
  for (let i = 0; i < points.length; i++)
    if (!Number.isFinite(points[i]))
      throw new GeometryError('geometry/invalid-polygon', `coordinate ${i} is ${points[i]}`);
  return simplifyRing(points, points.length / 2, tolerance);
}

/** `p` holds at least `n` points; used by maskToPolygons on its typed buffers. */
export function simplifyRing(p: ArrayLike<number>, n: number, tolerance: number): number[] {
  const copy = () => Array.from({ length: n * 2 }, (_, i) => p[i] as number);
  if (n <= 3 || tolerance === 0) return copy();
  // Split the ring at point 0 and the point farthest from it, then simplify both chains.
  let far = 0;
  let farD = -1;
  const x0 = p[0] as number;
  const y0 = p[1] as number;
  for (let k = 1; k < n; k++) {
    const dx = (p[k * 2] as number) - x0;
    const dy = (p[k * 2 + 1] as number) - y0;
    const d = dx * dx + dy * dy;
    if (d > farD) {
      farD = d;
      far = k;
    }
  }
  const keep = new Uint8Array(n);
  const tol2 = tolerance * tolerance;
  douglasPeucker(p, n, 0, far, tol2, keep);
  douglasPeucker(p, n, far, n, tol2, keep);
  const out: number[] = [];
  for (let k = 0; k < n; k++) if (keep[k]) out.push(p[k * 2] as number, p[k * 2 + 1] as number);
  return out.length >= 6 ? out : copy();
}
