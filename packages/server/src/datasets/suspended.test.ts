import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { page, SuspendedWalks } from './suspended.ts';

async function* count(n: number, closed: { value: boolean }): AsyncGenerator<number> {
  try {
    for (let i = 0; i < n; i++) yield i;
  } finally {
    closed.value = true;
  }
}

describe('suspended walks', () => {
  it('resumes a walk where the page stopped, and re-walks to the same place without it', async () => {
    const closed = { value: false };
    const first = await page(undefined, () => count(10, closed), 0, 4);
    assert.deepEqual(first.items, [0, 1, 2, 3]);
    assert.ok(first.rest);
    const resumed = await page(first.rest, () => assert.fail('must not restart'), 4, 4);
    assert.deepEqual(resumed.items, [4, 5, 6, 7]);
    const rewalked = await page(undefined, () => count(10, { value: false }), 4, 4);
    assert.deepEqual(rewalked.items, resumed.items);
    const last = await page(resumed.rest, () => assert.fail('must not restart'), 8, 4);
    assert.deepEqual(last.items, [8, 9]);
    assert.equal(last.rest, undefined);
    assert.equal(closed.value, true);
  });

  it('keeps at most `max` walks, closes the ones it drops, and hands each out once', async () => {
    const walks = new SuspendedWalks<number>(2);
    const flags = [{ value: false }, { value: false }, { value: false }];
    const rests = [];
    for (const f of flags) rests.push((await page(undefined, () => count(5, f), 0, 1)).rest);
    rests.forEach((r, i) => {
      if (r) walks.put(`c${i}`, r);
    });
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(
      flags.map((f) => f.value),
      [true, false, false],
    );
    assert.equal(walks.take('c0'), undefined);
    assert.ok(walks.take('c1'));
    assert.equal(walks.take('c1'), undefined);
    const expiring = new SuspendedWalks<number>(4, 0);
    const f = { value: false };
    const r = (await page(undefined, () => count(5, f), 0, 1)).rest;
    if (r) expiring.put('x', r);
    assert.equal(expiring.take('x'), undefined);
    await new Promise((res) => setImmediate(res));
    assert.equal(f.value, true);
  });
});
