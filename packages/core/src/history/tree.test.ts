import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  applyEntries,
  cachingReader,
  countItems,
  HistoryError,
  LabelKitError,
  LEAF_MAX,
  listItems,
  lookupItem,
  MemoryObjectStore,
  readItem,
  sha256Hex,
  writeItems,
} from '@labelkit/core';
import fc from 'fast-check';
import { box, CountingStore, doc } from './fixtures/helpers.ts';

const encoder = new TextEncoder();

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function fakeHash(i: number): Promise<string> {
  return sha256Hex(`object-${i}`);
}

function isHistoryError(code: string, path?: string, key?: string) {
  return (e: unknown) =>
    e instanceof HistoryError &&
    e.code === code &&
    (path === undefined || e.path === path) &&
    (key === undefined || e.key === key);
}

describe('writeItems / readItem / listItems', () => {
  it('writes documents, reads each back, lists them all once', async () => {
    const store = new MemoryObjectStore();
    const changes = new Map(Array.from({ length: 200 }, (_, i) => [`img-${i}`, doc(`img-${i}`, [box(`s${i}`, i)])]));
    const w = await writeItems(store, undefined, changes);
    assert.ok(w.ok);
    assert.equal(w.value.count, 200);
    store.write(w.value.puts);
    assert.deepEqual(await readItem(store, w.value.tree, 'img-17'), doc('img-17', [box('s17', 17)]));
    assert.equal(await readItem(store, w.value.tree, 'img-999'), undefined);
    const listed = await collect(listItems(store, w.value.tree));
    assert.deepEqual(listed.map((e) => e.itemId).sort(), [...changes.keys()].sort());
    assert.equal(await countItems(store, w.value.tree), 200);
  });

  it('puts documents before trees and children before parents, so no put names a missing object', async () => {
    const store = new MemoryObjectStore();
    const changes = new Map(Array.from({ length: 150 }, (_, i) => [`i${i}`, doc(`i${i}`)]));
    const w = await writeItems(store, undefined, changes);
    assert.ok(w.ok);
    const written = new Set<string>();
    for (const p of w.value.puts) {
      const json = JSON.parse(new TextDecoder().decode(p.bytes));
      const refs: string[] = json.children
        ? Object.values(json.children as Record<string, { tree: string }>).map((c) => `trees/${c.tree}.json`)
        : json.items
          ? Object.values(json.items as Record<string, string>).map((h) => `objects/${h}.json`)
          : [];
      for (const r of refs) assert.ok(written.has(r), `${p.key} put before ${r}`);
      written.add(p.key);
    }
    assert.equal(w.value.puts.at(-1)?.key, `trees/${w.value.tree}.json`);
  });

  it('changes nothing for an equal document or the deletion of an absent item', async () => {
    const store = new MemoryObjectStore();
    const first = await writeItems(store, undefined, new Map([['a', doc('a', [box('1')])]]));
    assert.ok(first.ok);
    store.write(first.value.puts);
    const again = await writeItems(
      store,
      first.value.tree,
      new Map([
        ['a', doc('a', [box('1')])],
        ['zzz', null],
      ]),
    );
    assert.ok(again.ok);
    assert.equal(again.value.tree, first.value.tree);
    assert.deepEqual(again.value.puts, []);
    assert.deepEqual(again.value.changed, []);
  });

  it('deleting every item gives the stored empty tree', async () => {
    const store = new MemoryObjectStore();
    const w = await writeItems(store, undefined, new Map([['a', doc('a')]]));
    assert.ok(w.ok);
    store.write(w.value.puts);
    const d = await writeItems(store, w.value.tree, new Map([['a', null]]));
    assert.ok(d.ok);
    store.write(d.value.puts);
    assert.equal(d.value.count, 0);
    assert.deepEqual(await collect(listItems(store, d.value.tree)), []);
  });

  it('keeps odd item ids (__proto__, unicode, slashes) as plain keys', async () => {
    const store = new MemoryObjectStore();
    const ids = ['__proto__', 'constructor', 'a/b/../c.jpg', 'été 😀', ' '];
    const w = await writeItems(store, undefined, new Map(ids.map((id) => [id, doc(id)])));
    assert.ok(w.ok);
    store.write(w.value.puts);
    for (const id of ids) assert.deepEqual(await readItem(store, w.value.tree, id), doc(id));
  });

  it('checks labels against the dataset label set when given', async () => {
    const labels = [{ id: 'car', name: 'Car', color: '#f00' }];
    const store = new MemoryObjectStore();
    const good = await writeItems(store, undefined, new Map([['a', doc('a', [box('1')])]]), { labels });
    assert.ok(good.ok);
    const bad = await writeItems(store, undefined, new Map([['a', doc('a', [box('1', 0, 'bus')])]]), { labels });
    assert.ok(!bad.ok);
    assert.equal(bad.error.code, 'shape/unknown-label');
    assert.equal(bad.error.path, '$.a.shapes[0].label');
  });

  it('refuses bad ids and documents with a code and the path of the field', async () => {
    const store = new MemoryObjectStore();
    const cases: [Map<string, unknown>, string, string][] = [
      [new Map([['', doc('')]]), 'history/invalid-item-id', '$[""]'],
      [new Map([['x'.repeat(1025), null]]), 'history/invalid-item-id', `$.${'x'.repeat(1025)}`],
      [new Map([['a', doc('b')]]), 'history/invalid-document', '$.a.item.id'],
      [new Map([['a', { ...doc('a'), version: 2 }]]), 'document/unsupported-version', '$.a.version'],
      [new Map([['a', doc('a', [box('1'), box('1')])]]), 'document/duplicate-id', '$.a.shapes[1].id'],
      [
        new Map([['a', doc('a', [{ ...box('1'), type: 'circle' } as never])]]),
        'shape/unknown-type',
        '$.a.shapes[0].type',
      ],
      [new Map([['a', doc('a', [{ ...box('1'), x: Number.NaN }])]]), 'document/not-finite', '$.a.shapes[0].x'],
      // Valid to the records' rules, but a lone surrogate has no UTF-8 form, so it cannot be hashed canonically.
      [new Map([['a', doc('a', [box('1', 0, 'car\ud800')])]]), 'history/invalid-json-value', '$.a.shapes[0].label'],
      [new Map([['a', doc('a', [], { tags: ['t', 't'] })]]), 'history/invalid-document', '$.a.tags'],
    ];
    for (const [changes, code, path] of cases) {
      const r = await writeItems(store, undefined, changes as Map<string, never>);
      assert.ok(!r.ok, code);
      assert.equal(`${r.error.code} ${r.error.path}`, `${code} ${path}`);
      assert.ok(r.error instanceof LabelKitError);
    }
  });
});

describe('sharded tree', () => {
  it('a commit of 1 item into 100,000 writes one document and one small node per level', async () => {
    const store = new CountingStore();
    const entries = new Map<string, string | null>();
    const hashes = await Promise.all(Array.from({ length: 1000 }, (_, i) => fakeHash(i)));
    for (let i = 0; i < 100_000; i++) entries.set(`item-${i}`, hashes[i % 1000] as string);
    const base = await applyEntries(store, undefined, entries);
    store.write(base.puts);
    store.resetCount();
    const w = await writeItems(store, base.tree, new Map([['item-4242', doc('item-4242', [box('new')])]]));
    assert.ok(w.ok);
    const trees = w.value.puts.filter((p) => p.key.startsWith('trees/'));
    const bytes = w.value.puts.reduce((s, p) => s + p.bytes.length, 0);
    // 100,000 items in leaves of at most 64 under 16-way nodes: depth 4 (16^3 = 4,096 leaves of ~24 items).
    assert.equal(w.value.puts.length, 5, 'one document + 4 tree nodes');
    assert.equal(trees.length, 4);
    assert.equal(store.reads, 4, 'reads only the path to the item');
    assert.ok(bytes < 12_000, `${bytes} bytes written`);
    assert.equal(w.value.count, 100_000);
  });

  it('has one shape per set of items, whatever the order of edits (property)', async () => {
    const ids = Array.from({ length: 300 }, (_, i) => `id-${i}`);
    const op = fc.tuple(fc.constantFrom(...ids), fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(op, { minLength: 1, maxLength: 120 }), { minLength: 1, maxLength: 5 }),
        async (batches) => {
          const store = new MemoryObjectStore();
          const final = new Map<string, string>();
          let tree: string | undefined;
          for (const batch of batches) {
            const changes = new Map<string, string | null>();
            for (const [id, v] of batch) changes.set(id, v === null ? null : await fakeHash(v));
            for (const [id, h] of changes) h === null ? final.delete(id) : final.set(id, h);
            const w = await applyEntries(store, tree, changes);
            store.write(w.puts);
            tree = w.tree;
          }
          const direct = await applyEntries(new MemoryObjectStore(), undefined, final);
          assert.equal(tree, direct.tree);
          const listed = await collect(listItems(store, tree as string));
          assert.deepEqual(new Map(listed.map((e) => [e.itemId, e.object])), final);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('splits past LEAF_MAX items and collapses back below it', async () => {
    const store = new MemoryObjectStore();
    const h = await fakeHash(1);
    const small = new Map(Array.from({ length: LEAF_MAX }, (_, i) => [`k${i}`, h] as [string, string]));
    const a = await applyEntries(store, undefined, small);
    store.write(a.puts);
    assert.equal(a.puts.length, 1, 'one leaf');
    const b = await applyEntries(store, a.tree, new Map([['extra', h]]));
    store.write(b.puts);
    assert.ok(b.puts.length > 2, 'an inner node and its leaves');
    const c = await applyEntries(store, b.tree, new Map([['extra', null]]));
    assert.equal(c.tree, a.tree);
    assert.equal(await lookupItem(store, b.tree, 'extra'), h);
  });
});

describe('integrity', () => {
  async function stored() {
    const store = new MemoryObjectStore();
    const w = await writeItems(
      store,
      undefined,
      new Map(Array.from({ length: 100 }, (_, i) => [`i${i}`, doc(`i${i}`)])),
    );
    assert.ok(w.ok);
    store.write(w.value.puts);
    return { store, tree: w.value.tree };
  }

  it('a tampered tree node is history/corrupt-object naming its key', async () => {
    const { store, tree } = await stored();
    const key = `trees/${tree}.json`;
    const bytes = store.objects.get(key) as Uint8Array;
    store.objects.set(
      key,
      bytes.map((b, i) => (i === 20 ? b ^ 1 : b)),
    );
    await assert.rejects(readItem(store, tree, 'i1'), isHistoryError('history/corrupt-object', undefined, key));
  });

  it('a tampered document is history/corrupt-object naming its key', async () => {
    const { store, tree } = await stored();
    const hash = (await lookupItem(store, tree, 'i5')) as string;
    const key = `objects/${hash}.json`;
    store.objects.set(key, encoder.encode(JSON.stringify(doc('i5', [box('forged')]))));
    await assert.rejects(readItem(store, tree, 'i5'), isHistoryError('history/corrupt-object', undefined, key));
  });

  it('well-hashed bytes that are not JSON, or not a tree, are corrupt too', async () => {
    const store = new MemoryObjectStore();
    for (const text of [
      'not json',
      '{"items":[]}',
      '{"children":{"x":{"count":1,"tree":"00"}}}',
      '{"items":{},"extra":1}',
    ]) {
      const bytes = encoder.encode(text);
      const hash = await sha256Hex(bytes);
      store.objects.set(`trees/${hash}.json`, bytes);
      await assert.rejects(
        readItem(store, hash, 'a'),
        isHistoryError('history/corrupt-object', undefined, `trees/${hash}.json`),
        text,
      );
    }
  });

  it('a missing object is history/missing-object; a malformed hash is history/invalid-hash', async () => {
    const { store, tree } = await stored();
    store.objects.delete(`trees/${tree}.json`);
    await assert.rejects(
      readItem(store, tree, 'i1'),
      isHistoryError('history/missing-object', undefined, `trees/${tree}.json`),
    );
    await assert.rejects(readItem(store, '../../etc/passwd', 'i1'), isHistoryError('history/invalid-hash', '$.tree'));
  });
});

describe('cachingReader', () => {
  it('serves immutable objects from memory, never refs, and evicts past its byte budget', async () => {
    const store = new CountingStore();
    const w = await writeItems(store, undefined, new Map([['a', doc('a')]]));
    assert.ok(w.ok);
    store.write([...w.value.puts, { key: 'refs/main', bytes: encoder.encode('x') }]);
    const cached = cachingReader(store, 4096);
    store.resetCount();
    await readItem(cached, w.value.tree, 'a');
    await readItem(cached, w.value.tree, 'a');
    assert.equal(store.reads, 2, 'tree + document, once');
    await cached.get('refs/main');
    await cached.get('refs/main');
    assert.equal(store.reads, 4);
    const tiny = cachingReader(store, 10);
    await tiny.get(`trees/${w.value.tree}.json`);
    assert.equal(tiny.bytes, 0, 'an object larger than the budget is not kept');
  });

  it('refuses a hash that could become a path before any read', async () => {
    const store = new CountingStore();
    await assert.rejects(collect(listItems(store, '../refs/main')), isHistoryError('history/invalid-hash'));
    await assert.rejects(countItems(store, 'x'), isHistoryError('history/invalid-hash'));
    assert.equal(store.reads, 0);
  });
});
