import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LocalStorage, normalizeKey, silentLogger, startServer } from '@labelkit/server';
import { image, metricValue, sha256, tempDir, writeTestModels } from '../fixtures/setup.ts';
import { bytesView, pingStorage } from './index.ts';

describe('local storage', () => {
  it('normalizes keys and refuses the ones that leave the root', () => {
    assert.equal(normalizeKey('images/a.png'), 'images/a.png');
    for (const bad of [
      '',
      '../x',
      'a/../../b',
      '/etc/passwd',
      'a\\b',
      'a//b',
      'a/./b',
      'a\u0000b',
      'x'.repeat(1025),
      // Percent-encoded forms that a layer between the browser and the disk could decode into a traversal.
      '%2e%2e/x',
      'a/%252e%252e/b',
      'a%5cb',
      'C:/x',
      42,
    ])
      assert.throws(() => normalizeKey(bad), { code: 'storage/forbidden-key' }, JSON.stringify(bad));
  });

  it('writes atomically and reads back through the byte view, undefined when missing', async () => {
    const driver = new LocalStorage(tempDir());
    const s = bytesView(driver);
    await s.put('a/b/c.bin', new Uint8Array([1, 2, 3]));
    assert.deepEqual(await s.get('a/b/c.bin'), new Uint8Array([1, 2, 3]));
    assert.equal(await s.get('a/b/none.bin'), undefined);
    assert.equal(await s.get('a'), undefined, 'a folder is not an object');
    assert.equal(await s.ping(), true);
    await assert.rejects(s.get('../x'), { code: 'storage/forbidden-key' });
  });

  it('reports an unreachable storage as not pingable', async () => {
    // A root below a plain file can never be created.
    const file = join(tempDir(), 'file');
    writeFileSync(file, 'not a folder');
    assert.equal(await pingStorage(new LocalStorage(join(file, 'below'))), false);
    assert.equal(await pingStorage(new LocalStorage(tempDir())), true);
  });

  it('shares embeddings between two servers through storage', async () => {
    const dir = tempDir();
    const models = writeTestModels(join(dir, 'models'));
    const common = {
      port: 0,
      logger: silentLogger,
      dataDir: join(dir, 'data'),
      modelCacheDir: join(dir, 'cache'),
      models: [models.sam1],
      defaultModel: 'sam1-test',
      storeEmbeddings: true,
    };
    const a = await startServer(common);
    const b = await startServer({ ...common, warm: false });
    try {
      const png = await image('png', 32, 32, 42);
      const posted = await fetch(`${a.url}/v1/embeddings`, {
        method: 'POST',
        body: png as BodyInit,
        headers: { 'content-type': 'image/png' },
      });
      const bytes = new Uint8Array(await posted.arrayBuffer());
      const key = join(dir, 'data', 'embeddings', 'sam1-test', `${sha256(png)}.bin`);
      for (let i = 0; i < 100 && !existsSync(key); i++) await new Promise((r) => setTimeout(r, 20));
      const got = await fetch(`${b.url}/v1/embeddings/sam1-test/${sha256(png)}`);
      assert.equal(got.status, 200);
      assert.deepEqual(new Uint8Array(await got.arrayBuffer()), bytes);
      const metrics = await (await fetch(`${b.url}/metrics`)).text();
      assert.equal(metricValue(metrics, 'labelkit_embedding_cache_hits_total', 'layer="storage"'), 1);
      assert.equal(metricValue(metrics, 'labelkit_embedding_cache_misses_total'), 0);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
