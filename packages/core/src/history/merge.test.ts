import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type AnnotationDocument,
  ConflictReason,
  encodeRLE,
  listItems,
  MemoryObjectStore,
  MergeConflictError,
  mergeCommits,
  readCommit,
  readItem,
  revert,
  threeWayMerge,
  writeItems,
} from '@labelkit/core';
import fc from 'fast-check';
import { box, commit, commitTree, doc } from './fixtures/helpers.ts';

async function tree(
  store: MemoryObjectStore,
  base: string | undefined,
  changes: [string, AnnotationDocument | null][],
) {
  const w = await writeItems(store, base, new Map(changes));
  if (!w.ok) throw w.error;
  store.write(w.value.puts);
  return w.value.tree;
}

async function snapshot(store: MemoryObjectStore, t: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const e of listItems(store, t)) out.set(e.itemId, e.object);
  return out;
}

describe('threeWayMerge (per item)', () => {
  it('takes items changed on one side only, from either side', async () => {
    const store = new MemoryObjectStore();
    const base = await tree(store, undefined, [
      ['a', doc('a')],
      ['b', doc('b')],
      ['c', doc('c')],
    ]);
    const ours = await tree(store, base, [
      ['a', doc('a', [box('o')])],
      ['c', null],
    ]);
    const theirs = await tree(store, base, [
      ['b', doc('b', [box('t')])],
      ['d', doc('d')],
    ]);
    const m = await threeWayMerge(store, base, ours, theirs);
    assert.ok(m.ok);
    store.write(m.value.puts);
    assert.deepEqual(m.value.fromTheirs.sort(), ['b', 'd']);
    assert.deepEqual(await readItem(store, m.value.tree, 'a'), doc('a', [box('o')]));
    assert.deepEqual(await readItem(store, m.value.tree, 'b'), doc('b', [box('t')]));
    assert.equal(await readItem(store, m.value.tree, 'c'), undefined);
    assert.deepEqual(await readItem(store, m.value.tree, 'd'), doc('d'));
  });

  it('accepts the same change made on both sides', async () => {
    const store = new MemoryObjectStore();
    const base = await tree(store, undefined, [['a', doc('a')]]);
    const ours = await tree(store, base, [['a', doc('a', [box('same')])]]);
    const theirs = await tree(store, base, [['a', doc('a', [box('same')])]]);
    const m = await threeWayMerge(store, base, ours, theirs);
    assert.ok(m.ok);
    assert.equal(m.value.tree, ours);
  });

  it('conflicts, listing the item, when one shape is changed differently on both sides', async () => {
    const store = new MemoryObjectStore();
    const base = await tree(store, undefined, [
      ['a', doc('a', [box('s', 0)])],
      ['b', doc('b')],
    ]);
    const ours = await tree(store, base, [['a', doc('a', [box('s', 1)])]]);
    const theirs = await tree(store, base, [
      ['a', doc('a', [box('s', 2)])],
      ['b', doc('b', [box('x')])],
    ]);
    const m = await threeWayMerge(store, base, ours, theirs);
    assert.ok(!m.ok);
    assert.ok(m.error instanceof MergeConflictError);
    assert.equal(m.error.code, 'history/merge-conflict');
    assert.equal(m.error.conflicts.length, 1);
    const [c] = m.error.conflicts;
    assert.equal(c?.itemId, 'a');
    assert.equal(c?.reason, ConflictReason.BothModified);
    assert.deepEqual(c?.shapes, ['s']);
  });

  it('conflicts on delete/modify and on different additions of one item', async () => {
    const store = new MemoryObjectStore();
    const base = await tree(store, undefined, [['a', doc('a')]]);
    const ours = await tree(store, base, [
      ['a', null],
      ['n', doc('n', [box('1')])],
    ]);
    const theirs = await tree(store, base, [
      ['a', doc('a', [box('t')])],
      ['n', doc('n', [box('2')])],
    ]);
    const m = await threeWayMerge(store, base, ours, theirs, { shapes: false });
    assert.ok(!m.ok);
    const reasons = Object.fromEntries(m.error.conflicts.map((c) => [c.itemId, c.reason]));
    assert.deepEqual(reasons, { a: ConflictReason.DeleteModify, n: ConflictReason.BothAdded });
  });

  it('merges shape by shape when both sides touched different shapes of one item', async () => {
    const store = new MemoryObjectStore();
    const base = await tree(store, undefined, [
      ['a', doc('a', [box('s1', 0), box('s2', 0), box('s3', 0)], { tags: ['day'] })],
    ]);
    const ours = await tree(store, base, [
      ['a', doc('a', [box('s1', 5), box('s2', 0), box('s3', 0), box('o1')], { tags: ['day', 'rain'] })],
    ]);
    const theirs = await tree(store, base, [['a', doc('a', [box('s1', 0), box('s3', 0), box('t1')], { tags: [] })]]);
    const m = await threeWayMerge(store, base, ours, theirs);
    assert.ok(m.ok, m.ok ? '' : m.error.message);
    store.write(m.value.puts);
    assert.deepEqual(m.value.combined, ['a']);
    assert.deepEqual(
      await readItem(store, m.value.tree, 'a'),
      doc('a', [box('s1', 5), box('s3', 0), box('o1'), box('t1')], { tags: ['rain'] }),
    );
    const strict = await threeWayMerge(store, base, ours, theirs, { shapes: false });
    assert.ok(!strict.ok, 'per-shape merge can be turned off');
  });

  it('keeps theirs shape order when only theirs reordered; conflicts when both did differently', async () => {
    const store = new MemoryObjectStore();
    const [s1, s2, s3] = [box('s1'), box('s2'), box('s3')];
    const base = await tree(store, undefined, [['a', doc('a', [s1, s2, s3])]]);
    const ours = await tree(store, base, [['a', doc('a', [box('s1', 9), s2, s3])]]);
    const theirs = await tree(store, base, [['a', doc('a', [s3, s1, s2])]]);
    const m = await threeWayMerge(store, base, ours, theirs);
    assert.ok(m.ok);
    store.write(m.value.puts);
    // Theirs' order, ours' edit of s1.
    assert.deepEqual(await readItem(store, m.value.tree, 'a'), doc('a', [s3, box('s1', 9), s2]));
    const ours2 = await tree(store, base, [['a', doc('a', [s2, s1, s3])]]);
    const c = await threeWayMerge(store, base, ours2, theirs);
    assert.ok(!c.ok);
    assert.equal(c.error.conflicts[0]?.reason, ConflictReason.ShapeOrder);
  });

  it('a per-shape merge whose result breaks the record rules is a conflict, not an invalid document', async () => {
    const store = new MemoryObjectStore();
    const base = await tree(store, undefined, [['a', doc('a')]]);
    // Ours resizes the image; theirs adds a mask of the old size: each valid, the combination is not.
    const ours = await tree(store, base, [['a', { ...doc('a'), item: { id: 'a', width: 800, height: 600 } }]]);
    const mask = { id: 'm', type: 'mask' as const, label: 'car', rle: encodeRLE(new Uint8Array(640 * 480), 640, 480) };
    const theirs = await tree(store, base, [['a', doc('a', [mask])]]);
    const m = await threeWayMerge(store, base, ours, theirs);
    assert.ok(!m.ok);
    assert.deepEqual(
      m.error.conflicts.map((c) => [c.itemId, c.fields]),
      [['a', ['item']]],
    );
  });

  it('merging disjoint item edits in either order gives the same tree (property)', async () => {
    const ids = Array.from({ length: 120 }, (_, i) => `m${i}`);
    const edits = fc.uniqueArray(fc.constantFrom(...ids), { maxLength: 100 });
    await fc.assert(
      fc.asyncProperty(edits, fc.integer({ min: 1, max: 99 }), async (touched, split) => {
        const store = new MemoryObjectStore();
        const base = await tree(
          store,
          undefined,
          ids.map((id) => [id, doc(id)]),
        );
        const cut = Math.floor((touched.length * split) / 100);
        const mine = touched
          .slice(0, cut)
          .map((id, i): [string, AnnotationDocument | null] => [id, i % 5 === 0 ? null : doc(id, [box('o')])]);
        const yours = touched.slice(cut).map((id): [string, AnnotationDocument | null] => [id, doc(id, [box('t')])]);
        const a = await tree(store, base, mine);
        const b = await tree(store, base, yours);
        const ab = await threeWayMerge(store, base, a, b);
        const ba = await threeWayMerge(store, base, b, a);
        assert.ok(ab.ok && ba.ok);
        assert.equal(ab.value.tree, ba.value.tree);
        assert.equal(ab.value.tree, await tree(store, base, [...mine, ...yours]));
      }),
      { numRuns: 30 },
    );
  });
});

describe('concurrent writers (mergeCommits)', () => {
  it('two writers from the same parent editing different items both land after merge', async () => {
    const store = new MemoryObjectStore();
    const root = await commit(
      store,
      [],
      undefined,
      new Map([
        ['a', doc('a')],
        ['b', doc('b')],
      ]),
    );
    const alice = await commit(store, [root.hash], root.tree, new Map([['a', doc('a', [box('alice')])]]));
    const bob = await commit(store, [root.hash], root.tree, new Map([['b', doc('b', [box('bob')])]]));
    // The ref moved to alice first; bob's commit arrives with a stale parent and is merged.
    const m = await mergeCommits(store, alice.hash, bob.hash);
    assert.ok(m.ok);
    assert.equal(m.value.kind, 'merged');
    assert.equal(m.value.base, root.hash);
    store.write(m.value.puts);
    const head = await commitTree(store, [alice.hash, bob.hash], m.value.tree);
    const t = (await readCommit(store, head)).tree;
    assert.deepEqual(await readItem(store, t, 'a'), doc('a', [box('alice')]));
    assert.deepEqual(await readItem(store, t, 'b'), doc('b', [box('bob')]));
  });

  it('two writers editing the same item differently conflict, naming it', async () => {
    const store = new MemoryObjectStore();
    const root = await commit(store, [], undefined, new Map([['a', doc('a', [box('s')])]]));
    const alice = await commit(store, [root.hash], root.tree, new Map([['a', doc('a', [box('s', 1)])]]));
    const bob = await commit(store, [root.hash], root.tree, new Map([['a', doc('a', [box('s', 2)])]]));
    const m = await mergeCommits(store, alice.hash, bob.hash);
    assert.ok(!m.ok);
    assert.deepEqual(
      m.error.conflicts.map((c) => c.itemId),
      ['a'],
    );
  });

  it('recognises fast-forward and up-to-date', async () => {
    const store = new MemoryObjectStore();
    const root = await commit(store, [], undefined, new Map([['a', doc('a')]]));
    const next = await commit(store, [root.hash], root.tree, new Map([['a', doc('a', [box('1')])]]));
    const ff = await mergeCommits(store, root.hash, next.hash);
    assert.ok(ff.ok);
    assert.equal(ff.value.kind, 'fast-forward');
    assert.equal(ff.value.tree, next.tree);
    const same = await mergeCommits(store, next.hash, root.hash);
    assert.ok(same.ok);
    assert.equal(same.value.kind, 'up-to-date');
  });

  it('many writers from one parent on distinct items: every edit is in the final tree', async () => {
    const store = new MemoryObjectStore();
    const ids = Array.from({ length: 12 }, (_, i) => `w${i}`);
    const root = await commit(store, [], undefined, new Map(ids.map((id) => [id, doc(id)])));
    let head = root.hash;
    for (const id of ids) {
      const mine = await commit(store, [root.hash], root.tree, new Map([[id, doc(id, [box(`by-${id}`)])]]));
      const m = await mergeCommits(store, head, mine.hash);
      assert.ok(m.ok);
      store.write(m.value.puts);
      head = m.value.kind === 'fast-forward' ? mine.hash : await commitTree(store, [head, mine.hash], m.value.tree);
    }
    const final = (await readCommit(store, head)).tree;
    for (const id of ids) assert.deepEqual(await readItem(store, final, id), doc(id, [box(`by-${id}`)]));
  });
});

describe('revert', () => {
  it('undoes one commit on top of later ones and refuses to roll back an item changed since', async () => {
    const store = new MemoryObjectStore();
    const c1 = await commit(
      store,
      [],
      undefined,
      new Map([
        ['a', doc('a')],
        ['b', doc('b')],
      ]),
    );
    const c2 = await commit(
      store,
      [c1.hash],
      c1.tree,
      new Map([
        ['a', doc('a', [box('bad')])],
        ['x', doc('x')],
      ]),
      'bad edit\n\ndetails',
    );
    const c3 = await commit(store, [c2.hash], c2.tree, new Map([['b', doc('b', [box('good')])]]));
    const r = await revert(store, c3.hash, c2.hash);
    assert.ok(r.ok);
    store.write(r.value.puts);
    assert.equal(r.value.message.split('\n')[0], 'Revert "bad edit"');
    assert.deepEqual(
      await snapshot(store, r.value.tree),
      await snapshot(store, await tree(store, c1.tree, [['b', doc('b', [box('good')])]])),
    );
    const c4 = await commit(store, [c3.hash], c3.tree, new Map([['a', doc('a', [box('bad', 3)])]]));
    const blocked = await revert(store, c4.hash, c2.hash);
    assert.ok(!blocked.ok);
    assert.equal(blocked.error.code, 'history/merge-conflict');
  });

  it('reverts a merge commit against the chosen parent line', async () => {
    const store = new MemoryObjectStore();
    const root = await commit(store, [], undefined, new Map([['a', doc('a')]]));
    const main = await commit(store, [root.hash], root.tree, new Map([['m', doc('m')]]));
    const side = await commit(store, [root.hash], root.tree, new Map([['s', doc('s')]]));
    const merged = await mergeCommits(store, main.hash, side.hash);
    assert.ok(merged.ok);
    store.write(merged.value.puts);
    const M = await commitTree(store, [main.hash, side.hash], merged.value.tree);
    const undoSide = await revert(store, M, M, { mainline: 1 });
    assert.ok(undoSide.ok);
    assert.deepEqual([...(await snapshot(store, undoSide.value.tree)).keys()].sort(), ['a', 'm']);
    const undoMain = await revert(store, M, M, { mainline: 2 });
    assert.ok(undoMain.ok);
    assert.deepEqual([...(await snapshot(store, undoMain.value.tree)).keys()].sort(), ['a', 's']);
    const none = await revert(store, M, M, { mainline: 3 });
    assert.ok(!none.ok);
  });

  it('reverting the first commit empties what it added; a bad mainline is refused', async () => {
    const store = new MemoryObjectStore();
    const c1 = await commit(store, [], undefined, new Map([['a', doc('a')]]));
    const r = await revert(store, c1.hash, c1.hash);
    assert.ok(r.ok);
    store.write(r.value.puts);
    assert.equal(r.value.count, 0);
    const bad = await revert(store, c1.hash, c1.hash, { mainline: 0 });
    assert.ok(!bad.ok);
    assert.equal(bad.error.code, 'history/invalid-commit');
  });
});
