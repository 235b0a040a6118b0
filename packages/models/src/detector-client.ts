/**
 * `createBrowserDetector`: the `detector` contract run in the browser, for small models and users without a
 * server. The model runs in the model worker (comlink), which loads onnxruntime-web on the first `detect`.
 */
import { AbortError } from '@labelkit/core';
import * as Comlink from 'comlink';
import type { Detection, DetectorConfig } from './detector/detector.ts';
import type { DetectorLayout } from './detector/layout.ts';
import { type DetectorManifest, parseDetectorManifest } from './detector/manifest.ts';
import { type DetectOptions, resolveOptions } from './detector/options.ts';
import { ModelError } from './manifest.ts';
import { ModelInputError } from './preprocess/index.ts';
import type {
  Backend,
  DetectorWorkerApi,
  DetectorWorkerConfig,
  DetectorWorkerImage,
  WireResult,
} from './worker/protocol.ts';
import { abortable, fetchImage, fetchManifest, unwrapWire } from './worker-client.ts';

export interface BrowserDetectorOptions {
  /**
   * The model: a detector manifest, or the URL of its manifest.json (file URLs in it resolve against it). The
   * download is checked against its sha256. Give this or `modelUrl`.
   */
  manifest?: DetectorManifest | string | URL;
  /**
   * URL of an ONNX export to run without a manifest (no checksum check), e.g. a file the user picked
   * (`URL.createObjectURL(file)`); `inputSize` and `classes` are then required. Give this or `manifest`.
   */
  modelUrl?: string | URL;
  /** With `modelUrl`: side of the square model input (the export's imgsz, e.g. 640). */
  inputSize?: number;
  /** With `modelUrl`: class names, index = class id of the model. */
  classes?: readonly string[];
  /** With `modelUrl`: output layout; read from the output shape when absent. */
  layout?: DetectorLayout;
  /** Execution providers in order of preference. Default `['webgpu', 'wasm']`. */
  executionProviders?: Backend[];
  /** WASM threads. Default: up to 4 when the page is cross-origin isolated, else 1. */
  threads?: number;
  /** URL of the folder holding onnxruntime-web's `.wasm` and `.mjs` files (ending with `/`); see SegmenterOptions. */
  wasmPaths?: string;
  /** Starts the model worker; default: this package's `worker/decoder-worker` module worker. */
  worker?: () => Worker;
}

/** An image to detect in: a URL to fetch, encoded bytes (PNG, JPEG...) or decoded pixels. */
export type BrowserDetectorImage = string | URL | Blob | ImageData;

export interface BrowserDetector {
  /** The model's input size, classes and layout: known once the first `detect` has loaded the model. */
  readonly config: DetectorConfig | undefined;
  /** The execution provider the model got, once loaded. */
  readonly backend: Backend | undefined;
  /**
   * Detects objects in an image, best score first, boxes in image pixels. A newer call aborts an older one still
   * running (it rejects with AbortError, code `abort`), as does `signal`. Bad options reject with
   * ModelInputError `model/invalid-option` and the option's path.
   */
  detect(image: BrowserDetectorImage, options?: DetectOptions, signal?: AbortSignal): Promise<Detection[]>;
  /** Stops the worker; the detector cannot be used afterwards. */
  dispose(): void;
}

const badOption = (path: string, message: string) => new ModelInputError('model/invalid-option', message, { path });

/** Which model, checked before anything is downloaded. */
function modelSource(o: BrowserDetectorOptions): { manifest: DetectorManifest | string | URL } | DetectorWorkerConfig {
  if ((o.manifest === undefined) === (o.modelUrl === undefined))
    throw badOption('$', 'Give either manifest or modelUrl');
  if (o.manifest !== undefined) {
    if (typeof o.manifest === 'string' || o.manifest instanceof URL) return { manifest: o.manifest };
    const parsed = parseDetectorManifest(o.manifest);
    if (!parsed.ok) throw parsed.error;
    return { manifest: parsed.value };
  }
  if (!Number.isInteger(o.inputSize) || (o.inputSize as number) < 1)
    throw badOption('$.inputSize', 'inputSize must be a positive integer (the export imgsz, e.g. 640)');
  if (!Array.isArray(o.classes) || o.classes.length === 0 || !o.classes.every((c) => typeof c === 'string' && c))
    throw badOption('$.classes', 'classes must be a non-empty array of class names, index = class id');
  return {
    model: { url: String(o.modelUrl) },
    base: globalThis.location?.href,
    config: {
      inputSize: o.inputSize as number,
      classes: [...o.classes],
      ...(o.layout === undefined ? {} : { layout: o.layout }),
    },
    executionProviders: [],
    threads: 1,
  };
}

async function loadManifest(
  source: DetectorManifest | string | URL,
): Promise<{ manifest: DetectorManifest; base: string }> {
  const here = globalThis.location?.href;
  if (typeof source === 'object' && !(source instanceof URL)) return { manifest: source, base: here };
  return fetchManifest(source, parseDetectorManifest);
}

async function toWorkerImage(image: BrowserDetectorImage, signal?: AbortSignal): Promise<DetectorWorkerImage> {
  if (typeof ImageData !== 'undefined' && image instanceof ImageData)
    return { kind: 'pixels', width: image.width, height: image.height, rgba: image.data };
  if (image instanceof Blob) return { kind: 'blob', blob: image };
  return { kind: 'blob', blob: await fetchImage(image as string | URL, signal) };
}

function defaultWorker(): Worker {
  // As createSegmenter's: the .ts module from sources, dist/worker.js from the build.
  const file = import.meta.url.endsWith('.ts') ? './worker/decoder-worker.ts' : './worker.js';
  return new Worker(new URL(file, import.meta.url), { type: 'module', name: 'labelkit-detector' });
}

/**
 * Creates a detector running in a Web Worker. The options are checked at once (a ModelInputError or, for a bad
 * manifest object, a ModelError with the JSON path); nothing is downloaded until the first `detect`.
 */
export function createBrowserDetector(options: BrowserDetectorOptions): BrowserDetector {
  const source = modelSource(options);
  let worker: Worker | undefined;
  let started: Promise<Comlink.Remote<DetectorWorkerApi>> | undefined;
  let config: DetectorConfig | undefined;
  let backend: Backend | undefined;
  let requestId = 0;
  let pending: AbortController | undefined;
  let disposed = false;

  const start = () => {
    if (disposed) return Promise.reject(new ModelError('model/disposed', 'This detector was disposed'));
    started ??= (async () => {
      let init: DetectorWorkerConfig;
      if ('manifest' in source) {
        const { manifest, base } = await loadManifest(source.manifest);
        const { inputSize, classes, layout } = manifest;
        init = {
          model: manifest.model,
          base,
          config: { inputSize, classes, ...(layout === undefined ? {} : { layout }) },
          executionProviders: [],
          threads: 1,
        };
      } else init = source;
      const isolated = globalThis.crossOriginIsolated === true;
      const wanted = isolated ? (options.threads ?? Math.min(4, navigator.hardwareConcurrency || 1)) : 1;
      worker = (options.worker ?? defaultWorker)();
      const remote = Comlink.wrap<DetectorWorkerApi>(worker);
      const info = unwrapWire(
        await remote.initDetector({
          ...init,
          executionProviders: options.executionProviders ?? ['webgpu', 'wasm'],
          threads: Math.max(1, Math.floor(wanted)),
          ...(options.wasmPaths ? { wasmPaths: new URL(options.wasmPaths, globalThis.location?.href).href } : {}),
        }),
      );
      config = init.config;
      backend = info.backend;
      return remote;
    })();
    // A failed start (404, checksum) may be retried by the next call.
    started.catch(() => {
      started = undefined;
      worker?.terminate();
      worker = undefined;
    });
    return started;
  };

  return {
    get config() {
      return config;
    },
    get backend() {
      return backend;
    },
    async detect(image, detectOptions = {}, signal) {
      resolveOptions(detectOptions);
      pending?.abort();
      const controller = new AbortController();
      pending = controller;
      const id = ++requestId;
      const onAbort = () => controller.abort();
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) controller.abort();
      try {
        const remote = await abortable(start(), controller.signal);
        const input = await abortable(toWorkerImage(image, controller.signal), controller.signal);
        controller.signal.addEventListener('abort', () => void remote.abortDetect(id), { once: true });
        const r = await abortable(
          remote.detect(id, input, detectOptions) as Promise<WireResult<Detection[] | null>>,
          controller.signal,
        );
        const detections = unwrapWire(r);
        // Late results (a newer call, an abort) are dropped, never returned.
        if (detections === null || controller.signal.aborted)
          throw new AbortError('A newer detection replaced this one');
        return detections;
      } finally {
        signal?.removeEventListener('abort', onAbort);
        if (pending === controller) pending = undefined;
      }
    },
    dispose() {
      disposed = true;
      pending?.abort();
      worker?.terminate();
    },
  };
}
