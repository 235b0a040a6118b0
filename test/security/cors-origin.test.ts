import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '@labelkit/server';
import { call, errorCode, type Served, serve, TOKENS, tempDir } from './helpers.ts';

const APP = 'https://app.example.com';
const EVIL = 'https://evil.example';
const signRequest = { dataset: 'demo', key: 'a.png', method: 'GET' };

describe('attack: a cross-origin request from an origin not allowed', () => {
  let s: Served;
  before(async () => {
    s = await serve({ cors: { origins: [APP] } });
  });
  after(() => s.close());

  const preflight = (origin: string, method = 'POST', headers = 'authorization, content-type') =>
    call(s.url, '/v1/storage/sign', {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers },
    });

  it('refuses the preflight of an unknown origin and never reflects it', async () => {
    for (const origin of [
      EVIL,
      'null',
      `${APP}.evil.example`,
      'https://app.example.com:8443',
      'http://app.example.com',
    ]) {
      const res = await preflight(origin);
      assert.equal(res.status, 403, origin);
      assert.equal(res.headers.get('access-control-allow-origin'), null, origin);
      assert.equal(res.headers.get('access-control-allow-credentials'), null, origin);
    }
    const ok = await preflight(APP);
    assert.equal(ok.status, 204);
    assert.equal(ok.headers.get('access-control-allow-origin'), APP);
    assert.match(ok.headers.get('vary') ?? '', /Origin/);
  });

  it('refuses preflights asking for other methods or headers', async () => {
    assert.equal((await preflight(APP, 'PATCH')).status, 403);
    assert.equal((await preflight(APP, 'POST', 'x-evil-header')).status, 403);
  });

  it('sends no CORS header to an unknown origin and refuses its state-changing requests', async () => {
    const get = await call(s.url, '/v1/models', { headers: { origin: EVIL } });
    assert.equal(get.headers.get('access-control-allow-origin'), null);
    assert.match(get.headers.get('vary') ?? '', /Origin/);
    const post = await call(s.url, '/v1/storage/sign', {
      token: TOKENS.alice,
      json: signRequest,
      headers: { origin: EVIL },
    });
    assert.equal(post.status, 403);
    assert.equal(await errorCode(post), 'cors/origin-not-allowed');
    assert.equal(post.headers.get('access-control-allow-origin'), null);
    const allowed = await call(s.url, '/v1/storage/sign', {
      token: TOKENS.alice,
      json: signRequest,
      headers: { origin: APP },
    });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get('access-control-allow-origin'), APP);
  });

  it('refuses a configuration with origin "*" while tokens are in use', () => {
    const cwd = tempDir();
    writeFileSync(
      join(cwd, 'labelkit.config.json'),
      JSON.stringify({
        cors: { origins: ['*'] },
        auth: { tokens: [{ name: 'a', token: TOKENS.alice, scopes: { '*': 'read' } }] },
      }),
    );
    const r = loadConfig({ cwd, env: {} });
    assert.equal(r.ok ? '' : r.error.path, '$.cors.origins[0]');
    const bad = loadConfig({ cwd: tempDir(), env: { LABELKIT_CORS_ORIGINS: 'https://a.example/path' } });
    assert.equal(bad.ok, false);
  });
});
