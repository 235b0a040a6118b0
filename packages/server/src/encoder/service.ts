/**
 * Embeddings by content: memory LRU, then storage (when enabled), then the encoder. Identical requests that
 * arrive while one is computing share that computation; it is cancelled only when every one of them has gone.
 */
import { AbortError, ByteLru, decodeEmbedding, type EmbeddingDType, encodeEmbedding } from '@labelkit/core';
import { CONTRACTS } from '@labelkit/models/contracts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { ModelRegistry } from '../models/registry.ts';
import type { Storage } from '../storage/index.ts';
import { type ImageMime, prepareImage } from './preprocess.ts';

export interface EmbeddingServiceOptions {
  registry: ModelRegistry;
  metrics: Metrics;
  logger: Logger;
  /** Size of the in-memory LRU of containers (both dtypes count). */
  cacheBytes: number;
  /** Largest image accepted, in pixels, checked from its header. */
  maxPixels: number;
  /** Where embeddings are shared with other servers (`embeddings/<model>/<sha256>.bin`); none to keep them in memory only. */
  storage: Storage | undefined;
}

export interface EmbedInput {
  model: string;
  /** sha256 (hex) of the image bytes. */
  sha256: string;
  image: Uint8Array;
  /** The request's Content-Type, undefined for images read from storage. */
  declared: ImageMime | undefined;
}

interface Inflight {
  promise: Promise<Uint8Array>;
  controller: AbortController;
  refs: number;
}

export const storageKey = (model: string, sha256: string) => `embeddings/${model}/${sha256}.bin`;

export class EmbeddingService {
  private readonly options: EmbeddingServiceOptions;
  private readonly lru: ByteLru<Uint8Array>;
  private readonly inflight = new Map<string, Inflight>();

  constructor(options: EmbeddingServiceOptions) {
    this.options = options;
    this.lru = new ByteLru(options.cacheBytes);
  }

  /** The container for an image, computing it when no cache has it; `cached` says whether the encoder was skipped. */
  async embed(
    input: EmbedInput,
    dtype: EmbeddingDType,
    signal?: AbortSignal,
  ): Promise<{ container: Uint8Array; cached: boolean }> {
    const key = `${input.model}/${input.sha256}`;
    const hit = await this.lookup(input.model, input.sha256, dtype);
    if (hit) return { container: hit, cached: true };
    let job = this.inflight.get(key);
    if (!job) {
      const controller = new AbortController();
      const created: Inflight = { controller, refs: 0, promise: this.compute(input, controller.signal) };
      job = created;
      this.inflight.set(key, created);
      created.promise.then(
        () => this.inflight.delete(key),
        () => this.inflight.delete(key),
      );
    }
    const shared = job;
    shared.refs++;
    const onAbort = () => {
      if (--shared.refs === 0) shared.controller.abort();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const float32 = await (signal ? raceAbort(shared.promise, signal) : shared.promise);
      return { container: this.variant(key, float32, dtype), cached: false };
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** A cached container (memory, then storage), or undefined. Counts hits but not misses. */
  async lookup(model: string, sha256: string, dtype: EmbeddingDType): Promise<Uint8Array | undefined> {
    const key = `${model}/${sha256}`;
    const exact = this.lru.get(`${key}#${dtype}`);
    const float32 = exact ? undefined : this.lru.get(`${key}#float32`);
    if (exact || float32) {
      this.options.metrics.cacheHits.inc({ layer: 'memory' });
      return exact ?? this.variant(key, float32 as Uint8Array, dtype);
    }
    const { storage } = this.options;
    if (!storage) return undefined;
    const stored = await storage.get(storageKey(model, sha256)).catch((e: unknown) => {
      this.options.logger.warn('embedding storage read failed', { model, error: (e as Error).message });
      return undefined;
    });
    if (!stored || !decodeEmbedding(stored).ok) return undefined;
    this.options.metrics.cacheHits.inc({ layer: 'storage' });
    this.remember(`${key}#float32`, stored);
    return this.variant(key, stored, dtype);
  }

  private async compute(input: EmbedInput, signal: AbortSignal): Promise<Uint8Array> {
    const manifest = this.options.registry.get(input.model);
    // Preprocessing per contract (DESIGN.md section 7), the same table the browser side uses.
    const spec = CONTRACTS[manifest.contract];
    const image = await prepareImage(input.image, spec, this.options.maxPixels, input.declared);
    const pool = await this.options.registry.pool(input.model);
    if (signal.aborted) throw new AbortError();
    const result = await pool.run(
      {
        pixels: image.pixels,
        resizedWidth: image.resizedWidth,
        resizedHeight: image.resizedHeight,
        inputSize: spec.inputSize,
        mean: [...spec.mean],
        std: [...spec.std],
      },
      signal,
    );
    this.options.metrics.cacheMisses.inc();
    this.options.metrics.encoderSeconds.observe({ model: input.model }, result.inferenceMs / 1000);
    const container = encodeEmbedding(
      {
        model: input.model,
        contract: manifest.contract,
        imageSize: { width: image.imageWidth, height: image.imageHeight },
        inputSize: { width: spec.inputSize, height: spec.inputSize },
        resizedSize: { width: image.resizedWidth, height: image.resizedHeight },
        tensors: result.tensors,
      },
      { dtype: 'float32' },
    );
    this.remember(`${input.model}/${input.sha256}#float32`, container);
    const { storage } = this.options;
    if (storage)
      // Sharing with the fleet is best effort: a failed write costs another server one encoder run, not this request.
      storage.put(storageKey(input.model, input.sha256), container).catch((e: unknown) =>
        this.options.logger.warn('embedding storage write failed', {
          model: input.model,
          error: (e as Error).message,
        }),
      );
    return container;
  }

  /** The container in `dtype`, converted from the float32 one and remembered. */
  private variant(key: string, float32: Uint8Array, dtype: EmbeddingDType): Uint8Array {
    if (dtype === 'float32') return float32;
    const cached = this.lru.get(`${key}#${dtype}`);
    if (cached) return cached;
    const decoded = decodeEmbedding(float32);
    if (!decoded.ok) throw decoded.error;
    const { header, tensors } = decoded.value;
    const out = encodeEmbedding(
      { ...header, tensors: header.tensors.map((t) => tensors[t.name] as NonNullable<(typeof tensors)[string]>) },
      { dtype },
    );
    this.remember(`${key}#${dtype}`, out);
    return out;
  }

  private remember(key: string, bytes: Uint8Array): void {
    this.lru.set(key, bytes, bytes.byteLength);
    this.options.metrics.cacheBytes.set(this.lru.bytes);
  }
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new AbortError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AbortError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
