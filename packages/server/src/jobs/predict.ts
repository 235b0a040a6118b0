/**
 * What a job runs on one image: the detector (onnxruntime-node, the `detector` contract of @labelkit/models),
 * then, with `boxToMask`, each box refined into a mask by a Segment-Anything model with the box as prompt (the
 * embedding from the server's encoder service, the decoder graph run here).
 */
import { createHash } from 'node:crypto';
import { decodeEmbedding, encodeRLE, type Mask, type Shape } from '@labelkit/core';
import { ADAPTERS, type TensorData } from '@labelkit/models';
import { createDetector, type Detector, type DetectorManifest, detectionsToShapes } from '@labelkit/models/detector';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import type { EmbeddingService } from '../encoder/service.ts';
import { HttpError } from '../errors.ts';
import { pullDetector } from '../models/pull.ts';
import type { ModelRegistry } from '../models/registry.ts';
import type { ItemResult, JobSpec } from './types.ts';

/**
 * Loads each ONNX file once per process; a failed load is retried on the next call. With `cuda`, a session
 * that cannot get the CUDA provider (no GPU, no CUDA libraries) runs on the CPU instead, as the encoders do.
 */
export class SessionCache {
  readonly #sessions = new Map<string, Promise<ort.InferenceSession>>();
  readonly #provider: 'cpu' | 'cuda';

  constructor(provider: 'cpu' | 'cuda' = 'cpu') {
    this.#provider = provider;
  }

  get(path: string): Promise<ort.InferenceSession> {
    let p = this.#sessions.get(path);
    if (!p) {
      const cpu = () => ort.InferenceSession.create(path, { executionProviders: ['cpu'] });
      p =
        this.#provider === 'cuda'
          ? ort.InferenceSession.create(path, { executionProviders: ['cuda'] }).catch(cpu)
          : cpu();
      p.catch(() => this.#sessions.delete(path));
      this.#sessions.set(path, p);
    }
    return p;
  }
}

export type Refine = (image: Uint8Array, width: number, height: number, shapes: Shape[]) => Promise<Shape[]>;

export interface ItemPredictor {
  /** Predictions for one image (PNG, JPEG, WebP...); `newId` names the shapes. */
  predict(image: Uint8Array, newId: () => string): Promise<ItemResult>;
}

export interface PredictorFactoryOptions {
  registry: ModelRegistry;
  service: EmbeddingService;
  cacheDir: string;
  /** Largest image decoded, in pixels. */
  maxPixels: number;
  /** The Segment-Anything model refining boxes into masks (default `builtin`). */
  refiner?: string;
  /** Execution provider of the detector and decoder sessions (default `cpu`; `cuda` falls back to `cpu`). */
  executionProvider?: 'cpu' | 'cuda';
  sessions?: SessionCache;
  /** Opens a detector (default: onnxruntime-node on the manifest's file); tests wrap it to count calls. */
  openDetector?: (manifest: DetectorManifest, path: string) => Promise<Detector>;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** RGBA pixels of an image, EXIF orientation applied; refuses more than `maxPixels`. */
export async function decodeRgba(bytes: Uint8Array, maxPixels: number) {
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: maxPixels })
      .rotate()
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      width: info.width,
      height: info.height,
    };
  } catch (cause) {
    throw new HttpError(422, 'image/decode-failed', `The image cannot be decoded: ${(cause as Error).message}`, {
      cause,
    });
  }
}

/** Keeps only the mask pixels inside the box (row-major mask of `width` columns); returns the pixels kept. */
function clipToBox(
  mask: Uint8Array,
  width: number,
  height: number,
  b: { x: number; y: number; width: number; height: number },
) {
  const x0 = Math.max(0, Math.floor(b.x));
  const y0 = Math.max(0, Math.floor(b.y));
  const x1 = Math.min(width, Math.ceil(b.x + b.width));
  const y1 = Math.min(height, Math.ceil(b.y + b.height));
  let kept = 0;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    if (y < y0 || y >= y1) {
      mask.fill(0, row, row + width);
      continue;
    }
    mask.fill(0, row, row + x0);
    mask.fill(0, row + x1, row + width);
    for (let x = x0; x < x1; x++) kept += mask[row + x] as number;
  }
  return kept;
}

export class PredictorFactory {
  readonly #options: PredictorFactoryOptions;
  readonly #sessions: SessionCache;
  readonly #detectors = new Map<string, Promise<Detector>>();

  constructor(options: PredictorFactoryOptions) {
    this.#options = options;
    this.#sessions = options.sessions ?? new SessionCache(options.executionProvider);
  }

  #detector(manifest: DetectorManifest): Promise<Detector> {
    let p = this.#detectors.get(manifest.id);
    if (!p) {
      p = (async () => {
        const path = await pullDetector(manifest, { cacheDir: this.#options.cacheDir });
        if (this.#options.openDetector) return this.#options.openDetector(manifest, path);
        return createDetector(await this.#sessions.get(path), ort.Tensor, manifest);
      })();
      p.catch(() => this.#detectors.delete(manifest.id));
      this.#detectors.set(manifest.id, p);
    }
    return p;
  }

  /** The predictor of a job's spec, its models loaded. */
  async create(spec: JobSpec): Promise<ItemPredictor> {
    const { registry, maxPixels } = this.#options;
    const manifest = registry.detectors().find((d) => d.id === spec.model);
    if (!manifest) throw new HttpError(400, 'job/unknown-model', `No detector model "${spec.model}" is configured`);
    const detector = await this.#detector(manifest);
    const refine = spec.boxToMask ? await this.refiner() : undefined;
    const options = { ...spec.thresholds, labelMap: spec.labelMap };
    return {
      async predict(image, newId) {
        const rgba = await decodeRgba(image, maxPixels);
        const { detections } = await detector.detect(rgba, options);
        let shapes = detectionsToShapes(detections, { newId });
        if (refine) shapes = await refine(image, rgba.width, rgba.height, shapes);
        return { width: rgba.width, height: rgba.height, shapes };
      },
    };
  }

  /**
   * A function turning box shapes into mask shapes (same id, label and score) with the refiner model, the box
   * as prompt and the mask kept inside it; boxes whose mask comes out empty stay boxes.
   */
  async refiner(): Promise<Refine> {
    const { registry, service } = this.#options;
    const model = this.#options.refiner ?? 'builtin';
    const manifest = registry.get(model);
    const adapter = ADAPTERS[manifest.contract];
    const decoder = await this.#sessions.get((await registry.files(model)).decoderPath);
    return async (image, width, height, shapes) => {
      if (!shapes.some((s) => s.type === 'box')) return shapes;
      const { container } = await service.embed(
        { model, sha256: sha256(image), image, declared: undefined },
        'float32',
      );
      const decoded = decodeEmbedding(container);
      if (!decoded.ok) throw decoded.error;
      const embedding: Record<string, TensorData> = {};
      for (const [name, t] of Object.entries(decoded.value.tensors)) embedding[name] = { data: t.data, dims: t.shape };
      const out: Shape[] = [];
      for (const s of shapes) {
        if (s.type !== 'box') {
          out.push(s);
          continue;
        }
        const box = { x: s.x, y: s.y, width: s.width, height: s.height };
        const feeds = adapter.feeds(embedding, { box, refine: false }, width, height);
        const tensors: Record<string, ort.Tensor> = {};
        for (const [k, v] of Object.entries(feeds)) tensors[k] = new ort.Tensor('float32', v.data, v.dims);
        const result = await decoder.run(tensors);
        const read: Record<string, TensorData> = {};
        for (const [k, v] of Object.entries(result)) read[k] = { data: v.data as Float32Array, dims: [...v.dims] };
        const { mask } = adapter.read(read, width, height);
        // SAM may spill over the box it was given; the box is the detector's claim, so the mask stays inside it.
        if (clipToBox(mask, width, height, box) === 0) {
          out.push(s);
          continue;
        }
        const m: Mask = {
          id: s.id,
          type: 'mask',
          label: s.label,
          source: 'model',
          rle: encodeRLE(mask, width, height),
        };
        if (s.score !== undefined) m.score = s.score;
        out.push(m);
      }
      return out;
    };
  }
}
