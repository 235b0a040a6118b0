import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningS3rver, startS3rver } from '../contract/s3rver.ts';
import { S3Driver } from './s3.ts';

const secrets = { accessKeyId: 'AKIAEXAMPLESECRETID', secretAccessKey: 'wJalrXUtnFEMI-very-secret-key' };

describe('s3 driver', () => {
  let store: RunningS3rver;
  before(async () => {
    store = await startS3rver();
  });
  after(async () => {
    await store.close();
  });

  it('signs URLs for the public endpoint, with the content type among the signed headers', async () => {
    const d = new S3Driver({ ...store.options, publicEndpoint: 'https://s3.example.com', prefix: 'd1/' });
    const put = await d.sign({ key: 'a b.png', method: 'PUT', contentType: 'image/png' });
    const url = new URL(put.url);
    assert.equal(url.origin, 'https://s3.example.com');
    assert.equal(url.pathname, '/labelkit-test/d1/a%20b.png');
    assert.deepEqual(url.searchParams.get('X-Amz-SignedHeaders')?.split(';').sort(), ['content-type', 'host']);
    assert.equal(url.searchParams.get('X-Amz-Expires'), '300');
    assert.deepEqual(put.headers, { 'content-type': 'image/png' });
    const get = await d.sign({ key: 'a b.png', method: 'GET', expiresIn: 60 });
    assert.equal(new URL(get.url).searchParams.get('X-Amz-Expires'), '60');
    await assert.rejects(d.sign({ key: 'a.png', method: 'PUT', maxBytes: 10 }), { code: 'storage/unsupported' });
    d.destroy();
  });

  it('signs a POST form whose policy binds content-length-range and the content type', async () => {
    const d = new S3Driver({ ...store.options, publicEndpoint: 'https://s3.example.com' });
    const post = await d.signPost({ key: 'up/a.png', contentType: 'image/png', maxBytes: 5_000_000 });
    assert.ok(post.url.startsWith('https://s3.example.com/labelkit-test'));
    assert.equal(post.fields.key, 'up/a.png');
    const policy = JSON.parse(Buffer.from(post.fields.Policy ?? '', 'base64').toString()) as {
      expiration: string;
      conditions: unknown[];
    };
    assert.deepEqual(
      policy.conditions.filter((c) => Array.isArray(c)),
      [
        ['content-length-range', 0, 5_000_000],
        ['eq', '$Content-Type', 'image/png'],
      ],
    );
    assert.ok(Date.parse(policy.expiration) - Date.now() <= 300_000);
    await assert.rejects(d.signPost({ key: 'a', contentType: '', maxBytes: 1 }), { code: 'storage/invalid-option' });
    await assert.rejects(d.signPost({ key: '../a', contentType: 'image/png', maxBytes: 1 }), {
      code: 'storage/forbidden-key',
    });
    // s3rver does not enforce POST policies; this checks the form is one a store accepts.
    const local = await new S3Driver(store.options).signPost({
      key: 'up/a.png',
      contentType: 'image/png',
      maxBytes: 9,
    });
    const localForm = new FormData();
    for (const [k, v] of Object.entries(local.fields)) localForm.set(k, v);
    localForm.set('file', new Blob([new Uint8Array(5)], { type: 'image/png' }));
    assert.ok((await fetch(local.url, { method: 'POST', body: localForm })).ok);
    assert.deepEqual(await d.head('up/a.png'), {
      size: 5,
      etag: (await d.head('up/a.png'))?.etag,
      contentType: 'image/png',
    });
    d.destroy();
  });

  it('never echoes endpoints, buckets or credentials in its errors', async () => {
    const unreachable = new S3Driver({
      bucket: 'private-bucket-name',
      endpoint: 'http://127.0.0.1:9',
      forcePathStyle: true,
      credentials: secrets,
      maxAttempts: 1,
    });
    const missingBucket = new S3Driver({ ...store.options, bucket: 'no-such-bucket-here' });
    const wrongKey = new S3Driver({ ...store.options, credentials: secrets });
    const attempts: [string, string, () => Promise<unknown>][] = [
      ['get, unreachable', 'storage/unavailable', () => unreachable.get('a')],
      ['put, unreachable', 'storage/unavailable', () => unreachable.put('a', new Uint8Array(1))],
      ['list, unreachable', 'storage/unavailable', () => unreachable.list('')],
      ['get, missing bucket', 'storage/unavailable', () => missingBucket.get('a')],
      ['list, missing bucket', 'storage/unavailable', () => missingBucket.list('')],
      ['get, wrong credentials', 'storage/access-denied', () => wrongKey.get('a')],
      ['put, wrong credentials', 'storage/access-denied', () => wrongKey.put('a', new Uint8Array(1))],
    ];
    for (const [what, code, attempt] of attempts) {
      const e = await attempt().then(
        () => assert.fail(`${what} succeeded`),
        (x: unknown) => x,
      );
      assert.equal((e as { code: string }).code, code, what);
      const shown = `${(e as Error).message} ${JSON.stringify(e)} ${(e as Error).stack} ${String((e as Error).cause)}`;
      for (const leak of [
        '127.0.0.1',
        'private-bucket',
        'no-such-bucket',
        secrets.accessKeyId,
        secrets.secretAccessKey,
        'ECONNREFUSED',
      ])
        assert.ok(!shown.includes(leak), `${what} leaks ${leak}`);
    }
    for (const d of [unreachable, missingBucket, wrongKey]) d.destroy();
  });

  it('refuses an invalid bucket name and expiry past an hour', async () => {
    assert.throws(() => new S3Driver({ bucket: '../x' }), { code: 'storage/invalid-option', path: '$.bucket' });
    const d = new S3Driver(store.options);
    await assert.rejects(d.sign({ key: 'a', method: 'GET', expiresIn: 7 * 86400 }), { code: 'storage/invalid-option' });
    await assert.rejects(d.signPost({ key: 'a', contentType: 'image/png', maxBytes: 1, expiresIn: 3601 }), {
      code: 'storage/invalid-option',
    });
    d.destroy();
  });
});
