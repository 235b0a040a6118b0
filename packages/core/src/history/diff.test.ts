import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyEntries, diffTrees, type ItemChange, listItems, MemoryObjectStore, sha256Hex } from '@labelkit/core';
import fc from 'fast-check';
import { CountingStore } from './fixtures/helpers.ts';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function build(store: MemoryObjectStore, base: string | undefined, changes: Map<string, string | null>) {
  const w = await applyEntries(store, base, changes);
  store.write(w.puts);
  return w.tree;
}

describe('diffTrees', () => {
  it('lists added, changed and removed items with their hashes', async () => {
    const store = new MemoryObjectStore();
    const [h1, h2] = await Promise.all([sha256Hex('1'), sha256Hex('2')]);
    const a = await build(
      store,
      undefined,
      new Map([
        ['keep', h1],
        ['change', h1],
        ['remove', h1],
      ]),
    );
    const b = await build(
      store,
      a,
      new Map([
        ['change', h2],
        ['remove', null],
        ['add', h2],
      ]),
    );
    const changes = await collect(diffTrees(store, a, b));
    const byId = new Map(changes.map((c) => [c.itemId, c]));
    assert.equal(changes.length, 3);
    assert.deepEqual(byId.get('change'), { itemId: 'change', before: h1, after: h2 });
    assert.deepEqual(byId.get('remove'), { itemId: 'remove', before: h1 });
    assert.deepEqual(byId.get('add'), { itemId: 'add', after: h2 });
    assert.deepEqual(await collect(diffTrees(store, a, a)), []);
    assert.equal((await collect(diffTrees(store, undefined, b))).length, 3);
  });

  it('applying diff(a, b) to a gives b, across splits and collapses (property)', async () => {
    const ids = Array.from({ length: 250 }, (_, i) => `p${i}`);
    const entrySet = fc.dictionary(fc.constantFrom(...ids), fc.integer({ min: 0, max: 2 }), { maxKeys: 200 });
    await fc.assert(
      fc.asyncProperty(entrySet, entrySet, async (x, y) => {
        const store = new MemoryObjectStore();
        const toMap = async (d: Record<string, number>) => {
          const m = new Map<string, string | null>();
          for (const [k, v] of Object.entries(d)) m.set(k, await sha256Hex(String(v)));
          return m;
        };
        const a = await build(store, undefined, await toMap(x));
        const b = await build(store, undefined, await toMap(y));
        const patch = new Map<string, string | null>();
        for (const c of await collect(diffTrees(store, a, b))) {
          assert.notEqual(c.before, c.after);
          assert.ok(!patch.has(c.itemId), 'each item once');
          patch.set(c.itemId, c.after ?? null);
        }
        assert.equal(await build(store, a, patch), b);
      }),
      { numRuns: 40 },
    );
  });

  it('reads only the changed paths: 100 changes among 20,000 items', async () => {
    const store = new CountingStore();
    const base = new Map<string, string | null>();
    for (let i = 0; i < 20_000; i++) base.set(`item-${i}`, await sha256Hex(`v0-${i}`));
    const a = await build(store, undefined, base);
    const edit = new Map<string, string | null>();
    for (let i = 0; i < 20_000; i += 200) edit.set(`item-${i}`, await sha256Hex(`v1-${i}`));
    const b = await build(store, a, edit);
    let nodes = 0;
    for await (const _ of listItems(store, a)) nodes++;
    store.resetCount();
    const changes: ItemChange[] = await collect(diffTrees(store, a, b));
    assert.equal(changes.length, 100);
    // 20,000 items make ~1,300 nodes; 100 changed paths of depth 3-4 touch at most ~2 x 100 x 4 of them.
    assert.ok(store.reads <= 2 * (1 + 16 + 100 * 2), `${store.reads} reads`);
    assert.ok(nodes === 20_000);
  });
});
