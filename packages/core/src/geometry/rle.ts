/**
 * COCO run-length encoding, byte-compatible with pycocotools (`maskApi.c`).
 *
 * COCO RLE runs over the mask in column-major order and starts with a run of zeros (possibly empty);
 * our masks are row-major `Uint8Array`s of `height * width` (nonzero = inside), so encode/decode
 * transpose through small column strips to stay cache-friendly on large masks.
 */
import { GeometryError } from '../errors.ts';
import type { RLE } from '../records/types.ts';

export function checkSize(height: number, width: number, what = 'size'): void {
  if (!Number.isSafeInteger(height) || !Number.isSafeInteger(width) || height < 0 || width < 0)
    throw new GeometryError('geometry/invalid-size', `${what} must be non-negative integers, got ${height}x${width}`);
  if (height * width > 0xffffffff)
    throw new GeometryError('geometry/invalid-size', `${what} ${height}x${width} exceeds 2^32 pixels`);
}

function checkMask(mask: Uint8Array, width: number, height: number): void {
  checkSize(height, width, 'mask size');
  if (!(mask instanceof Uint8Array))
    throw new GeometryError('geometry/invalid-mask', 'mask must be a Uint8Array (row-major, nonzero = inside)');
  if (mask.length !== width * height)
    throw new GeometryError(
      'geometry/size-mismatch',
      `mask has ${mask.length} values but width*height is ${width * height}`,
    );
}

/**
 * Uncompressed column-major run counts of a row-major mask (first run counts zeros).
 *
 * Column-major runs change value exactly where a pixel differs from the one above it (or, at the top of a
 * column, from the bottom of the previous column). Rows are compared with whole-row scans, cheap when most
 * rows equal the row above, and the few change positions are sorted into column-major order: no per-pixel
 * transpose.
 */
export function maskToCounts(mask: Uint8Array, width: number, height: number): Uint32Array {
  checkMask(mask, width, height);
  const n = width * height;
  if (n === 0) return Uint32Array.of(0);
  let changes: Uint32Array = new Uint32Array(1024);
  let k = 0;
  const push = (p: number) => {
    if (k === changes.length) changes = grow(changes);
    changes[k++] = p;
  };
  // Top row: against the bottom of the previous column (0 before the first column).
  let prev = 0;
  const last = (height - 1) * width;
  for (let x = 0; x < width; x++) {
    const v = mask[x] === 0 ? 0 : 1;
    if (v !== prev) push(x * height);
    prev = mask[last + x] === 0 ? 0 : 1;
  }
  const words =
    mask.byteOffset % 4 === 0 && width % 4 === 0 ? new Uint32Array(mask.buffer, mask.byteOffset, n >> 2) : null;
  const w4 = width >> 2;
  for (let y = 1; y < height; y++) {
    const row = y * width;
    if (words) {
      // Four pixels at a time; a differing word may still be equal as booleans (1 vs 255): checked per byte.
      const wr = row >> 2;
      for (let i = 0; i < w4; i++) {
        if (words[wr + i] === words[wr - w4 + i]) continue;
        for (let x = i * 4; x < i * 4 + 4; x++)
          if ((mask[row + x] === 0) !== (mask[row - width + x] === 0)) push(x * height + y);
      }
    } else {
      for (let x = 0; x < width; x++) if ((mask[row + x] === 0) !== (mask[row - width + x] === 0)) push(x * height + y);
    }
  }
  const sorted = changes.subarray(0, k).sort();
  const counts = new Uint32Array(k + 1);
  let at = 0;
  for (let i = 0; i < k; i++) {
    const p = sorted[i] as number;
    counts[i] = p - at;
    at = p;
  }
  counts[k] = n - at;
  return counts;
}

function grow(a: Uint32Array): Uint32Array {
  const b = new Uint32Array(a.length * 2);
  b.set(a);
  return b;
}

/** Writes counts as the compressed COCO string (LEB128-like, 6 bits a character, chars 48..111). */
export function countsToString(counts: ArrayLike<number>): string {
  const chars: number[] = [];
  let out = '';
  for (let i = 0; i < counts.length; i++) {
    // pycocotools deltas against the count two back, but only from the fourth count on (`i > 2`).
    let x = (counts[i] as number) - (i > 2 ? (counts[i - 2] as number) : 0);
    let more = true;
    while (more) {
      // Math on doubles, not `>>`: counts reach 2^32 and deltas go negative.
      const c = ((x % 32) + 32) % 32;
      x = Math.floor(x / 32);
      more = c & 0x10 ? x !== -1 : x !== 0;
      chars.push((more ? c | 0x20 : c) + 48);
    }
    if (chars.length > 4096) {
      out += String.fromCharCode(...chars);
      chars.length = 0;
    }
  }
  return out + String.fromCharCode(...chars);
}

/** Reads a compressed COCO counts string; throws `geometry/invalid-rle` on malformed input. */
export function stringToCounts(s: string): Uint32Array {
  if (typeof s !== 'string') throw new GeometryError('geometry/invalid-rle', 'RLE counts must be a string');
  const counts = new Uint32Array(s.length);
  let m = 0;
  let p = 0;
  while (p < s.length) {
    let x = 0;
    let k = 0;
    let scale = 1;
    let more = true;
    while (more) {
      if (p >= s.length) throw new GeometryError('geometry/invalid-rle', 'RLE counts string ends inside a number');
      const c = s.charCodeAt(p) - 48;
      if (c < 0 || c > 63)
        throw new GeometryError('geometry/invalid-rle', `RLE counts has an invalid character at ${p}`);
      // 7 characters carry 35 bits: more cannot be a count of a 2^32-pixel mask.
      if (k === 7) throw new GeometryError('geometry/invalid-rle', `RLE count too long at ${p}`);
      x += (c & 0x1f) * scale;
      scale *= 32;
      more = (c & 0x20) !== 0;
      p++;
      k++;
      if (!more && c & 0x10) x -= scale;
    }
    if (m > 2) x += counts[m - 2] as number;
    if (x < 0 || x > 0xffffffff)
      throw new GeometryError('geometry/invalid-rle', `RLE count ${m} is ${x}, outside 0..2^32-1`);
    counts[m++] = x;
  }
  return counts.slice(0, m);
}

function checkRLE(rle: RLE): [height: number, width: number] {
  if (typeof rle !== 'object' || rle === null || !Array.isArray(rle.size) || rle.size.length !== 2)
    throw new GeometryError('geometry/invalid-rle', 'RLE must be { size: [height, width], counts: string }');
  const [h, w] = rle.size;
  checkSize(h, w, 'RLE size');
  return [h, w];
}

function checkSum(counts: ArrayLike<number>, height: number, width: number): void {
  let sum = 0;
  for (let i = 0; i < counts.length; i++) sum += counts[i] as number;
  if (sum !== height * width)
    throw new GeometryError(
      'geometry/size-mismatch',
      `RLE counts sum to ${sum} but size is ${height}x${width} (${height * width} pixels)`,
    );
}

/** Uncompressed COCO counts of an RLE, checked against its size. */
export function rleToCounts(rle: RLE): Uint32Array {
  const [h, w] = checkRLE(rle);
  const counts = stringToCounts(rle.counts);
  checkSum(counts, h, w);
  return counts;
}

/** Compressed RLE from uncompressed COCO counts (column-major, first run counts zeros). */
export function countsToRLE(counts: ArrayLike<number>, height: number, width: number): RLE {
  checkSize(height, width, 'RLE size');
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i] as number;
    if (!Number.isInteger(c) || c < 0 || c > 0xffffffff)
      throw new GeometryError('geometry/invalid-rle', `count ${i} is ${c}, not an integer in 0..2^32-1`);
  }
  checkSum(counts, height, width);
  return { size: [height, width], counts: countsToString(counts) };
}

/** Encodes a row-major mask (nonzero = inside) as COCO compressed RLE, exactly as pycocotools does. */
export function encodeRLE(mask: Uint8Array, width: number, height: number): RLE {
  return { size: [height, width], counts: countsToString(maskToCounts(mask, width, height)) };
}

/** Decodes COCO RLE to a row-major 0/1 mask of `height * width`. */
export function decodeRLE(rle: RLE): Uint8Array {
  const counts = rleToCounts(rle);
  const [h, w] = rle.size;
  return countsToMask(counts, h, w);
}

/**
 * Row-major 0/1 mask from checked column-major counts: the top row is filled column by column, then each
 * row is a copy of the row above (a native copy) with the pixels toggled where a run starts.
 */
export function countsToMask(counts: ArrayLike<number>, height: number, width: number): Uint8Array {
  const out = allocMask(height * width);
  if (height === 0 || width === 0) return out;
  // Run boundaries below the top row, bucketed by row (counting sort).
  const perRow = new Uint32Array(height + 1);
  let s = 0;
  for (let i = 0; i + 1 < counts.length; i++) {
    s += counts[i] as number;
    const y = s % height;
    if (y > 0) perRow[y + 1]!++;
  }
  for (let y = 0; y < height; y++) perRow[y + 1]! += perRow[y] as number;
  const xs = new Uint32Array(perRow[height] as number);
  const fill = perRow.slice(0, height);
  // Top row: the value at the top of column x is the parity of the boundaries at or before x * height.
  let value = 0;
  let next = 0;
  let run = 0;
  s = 0;
  for (let i = 0; i + 1 < counts.length; i++) {
    s += counts[i] as number;
    const y = s % height;
    if (y > 0) xs[fill[y]!++] = (s - y) / height;
  }
  let boundary = counts.length > 1 ? (counts[0] as number) : Number.POSITIVE_INFINITY;
  for (let x = 0; x < width; x++) {
    const top = x * height;
    while (boundary <= top) {
      value ^= 1;
      run++;
      next = run + 1 < counts.length ? boundary + (counts[run] as number) : Number.POSITIVE_INFINITY;
      boundary = next;
    }
    out[x] = value;
  }
  for (let y = 1; y < height; y++) {
    const row = y * width;
    out.copyWithin(row, row - width, row);
    for (let j = perRow[y] as number; j < (perRow[y + 1] as number); j++) out[row + (xs[j] as number)]! ^= 1;
  }
  return out;
}

/** A mask buffer; a size the engine cannot allocate is a GeometryError, not a RangeError from deep inside. */
export function allocMask(n: number): Uint8Array {
  try {
    return new Uint8Array(n);
  } catch (e) {
    if (e instanceof RangeError)
      throw new GeometryError('geometry/too-large', `cannot allocate a mask of ${n} pixels`, { cause: e });
    throw e;
  }
}

/** Number of pixels inside. */
export function rleArea(rle: RLE): number {
  const counts = rleToCounts(rle);
  let a = 0;
  for (let i = 1; i < counts.length; i += 2) a += counts[i] as number;
  return a;
}

/** Bounding box `[x, y, w, h]` exactly as pycocotools `toBbox` computes it (all zeros when empty). */
export function rleToBbox(rle: RLE): [x: number, y: number, w: number, h: number] {
  const counts = rleToCounts(rle);
  const [h] = rle.size;
  const m = counts.length - (counts.length % 2);
  if (m === 0) return [0, 0, 0, 0];
  let xs = rle.size[1];
  let ys = h;
  let xe = 0;
  let ye = 0;
  let cc = 0;
  let xp = 0;
  for (let j = 0; j < m; j++) {
    cc += counts[j] as number;
    const t = cc - (j % 2);
    const y = t % h;
    const x = (t - y) / h;
    if (j % 2 === 0) xp = x;
    else if (xp < x) {
      // A run crossing a column boundary covers every row.
      ys = 0;
      ye = h - 1;
    }
    if (x < xs) xs = x;
    if (x > xe) xe = x;
    if (y < ys) ys = y;
    if (y > ye) ye = y;
  }
  return [xs, ys, xe - xs + 1, ye - ys + 1];
}

/**
 * Union (or intersection) of RLEs of one size, as pycocotools `merge`. Works on runs, never on pixels.
 * An empty list gives a 0x0 RLE, as pycocotools does.
 */
export function mergeRLE(rles: readonly RLE[], intersect = false): RLE {
  if (!Array.isArray(rles)) throw new GeometryError('geometry/invalid-argument', 'mergeRLE takes an array of RLEs');
  const first = rles[0];
  if (first === undefined) return { size: [0, 0], counts: '' };
  const [h, w] = checkRLE(first);
  let acc = rleToCounts(first);
  for (let i = 1; i < rles.length; i++) {
    const b = rles[i] as RLE;
    const [bh, bw] = checkRLE(b);
    if (bh !== h || bw !== w)
      throw new GeometryError('geometry/size-mismatch', `RLE ${i} is ${bh}x${bw}, RLE 0 is ${h}x${w}`);
    acc = mergeCounts(acc, rleToCounts(b), intersect);
  }
  return { size: [h, w], counts: countsToString(acc) };
}

/** Merges two checked count arrays of the same total; output is canonical (no empty runs but the first). */
export function mergeCounts(a: Uint32Array, b: Uint32Array, intersect: boolean): Uint32Array {
  const out = new Uint32Array(a.length + b.length + 1);
  let m = 0;
  let ia = 0;
  let ib = 0;
  let ra = a[0] ?? 0;
  let rb = b[0] ?? 0;
  let va = 0;
  let vb = 0;
  let v = 0;
  let run = 0;
  for (;;) {
    while (ra === 0 && ia + 1 < a.length) {
      ra = a[++ia] as number;
      va ^= 1;
    }
    while (rb === 0 && ib + 1 < b.length) {
      rb = b[++ib] as number;
      vb ^= 1;
    }
    const c = Math.min(ra, rb);
    if (c === 0) break;
    const nv = intersect ? va & vb : va | vb;
    if (nv !== v) {
      out[m++] = run;
      run = 0;
      v = nv;
    }
    run += c;
    ra -= c;
    rb -= c;
  }
  out[m++] = run;
  return out.slice(0, m);
}

/** Intersection of two RLEs of one size. */
export function intersectRLE(a: RLE, b: RLE): RLE {
  return mergeRLE([a, b], true);
}

/** Intersection over union of two masks; 0 when both are empty (as pycocotools). */
export function iouRLE(a: RLE, b: RLE): number {
  const [h, w] = checkRLE(a);
  const [bh, bw] = checkRLE(b);
  if (bh !== h || bw !== w) throw new GeometryError('geometry/size-mismatch', `RLEs are ${h}x${w} and ${bh}x${bw}`);
  const ca = rleToCounts(a);
  const cb = rleToCounts(b);
  const inter = countsArea(mergeCounts(ca, cb, true));
  const union = countsArea(ca) + countsArea(cb) - inter;
  return union === 0 ? 0 : inter / union;
}

export function countsArea(counts: ArrayLike<number>): number {
  let a = 0;
  for (let i = 1; i < counts.length; i += 2) a += counts[i] as number;
  return a;
}
