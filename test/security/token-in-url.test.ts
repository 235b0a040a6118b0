import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, errorCode, type Served, serve, TOKENS } from './helpers.ts';

describe('attack: credentials in the URL', () => {
  let s: Served;
  before(async () => {
    s = await serve();
  });
  after(() => s.close());

  it('refuses ?token= and its aliases with 400, even for a valid token', async () => {
    for (const param of ['token', 'access_token', 'id_token', 'jwt', 'api_key']) {
      const res = await call(s.url, `/v1/storage/sign?${param}=${TOKENS.root}`, {
        json: { dataset: 'demo', key: 'a.png', method: 'GET' },
      });
      assert.equal(res.status, 400, param);
      assert.equal(await errorCode(res), 'auth/token-in-url');
      const text = JSON.stringify(res.headers);
      assert.ok(!text.includes(TOKENS.root), 'the token is never echoed');
    }
  });

  it('refuses it when a valid Authorization header comes along', async () => {
    const res = await call(s.url, `/v1/datasets?access_token=${TOKENS.root}`, { token: TOKENS.root });
    assert.equal(res.status, 400);
    assert.equal(await errorCode(res), 'auth/token-in-url');
    const control = await call(s.url, '/v1/storage/sign', {
      token: TOKENS.root,
      json: { dataset: 'demo', key: 'a.png', method: 'GET' },
    });
    assert.equal(control.status, 200);
  });
});
