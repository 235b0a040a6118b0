/**
 * Click-to-mask latency in headless Chromium (WASM, 1 and 2 threads), for the built-in decoder and for a
 * graph with SAM ViT-B's decoder shapes (random weights): one click = one `segment()` round trip from the page
 * (prompt check, worker, decoder, mask, RLE). Plus the embedding container's size and decode time.
 */
import { createHash } from 'node:crypto';
import { decodeEmbedding, encodeEmbedding } from '@labelkit/core';
import type { ModelManifest } from '@labelkit/models';
import { type BenchCase, suite } from '../harness.ts';
import { type BenchPage, openBenchPage } from './browser.ts';
import { buildSamVitBDecoder } from './sam-vitb-decoder.ts';

const CLICKS = 100;

function randomEmbedding(): Float32Array {
  let s = 7;
  return Float32Array.from(
    { length: 256 * 64 * 64 },
    () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5) * 2,
  );
}

function container(model: string, dtype: 'float16' | 'float32'): Uint8Array {
  return encodeEmbedding(
    {
      model,
      contract: 'sam1',
      imageSize: { width: 640, height: 480 },
      inputSize: { width: 1024, height: 1024 },
      resizedSize: { width: 1024, height: 768 },
      tensors: [{ name: 'image_embeddings', shape: [1, 256, 64, 64], data: randomEmbedding() }],
    },
    { dtype },
  );
}

/** A case whose page is opened in setup and closed after its last (warm-up + CLICKS) run. */
function clickCase(name: string, threads: number, vitb: boolean): BenchCase<BenchPage> {
  let runs = 0;
  return {
    name,
    iterations: CLICKS,
    async setup() {
      let extra: Record<string, Uint8Array> = {};
      let model: ModelManifest | string = '/models/builtin/manifest.json';
      let embedding: number[] | undefined;
      if (vitb) {
        const bytes = buildSamVitBDecoder();
        extra = { '/vitb/decoder.onnx': bytes };
        model = {
          id: 'sam-vit-b-shapes',
          contract: 'sam1',
          decoder: { url: '/vitb/decoder.onnx', sha256: createHash('sha256').update(bytes).digest('hex') },
          license: 'test graph',
        };
        embedding = [...container('sam-vit-b-shapes', 'float16')];
      }
      const p = await openBenchPage(extra);
      const info = await p.page.evaluate(
        ([m, t, e]) =>
          (globalThis as unknown as { bench: { init: (...a: unknown[]) => Promise<string> } }).bench.init(m, t, e),
        [model, threads, embedding] as const,
      );
      console.log(`  ${name}: ${info}`);
      return p;
    },
    async run(p) {
      await p.page.evaluate(() => (globalThis as unknown as { bench: { click: () => Promise<number> } }).bench.click());
      if (++runs === CLICKS + 1) await p.close();
    },
  };
}

suite('models: click-to-mask in Chromium', [
  clickCase('builtin, wasm 1 thread', 1, false),
  clickCase('builtin, wasm 2 threads', 2, false),
  clickCase('SAM ViT-B decoder shapes, wasm 1 thread', 1, true),
  clickCase('SAM ViT-B decoder shapes, wasm 2 threads', 2, true),
]);

const f16 = container('builtin', 'float16');
const f32 = container('builtin', 'float32');
suite('models: embedding container decode', [
  {
    name: `float16 (${(f16.byteLength / 2 ** 20).toFixed(2)} MiB)`,
    run: () => decodeEmbedding(f16),
    units: { count: f16.byteLength / 2 ** 20, name: 'MiB' },
  },
  {
    name: `float32 (${(f32.byteLength / 2 ** 20).toFixed(2)} MiB)`,
    run: () => decodeEmbedding(f32),
    units: { count: f32.byteLength / 2 ** 20, name: 'MiB' },
  },
]);
