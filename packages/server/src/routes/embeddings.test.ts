import assert from 'node:assert/strict';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type DecodedEmbedding, decodeEmbedding } from '@labelkit/core';
import { LocalStorage, type RunningServer, silentLogger, startServer } from '@labelkit/server';
import { image, metricValue, pngBomb, sha256, tempDir, writeTestModels } from '../fixtures/setup.ts';

const decode = async (res: Response): Promise<DecodedEmbedding> => {
  const r = decodeEmbedding(new Uint8Array(await res.arrayBuffer()));
  if (!r.ok) throw r.error;
  return r.value;
};

const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;

describe('POST /v1/embeddings over real HTTP', () => {
  let server: RunningServer;
  let url: string;
  const post = (
    body: Uint8Array | string,
    type: string,
    query = 'model=sam1-test',
    headers: Record<string, string> = {},
  ) =>
    fetch(`${url}/v1/embeddings?${query}`, {
      method: 'POST',
      body: body as BodyInit,
      headers: { 'content-type': type, ...headers },
    });
  const metrics = async () => (await fetch(`${url}/metrics`)).text();
  /** After each failure the server must still compute a fresh embedding. */
  const stillServes = async () => {
    const res = await post(await image('png', 30, 30, Math.floor(Math.random() * 1e6)), 'image/png');
    assert.equal(res.status, 200);
    await res.arrayBuffer();
  };

  before(async () => {
    const dir = tempDir();
    const models = writeTestModels(join(dir, 'models'));
    server = await startServer({
      port: 0,
      logger: silentLogger,
      dataDir: join(dir, 'data'),
      modelCacheDir: join(dir, 'cache'),
      models: [models.sam1, models.sam2],
      defaultModel: 'sam1-test',
      maxBodyBytes: 1024 * 1024,
      maxPixels: 40_000_000,
    });
    url = server.url;
  });
  after(() => server.close());

  it('embeds a PNG into a float16 sam1 container with the image geometry', async () => {
    const res = await post(await image('png', 64, 48, 1), 'image/png');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/vnd.labelkit.embedding');
    assert.match(res.headers.get('etag') ?? '', /^"[0-9a-f]{40}"$/);
    assert.equal(res.headers.get('x-labelkit-cache'), 'miss');
    const e = await decode(res);
    assert.equal(e.header.model, 'sam1-test');
    assert.equal(e.header.contract, 'sam1');
    assert.deepEqual(e.header.imageSize, { width: 64, height: 48 });
    assert.deepEqual(e.header.resizedSize, { width: 1024, height: 768 });
    const t = e.tensors.image_embeddings;
    assert.ok(t);
    assert.equal(t.dtype, 'float16');
    assert.deepEqual(t.shape, [1, 256, 64, 64]);
    // The bottom quarter of the 1024 frame is padding, so the embedding differs there from the image rows.
    assert.notEqual(t.data[10 * 64 + 5], t.data[60 * 64 + 5]);
  });

  it('gives a float16 container within float16 error of the float32 one', async () => {
    const png = await image('png', 50, 70, 2);
    const half = await decode(await post(png, 'image/png'));
    const full = await decode(await post(png, 'image/png', 'model=sam1-test&dtype=float32'));
    const a = half.tensors.image_embeddings?.data as Float32Array;
    const b = full.tensors.image_embeddings?.data as Float32Array;
    assert.equal(full.tensors.image_embeddings?.dtype, 'float32');
    assert.equal(a.length, b.length);
    let maxRel = 0;
    for (let i = 0; i < a.length; i++)
      maxRel = Math.max(
        maxRel,
        Math.abs((a[i] as number) - (b[i] as number)) / Math.max(Math.abs(b[i] as number), 2 ** -14),
      );
    assert.ok(maxRel <= 2 ** -11, `max relative error ${maxRel}`);
  });

  it('applies EXIF orientation to a JPEG', async () => {
    const jpeg = await image('jpeg', 40, 20, 3, 6); // stored 40 x 20, displayed rotated: 20 x 40
    const e = await decode(await post(jpeg, 'image/jpeg'));
    assert.deepEqual(e.header.imageSize, { width: 20, height: 40 });
    assert.deepEqual(e.header.resizedSize, { width: 512, height: 1024 });
  });

  it('embeds a WebP, and a sam2 model with its three outputs stretched to 1024 x 1024', async () => {
    const webp = await image('webp', 30, 60, 4);
    assert.equal((await post(webp, 'image/webp')).status, 200);
    const e = await decode(await post(webp, 'image/webp', 'model=sam2-test'));
    assert.equal(e.header.contract, 'sam2');
    assert.deepEqual(e.header.resizedSize, { width: 1024, height: 1024 });
    assert.deepEqual(e.tensors.image_embed?.shape, [1, 256, 64, 64]);
    assert.deepEqual(e.tensors.high_res_feats_0?.shape, [1, 32, 256, 256]);
    assert.deepEqual(e.tensors.high_res_feats_1?.shape, [1, 64, 128, 128]);
  });

  it('serves the second request from the cache, visible in /metrics', async () => {
    const png = await image('png', 33, 33, 5);
    const before = await metrics();
    const first = await post(png, 'image/png');
    const second = await post(png, 'image/png');
    assert.equal(first.headers.get('x-labelkit-cache'), 'miss');
    assert.equal(second.headers.get('x-labelkit-cache'), 'hit');
    assert.deepEqual(new Uint8Array(await second.arrayBuffer()), new Uint8Array(await first.arrayBuffer()));
    const now = await metrics();
    const hits = (t: string) => metricValue(t, 'labelkit_embedding_cache_hits_total', 'layer="memory"');
    assert.equal(hits(now) - hits(before), 1);
    assert.equal(
      metricValue(now, 'labelkit_embedding_cache_misses_total') -
        metricValue(before, 'labelkit_embedding_cache_misses_total'),
      1,
    );
    assert.ok(metricValue(now, 'labelkit_embedding_cache_bytes') > 4 * 256 * 64 * 64);
    assert.match(now, /labelkit_http_requests_total\{method="POST",route="\/v1\/embeddings",status="200"\}/);
    assert.match(now, /labelkit_encoder_seconds_count\{model="sam1-test"\}/);
  });

  it('serves GET /v1/embeddings/:model/:sha256 immutable with a strong ETag, and 304 on If-None-Match', async () => {
    const png = await image('png', 20, 10, 6);
    const posted = await post(png, 'image/png');
    const etag = posted.headers.get('etag') as string;
    const path = `/v1/embeddings/sam1-test/${sha256(png)}`;
    assert.equal(posted.headers.get('content-location'), path);
    const got = await fetch(`${url}${path}`);
    assert.equal(got.status, 200);
    assert.equal(got.headers.get('etag'), etag);
    assert.equal(got.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.deepEqual(new Uint8Array(await got.arrayBuffer()), new Uint8Array(await posted.arrayBuffer()));
    const again = await fetch(`${url}${path}`, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    const f32 = await fetch(`${url}${path}?dtype=float32`, { headers: { 'if-none-match': etag } });
    assert.equal(f32.status, 200, 'another representation has another ETag');
    assert.notEqual(f32.headers.get('etag'), etag);
    await f32.arrayBuffer();
    const missing = await fetch(`${url}/v1/embeddings/sam1-test/${'0'.repeat(64)}`);
    assert.equal(missing.status, 404);
    assert.equal((await errorOf(missing)).code, 'embedding/not-found');
  });

  it('shares one computation between identical concurrent requests', async () => {
    const png = await image('png', 45, 45, 7);
    const before = metricValue(await metrics(), 'labelkit_embedding_cache_misses_total');
    const responses = await Promise.all([1, 2, 3].map(() => post(png, 'image/png')));
    const bodies = await Promise.all(responses.map(async (r) => new Uint8Array(await r.arrayBuffer())));
    for (const b of bodies) assert.deepEqual(b, bodies[0]);
    assert.equal(metricValue(await metrics(), 'labelkit_embedding_cache_misses_total') - before, 1);
  });

  it('refuses a 50,000 x 50,000 PNG of a few kilobytes from its header', async () => {
    const bomb = pngBomb();
    assert.ok(bomb.length < 8192);
    const before = metricValue(await metrics(), 'labelkit_embedding_cache_misses_total');
    const res = await post(bomb, 'image/png');
    assert.equal(res.status, 413);
    const e = await errorOf(res);
    assert.equal(e.code, 'image/too-many-pixels');
    assert.match(e.message, /50000 x 50000/);
    assert.equal(metricValue(await metrics(), 'labelkit_embedding_cache_misses_total'), before);
    await stillServes();
  });

  it('answers broken input with JSON errors and keeps serving', async () => {
    const png = await image('png', 64, 64, 8);
    const cases: [Promise<Response>, number, string][] = [
      [post(png.subarray(0, Math.floor(png.length / 2)), 'image/png'), 422, 'image/decode-failed'],
      [post('just some text, not a picture', 'image/png'), 422, 'image/unsupported-format'],
      [post(png, 'image/jpeg'), 415, 'image/type-mismatch'],
      [post(png, 'image/png', 'model=no-such-model'), 404, 'model/unknown'],
      [post(png, 'image/png', 'model=sam1-test&dtype=int8'), 400, 'request/invalid-dtype'],
      [post(png, 'text/plain'), 415, 'request/unsupported-media-type'],
      [post(new Uint8Array(0), 'image/png'), 400, 'request/empty-body'],
      [post('{"key": "../etc/passwd"}', 'application/json'), 400, 'storage/forbidden-key'],
      [post('{"key": "nothing/here.png"}', 'application/json'), 404, 'storage/not-found'],
      [post('{not json', 'application/json'), 400, 'request/invalid-json'],
      [post(new Uint8Array(2 * 1024 * 1024), 'image/png'), 413, 'request/body-too-large'],
    ];
    for (const [pending, status, code] of cases) {
      const res = await pending;
      assert.equal(res.status, status, code);
      const e = await errorOf(res);
      assert.equal(e.code, code);
      assert.ok(e.message.length > 10);
    }
    await stillServes();
  });

  it('reads an image named by { key } from the local storage folder', async () => {
    const png = await image('png', 16, 16, 9);
    await new LocalStorage(server.labelkit.config.dataDir).put('images/a.png', png);
    const res = await post(JSON.stringify({ key: 'images/a.png' }), 'application/json');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-location'), `/v1/embeddings/sam1-test/${sha256(png)}`);
    assert.deepEqual((await decode(res)).header.imageSize, { width: 16, height: 16 });
  });

  it('refuses a body over the limit while it streams in, before the upload ends', async () => {
    const { port } = new URL(url);
    const chunk = Buffer.alloc(256 * 1024, 1);
    const result = await new Promise<{ status: number; sent: number; body: string }>((resolve, reject) => {
      let sent = 0;
      let answered = false;
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/v1/embeddings?model=sam1-test',
          headers: { 'content-type': 'image/png' },
        },
        (res) => {
          answered = true;
          let body = '';
          res.on('data', (d) => {
            body += d;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, sent, body }));
        },
      );
      req.on('error', (e) => (answered ? undefined : reject(e)));
      const pump = () => {
        // Up to 64 MB without a Content-Length; stop as soon as the server has answered.
        while (!answered && sent < 64 * 1024 * 1024) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    assert.equal(result.status, 413);
    assert.equal((JSON.parse(result.body) as { error: { code: string } }).error.code, 'request/body-too-large');
    assert.ok(result.sent < 16 * 1024 * 1024, `the server answered after ${result.sent} bytes`);
    await stillServes();
  });

  it('reports its models, encoder provider and storage in /readyz, and echoes request ids', async () => {
    const res = await fetch(`${url}/readyz`, { headers: { 'x-request-id': 'test-123' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-request-id'), 'test-123');
    const body = (await res.json()) as {
      status: string;
      storage: { reachable: boolean };
      models: { id: string; loaded: boolean; executionProvider?: string }[];
    };
    assert.equal(body.status, 'ready');
    assert.equal(body.storage.reachable, true);
    const sam1 = body.models.find((m) => m.id === 'sam1-test');
    assert.equal(sam1?.loaded, true);
    assert.equal(sam1?.executionProvider, 'cpu');
    assert.ok(body.models.some((m) => m.id === 'builtin'));
  });
});
