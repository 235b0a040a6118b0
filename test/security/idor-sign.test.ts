import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, errorCode, raw, type Served, serve, sign, TOKENS, writeFile } from './helpers.ts';

describe("attack: signing a key outside the token's datasets (IDOR)", () => {
  let s: Served;
  before(async () => {
    s = await serve();
    writeFile(`${s.dataDir}/images/secret/x.png`, 'SECRET-IMAGE');
  });
  after(() => s.close());

  it('refuses a dataset the token has no scope on, the same way as one that does not exist', async () => {
    const other = await sign(s.url, TOKENS.alice, { dataset: 'secret', key: 'x.png', method: 'GET' });
    assert.equal(other.status, 403);
    assert.equal(await errorCode(other), 'auth/forbidden');
    const missing = await sign(s.url, TOKENS.alice, { dataset: 'nope', key: 'x.png', method: 'GET' });
    assert.equal(missing.status, 403, 'a missing dataset must not be told apart from a forbidden one');
    assert.equal(await errorCode(missing), 'auth/forbidden');
    const rootMissing = await sign(s.url, TOKENS.root, { dataset: 'nope', key: 'x.png', method: 'GET' });
    assert.equal(rootMissing.status, 403);
  });

  it('refuses PUT to a token that may only read, and any request without credentials', async () => {
    const put = await sign(s.url, TOKENS.bob, {
      dataset: 'secret',
      key: 'y.png',
      method: 'PUT',
      contentType: 'image/png',
    });
    assert.equal(put.status, 403);
    const anon = await sign(s.url, undefined, { dataset: 'secret', key: 'x.png', method: 'GET' });
    assert.equal(anon.status, 401);
    assert.equal(await errorCode(anon), 'auth/unauthenticated');
    const forged = await sign(s.url, 'not-a-configured-token-123456', {
      dataset: 'secret',
      key: 'x.png',
      method: 'GET',
    });
    assert.equal(forged.status, 401);
  });

  it('confines a signed URL to its dataset: the URL of one dataset cannot be bent to another', async () => {
    const mine = (await (await sign(s.url, TOKENS.alice, { dataset: 'demo', key: 'x.png', method: 'GET' })).json()) as {
      url: string;
    };
    assert.match(mine.url, /^\/v1\/storage\/fs\/data\/images\/demo\/x\.png\?/);
    const bent = mine.url.replace('/images/demo/', '/images/secret/');
    const res = await raw(s.url, 'GET', bent);
    assert.equal(res.status, 403);
    assert.ok(!res.text.includes('SECRET-IMAGE'));
    // The reader of "secret" gets it (control).
    const bobs = (await (await sign(s.url, TOKENS.bob, { dataset: 'secret', key: 'x.png', method: 'GET' })).json()) as {
      url: string;
    };
    assert.equal((await raw(s.url, 'GET', bobs.url)).text, 'SECRET-IMAGE');
  });

  it("refuses reading another dataset's image by storage key through the encoder", async () => {
    const res = await call(s.url, '/v1/embeddings', { token: TOKENS.alice, json: { key: 'images/secret/x.png' } });
    assert.equal(res.status, 403);
    assert.equal(await errorCode(res), 'auth/forbidden');
  });
});
