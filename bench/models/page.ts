// The benchmark page: a Segmenter driven by bench/models/segmenter.bench.ts through playwright-core.
import { createSegmenter, type ModelManifest, type Segmenter } from '@labelkit/models';
import { makeScene } from '../../packages/models/src/testing/synthetic.ts';

let segmenter: Segmenter | undefined;
let clicks = 0;

async function init(model: ModelManifest | string, threads: number, embedding?: number[]): Promise<string> {
  segmenter = createSegmenter({
    model,
    threads,
    executionProviders: ['wasm'],
    wasmPaths: '/ort/',
    embeddings: { storeBytes: 0 },
    worker: () => new Worker('/worker.js', { type: 'module' }),
  });
  if (embedding) await segmenter.setImage({ embedding: Uint8Array.from(embedding) });
  else {
    const s = makeScene({ seed: 3, width: 640, height: 480 });
    await segmenter.setImage(new ImageData(new Uint8ClampedArray(s.rgba), s.width, s.height));
  }
  return `${segmenter.backend} x${segmenter.threads} isolated=${crossOriginIsolated}`;
}

/** One click at a different place each time (the decoder may not cache anything between prompts). */
async function click(): Promise<number> {
  if (!segmenter) throw new Error('init first');
  clicks++;
  const r = await segmenter.segment({
    points: [{ x: 100 + ((clicks * 37) % 400), y: 80 + ((clicks * 53) % 300), positive: true }],
    refine: false,
  });
  return r.score;
}

Object.assign(globalThis, { bench: { init, click } });
