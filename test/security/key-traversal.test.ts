import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { raw, type Served, serve, sign, TOKENS, writeFile } from './helpers.ts';

/** Keys that could leave the dataset's prefix or the storage root, raw and encoded. */
const BAD_KEYS = [
  '../secret/x.png',
  '../../canary.txt',
  'a/../../x.png',
  '%2e%2e/secret/x.png',
  '%2E%2E%2Fsecret%2Fx.png',
  '%252e%252e/x.png',
  '..%5c..%5ccanary.txt',
  'a\\..\\x.png',
  'a//b.png',
  './a.png',
  '/etc/passwd',
  'C:/Windows/win.ini',
  'a\u0000.png',
  'a\r\nX-Injected: 1.png',
  'a\u001b.png',
  `${'x'.repeat(1100)}.png`,
  '',
];

describe('attack: key traversal', () => {
  let s: Served;
  before(async () => {
    s = await serve();
    writeFile(`${s.dataDir}/images/demo/ok.png`, 'PNGDATA');
    writeFile(`${s.dataDir}/images/secret/x.png`, 'SECRET-IMAGE');
  });
  after(() => s.close());

  it('refuses every traversal key at the sign route with 400 storage/forbidden-key', async () => {
    for (const key of BAD_KEYS) {
      const res = await sign(s.url, TOKENS.alice, { dataset: 'demo', key, method: 'GET' });
      const body = (await res.json()) as { error?: { code: string }; url?: string };
      assert.equal(res.status, 400, JSON.stringify(key));
      assert.equal(body.error?.code, 'storage/forbidden-key', JSON.stringify(key));
      assert.equal(body.url, undefined);
    }
    // Control: a plain key signs.
    const ok = await sign(s.url, TOKENS.alice, { dataset: 'demo', key: 'ok.png', method: 'GET' });
    assert.equal(ok.status, 200);
  });

  it('refuses traversal paths on the fs signed routes, even with a valid signature for another key', async () => {
    const ok = (await (await sign(s.url, TOKENS.alice, { dataset: 'demo', key: 'ok.png', method: 'GET' })).json()) as {
      url: string;
    };
    const query = ok.url.slice(ok.url.indexOf('?'));
    const control = await raw(s.url, 'GET', ok.url);
    assert.equal(control.status, 200);
    assert.equal(control.text, 'PNGDATA');
    const base = '/v1/storage/fs/data/';
    for (const path of [
      '../../canary.txt',
      '..%2f..%2fcanary.txt',
      '%2e%2e/%2e%2e/canary.txt',
      '%252e%252e/canary.txt',
      '..%5c..%5ccanary.txt',
      'images//demo/ok.png',
      '%2fetc%2fpasswd',
      'images/demo/ok.png%00.txt',
      'images/demo/%0d%0aok.png',
      '.labelkit/meta/images/demo/ok.png.json',
      `${'x/'.repeat(600)}ok.png`,
    ]) {
      for (const q of [query, '']) {
        const res = await raw(s.url, 'GET', `${base}${path}${q}`);
        assert.ok(res.status === 400 || res.status === 403 || res.status === 404, `${path} -> ${res.status}`);
        assert.ok(!res.text.includes('CANARY') && !res.text.includes('PNGDATA'), path);
      }
    }
    // PUT through a traversal path with a PUT signature for a legit key writes nothing outside.
    const put = (await (
      await sign(s.url, TOKENS.alice, { dataset: 'demo', key: 'new.png', method: 'PUT', contentType: 'image/png' })
    ).json()) as { url: string };
    const q = put.url.slice(put.url.indexOf('?'));
    const res = await raw(s.url, 'PUT', `${base}..%2f..%2fcanary.txt${q}`, { 'content-type': 'image/png' }, 'X');
    assert.ok(res.status === 400 || res.status === 403, String(res.status));
    const canary = await raw(s.url, 'GET', ok.url);
    assert.equal(canary.text, 'PNGDATA');
  });
});
