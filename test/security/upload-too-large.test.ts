import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { errorCode, raw, type Served, serve, sign, TOKENS } from './helpers.ts';

describe('attack: an upload bigger than allowed', () => {
  let s: Served;
  before(async () => {
    s = await serve({ maxUploadBytes: 4096 });
  });
  after(() => s.close());

  const putUrl = async (key: string, maxBytes?: number) =>
    (
      (await (
        await sign(s.url, TOKENS.alice, {
          dataset: 'demo',
          key,
          method: 'PUT',
          contentType: 'image/png',
          ...(maxBytes === undefined ? {} : { maxBytes }),
        })
      ).json()) as { url: string }
    ).url;

  it('refuses a body over the signed limit, declared or streamed, and stores nothing', async () => {
    const url = await putUrl('big.png', 1000);
    const declared = await raw(s.url, 'PUT', url, { 'content-type': 'image/png' }, new Uint8Array(1001));
    assert.equal(declared.status, 413);
    assert.match(declared.text, /storage\/too-large/);
    // Chunked (no Content-Length): the server counts while reading.
    const chunked = await fetch(new URL(url, s.url), {
      method: 'PUT',
      headers: { 'content-type': 'image/png' },
      body: new ReadableStream({
        start(c) {
          for (let i = 0; i < 8; i++) c.enqueue(new Uint8Array(200));
          c.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    assert.equal(chunked.status, 413);
    assert.equal(existsSync(join(s.dataDir, 'images/demo/big.png')), false);
    const fits = await raw(s.url, 'PUT', url, { 'content-type': 'image/png' }, new Uint8Array(1000));
    assert.equal(fits.status, 200, 'control: at the limit it is stored');
  });

  it('caps the limit a client may ask for at the configured maximum', async () => {
    const res = await sign(s.url, TOKENS.alice, {
      dataset: 'demo',
      key: 'x.png',
      method: 'PUT',
      contentType: 'image/png',
      maxBytes: 10_000_000,
    });
    assert.equal(res.status, 400);
    assert.equal(await errorCode(res), 'request/invalid-field');
    const unbounded = await putUrl('y.png');
    const over = await raw(s.url, 'PUT', unbounded, { 'content-type': 'image/png' }, new Uint8Array(4097));
    assert.equal(over.status, 413, 'without maxBytes the configured maximum applies');
  });

  it('refuses an oversized sign request body', async () => {
    const res = await fetch(new URL('/v1/storage/sign', s.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS.alice}`, 'content-type': 'application/json' },
      body: JSON.stringify({ dataset: 'demo', key: 'x.png', method: 'GET', pad: 'x'.repeat(20000) }),
    });
    assert.equal(res.status, 413);
  });
});
