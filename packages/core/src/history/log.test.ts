import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HistoryError, isAncestor, log, MemoryObjectStore, mergeBase, mergeBases } from '@labelkit/core';
import { CountingStore, commit, commitTree, doc } from './fixtures/helpers.ts';

async function hashes(it: AsyncIterable<{ hash: string }>): Promise<string[]> {
  const out: string[] = [];
  for await (const e of it) out.push(e.hash);
  return out;
}

/** main: r - m1 - m2 - M(m2, f2) - m3;  feature: r - m1 - f1 - f2 */
async function graph(store: MemoryObjectStore) {
  const r = await commit(store, [], undefined, new Map([['a', doc('a')]]), 'root');
  const m1 = await commit(store, [r.hash], r.tree, new Map([['b', doc('b')]]), 'm1');
  const f1 = await commit(store, [m1.hash], m1.tree, new Map([['f', doc('f')]]), 'f1');
  const m2 = await commit(store, [m1.hash], m1.tree, new Map([['c', doc('c')]]), 'm2');
  const f2 = await commit(store, [f1.hash], f1.tree, new Map([['g', doc('g')]]), 'f2');
  const M = await commitTree(store, [m2.hash, f2.hash], m2.tree, 'merge');
  const m3 = await commit(store, [M], m2.tree, new Map([['d', doc('d')]]), 'm3');
  return { r: r.hash, m1: m1.hash, f1: f1.hash, m2: m2.hash, f2: f2.hash, M, m3: m3.hash };
}

describe('log', () => {
  it('walks every ancestor once, newest first, merged branches included', async () => {
    const store = new MemoryObjectStore();
    const g = await graph(store);
    assert.deepEqual(await hashes(log(store, g.m3)), [g.m3, g.M, g.f2, g.m2, g.f1, g.m1, g.r]);
    assert.deepEqual(await hashes(log(store, g.m3, { firstParent: true })), [g.m3, g.M, g.m2, g.m1, g.r]);
    assert.deepEqual(await hashes(log(store, g.m3, { limit: 2 })), [g.m3, g.M]);
  });

  it('streams: a limited log of a long history reads about as many commits as it yields', async () => {
    const store = new CountingStore();
    let head = await commit(store, [], undefined, new Map([['a', doc('a')]]));
    for (let i = 0; i < 200; i++)
      head = { ...(await commit(store, [head.hash], head.tree, new Map())), tree: head.tree };
    store.resetCount();
    assert.equal((await hashes(log(store, head.hash, { limit: 10 }))).length, 10);
    assert.ok(store.reads <= 11, `${store.reads} reads`);
    assert.equal((await hashes(log(store, head.hash))).length, 201);
  });
});

describe('mergeBase', () => {
  it('finds the best common ancestor across branches and merges', async () => {
    const store = new MemoryObjectStore();
    const g = await graph(store);
    assert.equal(await mergeBase(store, g.m2, g.f2), g.m1);
    assert.equal(await mergeBase(store, g.m3, g.f2), g.f2);
    assert.equal(await mergeBase(store, g.f1, g.m3), g.f1);
    assert.equal(await mergeBase(store, g.r, g.r), g.r);
    assert.equal(await isAncestor(store, g.m1, g.m3), true);
    assert.equal(await isAncestor(store, g.m3, g.m1), false);
  });

  it('returns nothing for unrelated histories and both bases of a criss-cross merge', async () => {
    const store = new MemoryObjectStore();
    const x = await commit(store, [], undefined, new Map([['x', doc('x')]]));
    const y = await commit(store, [], undefined, new Map([['y', doc('y')]]));
    assert.equal(await mergeBase(store, x.hash, y.hash), undefined);
    // a1 and b1 are each merged into the other branch: both are best common ancestors of a2 and b2.
    const a1 = await commit(store, [x.hash], x.tree, new Map([['a', doc('a')]]));
    const b1 = await commit(store, [x.hash], x.tree, new Map([['b', doc('b')]]));
    const a2 = await commitTree(store, [a1.hash, b1.hash], a1.tree);
    const b2 = await commitTree(store, [b1.hash, a1.hash], b1.tree);
    assert.deepEqual((await mergeBases(store, a2, b2)).sort(), [a1.hash, b1.hash].sort());
  });
});

describe('log integrity', () => {
  it('a missing parent is history/missing-object naming its key, after the commits before it', async () => {
    const store = new MemoryObjectStore();
    const a = await commit(store, [], undefined, new Map([['a', doc('a')]]));
    const b = await commit(store, [a.hash], a.tree, new Map([['b', doc('b')]]));
    store.objects.delete(`commits/${a.hash}.json`);
    const seen: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const e of log(store, b.hash)) seen.push(e.hash);
      })(),
      (e: unknown) =>
        e instanceof HistoryError && e.code === 'history/missing-object' && e.key === `commits/${a.hash}.json`,
    );
    assert.deepEqual(seen, [b.hash]);
  });
});
