import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { authFrom, call, errorCode, type Served, serve, TOKENS } from './helpers.ts';

describe('attack: flooding the encoder', () => {
  let s: Served;
  before(async () => {
    s = await serve({
      rateLimit: { encoderPerMinute: 3 },
      auth: authFrom({
        tokens: [
          { name: 'alice', token: TOKENS.alice, scopes: { demo: 'write' } },
          { name: 'bob', token: TOKENS.bob, scopes: {} },
        ],
      }),
    });
  });
  after(() => s.close());

  // An empty body of an unsupported type is refused (415) by the route, after the limiter counted it.
  const post = (token?: string) =>
    call(s.url, '/v1/embeddings', {
      body: 'x',
      headers: { 'content-type': 'text/plain' },
      ...(token ? { token } : {}),
    });

  it('answers 429 with Retry-After once a token spends its budget, per token', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await post(TOKENS.alice)).status, 415);
    const limited = await post(TOKENS.alice);
    assert.equal(limited.status, 429);
    assert.equal(await errorCode(limited), 'rate/limited');
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    assert.equal((await post(TOKENS.bob)).status, 415, 'another token has its own bucket');
    const metrics = await (await call(s.url, '/metrics')).text();
    assert.match(metrics, /labelkit_rate_limited_total\{limit="encoder"\} 1/);
  });

  it('requires a token for the encoder once tokens are configured', async () => {
    const anon = await post();
    assert.equal(anon.status, 401);
  });
});
