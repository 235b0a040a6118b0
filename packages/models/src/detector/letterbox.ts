/**
 * Ultralytics letterbox: resize keeping aspect so the image fits the S x S input, then pad with grey (114)
 * split between both sides, as `ultralytics.data.augment.LetterBox` does for a fixed-size export
 * (`auto=False`: no stride rounding, `center=True`, `scaleup=True`). Its inverse maps model boxes back to
 * image pixels.
 */
import { ModelInputError } from '../preprocess/index.ts';

/** Grey of the padding, as Ultralytics pads (114 of 255). */
export const LETTERBOX_GREY = 114;

/** Where the image lies inside the square model input. */
export interface Letterbox {
  /** Side of the square model input. */
  size: number;
  /** Image size. */
  width: number;
  height: number;
  /** Size of the resized image inside the input (before padding), rounded as Ultralytics rounds it. */
  resizedWidth: number;
  resizedHeight: number;
  /** Grey columns on the left and rows on top. */
  padLeft: number;
  padTop: number;
}

/** Python's `round()` (halves to even), which Ultralytics' arithmetic relies on. */
export function pyRound(x: number): number {
  const r = Math.round(x);
  // `+ 0` turns Math.round's -0 (for -0.5 < x < 0) into 0.
  return (Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r) + 0;
}

function checkSize(width: number, height: number, size: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
    throw new ModelInputError('model/invalid-image', `Image size must be positive integers, got ${width}x${height}`);
  if (!Number.isInteger(size) || size < 1)
    throw new ModelInputError('model/invalid-option', `Input size must be a positive integer, got ${size}`);
}

/** The letterbox geometry of a `width` x `height` image in a `size` x `size` input. */
export function letterboxTransform(width: number, height: number, size: number): Letterbox {
  checkSize(width, height, size);
  const r = Math.min(size / height, size / width);
  const resizedWidth = pyRound(width * r);
  const resizedHeight = pyRound(height * r);
  // LetterBox: dw /= 2; left = round(dw - 0.1), so an odd padding puts the extra column on the right.
  const padLeft = pyRound((size - resizedWidth) / 2 - 0.1);
  const padTop = pyRound((size - resizedHeight) / 2 - 0.1);
  return { size, width, height, resizedWidth, resizedHeight, padLeft, padTop };
}

/**
 * The model input `images` [1,3,S,S]: RGB / 255 of the letterboxed RGBA image (alpha ignored), bilinear with
 * half-pixel centres (OpenCV's INTER_LINEAR, which Ultralytics uses), padding 114/255.
 */
export function letterbox(
  rgba: ArrayLike<number>,
  width: number,
  height: number,
  size: number,
): { tensor: Float32Array; letterbox: Letterbox } {
  const lb = letterboxTransform(width, height, size);
  if (rgba.length !== width * height * 4)
    throw new ModelInputError(
      'model/invalid-image',
      `RGBA buffer holds ${rgba.length} bytes, expected ${width * height * 4} for ${width}x${height}`,
    );
  const plane = size * size;
  const tensor = new Float32Array(3 * plane).fill(LETTERBOX_GREY / 255);
  const axis = (n: number, src: number) => {
    const i0 = new Int32Array(n);
    const i1 = new Int32Array(n);
    const f = new Float32Array(n);
    const scale = n / src;
    for (let o = 0; o < n; o++) {
      const s = Math.min(Math.max((o + 0.5) / scale - 0.5, 0), src - 1);
      const lo = Math.floor(s);
      i0[o] = lo;
      i1[o] = Math.min(lo + 1, src - 1);
      f[o] = s - lo;
    }
    return { i0, i1, f };
  };
  const xs = axis(lb.resizedWidth, width);
  const ys = axis(lb.resizedHeight, height);
  const k = 1 / 255;
  for (let y = 0; y < lb.resizedHeight; y++) {
    const r0 = ys.i0[y]! * width;
    const r1 = ys.i1[y]! * width;
    const fy = ys.f[y]!;
    const row = (y + lb.padTop) * size + lb.padLeft;
    for (let x = 0; x < lb.resizedWidth; x++) {
      const fx = xs.f[x]!;
      const a = (r0 + xs.i0[x]!) * 4;
      const b = (r0 + xs.i1[x]!) * 4;
      const c = (r1 + xs.i0[x]!) * 4;
      const d = (r1 + xs.i1[x]!) * 4;
      for (let ch = 0; ch < 3; ch++) {
        const top = rgba[a + ch]! + (rgba[b + ch]! - rgba[a + ch]!) * fx;
        const bottom = rgba[c + ch]! + (rgba[d + ch]! - rgba[c + ch]!) * fx;
        tensor[ch * plane + row + x] = (top + (bottom - top) * fy) * k;
      }
    }
  }
  return { tensor, letterbox: lb };
}

/**
 * Maps an x1,y1,x2,y2 box of the input frame back to image pixels, clipped to the image. The scale is the
 * resize's own (resizedWidth / width per axis), so the inverse is exact where Ultralytics' `scale_boxes`
 * divides by the unrounded gain (a sub-pixel difference).
 */
export function unletterboxBox(
  lb: Letterbox,
  x1: number,
  y1: number,
  x2: number,
  y2: number,
): { x: number; y: number; width: number; height: number } {
  const sx = lb.width / lb.resizedWidth;
  const sy = lb.height / lb.resizedHeight;
  const clip = (v: number, hi: number) => Math.min(Math.max(v, 0), hi);
  const ix1 = clip((x1 - lb.padLeft) * sx, lb.width);
  const iy1 = clip((y1 - lb.padTop) * sy, lb.height);
  const ix2 = clip((x2 - lb.padLeft) * sx, lb.width);
  const iy2 = clip((y2 - lb.padTop) * sy, lb.height);
  return { x: ix1, y: iy1, width: Math.max(0, ix2 - ix1), height: Math.max(0, iy2 - iy1) };
}
