import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type RunningServer, silentLogger, startServer } from '@labelkit/server';
import { image, metricValue, tempDir, writeTestModels } from '../fixtures/setup.ts';

/** Polls `condition`; fails (instead of hanging) after `ms`. */
async function waitFor(condition: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(1);
  }
}

/** A server with one sam2-test encoder worker and `queueLength` waiting places. */
function queueServer(queueLength: number) {
  const ctx = {} as { server: RunningServer };
  before(async () => {
    const dir = tempDir();
    const models = writeTestModels(join(dir, 'models'));
    ctx.server = await startServer({
      port: 0,
      logger: silentLogger,
      dataDir: join(dir, 'data'),
      modelCacheDir: join(dir, 'cache'),
      models: [models.sam2],
      defaultModel: 'sam2-test',
      encoderWorkers: 1,
      queueLength,
    });
  });
  after(() => ctx.server.close());
  const post = (body: Uint8Array, signal?: AbortSignal) =>
    fetch(`${ctx.server.url}/v1/embeddings`, {
      method: 'POST',
      body: body as BodyInit,
      headers: { 'content-type': 'image/png' },
      ...(signal ? { signal } : {}),
    });
  return { ctx, post };
}

/** A job given straight to the pool (not through HTTP, so not counted as a cache miss). */
const directJob = () => ({
  pixels: new Uint8Array(64 * 64 * 3),
  resizedWidth: 64,
  resizedHeight: 64,
  inputSize: 1024,
  mean: [0, 0, 0] as [number, number, number],
  std: [1, 1, 1] as [number, number, number],
});

describe('encoder queue: full', () => {
  const { ctx, post } = queueServer(1);

  it('answers 503 with Retry-After when the queue is full, and serves again afterwards', async () => {
    const pool = await ctx.server.labelkit.registry.pool('sam2-test');
    // Keep one job running and one waiting (the only place) until the HTTP requests are answered.
    const keeper = { on: true, done: [] as Promise<unknown>[] };
    const keep = (): void => {
      if (keeper.on) keeper.done.push(pool.run(directJob()).then(keep, keep));
    };
    keep();
    keep();
    await waitFor(() => pool.running === 1 && pool.queued === 1, 'a full queue');
    const images = await Promise.all([1, 2, 3].map((seed) => image('png', 64, 64, 100 + seed)));
    const responses = await Promise.all(images.map((png) => post(png)));
    keeper.on = false;
    await Promise.all(keeper.done);
    for (const r of responses) {
      assert.equal(r.status, 503);
      assert.match(r.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
      assert.equal(((await r.json()) as { error: { code: string } }).error.code, 'encoder/queue-full');
    }
    const again = await post(images[0] as Uint8Array);
    assert.equal(again.status, 200);
    await again.arrayBuffer();
  });
});

describe('encoder queue: cancellation', () => {
  const { ctx, post } = queueServer(32);
  const misses = async () =>
    metricValue(await (await fetch(`${ctx.server.url}/metrics`)).text(), 'labelkit_embedding_cache_misses_total');

  it('drops a waiting job when its signal aborts, and rejects it', async () => {
    const pool = await ctx.server.labelkit.registry.pool('sam2-test');
    const first = pool.run(directJob());
    const controller = new AbortController();
    // The worker was taken synchronously by `first`, so this one waits.
    const second = pool.run(directJob(), controller.signal);
    assert.equal(pool.queued, 1);
    controller.abort();
    await assert.rejects(second, { code: 'abort' });
    assert.equal(pool.queued, 0);
    const names = (await first).tensors.map((t) => t.name).sort();
    assert.deepEqual(names, ['high_res_feats_0', 'high_res_feats_1', 'image_embed']);
  });

  it('drops a queued job whose HTTP client disconnected without running it', async () => {
    const pool = await ctx.server.labelkit.registry.pool('sam2-test');
    const before = await misses();
    // Keep the single worker busy with direct jobs so the HTTP job has to wait.
    const busy = { pending: 12 };
    const direct = Array.from({ length: busy.pending }, () => pool.run(directJob()).finally(() => busy.pending--));
    const controller = new AbortController();
    const queued = post(await image('png', 64, 64, 201), controller.signal).catch((e: unknown) => e);
    // Waiting: the direct jobs still pending but one (running), plus the HTTP job.
    await waitFor(() => busy.pending > 0 && pool.queued === busy.pending, 'the request to be queued');
    controller.abort();
    assert.equal(((await queued) as Error).name, 'AbortError');
    await Promise.all(direct);
    await waitFor(() => pool.running === 0 && pool.queued === 0, 'the pool to drain');
    assert.equal((await misses()) - before, 0, "the disconnected client's job never ran");
  });
});
