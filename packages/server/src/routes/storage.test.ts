import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createApp, FsDriver, S3Driver, type StorageDriver, silentLogger } from '@labelkit/server';
import { parseAuth } from '../auth/config.ts';
import { tempDir } from '../fixtures/setup.ts';

const TOKEN = 'writer-token-0123456789abcdef';

function app() {
  const dir = tempDir();
  const s3 = (readOnly: boolean) =>
    new S3Driver({
      bucket: 'photos',
      endpoint: 'http://127.0.0.1:9',
      publicEndpoint: 'https://s3.example.com',
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIATEST', secretAccessKey: 'test-secret' },
      readOnly,
    });
  const storages = new Map<string, StorageDriver>([
    ['data', new FsDriver({ root: join(dir, 'data'), secret: 'x'.repeat(32), signBaseUrl: '/v1/storage/fs/data' })],
    ['cloud', s3(false)],
    ['archive', s3(true)],
  ]);
  return createApp({
    logger: silentLogger,
    dataDir: join(dir, 'data'),
    storages,
    maxUploadBytes: 1000,
    datasets: [
      { id: 'up', source: { storage: 'cloud', prefix: 'in/' } },
      { id: 'old', source: { storage: 'archive', prefix: '' } },
      { id: 'local', source: { storage: 'data', prefix: 'img/' } },
    ],
    auth: parseAuth({ tokens: [{ name: 'w', token: TOKEN, scopes: { '*': 'write' } }] }),
  }).app;
}

const sign = (a: ReturnType<typeof app>, body: unknown) =>
  a.request('/v1/storage/sign', {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('POST /v1/storage/sign', () => {
  it('answers an s3 upload with a presigned POST bounded by maxBytes, under the dataset prefix', async () => {
    const res = await sign(app(), {
      dataset: 'up',
      key: 'a/b.png',
      method: 'PUT',
      contentType: 'image/png',
      maxBytes: 500,
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { url: string; method: string; fields: Record<string, string> };
    assert.equal(body.method, 'POST');
    assert.ok(body.url.startsWith('https://s3.example.com/photos'), body.url);
    assert.equal(body.fields.key, 'in/a/b.png');
    const policy = JSON.parse(Buffer.from(body.fields.Policy ?? '', 'base64').toString()) as { conditions: unknown[] };
    assert.ok(policy.conditions.some((c) => JSON.stringify(c) === '["content-length-range",0,500]'));
  });

  it('signs fs GET and PUT URLs bound to the full key', async () => {
    const a = app();
    const get = (await (await sign(a, { dataset: 'local', key: 'x.png', method: 'GET', expiresIn: 60 })).json()) as {
      url: string;
      expiresAt: string;
    };
    assert.match(get.url, /^\/v1\/storage\/fs\/data\/img\/x\.png\?method=GET&expires=\d+&sig=/);
    assert.ok(Date.parse(get.expiresAt) - Date.now() <= 60_000);
    const put = (await (
      await sign(a, { dataset: 'local', key: 'x.png', method: 'PUT', contentType: 'image/webp' })
    ).json()) as { url: string; headers: Record<string, string> };
    assert.match(put.url, /ct=image%2Fwebp&max=1000&/);
    assert.deepEqual(put.headers, { 'content-type': 'image/webp' });
  });

  it('refuses bad requests with a code and the path of the field', async () => {
    const a = app();
    const cases: [unknown, number, string, string?][] = [
      [{ dataset: 'old', key: 'a.png', method: 'PUT', contentType: 'image/png' }, 405, 'storage/read-only'],
      [
        { dataset: 'local', key: 'a.png', method: 'GET', contentType: 'image/png' },
        400,
        'request/invalid-field',
        '$.method',
      ],
      [{ dataset: 'local', key: 'a.png', method: 'DELETE' }, 400, 'request/invalid-field', '$.method'],
      [{ dataset: 'Bad!', key: 'a.png', method: 'GET' }, 400, 'request/invalid-field', '$.dataset'],
      [
        { dataset: 'local', key: 'a.png', method: 'GET', expiresIn: 86400 },
        400,
        'storage/invalid-option',
        '$.expiresIn',
      ],
      [{ dataset: 'local', key: 'a.png', method: 'GET', expiresIn: 0 }, 400, 'storage/invalid-option', '$.expiresIn'],
      [
        { dataset: 'local', key: 'a.png', method: 'PUT', contentType: 'image/png', maxBytes: 1.5 },
        400,
        'request/invalid-field',
        '$.maxBytes',
      ],
      [
        { dataset: 'local', key: 'a.png', method: 'PUT', contentType: 'image/png', maxBytes: 0 },
        400,
        'request/invalid-field',
        '$.maxBytes',
      ],
      [{ dataset: 'nope', key: 'a.png', method: 'GET' }, 403, 'auth/forbidden'],
      [[1], 400, 'request/invalid-json', '$'],
    ];
    for (const [body, status, code, path] of cases) {
      const res = await sign(a, body);
      const { error } = (await res.json()) as { error: { code: string; path?: string } };
      assert.equal(res.status, status, JSON.stringify(body));
      assert.equal(error.code, code, JSON.stringify(body));
      if (path) assert.equal(error.path, path, JSON.stringify(body));
    }
  });
});
