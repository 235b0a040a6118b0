/**
 * Mask conversions between COCO RLE (our `Mask.rle`, via the geometry module) and the tools' own codings:
 * CVAT's row-major runs inside a box, and Label Studio's bit-packed RGBA brush RLE (thi.ng rle-pack,
 * as label-studio-converter's `brush.py` writes it). No COCO RLE is coded here.
 */
import {
  countsToRLE,
  decodeRLE,
  encodeRLE,
  maskToPolygons,
  polygonArea,
  polygonToRLE,
  rleArea,
  rleToBbox,
  rleToCounts,
} from '../geometry/index.ts';
import type { RLE } from '../records/types.ts';

export { countsToRLE, decodeRLE, encodeRLE, maskToPolygons, polygonArea, polygonToRLE, rleArea, rleToBbox };

/** `[x, y, w, h]` of a mask, or undefined when it is empty. */
export function maskBounds(rle: RLE): [number, number, number, number] | undefined {
  const b = rleToBbox(rle);
  return b[2] === 0 || b[3] === 0 ? undefined : b;
}

/**
 * CVAT mask runs (alternating 0/1 run lengths, starting with 0s, row-major inside the `width x height` box at
 * `left, top`) to a full-image COCO RLE. Works in O(image width + box area): the image is never rasterized.
 * Returns an error message when the runs do not fit.
 */
export function cvatRunsToRLE(
  runs: readonly number[],
  left: number,
  top: number,
  width: number,
  height: number,
  imageWidth: number,
  imageHeight: number,
): RLE | string {
  for (const v of [left, top, width, height])
    if (!Number.isInteger(v) || v < 0) return `mask box values must be non-negative integers, got ${v}`;
  if (left + width > imageWidth || top + height > imageHeight)
    return `mask box ${left},${top} ${width}x${height} lies outside the ${imageWidth}x${imageHeight} image`;
  let total = 0;
  for (const r of runs) {
    if (!Number.isInteger(r) || r < 0) return `run length ${r} is not a non-negative integer`;
    total += r;
  }
  if (total !== width * height) return `runs cover ${total} pixels, the mask box has ${width * height}`;
  const crop = new Uint8Array(width * height);
  let i = 0;
  for (let k = 0; k < runs.length; k++) {
    const r = runs[k] as number;
    if (k & 1) crop.fill(1, i, i + r);
    i += r;
  }
  // Column-major runs over the whole image, starting with a run of zeros. `run` counts the current value's
  // pixels; the zeros around the box are added in bulk.
  const counts: number[] = [];
  let value = 0;
  let run = left * imageHeight;
  const below = imageHeight - top - height;
  for (let x = 0; x < width; x++) {
    if (value === 1 && top > 0) {
      counts.push(run);
      value = 0;
      run = 0;
    }
    run += top;
    for (let j = x; j < crop.length; j += width) {
      const v = crop[j] as number;
      if (v !== value) {
        counts.push(run);
        value = v;
        run = 0;
      }
      run++;
    }
    if (below > 0) {
      if (value === 1) {
        counts.push(run);
        value = 0;
        run = 0;
      }
      run += below;
    }
  }
  if (value === 1 && imageWidth - left - width > 0) {
    counts.push(run);
    value = 0;
    run = 0;
  }
  run += (imageWidth - left - width) * imageHeight;
  counts.push(run);
  return countsToRLE(counts, imageHeight, imageWidth);
}

/** A COCO RLE as CVAT mask runs inside its bounding box, or undefined for an empty mask. O(runs + area). */
export function rleToCvatRuns(
  rle: RLE,
): { runs: number[]; left: number; top: number; width: number; height: number } | undefined {
  const b = maskBounds(rle);
  if (!b) return undefined;
  const [left, top, width, height] = b;
  const imageHeight = rle.size[0];
  const counts = rleToCounts(rle);
  const crop = new Uint8Array(width * height);
  let p = 0;
  for (let k = 0; k < counts.length; k++) {
    let n = counts[k] as number;
    if (k & 1) {
      // Split the run of ones at column ends and fill each piece down its column of the crop.
      let q = p;
      while (n > 0) {
        const x = Math.floor(q / imageHeight);
        const y = q - x * imageHeight;
        const len = Math.min(n, imageHeight - y);
        for (let j = (y - top) * width + (x - left), e = j + len * width; j < e; j += width) crop[j] = 1;
        q += len;
        n -= len;
      }
      p = q;
    } else p += n;
  }
  const runs: number[] = [];
  let value = 0;
  let run = 0;
  for (let j = 0; j < crop.length; j++) {
    if (crop[j] !== value) {
      runs.push(run);
      value = crop[j] as number;
      run = 0;
    }
    run++;
  }
  runs.push(run);
  return { runs, left, top, width, height };
}

/** Reads bits most significant first, as thi.ng's BitInputStream does. */
class BitReader {
  private pos = 0;
  constructor(private readonly bytes: Uint8Array) {}
  get remaining(): number {
    return this.bytes.length * 8 - this.pos;
  }
  read(n: number): number {
    if (n > this.remaining) throw new RangeError('brush RLE ends early');
    let v = 0;
    for (let k = 0; k < n; k++) {
      const p = this.pos++;
      v = v * 2 + (((this.bytes[p >> 3] as number) >> (7 - (p & 7))) & 1);
    }
    return v;
  }
}

/**
 * Label Studio brush RLE (RGBA bytes, row-major, of `width x height`) to COCO RLE; a pixel is inside
 * when its alpha is nonzero. Returns an error message when the data is not such an RLE.
 */
export function brushToRLE(data: readonly number[] | Uint8Array, width: number, height: number): RLE | string {
  const bytes = data instanceof Uint8Array ? data : Uint8Array.from(data);
  for (const b of data) if (!Number.isInteger(b) || b < 0 || b > 255) return `brush RLE byte ${b} is not 0..255`;
  const input = new BitReader(bytes);
  try {
    const num = input.read(32);
    if (num !== width * height * 4)
      return `brush RLE holds ${num} values, a ${width}x${height} RGBA image has ${width * height * 4}`;
    const wordSize = input.read(5) + 1;
    const sizes = [input.read(4) + 1, input.read(4) + 1, input.read(4) + 1, input.read(4) + 1];
    const mask = new Uint8Array(width * height);
    for (let i = 0; i < num; ) {
      const repeat = input.read(1);
      const j = Math.min(num, i + 1 + input.read(sizes[input.read(2)] as number));
      if (repeat) {
        const v = input.read(wordSize);
        if (v !== 0) for (let k = i; k < j; k++) if ((k & 3) === 3) mask[k >> 2] = 1;
        i = j;
      } else {
        for (; i < j; i++) {
          const v = input.read(wordSize);
          if ((i & 3) === 3 && v !== 0) mask[i >> 2] = 1;
        }
      }
    }
    return encodeRLE(mask, width, height);
  } catch (e) {
    if (e instanceof RangeError) return e.message;
    throw e;
  }
}

class BitWriter {
  bytes = new Uint8Array(1024);
  private pos = 0;
  write(v: number, n: number): void {
    if (((this.pos + n) >> 3) + 1 > this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2 + (n >> 3) + 8);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    for (let k = n - 1; k >= 0; k--) {
      if (Math.floor(v / 2 ** k) % 2)
        this.bytes[this.pos >> 3] = (this.bytes[this.pos >> 3] as number) | (0x80 >> (this.pos & 7));
      this.pos++;
    }
  }
  /** brush.py pads with 8 - (bits % 8) zero bits: a whole zero byte when the bits already fill the last one. */
  finish(): number[] {
    return Array.from(this.bytes.subarray(0, (this.pos >> 3) + 1));
  }
}

/**
 * COCO RLE to Label Studio brush RLE, byte for byte as label-studio-converter `brush.mask2rle` writes it
 * (RGBA all set to 255 inside, word size 8, run sizes [3, 4, 8, 16]).
 */
export function rleToBrush(rle: RLE): number[] {
  const [height, width] = rle.size;
  const mask = decodeRLE(rle);
  const w = new BitWriter();
  const num = width * height * 4;
  w.write(num, 32);
  w.write(7, 5);
  for (const s of [3, 4, 8, 16]) w.write(s - 1, 4);
  // Runs over the RGBA values: each mask pixel gives four equal values, so runs are 4x the mask runs.
  let i = 0;
  const n = mask.length;
  while (i < n) {
    const v = mask[i] as number;
    let j = i + 1;
    while (j < n && mask[j] === v) j++;
    let len = (j - i) * 4;
    const value = v ? 255 : 0;
    if (len <= 8) {
      w.write(1, 1);
      w.write(0, 2);
      w.write(len - 1, 3);
    } else if (len <= 16) {
      w.write(1, 1);
      w.write(1, 2);
      w.write(len - 1, 4);
    } else if (len <= 256) {
      w.write(1, 1);
      w.write(2, 2);
      w.write(len - 1, 8);
    } else {
      // Longer runs are cut into 2^16 pieces; the rest keeps the 16-bit size even when short (as brush.py).
      while (len > 2 ** 16) {
        w.write(1, 1);
        w.write(3, 2);
        w.write(2 ** 16 - 1, 16);
        w.write(value, 8);
        len -= 2 ** 16;
      }
      w.write(1, 1);
      w.write(3, 2);
      w.write(len - 1, 16);
    }
    w.write(value, 8);
    i = j;
  }
  return w.finish();
}
