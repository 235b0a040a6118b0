import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { authFrom, call, type Served, serve } from './helpers.ts';
import { claims, ecKeys, es256, forge, hs256, hsAuth } from './jwt.ts';

const signRequest = { dataset: 'demo', key: 'a.png', method: 'GET' };

describe('attack: a JWT signed with the wrong key', () => {
  let hs: Served;
  let es: Served;
  const keys = ecKeys();
  before(async () => {
    hs = await serve({ auth: hsAuth() });
    es = await serve({
      auth: authFrom({ jwt: { publicKey: keys.publicPem, algorithms: ['ES256'], audience: 'labelkit' } }),
    });
  });
  after(() => Promise.all([hs.close(), es.close()]));

  const status = async (base: string, token: string) =>
    (await call(base, '/v1/storage/sign', { token, json: signRequest })).status;

  it('refuses an HMAC token signed with another secret, or with claims edited after signing', async () => {
    assert.equal(await status(hs.url, await hs256(claims(), 'another-secret-of-an-attacker-0123456789')), 401);
    const good = await hs256(claims());
    const [head, , sig] = good.split('.');
    const edited = forge({ alg: 'HS256', typ: 'JWT' }, claims({ labelkit_scopes: { '*': 'admin' } })).split('.');
    assert.equal(await status(hs.url, `${head}.${edited[1]}.${sig}`), 401);
    assert.equal(await status(hs.url, good), 200, 'control');
  });

  it('refuses wrong audience or issuer', async () => {
    assert.equal(await status(hs.url, await hs256(claims({ aud: 'other-app' }))), 401);
    assert.equal(await status(hs.url, await hs256(claims({ iss: 'https://evil.example' }))), 401);
    const { aud: _aud, ...noAud } = claims();
    assert.equal(await status(hs.url, await hs256(noAud)), 401);
  });

  it('refuses an ES256 token of another key pair, and the HS256-with-public-key confusion', async () => {
    const other = ecKeys();
    assert.equal(await status(es.url, await es256(claims(), other.privatePem)), 401);
    // Algorithm confusion: HMAC over the token with the server's public key as the secret.
    const unsigned = forge({ alg: 'HS256', typ: 'JWT' }, claims()).slice(0, -1);
    const sig = createHmac('sha256', keys.publicPem).update(unsigned).digest('base64url');
    assert.equal(await status(es.url, `${unsigned}.${sig}`), 401);
    assert.equal(await status(es.url, await es256(claims(), keys.privatePem)), 200, 'control');
  });
});
