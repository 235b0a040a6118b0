/**
 * Server encoder benchmarks over real HTTP on 127.0.0.1 (issue 8).
 *
 * - `encoder / N clients`: N clients each POST a different image at once (every one a cache miss); one run is
 *   one such round, so p50 is the latency a client sees under that load and the throughput is images/s.
 * - `cache hit`: POST of an image already embedded, and GET of its /v1/embeddings/:model/:sha256 URL.
 * - `transport`: building and reading the SAM1-sized response as a float16 container, a float32 container,
 *   and base64 JSON (the way CVAT ships embeddings); the byte sizes are printed at setup.
 *
 * Environment: LABELKIT_EP=cuda runs the encoder on CUDA (falling back to CPU with the reason printed);
 * LABELKIT_BENCH_MODEL=vitb benchmarks a generated graph with SAM ViT-B's encoder shapes instead of the
 * built-in model (LABELKIT_BENCH_VITB_BLOCKS, default 12, sets its depth); LABELKIT_ENCODER_WORKERS sets the
 * worker threads (default 1).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeEmbedding, encodeEmbedding } from '../../packages/core/src/index.ts';
import { vitBShapedEncoder } from '../../packages/server/src/encoder/fixtures/graphs.ts';
import { type RunningServer, silentLogger, startServer } from '../../packages/server/src/index.ts';
import { suite } from '../harness.ts';

/** The part of sharp used here: sharp is a dependency of the server package, not of the repository root. */
type Sharp = (input: Buffer) => { jpeg(o: { quality: number }): { toBuffer(): Promise<Buffer> } };
const sharp = createRequire(new URL('../../packages/server/package.json', import.meta.url))('sharp') as Sharp;

const provider = process.env.LABELKIT_EP === 'cuda' ? 'cuda' : 'cpu';
const useVitB = process.env.LABELKIT_BENCH_MODEL === 'vitb';
const model = useVitB ? 'vitb-shaped' : 'builtin';
let serverPromise: Promise<RunningServer> | undefined;

function server(): Promise<RunningServer> {
  serverPromise ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lk-bench-'));
    const models = [];
    if (useVitB) {
      const graph = vitBShapedEncoder(Number(process.env.LABELKIT_BENCH_VITB_BLOCKS ?? 12));
      const path = join(dir, 'vitb.onnx');
      writeFileSync(path, graph);
      const file = { url: path, sha256: createHash('sha256').update(graph).digest('hex') };
      models.push({ id: model, contract: 'sam1' as const, encoder: file, decoder: file, license: 'generated' });
    }
    const running = await startServer({
      port: 0,
      logger: silentLogger,
      dataDir: join(dir, 'data'),
      modelCacheDir: join(dir, 'cache'),
      models,
      defaultModel: model,
      executionProvider: provider,
      encoderWorkers: Number(process.env.LABELKIT_ENCODER_WORKERS ?? 1),
      queueLength: 64,
    });
    running.unref();
    const status = running.labelkit.registry.status().find((m) => m.id === model);
    console.log(
      `  server bench: model ${model} on ${status?.executionProvider}${status?.fallbackReason ? ` (CUDA fallback: ${status.fallbackReason})` : ''}`,
    );
    return running;
  })();
  return serverPromise;
}

let seed = 0;
/** A 1280 x 960 photo-like image, different every call (so every POST is a cache miss). */
async function freshImage(): Promise<Uint8Array> {
  const s = ++seed;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="1280" height="960"><rect width="1280" height="960" fill="rgb(${s % 256},120,200)"/><circle cx="${300 + (s % 500)}" cy="400" r="220" fill="#e33"/><rect x="700" y="500" width="400" height="300" fill="#3a3"/></svg>`;
  return new Uint8Array(await sharp(Buffer.from(svg)).jpeg({ quality: 90 }).toBuffer());
}

async function post(url: string, body: Uint8Array): Promise<number> {
  const res = await fetch(`${url}/v1/embeddings?model=${model}`, {
    method: 'POST',
    body: body as BodyInit,
    headers: { 'content-type': 'image/jpeg' },
  });
  if (res.status !== 200) throw new Error(`POST answered ${res.status}: ${await res.text()}`);
  return (await res.arrayBuffer()).byteLength;
}

const concurrency = [1, 2, 4].map((clients) => ({
  name: `${model} ${provider}, ${clients} client${clients > 1 ? 's' : ''}`,
  setup: async () => ({ url: (await server()).url }),
  run: async ({ url }: { url: string }) => {
    const images = await Promise.all(Array.from({ length: clients }, freshImage));
    await Promise.all(images.map((img) => post(url, img)));
  },
  time: 3000,
  units: { count: clients, name: 'img' },
}));

suite('server encoder', concurrency);

suite('server cache hit', [
  {
    name: 'POST, embedding in the LRU (float16)',
    setup: async () => {
      const { url } = await server();
      const img = await freshImage();
      await post(url, img);
      return { url, img };
    },
    run: ({ url, img }: { url: string; img: Uint8Array }) => post(url, img),
  },
  {
    name: 'GET /v1/embeddings/:model/:sha256',
    setup: async () => {
      const { url } = await server();
      const img = await freshImage();
      await post(url, img);
      return `${url}/v1/embeddings/${model}/${createHash('sha256').update(img).digest('hex')}`;
    },
    run: async (url: string) => {
      const res = await fetch(url);
      await res.arrayBuffer();
    },
  },
]);

/** A SAM1 embedding-sized tensor with values spread like real ones. */
function embedding() {
  const data = new Float32Array(256 * 64 * 64).map((_, i) => Math.sin(i * 0.37) * 0.8);
  return {
    model: 'builtin',
    contract: 'sam1',
    imageSize: { width: 1280, height: 960 },
    inputSize: { width: 1024, height: 1024 },
    resizedSize: { width: 1024, height: 768 },
    tensors: [{ name: 'image_embeddings', shape: [1, 256, 64, 64], data }],
  };
}

let printed = false;
function transportSetup() {
  const input = embedding();
  const f16 = encodeEmbedding(input);
  const f32 = encodeEmbedding(input, { dtype: 'float32' });
  const raw = input.tensors[0]?.data as Float32Array;
  const base64 = JSON.stringify({ shape: [1, 256, 64, 64], data: Buffer.from(raw.buffer).toString('base64') });
  if (!printed) {
    printed = true;
    console.log(
      `  response bytes: float16 container ${f16.length}, float32 container ${f32.length}, base64 JSON ${base64.length}`,
    );
  }
  return { input, f16, f32, base64 };
}

type Transport = ReturnType<typeof transportSetup>;

suite('server transport (SAM1 embedding)', [
  {
    name: 'base64 JSON: stringify + parse + decode',
    setup: transportSetup,
    run: ({ input }: Transport) => {
      const raw = input.tensors[0]?.data as Float32Array;
      const json = JSON.stringify({
        shape: [1, 256, 64, 64],
        data: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64'),
      });
      const b = Buffer.from((JSON.parse(json) as { data: string }).data, 'base64');
      return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4).length;
    },
  },
  {
    name: 'float32 container: encode + decode',
    setup: transportSetup,
    baseline: 'base64 JSON: stringify + parse + decode',
    run: ({ input }: Transport) => decodeEmbedding(encodeEmbedding(input, { dtype: 'float32' })).ok,
  },
  {
    name: 'float16 container: encode + decode',
    setup: transportSetup,
    baseline: 'base64 JSON: stringify + parse + decode',
    run: ({ input }: Transport) => decodeEmbedding(encodeEmbedding(input)).ok,
  },
  {
    name: 'float16 container: decode only (browser side)',
    setup: transportSetup,
    run: ({ f16 }: Transport) => decodeEmbedding(f16).ok,
  },
]);
