import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, type Served, serve } from './helpers.ts';
import { claims, hs256, hsAuth, now } from './jwt.ts';

const signRequest = { dataset: 'demo', key: 'a.png', method: 'GET' };

describe('attack: an expired, not-yet-valid or never-expiring JWT', () => {
  let s: Served;
  before(async () => {
    s = await serve({ auth: hsAuth() });
  });
  after(() => s.close());

  const status = async (payload: Record<string, unknown>) =>
    (await call(s.url, '/v1/storage/sign', { token: await hs256(payload), json: signRequest })).status;

  it('refuses a token past exp (beyond the clock skew)', async () => {
    assert.equal(await status(claims({ exp: now() - 60 })), 401);
    assert.equal(await status(claims({ exp: now() - 2 })), 200, 'within the 5 s skew');
  });

  it('refuses a token without exp, or with a non-numeric one', async () => {
    const { exp: _exp, ...noExp } = claims();
    assert.equal(await status(noExp), 401);
    assert.equal(await status(claims({ exp: 'never' })), 401);
  });

  it('refuses a token before its nbf', async () => {
    assert.equal(await status(claims({ nbf: now() + 120 })), 401);
    assert.equal(await status(claims({ nbf: now() - 1 })), 200, 'control');
  });
});
