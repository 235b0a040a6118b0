/// <reference types="mocha" />
/**
 * The history in a real browser: WebCrypto (large objects), the plain-JS digest (small ones), TextEncoder,
 * no Node API. Node's tests cover the logic; this proves core's "runs in browser and Node".
 */
import {
  type AnnotationDocument,
  createCommit,
  diffTrees,
  MemoryObjectStore,
  mergeCommits,
  readItem,
  sha256Hex,
  writeItems,
} from '@labelkit/core';
import { expect } from 'chai';

const doc = (id: string, x = 0): AnnotationDocument => ({
  version: 1,
  item: { id, width: 100, height: 100 },
  shapes: [{ id: 's', type: 'box', label: 'car', x, y: 0, width: 5, height: 5 }],
});

async function commit(
  store: MemoryObjectStore,
  parents: string[],
  tree: string | undefined,
  changes: Map<string, AnnotationDocument>,
) {
  const w = await writeItems(store, tree, changes);
  if (!w.ok) throw w.error;
  store.write(w.value.puts);
  const c = await createCommit({
    parents,
    tree: w.value.tree,
    author: 'b',
    message: 'm',
    time: new Date().toISOString(),
  });
  if (!c.ok) throw c.error;
  store.write([c.value.put]);
  return { hash: c.value.hash, tree: w.value.tree };
}

describe('history in the browser', () => {
  it('hashes small and large inputs like the standard vectors', async () => {
    expect(await sha256Hex('abc')).to.equal('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    // One million "a": the FIPS 180-2 long vector, through WebCrypto.
    expect(await sha256Hex('a'.repeat(1_000_000))).to.equal(
      'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0',
    );
  });

  it('commits, merges two writers and diffs', async () => {
    const store = new MemoryObjectStore();
    const items = new Map(Array.from({ length: 300 }, (_, i) => [`i${i}`, doc(`i${i}`)]));
    const root = await commit(store, [], undefined, items);
    const a = await commit(store, [root.hash], root.tree, new Map([['i1', doc('i1', 1)]]));
    const b = await commit(store, [root.hash], root.tree, new Map([['i2', doc('i2', 2)]]));
    const m = await mergeCommits(store, a.hash, b.hash);
    expect(m.ok).to.equal(true);
    if (!m.ok) return;
    store.write(m.value.puts);
    expect(await readItem(store, m.value.tree, 'i1')).to.deep.equal(doc('i1', 1));
    expect(await readItem(store, m.value.tree, 'i2')).to.deep.equal(doc('i2', 2));
    const changed: string[] = [];
    for await (const c of diffTrees(store, root.tree, m.value.tree)) changed.push(c.itemId);
    expect(changed.sort()).to.deep.equal(['i1', 'i2']);
  });
});
