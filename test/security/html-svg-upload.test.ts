import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { errorCode, raw, type Served, serve, sign, TOKENS, writeFile } from './helpers.ts';

const HTML = '<html><script>alert(document.cookie)</script></html>';
const SVG = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>';

describe('attack: an HTML or SVG upload served back on our origin', () => {
  let s: Served;
  before(async () => {
    s = await serve();
  });
  after(() => s.close());

  it('refuses to sign an upload of HTML, SVG, XML or JavaScript', async () => {
    for (const contentType of [
      'text/html',
      'image/svg+xml',
      'application/xhtml+xml',
      'text/xml',
      'application/javascript',
      'image/png; charset=utf-8, text/html',
    ]) {
      const res = await sign(s.url, TOKENS.alice, { dataset: 'demo', key: 'p.png', method: 'PUT', contentType });
      assert.equal(res.status, 400, contentType);
      assert.equal(await errorCode(res), 'request/invalid-field');
    }
    const noType = await sign(s.url, TOKENS.alice, { dataset: 'demo', key: 'p.png', method: 'PUT' });
    assert.equal(noType.status, 400);
  });

  it('refuses HTML sent through an image upload URL', async () => {
    const { url } = (await (
      await sign(s.url, TOKENS.alice, { dataset: 'demo', key: 'evil.png', method: 'PUT', contentType: 'image/png' })
    ).json()) as { url: string };
    const res = await raw(s.url, 'PUT', url, { 'content-type': 'text/html' }, HTML);
    assert.equal(res.status, 403);
    // Bytes of HTML under the signed image type are stored, and served as an image with nosniff.
    assert.equal((await raw(s.url, 'PUT', url, { 'content-type': 'image/png' }, HTML)).status, 200);
    const { url: get } = (await (
      await sign(s.url, TOKENS.alice, { dataset: 'demo', key: 'evil.png', method: 'GET' })
    ).json()) as { url: string };
    const served = await raw(s.url, 'GET', get);
    assert.equal(served.headers['content-type'], 'image/png');
    assert.equal(served.headers['x-content-type-options'], 'nosniff');
    assert.match(String(served.headers['content-security-policy']), /sandbox/);
  });

  it('serves HTML and SVG found in a source as sandboxed, non-rendering responses', async () => {
    // Dropped in the folder by hand (no content type known) and written by another tool with its real type.
    writeFile(`${s.dataDir}/images/demo/page.html`, HTML);
    const data = s.labelkit.storages.get('data');
    assert.ok(data);
    await data.put('images/demo/draw.svg', new TextEncoder().encode(SVG), { contentType: 'image/svg+xml' });
    await data.put('images/demo/typed.html', new TextEncoder().encode(HTML), { contentType: 'text/html' });
    for (const key of ['page.html', 'draw.svg', 'typed.html']) {
      const { url } = (await (await sign(s.url, TOKENS.alice, { dataset: 'demo', key, method: 'GET' })).json()) as {
        url: string;
      };
      const res = await raw(s.url, 'GET', url);
      assert.equal(res.status, 200);
      const type = String(res.headers['content-type']);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.match(String(res.headers['content-security-policy']), /sandbox/);
      // Either never a renderable type, or forced to download.
      if (/html|svg|xml/.test(type)) assert.match(String(res.headers['content-disposition']), /attachment/, key);
      else assert.equal(type, 'application/octet-stream', key);
    }
  });
});
