/**
 * Instance masks of segmentation exports: logits = coefficients . prototypes ([M, ph, pw], ph = S/4), read
 * with bilinear sampling (half-pixel centres, as `F.interpolate(..., align_corners=False)`) at each image
 * pixel's centre mapped through the letterbox, kept inside the box, thresholded at sigmoid 0.5 (logit 0).
 * Upsampling and un-letterboxing are one sampling step here, where Ultralytics resizes twice; the crop is by
 * pixel centre in image pixels.
 */
import { countsToRLE, type RLE } from '@labelkit/core';
import type { Letterbox } from './letterbox.ts';

export interface Prototypes {
  data: Float32Array;
  /** M prototypes of ph x pw. */
  count: number;
  height: number;
  width: number;
}

/** One axis of the sampling grid: for output pixels lo..hi, the two proto cells and the weight. */
function axis(lo: number, hi: number, scale: number, pad: number, protoScale: number, cells: number) {
  const n = hi - lo + 1;
  const i0 = new Int32Array(n);
  const i1 = new Int32Array(n);
  const f = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    const input = (lo + k + 0.5) * scale + pad;
    const u = Math.min(Math.max(input * protoScale - 0.5, 0), cells - 1);
    const a = Math.floor(u);
    i0[k] = a;
    i1[k] = Math.min(a + 1, cells - 1);
    f[k] = u - a;
  }
  return { i0, i1, f };
}

/** A mask that is zero outside a rectangle of the image: the rectangle's pixels, row-major. */
export interface BoxMask {
  data: Uint8Array;
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The instance mask of one detection: 1 for the pixels whose centre lies in the image box [x1,x2) x [y1,y2)
 * and whose sampled logit is above 0.
 */
export function instanceMask(
  lb: Letterbox,
  box: { x: number; y: number; width: number; height: number },
  protos: Prototypes,
  coefficients: ArrayLike<number>,
  offset: number,
  stride: number,
): BoxMask {
  const px0 = Math.max(0, Math.ceil(box.x - 0.5));
  const px1 = Math.min(lb.width - 1, Math.ceil(box.x + box.width - 0.5) - 1);
  const py0 = Math.max(0, Math.ceil(box.y - 0.5));
  const py1 = Math.min(lb.height - 1, Math.ceil(box.y + box.height - 0.5) - 1);
  if (px1 < px0 || py1 < py0) return { data: new Uint8Array(0), x: 0, y: 0, width: 0, height: 0 };
  const bw = px1 - px0 + 1;
  const mask = new Uint8Array(bw * (py1 - py0 + 1));
  const xs = axis(px0, px1, lb.resizedWidth / lb.width, lb.padLeft, protos.width / lb.size, protos.width);
  const ys = axis(py0, py1, lb.resizedHeight / lb.height, lb.padTop, protos.height / lb.size, protos.height);
  // Logits only over the proto cells the box reads.
  const cx0 = xs.i0[0]!;
  const cx1 = xs.i1[xs.i1.length - 1]!;
  const cy0 = ys.i0[0]!;
  const cy1 = ys.i1[ys.i1.length - 1]!;
  const rw = cx1 - cx0 + 1;
  const rh = cy1 - cy0 + 1;
  const logits = new Float32Array(rw * rh);
  const plane = protos.height * protos.width;
  for (let k = 0; k < protos.count; k++) {
    const c = coefficients[offset + k * stride]!;
    if (c === 0) continue;
    const base = k * plane;
    for (let y = 0; y < rh; y++) {
      const src = base + (cy0 + y) * protos.width + cx0;
      const dst = y * rw;
      for (let x = 0; x < rw; x++) logits[dst + x]! += c * protos.data[src + x]!;
    }
  }
  for (let y = py0; y <= py1; y++) {
    const k = y - py0;
    const r0 = (ys.i0[k]! - cy0) * rw;
    const r1 = (ys.i1[k]! - cy0) * rw;
    const fy = ys.f[k]!;
    const row = k * bw - px0;
    for (let x = px0; x <= px1; x++) {
      const j = x - px0;
      const c0 = xs.i0[j]! - cx0;
      const c1 = xs.i1[j]! - cx0;
      const fx = xs.f[j]!;
      const top = logits[r0 + c0]! + (logits[r0 + c1]! - logits[r0 + c0]!) * fx;
      const bottom = logits[r1 + c0]! + (logits[r1 + c1]! - logits[r1 + c0]!) * fx;
      if (top + (bottom - top) * fy > 0) mask[row + x] = 1;
    }
  }
  return { data: mask, x: px0, y: py0, width: bw, height: py1 - py0 + 1 };
}

/**
 * COCO RLE of the whole `width` x `height` image from a box mask, built from its runs (column-major, zeros
 * first) without filling an image-sized buffer: the cost grows with the box, not the image.
 */
export function boxMaskToRLE(m: BoxMask, width: number, height: number): RLE {
  const counts: number[] = [];
  let value = 0;
  let run = 0;
  const zeros = (n: number) => {
    if (n === 0) return;
    if (value === 1) {
      counts.push(run);
      run = 0;
      value = 0;
    }
    run += n;
  };
  zeros(m.x * height);
  for (let x = 0; x < m.width; x++) {
    zeros(m.y);
    for (let y = 0; y < m.height; y++) {
      const v = m.data[y * m.width + x]!;
      if (v !== value) {
        counts.push(run);
        run = 0;
        value = v;
      }
      run++;
    }
    zeros(height - m.y - m.height);
  }
  zeros((width - m.x - m.width) * height);
  counts.push(run);
  return countsToRLE(counts, height, width);
}
