import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig, type SamManifest } from '@labelkit/server';
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
    assert.equal((r.value.models[0] as SamManifest | undefined)?.encoder.url, join(cwd, 'm/enc.onnx'));
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

  it('reads storages, datasets, auth, cors, rate limit and the signing secret, hashing plain tokens', () => {
    const cwd = tempDir();
    writeFileSync(
      join(cwd, 'labelkit.config.json'),
      JSON.stringify({
        storages: {
          photos: { driver: 's3', bucket: 'photos', endpoint: 'http://127.0.0.1:9000', readOnly: true },
          local: { driver: 'fs', root: 'images', readOnly: true },
        },
        datasets: [{ id: 'demo', source: { storage: 'local', prefix: 'demo/' } }],
        auth: {
          tokens: [{ name: 'alice', token: 'plain-secret-0123456789', scopes: { demo: 'write', '*': 'read' } }],
          jwt: { secret: 'x'.repeat(32), algorithms: ['HS256'], audience: 'labelkit' },
          cookie: 'lk_session',
        },
        cors: { origins: ['https://app.example.com'] },
        rateLimit: { encoderPerMinute: 30 },
      }),
    );
    const r = loadConfig({ cwd, env: { LABELKIT_SIGNING_SECRET: 's'.repeat(40) } });
    assert.ok(r.ok, r.ok ? '' : r.error.message);
    const c = r.value;
    assert.deepEqual(c.storages.local, { driver: 'fs', root: join(cwd, 'images'), readOnly: true });
    assert.equal(c.datasets[0]?.source?.storage, 'local');
    assert.equal(c.auth.tokens[0]?.sha256, createHash('sha256').update('plain-secret-0123456789').digest('hex'));
    assert.ok(!JSON.stringify(c.auth).includes('plain-secret'), 'the plain token is not kept');
    assert.equal(c.auth.jwt?.scopesClaim, 'labelkit_scopes');
    assert.equal(c.auth.anonymousEncoder, false, 'credentials configured: the encoder needs them');
    assert.equal(c.rateLimit.encoderPerMinute, 30);
    assert.equal(c.signingSecret, 's'.repeat(40));
    const clouds = tempDir();
    writeFileSync(
      join(clouds, 'labelkit.config.json'),
      JSON.stringify({
        storages: {
          // A fleet shares "data" (datasets made at run time, default targets) in one bucket.
          data: { driver: 's3', bucket: 'labelkit', endpoint: 'http://127.0.0.1:9000', forcePathStyle: true },
          blobs: { driver: 'azure', container: 'photos', accountName: 'acct', accountKey: 'a2V5', readOnly: true },
          gcs: { driver: 'gcs', bucket: 'photos', keyFilename: '/run/secrets/sa.json', prefix: 'p/' },
        },
      }),
    );
    const cl = loadConfig({ cwd: clouds, env: {} });
    assert.ok(cl.ok, cl.ok ? '' : cl.error.message);
    assert.equal(cl.value.storages.data?.driver, 's3');
    assert.deepEqual(cl.value.storages.blobs, {
      driver: 'azure',
      container: 'photos',
      accountName: 'acct',
      accountKey: 'a2V5',
      readOnly: true,
    });
    assert.deepEqual(cl.value.storages.gcs, {
      driver: 'gcs',
      bucket: 'photos',
      keyFilename: '/run/secrets/sa.json',
      prefix: 'p/',
    });
    // The same content given as an object (a Node program embedding the server), checked the same way.
    const inline = loadConfig({
      cwd: tempDir(),
      env: {},
      config: { port: 9000, cors: { origins: ['https://a.example'] } },
    });
    assert.ok(inline.ok && inline.value.port === 9000 && inline.value.cors.origins[0] === 'https://a.example');
    const badInline = loadConfig({ cwd: tempDir(), env: {}, config: { prot: 1 } });
    assert.equal(!badInline.ok && badInline.error.path, '$.prot');
    const env = loadConfig({
      cwd: tempDir(),
      env: { LABELKIT_CORS_ORIGINS: 'https://a.example, http://b.example:8080' },
    });
    assert.deepEqual(env.ok && env.value.cors.origins, ['https://a.example', 'http://b.example:8080']);
    assert.equal(env.ok && env.value.auth.anonymousEncoder, true, 'no credentials: a local server');
  });

  it('refuses insecure or broken security settings with the path of the field', () => {
    const cwd = tempDir();
    const file = join(cwd, 'labelkit.config.json');
    const jwt = { secret: 'x'.repeat(32), algorithms: ['HS256'], audience: 'labelkit' };
    const cases: [unknown, string, Record<string, string>?][] = [
      [{ storages: { s: { driver: 'ftp' } } }, '$.storages.s.driver'],
      [{ storages: { data: { driver: 'ftp' } } }, '$.storages.data.driver'],
      [{ storages: { a: { driver: 'azure', accountName: 'x', accountKey: 'k' } } }, '$.storages.a.container'],
      [{ storages: { a: { driver: 'azure', container: 'photos' } } }, '$.storages.a'],
      [{ storages: { a: { driver: 'azure', container: 'c', connectionString: 'x', sas: 'y' } } }, '$.storages.a.sas'],
      [{ storages: { g: { driver: 'gcs' } } }, '$.storages.g.bucket'],
      [
        { storages: { g: { driver: 'gcs', bucket: 'b', credentials: { client_email: 'e' } } } },
        '$.storages.g.credentials',
      ],
      [{ storages: { g: { driver: 'gcs', bucket: 'b', apiEndpoint: 'gopher://x' } } }, '$.storages.g.apiEndpoint'],
      [{ storages: { 'Bad Name': { driver: 'fs', root: 'x' } } }, '$.storages["Bad Name"]'],
      [{ storages: { s: { driver: 's3', bucket: 'b', endpoint: 'file:///etc' } } }, '$.storages.s.endpoint'],
      [{ storages: { s: { driver: 's3', bucket: 'b', endpoint: 'http://u:p@h' } } }, '$.storages.s.endpoint'],
      [{ datasets: [{ id: 'x', source: { storage: 'nope' } }] }, '$.datasets[0].source.storage'],
      [{ datasets: [{ id: '../x' }] }, '$.datasets[0].id'],
      [{ auth: { tokens: [{ name: 'a', token: 'short', scopes: {} }] } }, '$.auth.tokens[0].token'],
      [
        { auth: { tokens: [{ name: 'a', token: 'x'.repeat(20), scopes: { demo: 'root' } }] } },
        '$.auth.tokens[0].scopes.demo',
      ],
      [{ auth: { tokens: [{ name: 'a', sha256: 'zz', scopes: {} }] } }, '$.auth.tokens[0].sha256'],
      [{ auth: { jwt: { ...jwt, algorithms: [] } } }, '$.auth.jwt.algorithms'],
      [{ auth: { jwt: { ...jwt, algorithms: ['none'] } } }, '$.auth.jwt.algorithms[0]'],
      [{ auth: { jwt: { ...jwt, audience: undefined } } }, '$.auth.jwt.audience'],
      [{ auth: { jwt: { ...jwt, secret: 'short' } } }, '$.auth.jwt.secret'],
      [{ auth: { jwt: { ...jwt, algorithms: ['RS256'] } } }, '$.auth.jwt.publicKey'],
      [{ auth: { cookie: 'lk' } }, '$.auth.cookie'],
      [{ auth: { tokens: [{ name: 'a', token: 'x'.repeat(20) }] }, cors: { origins: ['*'] } }, '$.cors.origins[0]'],
      [{ cors: { origins: ['https://a.example/'] } }, '$.cors.origins[0]'],
      [{ rateLimit: { encoderPerMinute: 0 } }, '$.rateLimit.encoderPerMinute'],
      [{ signingSecret: 'short' }, '$.signingSecret'],
      [{}, 'LABELKIT_SIGNING_SECRET', { LABELKIT_SIGNING_SECRET: 'short' }],
    ];
    for (const [content, path, env] of cases) {
      writeFileSync(file, JSON.stringify(content));
      const r = loadConfig({ cwd, env: env ?? {} });
      assert.equal(r.ok, false, JSON.stringify(content));
      if (!r.ok) {
        assert.equal(r.error.path, path, JSON.stringify(content));
        assert.match(r.error.code, /^config\//);
      }
    }
  });
});
