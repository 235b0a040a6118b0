/**
 * Image preprocessing of each contract (DESIGN.md section 7), pure functions shared by the server
 * encoder, the in-browser encoder and the tests so that all of them feed the encoder the same tensor.
 */
import { LabelKitError } from '@labelkit/core';
import { CONTRACTS, type ModelContract, resizeTransform } from '../contracts.ts';

/** Bad arguments given to a model function (sizes, buffers, prompts). */
export class ModelInputError extends LabelKitError {
  override name = 'ModelInputError';
}

function checkImage(rgba: ArrayLike<number>, width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
    throw new ModelInputError('model/invalid-image', `Image size must be positive integers, got ${width}x${height}`);
  if (rgba.length !== width * height * 4)
    throw new ModelInputError(
      'model/invalid-image',
      `RGBA buffer holds ${rgba.length} bytes, expected ${width * height * 4} for ${width}x${height}`,
    );
}

/**
 * Resizes an RGBA image into the contract's square frame with bilinear sampling (half-pixel centres, as
 * PyTorch's `interpolate(..., align_corners=False)`), normalizes each RGB channel with the contract's
 * mean/std and returns the CHW float32 tensor [1,3,S,S]; padding (sam1: bottom/right) stays 0.
 * Alpha is ignored.
 */
export function preprocess(
  contract: ModelContract,
  rgba: ArrayLike<number>,
  width: number,
  height: number,
): Float32Array {
  checkImage(rgba, width, height);
  const { inputSize: size, mean, std } = CONTRACTS[contract];
  const t = resizeTransform(contract, width, height);
  const out = new Float32Array(3 * size * size);
  const plane = size * size;
  // Source coordinate and weights per output column/row, computed once.
  const axis = (n: number, src: number, scale: number) => {
    const i0 = new Int32Array(n);
    const i1 = new Int32Array(n);
    const f = new Float32Array(n);
    for (let o = 0; o < n; o++) {
      const s = Math.min(Math.max((o + 0.5) / scale - 0.5, 0), src - 1);
      const lo = Math.floor(s);
      i0[o] = lo;
      i1[o] = Math.min(lo + 1, src - 1);
      f[o] = s - lo;
    }
    return { i0, i1, f };
  };
  const xs = axis(t.resizedWidth, width, t.scaleX);
  const ys = axis(t.resizedHeight, height, t.scaleY);
  const inv = [1 / std[0], 1 / std[1], 1 / std[2]];
  for (let y = 0; y < t.resizedHeight; y++) {
    const r0 = ys.i0[y]! * width;
    const r1 = ys.i1[y]! * width;
    const fy = ys.f[y]!;
    for (let x = 0; x < t.resizedWidth; x++) {
      const c0 = xs.i0[x]!;
      const c1 = xs.i1[x]!;
      const fx = xs.f[x]!;
      const a = (r0 + c0) * 4;
      const b = (r0 + c1) * 4;
      const c = (r1 + c0) * 4;
      const d = (r1 + c1) * 4;
      const o = y * size + x;
      for (let ch = 0; ch < 3; ch++) {
        const top = rgba[a + ch]! + (rgba[b + ch]! - rgba[a + ch]!) * fx;
        const bottom = rgba[c + ch]! + (rgba[d + ch]! - rgba[c + ch]!) * fx;
        out[ch * plane + o] = (top + (bottom - top) * fy - mean[ch]!) * inv[ch]!;
      }
    }
  }
  return out;
}

/** sam1 preprocessing: resize the longest side to 1024, normalize, zero-pad bottom/right -> [1,3,1024,1024]. */
export function preprocessSam1(rgba: ArrayLike<number>, width: number, height: number): Float32Array {
  return preprocess('sam1', rgba, width, height);
}

/** sam2 preprocessing: stretch to 1024x1024, normalize with ImageNet mean/std -> [1,3,1024,1024]. */
export function preprocessSam2(rgba: ArrayLike<number>, width: number, height: number): Float32Array {
  return preprocess('sam2', rgba, width, height);
}
