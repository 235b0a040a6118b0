import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { raw, type Served, serve, sign, TOKENS, writeFile } from './helpers.ts';

interface Signed {
  url: string;
  headers: Record<string, string>;
}

describe('attack: replaying a signed URL (after expiry, other method, key, content type or storage)', () => {
  let s: Served;
  const signed = async (body: Record<string, unknown>) =>
    (await (await sign(s.url, TOKENS.alice, { dataset: 'demo', ...body })).json()) as Signed;
  before(async () => {
    s = await serve({
      storages: { local: { driver: 'fs', root: 'unused' } },
    });
    writeFile(`${s.dataDir}/images/demo/a.png`, 'IMAGE-A');
    writeFile(`${s.dataDir}/images/demo/b.png`, 'IMAGE-B');
  });
  after(() => s.close());

  it('refuses a URL once it has expired', async () => {
    const url = (await signed({ key: 'a.png', method: 'GET', expiresIn: 1 })).url;
    assert.equal((await raw(s.url, 'GET', url)).status, 200, 'control: valid before expiry');
    await new Promise((r) => setTimeout(r, 1100));
    const late = await raw(s.url, 'GET', url);
    assert.equal(late.status, 403);
    assert.match(late.text, /storage\/expired/);
    assert.ok(!late.text.includes('IMAGE-A'));
  });

  it('refuses a GET URL used to PUT, and a PUT URL used to GET', async () => {
    const get = (await signed({ key: 'a.png', method: 'GET' })).url;
    const asPut = await raw(s.url, 'PUT', get, { 'content-type': 'image/png' }, 'OVERWRITE');
    assert.equal(asPut.status, 403);
    const put = (await signed({ key: 'a.png', method: 'PUT', contentType: 'image/png' })).url;
    const asGet = await raw(s.url, 'GET', put);
    assert.equal(asGet.status, 403);
    assert.equal((await raw(s.url, 'GET', get)).text, 'IMAGE-A', 'nothing was overwritten');
  });

  it('refuses a URL moved to another key, another content type, or edited expiry/limit', async () => {
    const get = (await signed({ key: 'a.png', method: 'GET' })).url;
    assert.equal((await raw(s.url, 'GET', get.replace('/a.png?', '/b.png?'))).status, 403);
    const longer = get.replace(/expires=(\d+)/, (_, e: string) => `expires=${Number(e) + 86400}`);
    assert.equal((await raw(s.url, 'GET', longer)).status, 403);
    const put = (await signed({ key: 'c.png', method: 'PUT', contentType: 'image/png', maxBytes: 10 })).url;
    const asJpeg = await raw(s.url, 'PUT', put, { 'content-type': 'image/jpeg' }, 'X');
    assert.equal(asJpeg.status, 403);
    assert.match(asJpeg.text, /content-type-mismatch/);
    const ct = put.replace('ct=image%2Fpng', 'ct=text%2Fhtml');
    assert.equal((await raw(s.url, 'PUT', ct, { 'content-type': 'text/html' }, '<p>')).status, 403);
    const bigger = put.replace('max=10', 'max=100000');
    assert.equal((await raw(s.url, 'PUT', bigger, { 'content-type': 'image/png' }, 'X')).status, 403);
  });

  it('refuses a URL of one fs storage replayed on another', async () => {
    const get = (await signed({ key: 'a.png', method: 'GET' })).url;
    const other = get.replace('/v1/storage/fs/data/', '/v1/storage/fs/local/');
    const res = await raw(s.url, 'GET', other);
    assert.equal(res.status, 403);
  });
});
