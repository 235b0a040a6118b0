/**
 * `createSegmenter`: the browser Segmenter of DESIGN.md section 7. The decoder runs in a Web Worker (comlink)
 * that loads onnxruntime-web on first use; the main thread only checks prompts and orders requests.
 */
import { AbortError } from '@labelkit/core';
import * as Comlink from 'comlink';
import { ModelError, type ModelManifest, parseManifest } from './manifest.ts';
import { checkPrompt, type Prompt } from './prompt.ts';
import type { Backend, DecoderWorkerApi, SegmentResult, WireResult, WorkerImage } from './worker/protocol.ts';
import { abortable, fetchImage, fetchManifest, unwrapWire } from './worker-client.ts';

export type { Backend, SegmentResult } from './worker/protocol.ts';

/**
 * An image to segment: a URL to fetch, encoded bytes, decoded pixels, or `{ embedding }`: the image's
 * embedding container (DESIGN.md section 8) that the host app already holds.
 */
export type SegmenterImage = string | URL | Blob | ImageData | { embedding: Uint8Array };

export interface EmbeddingOptions {
  /** Bytes of decoded (float32) embeddings kept in memory. Default 64 MiB (16 SAM embeddings). */
  memoryBytes?: number;
  /** Bytes of containers kept in IndexedDB across page loads; 0 turns it off. Default 256 MiB. */
  storeBytes?: number;
}

export interface SegmenterOptions {
  /** The model: a manifest, or the URL of a manifest.json (file URLs in it resolve against it). */
  model: ModelManifest | string | URL;
  /**
   * Base URL of a LabelKit server: embeddings come from `POST {server}/v1/embeddings?model=ID`. Without it the
   * manifest's encoder runs in the browser (fine for the built-in model, far too slow for real SAM encoders).
   */
  server?: string | URL;
  /** Request headers for the server, e.g. `{ Authorization: 'Bearer ...' }`. */
  headers?: Record<string, string>;
  /** Embedding caches. */
  embeddings?: EmbeddingOptions;
  /** Execution providers in order of preference. Default `['webgpu', 'wasm']`. */
  executionProviders?: Backend[];
  /**
   * WASM threads. Default: up to 4 when the page is cross-origin isolated, else 1 (threads need
   * SharedArrayBuffer, which browsers only give isolated pages).
   */
  threads?: number;
  /**
   * URL of the folder holding onnxruntime-web's `.wasm` and `.mjs` files (ending with `/`). Default:
   * onnxruntime-web's own resolution (next to its module), so a bundler or server must serve them there.
   */
  wasmPaths?: string;
  /** Starts the decoder worker; default: this package's `worker/decoder-worker` module worker. */
  worker?: () => Worker;
}

export interface Segmenter {
  readonly model: ModelManifest | undefined;
  /** The execution provider the decoder got: known once a first setImage/prefetch has started the worker. */
  readonly backend: Backend | undefined;
  /** WASM threads in use (1 on WebGPU or without cross-origin isolation). */
  readonly threads: number;
  /** Loads the image's embedding (cache, server or in-browser encoder) and makes it the image to segment. */
  setImage(image: SegmenterImage, signal?: AbortSignal): Promise<{ width: number; height: number }>;
  /** Loads an image's embedding into the caches ahead of time (the next item while the user works). */
  prefetch(image: SegmenterImage): Promise<void>;
  /** Segments the current image. A newer call aborts an older one still waiting (it rejects with AbortError). */
  segment(prompt: Prompt, signal?: AbortSignal): Promise<SegmentResult>;
  /** Stops the worker; the segmenter cannot be used afterwards. */
  dispose(): void;
}

async function toWorkerImage(image: SegmenterImage, signal?: AbortSignal): Promise<WorkerImage> {
  if (typeof ImageData !== 'undefined' && image instanceof ImageData)
    return { kind: 'pixels', width: image.width, height: image.height, rgba: image.data };
  if (image instanceof Blob) return { kind: 'blob', blob: image };
  if (typeof image === 'object' && 'embedding' in image) return { kind: 'container', bytes: image.embedding };
  return { kind: 'blob', blob: await fetchImage(image as string | URL, signal) };
}

async function loadManifest(model: SegmenterOptions['model']): Promise<{ manifest: ModelManifest; base: string }> {
  const here = globalThis.location?.href;
  if (typeof model === 'object' && !(model instanceof URL)) {
    const parsed = parseManifest(model);
    if (!parsed.ok) throw parsed.error;
    return { manifest: parsed.value, base: here };
  }
  return fetchManifest(model, parseManifest);
}

function defaultWorker(): Worker {
  // From sources (tests, labelkit-source) the worker is the .ts module; the build emits it as dist/worker.js
  // next to dist/index.js (rollup entry `worker`), with onnxruntime-web's .wasm/.mjs files beside it.
  const file = import.meta.url.endsWith('.ts') ? './worker/decoder-worker.ts' : './worker.js';
  return new Worker(new URL(file, import.meta.url), { type: 'module', name: 'labelkit-decoder' });
}

/** Creates a Segmenter; nothing is downloaded until the first setImage or prefetch. */
export function createSegmenter(options: SegmenterOptions): Segmenter {
  let worker: Worker | undefined;
  let remote: Comlink.Remote<DecoderWorkerApi> | undefined;
  let started: Promise<Comlink.Remote<DecoderWorkerApi>> | undefined;
  let manifest: ModelManifest | undefined;
  let backend: Backend | undefined;
  let threads = 1;
  let size: { width: number; height: number } | undefined;
  let imageToken = 0;
  let requestId = 0;
  let pending: { id: number; controller: AbortController } | undefined;
  let disposed = false;

  const start = () => {
    if (disposed) return Promise.reject(new ModelError('model/disposed', 'This segmenter was disposed'));
    started ??= (async () => {
      const loaded = await loadManifest(options.model);
      manifest = loaded.manifest;
      worker = (options.worker ?? defaultWorker)();
      remote = Comlink.wrap<DecoderWorkerApi>(worker);
      const isolated = globalThis.crossOriginIsolated === true;
      const wanted = isolated ? (options.threads ?? Math.min(4, navigator.hardwareConcurrency || 1)) : 1;
      const info = unwrapWire(
        await remote.init({
          manifest,
          base: loaded.base,
          executionProviders: options.executionProviders ?? ['webgpu', 'wasm'],
          threads: Math.max(1, Math.floor(wanted)),
          ...(options.wasmPaths ? { wasmPaths: new URL(options.wasmPaths, globalThis.location?.href).href } : {}),
          ...(options.server ? { server: new URL(String(options.server), globalThis.location?.href).href } : {}),
          headers: options.headers ?? {},
          memoryBytes: options.embeddings?.memoryBytes ?? 64 * 2 ** 20,
          storeBytes: options.embeddings?.storeBytes ?? 256 * 2 ** 20,
        }),
      );
      backend = info.backend;
      threads = info.threads;
      return remote;
    })();
    // A failed start (404, checksum) may be retried by the next call.
    started.catch(() => {
      started = undefined;
      worker?.terminate();
    });
    return started;
  };

  return {
    get model() {
      return manifest;
    },
    get backend() {
      return backend;
    },
    get threads() {
      return threads;
    },
    async setImage(image, signal) {
      const token = ++imageToken;
      size = undefined;
      pending?.controller.abort();
      const w = await abortable(start(), signal);
      const input = await toWorkerImage(image, signal);
      const loaded: WireResult<{ width: number; height: number }> = await abortable(
        w.setImage(token, input) as Promise<WireResult<{ width: number; height: number }>>,
        signal,
      );
      const info = unwrapWire(loaded);
      if (token !== imageToken) throw new AbortError('A newer image replaced this one');
      size = { width: info.width, height: info.height };
      return size;
    },
    async prefetch(image) {
      const w = await start();
      unwrapWire(await w.prefetch(await toWorkerImage(image)));
    },
    segment(prompt, signal) {
      const current = size;
      if (!current || !remote) return Promise.reject(new ModelError('model/no-image', 'Call setImage first'));
      try {
        checkPrompt(prompt, current.width, current.height);
      } catch (e) {
        return Promise.reject(e);
      }
      pending?.controller.abort();
      const id = ++requestId;
      const controller = new AbortController();
      pending = { id, controller };
      const r = remote;
      const onAbort = () => {
        controller.abort();
        void r.abort(id);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) onAbort();
      const job = r.segment(id, prompt).then((res) => {
        const value = unwrapWire(res);
        // Late results (a newer prompt, an abort) are dropped, never returned.
        if (value === null || controller.signal.aborted) throw new AbortError('A newer prompt replaced this one');
        return value;
      });
      return abortable(job, controller.signal).finally(() => {
        signal?.removeEventListener('abort', onAbort);
        if (pending?.id === id) pending = undefined;
      });
    },
    dispose() {
      disposed = true;
      pending?.controller.abort();
      remote?.[Comlink.releaseProxy]();
      worker?.terminate();
    },
  };
}
