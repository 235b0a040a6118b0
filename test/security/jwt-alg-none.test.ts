import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '@labelkit/server';
import { call, errorCode, type Served, serve, tempDir } from './helpers.ts';
import { claims, forge, hs256, hsAuth, JWT_SECRET } from './jwt.ts';

const signRequest = { dataset: 'demo', key: 'a.png', method: 'GET' };

describe('attack: a JWT with alg "none" or an algorithm the server did not pin', () => {
  let s: Served;
  before(async () => {
    s = await serve({ auth: hsAuth() });
  });
  after(() => s.close());

  it('refuses unsigned tokens (alg none, None, NONE) with 401', async () => {
    for (const alg of ['none', 'None', 'NONE']) {
      for (const sig of ['', 'AAAA']) {
        const token = forge({ alg, typ: 'JWT' }, claims(), sig);
        const res = await call(s.url, '/v1/storage/sign', { token, json: signRequest });
        assert.equal(res.status, 401, `${alg} ${sig}`);
        assert.equal(await errorCode(res), 'auth/invalid-token');
      }
    }
  });

  it('refuses a token signed with an algorithm outside the pinned list, even with the right key', async () => {
    const h512 = forge({ alg: 'HS512', typ: 'JWT' }, claims());
    const [head, body] = h512.split('.');
    const sig = createHmac('sha512', JWT_SECRET).update(`${head}.${body}`).digest('base64url');
    const res = await call(s.url, '/v1/storage/sign', { token: `${head}.${body}.${sig}`, json: signRequest });
    assert.equal(res.status, 401);
    const control = await call(s.url, '/v1/storage/sign', { token: await hs256(claims()), json: signRequest });
    assert.equal(control.status, 200, 'control: the pinned algorithm with the right key passes');
  });

  it('refuses a configuration that would accept "none"', () => {
    const cwd = tempDir();
    writeFileSync(
      join(cwd, 'labelkit.config.json'),
      JSON.stringify({ auth: { jwt: { secret: JWT_SECRET, algorithms: ['none'], audience: 'x' } } }),
    );
    const r = loadConfig({ cwd, env: {} });
    assert.equal(r.ok, false);
    assert.equal(r.ok ? '' : r.error.path, '$.auth.jwt.algorithms[0]');
  });
});
