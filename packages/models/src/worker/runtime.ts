/**
 * What the decoder and detector halves of the model worker share: onnxruntime-web, loaded once on first use,
 * image decoding, and errors across the comlink boundary.
 */
import { LabelKitError } from '@labelkit/core';
import type * as Ort from 'onnxruntime-web';
import { ModelError } from '../manifest.ts';
import type { Backend, WireError, WireResult, WorkerImage } from './protocol.ts';

let runtime: Promise<typeof Ort> | undefined;

/**
 * onnxruntime-web, imported on first use so that pages that never run a model never download megabytes of
 * WASM; the WebGPU build (twice the WASM) only where a GPU adapter exists. Its WASM settings are global: the
 * first caller's `threads` and `wasmPaths` hold for every session of the worker.
 */
export function loadOrt(gpu: boolean, threads: number, wasmPaths?: string): Promise<typeof Ort> {
  runtime ??= (async () => {
    const ort = gpu ? await import('onnxruntime-web') : await import('onnxruntime-web/wasm');
    if (wasmPaths) ort.env.wasm.wasmPaths = wasmPaths;
    ort.env.wasm.numThreads = threads;
    ort.env.wasm.proxy = false;
    return ort;
  })();
  runtime.catch(() => {
    runtime = undefined;
  });
  return runtime;
}

export async function hasWebGpu(): Promise<boolean> {
  const gpu = (navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) return false;
  try {
    return (await gpu.requestAdapter()) !== null;
  } catch {
    return false;
  }
}

/** Creates a session on the first of `backends` that loads it, skipping WebGPU where there is no adapter. */
export async function createSession(
  ort: typeof Ort,
  bytes: Uint8Array,
  backends: readonly Backend[],
  gpu: boolean,
  what: string,
): Promise<{ session: Ort.InferenceSession; backend: Backend }> {
  let lastError: unknown;
  for (const backend of backends) {
    if (backend === 'webgpu' && !gpu) continue;
    try {
      const session = await ort.InferenceSession.create(bytes, {
        executionProviders: [backend],
        graphOptimizationLevel: 'all',
      });
      return { session, backend };
    } catch (e) {
      lastError = e;
    }
  }
  throw new ModelError('model/no-backend', `No execution provider could load the ${what} (${backends})`, {
    cause: lastError,
  });
}

export function wire(e: unknown): WireError {
  if (e instanceof LabelKitError)
    return { name: e.name, code: e.code, message: e.message, ...(e.path ? { path: e.path } : {}) };
  const message = e instanceof Error ? e.message : String(e);
  return { name: 'ModelError', code: 'model/runtime', message };
}

export async function wrap<T>(f: () => Promise<T>): Promise<WireResult<T>> {
  try {
    return { ok: true, value: await f() };
  } catch (e) {
    return { ok: false, error: wire(e) };
  }
}

export function need<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new ModelError('model/not-ready', `${what} is not loaded: call init first`);
  return v;
}

/** Decoded RGBA pixels of an image given as bytes or pixels. */
export async function pixels(
  image: Exclude<WorkerImage, { kind: 'container' }>,
): Promise<{ rgba: Uint8ClampedArray; width: number; height: number }> {
  if (image.kind === 'pixels') return image;
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(image.blob);
  } catch (cause) {
    throw new ModelError('model/invalid-image', 'The image could not be decoded', { cause });
  }
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new ModelError('model/runtime', 'No 2D context in this worker');
  ctx.drawImage(bitmap, 0, 0);
  const data = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
  bitmap.close();
  return { rgba: data.data, width: data.width, height: data.height };
}
