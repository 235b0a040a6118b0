/** What the Segmenter and the browser detector (main thread) and the model worker exchange through comlink. */
import type { PolygonRings, RLE } from '@labelkit/core';
import type { Detection, DetectorConfig } from '../detector/detector.ts';
import type { DetectOptions } from '../detector/options.ts';
import type { ModelManifest } from '../manifest.ts';
import type { Prompt } from '../prompt.ts';

export const Backend = { WebGPU: 'webgpu', Wasm: 'wasm' } as const;
export type Backend = (typeof Backend)[keyof typeof Backend];

export interface WorkerConfig {
  manifest: ModelManifest;
  /** URL the manifest's relative file URLs resolve against. */
  base: string;
  executionProviders: Backend[];
  /** WASM threads to use; 1 without cross-origin isolation. */
  threads: number;
  /** Folder (URL ending with `/`) holding onnxruntime-web's .wasm/.mjs files, or undefined for ort's default. */
  wasmPaths?: string;
  /** Base URL of a LabelKit server; embeddings come from it when given. */
  server?: string;
  /** Extra request headers for the server (an Authorization bearer token, typically). */
  headers: Record<string, string>;
  memoryBytes: number;
  /** 0 turns the IndexedDB store off. */
  storeBytes: number;
}

/** An image as the worker accepts it: encoded bytes (PNG, JPEG...), decoded pixels, or its embedding container. */
export type WorkerImage =
  | { kind: 'blob'; blob: Blob }
  | { kind: 'pixels'; width: number; height: number; rgba: Uint8ClampedArray }
  | { kind: 'container'; bytes: Uint8Array };

/** A LabelKitError across the worker boundary (comlink keeps only message and name of thrown errors). */
export interface WireError {
  name: string;
  code: string;
  message: string;
  path?: string;
}

export type WireResult<T> = { ok: true; value: T } | { ok: false; error: WireError };

export interface SegmentResult {
  /** Row-major mask of the original image (1 inside). */
  mask: Uint8Array;
  width: number;
  height: number;
  /** COCO compressed RLE of the mask (core's encodeRLE). */
  rle: RLE;
  /** The decoder's own quality estimate (SAM: predicted IoU), 0..1 for the built-in model. */
  score: number;
  /** Outlines of the mask's parts with their holes, flat [x0,y0,x1,y1,...] in image pixels (core's
   *  maskToPolygons, simplified to half a pixel), ready for `polygon` shapes. */
  polygons: PolygonRings[];
}

export interface DecoderWorkerApi {
  init(config: WorkerConfig): Promise<WireResult<{ backend: Backend; threads: number }>>;
  /** Loads an image's embedding (cache, server or in-browser encoder) and makes it the current one. */
  setImage(token: number, image: WorkerImage): Promise<WireResult<{ width: number; height: number; key: string }>>;
  /** Loads an image's embedding into the caches only. */
  prefetch(image: WorkerImage): Promise<WireResult<{ key: string }>>;
  /** Runs the decoder unless a newer request (higher id) or an abort came first (then resolves null). */
  segment(id: number, prompt: Prompt): Promise<WireResult<SegmentResult | null>>;
  abort(id: number): void;
}

export interface DetectorWorkerConfig {
  /** The ONNX export; its download is checked against `sha256` when given (always, from a manifest). */
  model: { url: string; sha256?: string };
  /** URL the model URL resolves against. */
  base: string;
  config: DetectorConfig;
  executionProviders: Backend[];
  threads: number;
  wasmPaths?: string;
}

/** An image to detect in: encoded bytes or decoded pixels. */
export type DetectorWorkerImage = Exclude<WorkerImage, { kind: 'container' }>;

export interface DetectorWorkerApi {
  /** Downloads the detector's model and opens its session (replacing a detector loaded before). */
  initDetector(config: DetectorWorkerConfig): Promise<WireResult<{ backend: Backend; threads: number }>>;
  /** Runs the detector unless a newer request (higher id) or an abort came first (then resolves null). */
  detect(id: number, image: DetectorWorkerImage, options: DetectOptions): Promise<WireResult<Detection[] | null>>;
  abortDetect(id: number): void;
}

/** Everything the model worker answers: the segmenter's decoder and the detector. */
export type ModelWorkerApi = DecoderWorkerApi & DetectorWorkerApi;
