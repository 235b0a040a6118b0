import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Hono } from 'hono';
import type { AuthEnv, Principal } from '../../auth/scopes.ts';
import { HttpError } from '../../errors.ts';
import { Metrics } from '../../metrics.ts';
import { rateLimit } from './index.ts';

function app(perMinute: number, clock: { t: number }, maxBuckets?: number) {
  const a = new Hono<AuthEnv>();
  a.use('*', async (c, next) => {
    const who = c.req.header('x-who');
    if (who) c.set('principal', { name: who, scopes: {}, via: 'token' } satisfies Principal);
    await next();
  });
  a.use(
    '*',
    rateLimit({
      perMinute,
      name: 'test',
      metrics: new Metrics(),
      now: () => clock.t,
      ...(maxBuckets ? { maxBuckets } : {}),
    }),
  );
  a.get('/', (c) => c.text('ok'));
  a.onError((e, c) => {
    if (e instanceof HttpError) return c.json({ retry: e.headers['Retry-After'] }, e.status as 429);
    throw e;
  });
  return (who: string) => a.request('/', { headers: { 'x-who': who } });
}

describe('rate limit (token bucket)', () => {
  it('refills continuously and tells how long to wait', async () => {
    const clock = { t: 0 };
    const get = app(6, clock);
    for (let i = 0; i < 6; i++) assert.equal((await get('a')).status, 200);
    const limited = await get('a');
    assert.equal(limited.status, 429);
    assert.deepEqual(await limited.json(), { retry: '10' }, '6 per minute: one token every 10 s');
    clock.t += 9_000;
    assert.equal((await get('a')).status, 429);
    clock.t += 1_000;
    assert.equal((await get('a')).status, 200);
    assert.equal((await get('a')).status, 429);
  });

  it('keeps at most maxBuckets buckets, dropping idle ones first', async () => {
    const clock = { t: 0 };
    const get = app(1, clock, 2);
    assert.equal((await get('a')).status, 200);
    assert.equal((await get('b')).status, 200);
    assert.equal((await get('c')).status, 200, 'a third client evicts the oldest bucket');
    assert.equal((await get('c')).status, 429);
  });
});
