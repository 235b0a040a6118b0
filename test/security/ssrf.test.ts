import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { call, errorCode, type Served, serve, sign, TOKENS } from './helpers.ts';

/** A listener that counts every connection: the server must never contact it. */
async function trap(): Promise<{ server: Server; url: string; hits: () => number }> {
  let hits = 0;
  const server = createServer((_req, res) => {
    res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
  });
  server.on('connection', () => hits++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => hits };
}

describe('attack: an endpoint or URL taken from the request (SSRF)', () => {
  let s: Served;
  let evil: Awaited<ReturnType<typeof trap>>;
  before(async () => {
    evil = await trap();
    s = await serve({
      storages: {
        photos: {
          driver: 's3',
          bucket: 'photos',
          endpoint: 'http://127.0.0.1:9',
          publicEndpoint: 'https://s3.example.com',
          forcePathStyle: true,
          credentials: { accessKeyId: 'AKIATEST', secretAccessKey: 'secret-test-key' },
        },
      },
      datasets: [
        { id: 'demo', source: { storage: 'data', prefix: 'images/demo/' } },
        { id: 'cloud', source: { storage: 'photos', prefix: 'raw/' } },
      ],
      auth: (await import('./helpers.ts')).authFrom({
        tokens: [
          { name: 'alice', token: TOKENS.alice, scopes: { demo: 'write', cloud: 'write' } },
          { name: 'root', token: TOKENS.root, scopes: { '*': 'admin' } },
        ],
      }),
    });
  });
  after(async () => {
    await s.close();
    evil.server.close();
  });

  it('refuses sign requests that carry an endpoint, URL, bucket or storage', async () => {
    for (const field of ['endpoint', 'url', 'bucket', 'storage', 'publicEndpoint', 'host']) {
      const res = await sign(s.url, TOKENS.alice, { dataset: 'cloud', key: 'a.png', method: 'GET', [field]: evil.url });
      assert.equal(res.status, 400, field);
      assert.equal(await errorCode(res), 'request/unknown-field');
    }
  });

  it('signs only for the configured public endpoint, whatever the Host header says', async () => {
    const res = await call(s.url, '/v1/storage/sign', {
      token: TOKENS.alice,
      json: { dataset: 'cloud', key: 'a.png', method: 'GET' },
      headers: { 'x-forwarded-host': new URL(evil.url).host },
    });
    assert.equal(res.status, 200);
    const { url } = (await res.json()) as { url: string };
    assert.ok(url.startsWith('https://s3.example.com/photos/raw/a.png?'), url);
    const fs = (await (await sign(s.url, TOKENS.alice, { dataset: 'demo', key: 'a.png', method: 'GET' })).json()) as {
      url: string;
    };
    assert.ok(fs.url.startsWith('/v1/storage/fs/data/'), 'fs URLs are relative to the page origin');
  });

  it('ignores URL fields in an embedding request and never connects to them', async () => {
    const res = await call(s.url, '/v1/embeddings', {
      token: TOKENS.root,
      json: { key: 'images/demo/none.png', url: `${evil.url}/x.png`, endpoint: evil.url },
    });
    assert.equal(res.status, 404, 'the key is read from the data storage only');
    assert.equal(evil.hits(), 0, 'the server connected to a URL from the request');
  });
});
