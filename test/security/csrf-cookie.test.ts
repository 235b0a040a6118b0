import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, errorCode, type Served, serve } from './helpers.ts';
import { claims, hs256, hsAuth } from './jwt.ts';

const APP = 'https://app.example.com';
const signRequest = { dataset: 'demo', key: 'a.png', method: 'GET' };

describe('attack: cross-site request riding a session cookie (CSRF)', () => {
  let s: Served;
  let cookie: string;
  before(async () => {
    s = await serve({ auth: hsAuth({ cookie: 'lk_session' }), cors: { origins: [APP] } });
    cookie = `lk_session=${await hs256(claims())}`;
  });
  after(() => s.close());

  const post = (headers: Record<string, string>) =>
    call(s.url, '/v1/storage/sign', { json: signRequest, headers: { cookie, ...headers } });

  it('refuses a state-changing cookie request without Origin, with Origin null or a foreign one', async () => {
    const none = await post({});
    assert.equal(none.status, 403);
    assert.equal(await errorCode(none), 'auth/csrf');
    assert.equal((await post({ origin: 'null' })).status, 403);
    assert.equal((await post({ origin: 'https://evil.example' })).status, 403);
    // A form post from another site (a "simple" request: no preflight) is refused too.
    const form = await call(s.url, '/v1/storage/sign', {
      body: 'dataset=demo',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
    });
    assert.equal(form.status, 403);
  });

  it('accepts the same origin and the allowed origin, with credentials allowed only for that origin', async () => {
    assert.equal((await post({ origin: new URL(s.url).origin })).status, 200);
    const app = await post({ origin: APP });
    assert.equal(app.status, 200);
    assert.equal(app.headers.get('access-control-allow-origin'), APP);
    assert.equal(app.headers.get('access-control-allow-credentials'), 'true');
  });

  it('refuses a forged or expired cookie', async () => {
    const expired = `lk_session=${await hs256(claims({ exp: Math.floor(Date.now() / 1000) - 3600 }))}`;
    const res = await call(s.url, '/v1/storage/sign', {
      json: signRequest,
      headers: { cookie: expired, origin: APP },
    });
    assert.equal(res.status, 401);
  });
});
