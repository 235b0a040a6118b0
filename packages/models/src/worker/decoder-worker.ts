/**
 * The model worker: loads onnxruntime-web lazily, runs the decoder (WebGPU, else WASM), fetches or computes
 * embeddings and caches them; runs detectors too (detector-worker.ts). The Segmenter and the browser detector
 * talk to it through comlink (see protocol.ts).
 */
import { ByteLru, decodeEmbedding, encodeEmbedding, encodeRLE, maskToPolygons } from '@labelkit/core';
import * as Comlink from 'comlink';
import type * as Ort from 'onnxruntime-web';
import { ADAPTERS, type Adapter, checkEmbedding, type TensorData } from '../adapters/index.ts';
import { IndexedDbStore } from '../cache/index.ts';
import { CONTRACTS, resizeTransform } from '../contracts.ts';
import { fetchVerified, ModelError, sha256Hex } from '../manifest.ts';
import { preprocess } from '../preprocess/index.ts';
import type { Prompt } from '../prompt.ts';
import { detectorApi } from './detector-worker.ts';
import type { Backend, ModelWorkerApi, SegmentResult, WorkerConfig, WorkerImage } from './protocol.ts';
import { createSession, hasWebGpu, loadOrt, need, pixels, wrap } from './runtime.ts';

interface Embedding {
  tensors: Record<string, TensorData>;
  width: number;
  height: number;
}

let ort: typeof Ort | undefined;
let config: WorkerConfig | undefined;
let adapter: Adapter | undefined;
let decoder: Ort.InferenceSession | undefined;
let encoder: Promise<Ort.InferenceSession> | undefined;
let memory: ByteLru<Embedding> | undefined;
let store: IndexedDbStore | undefined;
const inflight = new Map<string, Promise<Embedding>>();

let current: { key: string; embedding: Embedding; previous?: Float32Array } | undefined;
let imageToken = 0;
let latest = 0;
const aborted = new Set<number>();
let queue: Promise<unknown> = Promise.resolve();

async function init(c: WorkerConfig): Promise<{ backend: Backend; threads: number }> {
  config = c;
  adapter = ADAPTERS[c.manifest.contract];
  memory = new ByteLru(c.memoryBytes);
  store = c.storeBytes > 0 ? new IndexedDbStore(c.storeBytes) : undefined;
  const bytes = await fetchVerified(c.manifest.decoder, c.base, '$.decoder');
  if (!bytes.ok) throw bytes.error;
  const gpu = c.executionProviders.includes('webgpu') && (await hasWebGpu());
  ort = await loadOrt(gpu, c.threads, c.wasmPaths);
  const loaded = await createSession(ort, bytes.value, c.executionProviders, gpu, 'decoder');
  decoder = loaded.session;
  return { backend: loaded.backend, threads: loaded.backend === 'wasm' ? c.threads : 1 };
}

async function hashImage(image: WorkerImage): Promise<string> {
  const bytes =
    image.kind === 'blob'
      ? new Uint8Array(await image.blob.arrayBuffer())
      : image.kind === 'container'
        ? image.bytes
        : new Uint8Array(image.rgba.buffer, image.rgba.byteOffset, image.rgba.byteLength);
  return sha256Hex(bytes);
}

/** Reads a container, checking it belongs to this model and has the contract's tensors. */
function readContainer(bytes: Uint8Array): Embedding {
  const c = need(config, 'The model');
  const decoded = decodeEmbedding(bytes);
  if (!decoded.ok) throw decoded.error;
  const { header, tensors } = decoded.value;
  if (header.model !== c.manifest.id || header.contract !== c.manifest.contract)
    throw new ModelError(
      'model/embedding-mismatch',
      `The embedding is for ${header.model} (${header.contract}), this segmenter runs ${c.manifest.id} (${c.manifest.contract})`,
      { path: '$.model' },
    );
  const out: Record<string, TensorData> = {};
  for (const [name, t] of Object.entries(tensors)) out[name] = { data: t.data, dims: t.shape };
  checkEmbedding(c.manifest.contract, out);
  return { tensors: out, width: header.imageSize.width, height: header.imageSize.height };
}

async function fromServer(
  image: Exclude<WorkerImage, { kind: 'container' }>,
  server: string,
  headers: Record<string, string>,
): Promise<Uint8Array> {
  const c = need(config, 'The model');
  const body = image.kind === 'blob' ? image.blob : await toPng(image);
  const url = new URL(
    `v1/embeddings?model=${encodeURIComponent(c.manifest.id)}`,
    server.endsWith('/') ? server : `${server}/`,
  );
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', body, headers });
  } catch (cause) {
    throw new ModelError('model/server-unreachable', `The embedding server at ${url.origin} did not answer`, { cause });
  }
  if (!response.ok)
    throw new ModelError('model/server-error', `POST ${url.pathname} answered ${response.status}`, {
      path: '$.server',
    });
  return new Uint8Array(await response.arrayBuffer());
}

async function toPng(image: Extract<WorkerImage, { kind: 'pixels' }>): Promise<Blob> {
  const canvas = new OffscreenCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new ModelError('model/runtime', 'No 2D context in this worker');
  ctx.putImageData(new ImageData(new Uint8ClampedArray(image.rgba), image.width, image.height), 0, 0);
  return canvas.convertToBlob({ type: 'image/png' });
}

async function inBrowser(image: Exclude<WorkerImage, { kind: 'container' }>): Promise<Uint8Array> {
  const c = need(config, 'The model');
  const o = need(ort, 'onnxruntime-web');
  const file = c.manifest.encoder;
  if (!file)
    throw new ModelError('model/no-encoder', `${c.manifest.id} has no encoder for the browser: give a server`, {
      path: '$.encoder',
    });
  encoder ??= (async () => {
    const bytes = await fetchVerified(file, c.base, '$.encoder');
    if (!bytes.ok) throw bytes.error;
    return (await createSession(o, bytes.value, ['wasm'], false, 'encoder')).session;
  })();
  const session = await encoder;
  const { rgba, width, height } = await pixels(image);
  const contract = c.manifest.contract;
  const size = CONTRACTS[contract].inputSize;
  const input = new o.Tensor('float32', preprocess(contract, rgba, width, height), [1, 3, size, size]);
  const out = await session.run({ [session.inputNames[0] as string]: input });
  const t = resizeTransform(contract, width, height);
  // Stored as a float16 container, as the server sends it: half the bytes in IndexedDB.
  return encodeEmbedding({
    model: c.manifest.id,
    contract,
    imageSize: { width, height },
    inputSize: { width: size, height: size },
    resizedSize: { width: t.resizedWidth, height: t.resizedHeight },
    tensors: Object.entries(out).map(([name, v]) => ({ name, shape: [...v.dims], data: v.data as Float32Array })),
  });
}

async function load(image: WorkerImage): Promise<{ key: string; embedding: Embedding }> {
  const c = need(config, 'The model');
  const key = `${c.manifest.id}:${await hashImage(image)}`;
  const hit = memory?.get(key);
  if (hit) return { key, embedding: hit };
  let pending = inflight.get(key);
  if (!pending) {
    pending = (async () => {
      const stored = await store?.get(key);
      const bytes =
        image.kind === 'container'
          ? image.bytes
          : (stored ?? (c.server ? await fromServer(image, c.server, c.headers) : await inBrowser(image)));
      const embedding = readContainer(bytes);
      const size = Object.values(embedding.tensors).reduce((s, t) => s + t.data.byteLength, 0);
      memory?.set(key, embedding, size);
      if (!stored && image.kind !== 'container') await store?.put(key, bytes);
      return embedding;
    })().finally(() => inflight.delete(key));
    inflight.set(key, pending);
  }
  return { key, embedding: await pending };
}

async function run(prompt: Prompt): Promise<SegmentResult> {
  const session = need(decoder, 'The decoder');
  const a = need(adapter, 'The adapter');
  const o = need(ort, 'onnxruntime-web');
  const image = current;
  if (!image) throw new ModelError('model/no-image', 'setImage must finish before segment');
  const { width, height, tensors } = image.embedding;
  const previous = prompt.refine === false ? undefined : image.previous;
  const feeds = a.feeds(tensors, prompt, width, height, previous);
  const ortFeeds: Record<string, Ort.Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new o.Tensor('float32', t.data, t.dims);
  const out = await session.run(ortFeeds);
  const read: Record<string, TensorData> = {};
  for (const [name, t] of Object.entries(out))
    read[name] = { data: (await t.getData()) as Float32Array, dims: [...t.dims] };
  const decoded = a.read(read, width, height);
  image.previous = decoded.lowRes;
  return {
    mask: decoded.mask,
    width,
    height,
    score: decoded.score,
    rle: encodeRLE(decoded.mask, width, height),
    polygons: maskToPolygons(decoded.mask, width, height),
  };
}

const api: ModelWorkerApi = {
  ...detectorApi,
  init: (c) => wrap(() => init(c)),
  setImage: (token, image) =>
    wrap(async () => {
      imageToken = token;
      const loaded = await load(image);
      // A newer setImage may have started while this one loaded: the newer one wins.
      if (token === imageToken) current = { key: loaded.key, embedding: loaded.embedding };
      return { width: loaded.embedding.width, height: loaded.embedding.height, key: loaded.key };
    }),
  prefetch: (image) => wrap(async () => ({ key: (await load(image)).key })),
  segment(id, prompt) {
    latest = Math.max(latest, id);
    const result = queue.then(() =>
      wrap(async () => {
        if (id < latest || aborted.has(id)) return null;
        const r = await run(prompt);
        if (aborted.has(id)) return null;
        return Comlink.transfer(r, [r.mask.buffer]);
      }),
    );
    queue = result.finally(() => aborted.delete(id));
    return result;
  },
  abort(id) {
    aborted.add(id);
  },
};

Comlink.expose(api);
