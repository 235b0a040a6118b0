/**
 * Adapters per model contract (DESIGN.md section 7): they turn a prompt and an embedding into decoder feeds,
 * and the decoder's outputs into a mask in original image pixels. Pure functions over typed arrays, so the
 * browser worker and the Node tests run the same code.
 */
import { CONTRACTS, type ModelContract, resizeTransform } from '../contracts.ts';
import { ModelError } from '../manifest.ts';
import { encodePoints, type Prompt } from '../prompt.ts';
import type { DecodedMask, Feeds, TensorData } from './types.ts';

export type { DecodedMask, Feeds, TensorData } from './types.ts';

export const LOW_RES = 256;

export interface Adapter {
  contract: ModelContract;
  /** Builds the decoder's inputs; `previous` is the last result's low-res logits of this image, if any. */
  feeds(
    embedding: Record<string, TensorData>,
    prompt: Prompt,
    width: number,
    height: number,
    previous?: Float32Array,
  ): Feeds;
  /** Reads the decoder's outputs for an image of `width` x `height`. */
  read(outputs: Record<string, TensorData>, width: number, height: number): DecodedMask;
}

/** Checks an embedding's tensors against the contract: every expected name with its exact shape. */
export function checkEmbedding(contract: ModelContract, tensors: Record<string, { dims: readonly number[] }>): void {
  for (const [name, shape] of Object.entries(CONTRACTS[contract].encoderOutputs)) {
    const t = tensors[name];
    if (!t)
      throw new ModelError('model/embedding-mismatch', `The embedding has no tensor "${name}" (${contract})`, {
        path: `$.tensors.${name}`,
      });
    if (t.dims.length !== shape.length || t.dims.some((d, i) => d !== shape[i]))
      throw new ModelError(
        'model/embedding-mismatch',
        `Tensor "${name}" has shape [${t.dims.join(',')}], ${contract} needs [${shape.join(',')}]`,
        { path: `$.tensors.${name}.shape` },
      );
  }
}

function mustGet(outputs: Record<string, TensorData>, name: string): TensorData {
  const t = outputs[name];
  if (!t) throw new ModelError('model/output-mismatch', `The decoder gave no output "${name}"`, { path: name });
  return t;
}

/** Index of the best of `count` candidate masks. */
function best(scores: Float32Array, count: number): number {
  let k = 0;
  for (let i = 1; i < count; i++) if (scores[i]! > scores[k]!) k = i;
  return k;
}

function maskInput(previous: Float32Array | undefined): Feeds {
  const has = previous !== undefined && previous.length === LOW_RES * LOW_RES;
  return {
    mask_input: { data: has ? previous : new Float32Array(LOW_RES * LOW_RES), dims: [1, 1, LOW_RES, LOW_RES] },
    has_mask_input: { data: Float32Array.of(has ? 1 : 0), dims: [1] },
  };
}

function pointFeeds(prompt: Prompt, scaleX: number, scaleY: number): Feeds {
  const { coords, labels, count } = encodePoints(prompt, scaleX, scaleY);
  return {
    point_coords: { data: coords, dims: [1, count, 2] },
    point_labels: { data: labels, dims: [1, count] },
  };
}

/**
 * Bilinear resize of one `sw` x `sh` logit plane to `dw` x `dh` (half-pixel centres, as PyTorch's
 * `interpolate(align_corners=False)`), thresholded at 0.
 */
export function upsampleToMask(plane: Float32Array, sw: number, sh: number, dw: number, dh: number): Uint8Array {
  const out = new Uint8Array(dw * dh);
  const sx = sw / dw;
  const sy = sh / dh;
  const x0 = new Int32Array(dw);
  const x1 = new Int32Array(dw);
  const fx = new Float32Array(dw);
  for (let x = 0; x < dw; x++) {
    const s = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), sw - 1);
    x0[x] = Math.floor(s);
    x1[x] = Math.min(x0[x]! + 1, sw - 1);
    fx[x] = s - x0[x]!;
  }
  for (let y = 0; y < dh; y++) {
    const s = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), sh - 1);
    const r0 = Math.floor(s) * sw;
    const r1 = Math.min(Math.floor(s) + 1, sh - 1) * sw;
    const fy = s - Math.floor(s);
    for (let x = 0; x < dw; x++) {
      const a = plane[r0 + x0[x]!]!;
      const b = plane[r0 + x1[x]!]!;
      const c = plane[r1 + x0[x]!]!;
      const d = plane[r1 + x1[x]!]!;
      const top = a + (b - a) * fx[x]!;
      const bottom = c + (d - c) * fx[x]!;
      out[y * dw + x] = top + (bottom - top) * fy > 0 ? 1 : 0;
    }
  }
  return out;
}

/** sam1: SAM ViT-B/L/H, MobileSAM and the built-in model, as segment-anything's ONNX export defines them. */
export const sam1: Adapter = {
  contract: 'sam1',
  feeds(embedding, prompt, width, height, previous) {
    checkEmbedding('sam1', embedding);
    const t = resizeTransform('sam1', width, height);
    return {
      image_embeddings: embedding.image_embeddings as TensorData,
      ...pointFeeds(prompt, t.scaleX, t.scaleY),
      ...maskInput(previous),
      orig_im_size: { data: Float32Array.of(height, width), dims: [2] },
    };
  },
  read(outputs, width, height) {
    const masks = mustGet(outputs, 'masks');
    const scores = mustGet(outputs, 'iou_predictions');
    const lowRes = mustGet(outputs, 'low_res_masks');
    const [, count = 1, h, w] = masks.dims;
    if (h !== height || w !== width)
      throw new ModelError('model/output-mismatch', `masks are ${w}x${h}, the image is ${width}x${height}`, {
        path: 'masks',
      });
    const k = best(scores.data, count);
    const plane = width * height;
    const mask = new Uint8Array(plane);
    const logits = masks.data.subarray(k * plane, (k + 1) * plane);
    for (let i = 0; i < plane; i++) mask[i] = logits[i]! > 0 ? 1 : 0;
    const low = LOW_RES * LOW_RES;
    return {
      mask,
      width,
      height,
      score: scores.data[k] ?? 0,
      lowRes: lowRes.data.slice(k * low, (k + 1) * low),
    };
  },
};

/** sam2: SAM 2 / 2.1 as samexporter exports them (low-resolution masks, upsampled here). */
export const sam2: Adapter = {
  contract: 'sam2',
  feeds(embedding, prompt, width, height, previous) {
    checkEmbedding('sam2', embedding);
    const t = resizeTransform('sam2', width, height);
    return {
      image_embed: embedding.image_embed as TensorData,
      high_res_feats_0: embedding.high_res_feats_0 as TensorData,
      high_res_feats_1: embedding.high_res_feats_1 as TensorData,
      ...pointFeeds(prompt, t.scaleX, t.scaleY),
      ...maskInput(previous),
    };
  },
  read(outputs, width, height) {
    const masks = mustGet(outputs, 'masks');
    const scores = mustGet(outputs, 'iou_predictions');
    const [, count = 1, h = 0, w = 0] = masks.dims;
    if (h !== LOW_RES || w !== LOW_RES)
      throw new ModelError('model/output-mismatch', `sam2 masks are ${w}x${h}, expected ${LOW_RES}x${LOW_RES}`, {
        path: 'masks',
      });
    const k = best(scores.data, count);
    const low = LOW_RES * LOW_RES;
    const lowRes = masks.data.slice(k * low, (k + 1) * low);
    // The sam2 frame is the whole image stretched: resizing the 256x256 logits to the image inverts it.
    return {
      mask: upsampleToMask(lowRes, LOW_RES, LOW_RES, width, height),
      width,
      height,
      score: scores.data[k] ?? 0,
      lowRes,
    };
  },
};

export const ADAPTERS: Record<ModelContract, Adapter> = { sam1, sam2 };
