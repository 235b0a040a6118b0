import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '@labelkit/server';
import { tempDir } from './fixtures/setup.ts';

const manifest = {
  id: 'sam-vit-b',
  contract: 'sam1',
  encoder: { url: 'm/enc.onnx', sha256: 'a'.repeat(64) },
  decoder: { url: 'm/dec.onnx', sha256: 'b'.repeat(64) },
  license: 'Apache-2.0',
};

describe('configuration', () => {
  it('has working defaults without a file', () => {
    const cwd = tempDir();
    const r = loadConfig({ cwd, env: {} });
    assert.ok(r.ok);
    assert.equal(r.value.port, 8787);
    assert.equal(r.value.executionProvider, 'cpu');
    assert.equal(r.value.dataDir, join(cwd, 'data'));
    assert.equal(r.value.defaultModel, 'builtin');
    assert.equal(r.value.site, undefined);
  });

  it('layers file < environment < flags, resolving paths against the working folder', () => {
    const cwd = tempDir();
    writeFileSync(
      join(cwd, 'labelkit.config.json'),
      JSON.stringify({ port: 9000, queueLength: 3, dataDir: 'store', models: [manifest], storeEmbeddings: true }),
    );
    const r = loadConfig({ cwd, env: { LABELKIT_PORT: '9100', LABELKIT_EP: 'cuda' }, flags: { port: '9200' } });
    assert.ok(r.ok);
    assert.equal(r.value.port, 9200);
    assert.equal(r.value.queueLength, 3);
    assert.equal(r.value.executionProvider, 'cuda');
    assert.equal(r.value.storeEmbeddings, true);
    assert.equal(r.value.dataDir, join(cwd, 'store'));
    assert.equal(r.value.models[0]?.encoder.url, join(cwd, 'm/enc.onnx'));
  });

  it('refuses bad values with a clear error and the path of the field', () => {
    const cwd = tempDir();
    const file = join(cwd, 'labelkit.config.json');
    const expectError = (
      content: unknown,
      code: string,
      path: string | undefined,
      env: Record<string, string> = {},
    ) => {
      writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
      const r = loadConfig({ cwd, env });
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.equal(r.error.code, code);
        assert.equal(r.error.path, path);
        assert.ok(r.error.message.length > 15);
      }
    };
    expectError('{ port: 1', 'config/unreadable', undefined);
    expectError([], 'config/invalid-value', '$');
    expectError({ port: 70000 }, 'config/invalid-value', '$.port');
    expectError({ prot: 80 }, 'config/unknown-option', '$.prot');
    expectError({ executionProvider: 'tpu' }, 'config/invalid-value', '$.executionProvider');
    expectError({ encoderWorkers: 0 }, 'config/invalid-value', '$.encoderWorkers');
    expectError({ storeEmbeddings: 'yes' }, 'config/invalid-value', '$.storeEmbeddings');
    expectError({ models: [{ ...manifest, contract: 'sam9' }] }, 'model/invalid-manifest', '$.models[0].contract');
    expectError({}, 'config/invalid-value', '$.cacheBytes', { LABELKIT_CACHE_BYTES: '-5' });
    const missing = loadConfig({ cwd, env: {}, file: 'nope.json' });
    assert.equal(missing.ok ? '' : missing.error.code, 'config/unreadable');
  });
});
