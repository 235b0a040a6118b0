import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { FsDriver, fsSignature } from '../drivers/index.ts';
import { type ServedFs, serveFs, TEST_SECRET } from './serve.ts';

/**
 * Attacks on the fs driver's signed URLs, over real HTTP. Requests go through node:http with the path exactly as
 * written, since fetch would resolve `..` and `%2e%2e` segments before sending them.
 */
interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(origin: string, method: string, path: string, headers: Record<string, string> = {}, body?: Uint8Array) {
  const { hostname, port } = new URL(origin);
  return new Promise<Reply>((resolve, reject) => {
    const req = request({ hostname, port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

const pathOf = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};

function assertError(reply: Reply, status: number, code: string, what: string): void {
  assert.equal(reply.status, status, `${what}: status (${reply.body})`);
  assert.match(String(reply.headers['content-type']), /^application\/json/, `${what}: JSON`);
  const json = JSON.parse(reply.body) as { error: { code: string; message: string } };
  assert.equal(json.error.code, code, what);
  assert.equal(typeof json.error.message, 'string');
}

describe('security: fs signed URLs over HTTP', () => {
  let s: ServedFs;
  before(async () => {
    s = await serveFs({ prefix: 'datasets/d1' });
    await new FsDriver({ root: s.root }).put('secret.txt', new TextEncoder().encode('TOPSECRET'));
    await s.driver.put('public/cat.png', new TextEncoder().encode('PNG'), { contentType: 'image/png' });
  });
  after(async () => {
    await s.close();
  });

  it('tampered signature: 403 storage/bad-signature', async () => {
    const { url } = await s.driver.sign({ key: 'public/cat.png', method: 'GET' });
    const tampered = url.replace(/sig=([^&]+)/, (_m, sig: string) => `sig=${sig.slice(0, -3)}xyz`);
    assertError(await send(s.origin, 'GET', pathOf(tampered)), 403, 'storage/bad-signature', 'tampered');
    const unsigned = url.replace(/&sig=[^&]+/, '');
    assertError(await send(s.origin, 'GET', pathOf(unsigned)), 403, 'storage/bad-signature', 'unsigned');
    const longer = url.replace(/expires=(\d+)/, (_m, e: string) => `expires=${Number(e) + 3600}`);
    assertError(await send(s.origin, 'GET', pathOf(longer)), 403, 'storage/bad-signature', 'extended expiry');
  });

  it('expired URL: 403 storage/expired', async () => {
    const expires = Math.floor(Date.now() / 1000) - 1;
    const sig = fsSignature(
      { method: 'GET', key: s.driver.fullKey('public/cat.png'), expires, contentType: '', maxBytes: -1 },
      TEST_SECRET,
    );
    const path = `/v1/storage/fs/public/cat.png?method=GET&expires=${expires}&sig=${sig}`;
    assertError(await send(s.origin, 'GET', path), 403, 'storage/expired', 'expired');
  });

  it('URL replayed with another method: 403 storage/method-mismatch', async () => {
    const { url } = await s.driver.sign({ key: 'public/cat.png', method: 'GET' });
    const reply = await send(s.origin, 'PUT', pathOf(url), { 'content-type': 'image/png' }, new Uint8Array([1]));
    assertError(reply, 403, 'storage/method-mismatch', 'GET URL used for PUT');
    assert.equal(await (await s.driver.get('public/cat.png'))?.body.length, 3, 'nothing was written');
  });

  it('URL replayed for another key: 403 storage/bad-signature', async () => {
    const { url } = await s.driver.sign({ key: 'public/cat.png', method: 'GET' });
    const other = url.replace('/public/cat.png?', '/public/dog.png?');
    assertError(await send(s.origin, 'GET', pathOf(other)), 403, 'storage/bad-signature', 'other key');
  });

  it('upload with another content type: 403 storage/content-type-mismatch', async () => {
    const put = await s.driver.sign({ key: 'up/a.png', method: 'PUT', contentType: 'image/png' });
    const body = new TextEncoder().encode('<script>alert(1)</script>');
    for (const ct of ['text/html', 'image/svg+xml', 'image/png, text/html']) {
      const reply = await send(s.origin, 'PUT', pathOf(put.url), { 'content-type': ct }, body);
      assertError(reply, 403, 'storage/content-type-mismatch', ct);
    }
    assertError(await send(s.origin, 'PUT', pathOf(put.url), {}, body), 403, 'storage/content-type-mismatch', 'none');
    const swapped = put.url.replace('ct=image%2Fpng', 'ct=text%2Fhtml');
    const reply = await send(s.origin, 'PUT', pathOf(swapped), { 'content-type': 'text/html' }, body);
    assertError(reply, 403, 'storage/bad-signature', 'content type swapped in the URL');
    assert.equal(await s.driver.get('up/a.png'), undefined, 'nothing was written');
  });

  it('upload over the signed limit: 413 storage/too-large, declared or streamed', async () => {
    const put = await s.driver.sign({
      key: 'up/big.bin',
      method: 'PUT',
      contentType: 'application/octet-stream',
      maxBytes: 1000,
    });
    const headers = { 'content-type': 'application/octet-stream' };
    assertError(
      await send(s.origin, 'PUT', pathOf(put.url), headers, new Uint8Array(1001)),
      413,
      'storage/too-large',
      'declared',
    );
    // Chunked: no Content-Length, so the limit must hold while the body streams in.
    const { hostname, port } = new URL(s.origin);
    const streamed = await new Promise<Reply>((resolve, reject) => {
      const req = request({ hostname, port, method: 'PUT', path: pathOf(put.url), headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }),
        );
      });
      req.on('error', reject);
      for (let i = 0; i < 5; i++) req.write(new Uint8Array(300));
      req.end();
    });
    assertError(streamed, 413, 'storage/too-large', 'streamed');
    assert.equal(await s.driver.get('up/big.bin'), undefined, 'nothing was written');
    const ok = await send(s.origin, 'PUT', pathOf(put.url), headers, new Uint8Array(1000));
    assert.equal(ok.status, 200, 'exactly the limit is accepted');
    await assert.rejects(s.driver.sign({ key: 'up/huge', method: 'PUT', maxBytes: 2 ** 40 }), {
      code: 'storage/invalid-option',
    });
    const unlimited = await s.driver.sign({ key: 'up/default.bin', method: 'PUT' });
    assert.equal(new URL(unlimited.url).searchParams.get('max'), String(100 * 1024 * 1024), "the driver's limit");
  });

  it('traversal keys in every form: 400 storage/forbidden-key, nothing outside the root read', async () => {
    const forms = [
      '..%2f..%2fetc%2fpasswd',
      '%2E%2E%2F%2E%2E%2Fetc%2Fpasswd',
      '%252e%252e%252fetc%252fpasswd',
      'a%5c..%5c..%5cetc%5cpasswd',
      'a//b',
      '%2fetc%2fpasswd',
      'a%00b',
      'a%0d%0aSet-Cookie:x',
      'a%1fb',
      'x'.repeat(1100),
    ];
    for (const form of forms) {
      const q = 'method=GET&expires=9999999999&sig=AAAA';
      assertError(
        await send(s.origin, 'GET', `/v1/storage/fs/${form}?${q}`),
        400,
        'storage/forbidden-key',
        `GET ${form}`,
      );
      const reply = await send(
        s.origin,
        'PUT',
        `/v1/storage/fs/${form}?${q.replace('GET', 'PUT')}`,
        {},
        new Uint8Array(1),
      );
      assertError(reply, 400, 'storage/forbidden-key', `PUT ${form}`);
    }
    // `..` and `%2e%2e` segments are resolved by the HTTP layer (WHATWG URL) before routing: they must land on
    // no route, never on the file two folders up.
    for (const form of ['../../secret.txt', '%2e%2e/%2e%2e/secret.txt', '.%2e/%2E./secret.txt']) {
      const raw = await send(s.origin, 'GET', `/v1/storage/fs/${form}?method=GET&expires=9999999999&sig=A`);
      assert.equal(raw.status, 404, form);
      assert.doesNotMatch(raw.body, /TOPSECRET/);
    }
    const encoded = await send(
      s.origin,
      'GET',
      '/v1/storage/fs/..%2f..%2fsecret.txt?method=GET&expires=9999999999&sig=A',
    );
    assertError(encoded, 400, 'storage/forbidden-key', 'encoded slash');
  });

  it('HTML, SVG and XML uploads are served back inert (attachment, nosniff, sandbox)', async () => {
    const cases = [
      ['page.html', 'text/html', true],
      ['logo.svg', 'image/svg+xml', true],
      ['feed.xml', 'application/xml', true],
      ['x.js', 'text/javascript', true],
      ['cat.png', 'image/png', false],
    ] as const;
    for (const [name, type, attachment] of cases) {
      const put = await s.driver.sign({ key: `up/${name}`, method: 'PUT', contentType: type });
      const up = await send(
        s.origin,
        'PUT',
        pathOf(put.url),
        put.headers,
        new TextEncoder().encode('<svg onload="alert(1)"/>'),
      );
      assert.equal(up.status, 200, name);
      const get = await s.driver.sign({ key: `up/${name}`, method: 'GET' });
      const reply = await send(s.origin, 'GET', pathOf(get.url));
      assert.equal(reply.status, 200);
      assert.equal(reply.headers['content-type'], type, `${name}: the signed type, never sniffed`);
      assert.equal(reply.headers['x-content-type-options'], 'nosniff');
      assert.match(String(reply.headers['content-security-policy']), /sandbox/);
      assert.equal(reply.headers['content-disposition'], attachment ? 'attachment' : undefined, name);
    }
  });

  it('a missing object: 404 storage/not-found', async () => {
    const { url } = await s.driver.sign({ key: 'none/here.png', method: 'GET' });
    assertError(await send(s.origin, 'GET', pathOf(url)), 404, 'storage/not-found', 'missing');
  });
});
