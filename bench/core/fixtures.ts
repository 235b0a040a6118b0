/** Inputs shared by the core benchmarks (built outside the timed loops). */
import type { AnnotationDocument, Shape } from '../../packages/core/src/index.ts';

/** Deterministic pseudo-random numbers (mulberry32), so every run measures the same input. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A size x size mask with `count` filled discs (some with a hole), like a page of segmentation output. */
export function blobMask(size: number, count: number, seed = 1): Uint8Array {
  const rnd = random(seed);
  const m = new Uint8Array(size * size);
  const rMax = size / Math.sqrt(count) / 2.5;
  for (let b = 0; b < count; b++) {
    const cx = rnd() * size;
    const cy = rnd() * size;
    const r = rMax * (0.4 + 0.6 * rnd());
    const hole = b % 3 === 0 ? r * 0.3 : 0;
    const y0 = Math.max(0, Math.floor(cy - r));
    const y1 = Math.min(size - 1, Math.ceil(cy + r));
    for (let y = y0; y <= y1; y++) {
      const dy = y + 0.5 - cy;
      for (let x = Math.max(0, Math.floor(cx - r)); x <= Math.min(size - 1, Math.ceil(cx + r)); x++) {
        const d2 = (x + 0.5 - cx) ** 2 + dy * dy;
        if (d2 <= r * r && d2 >= hole * hole) m[y * size + x] = 1;
      }
    }
  }
  return m;
}

/** A document of n shapes: 40% boxes, 40% 16-point polygons, 10% points, 10% polylines. */
export function bigDocument(n: number): AnnotationDocument {
  const rnd = random(n);
  const shapes: Shape[] = [];
  for (let i = 0; i < n; i++) {
    const x = rnd() * 4000;
    const y = rnd() * 3000;
    const k = i % 10;
    const base = { id: `s${i}`, label: k % 2 ? 'car' : 'person' };
    if (k < 4) shapes.push({ ...base, type: 'box', x, y, width: 5 + rnd() * 50, height: 5 + rnd() * 50 });
    else if (k < 8) {
      const points: number[] = [];
      for (let p = 0; p < 16; p++) {
        const t = (p / 16) * 2 * Math.PI;
        points.push(x + Math.cos(t) * 20, y + Math.sin(t) * 20);
      }
      shapes.push({ ...base, type: 'polygon', points, attributes: { occluded: false } });
    } else if (k === 8) shapes.push({ ...base, type: 'point', x, y });
    else shapes.push({ ...base, type: 'polyline', points: [x, y, x + 10, y + 5, x + 20, y] });
  }
  return { version: 1, item: { id: 'big', width: 4096, height: 3072 }, shapes };
}
