/**
 * The loop the server runs for a commit whose parent is stale, played by concurrent writers against one ref
 * moved by compare-and-swap: every accepted edit must be in the final history; only edits of one item by
 * two writers may conflict, and then the loser is told (never silently dropped).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type AnnotationDocument,
  createCommit,
  encodeRef,
  log,
  MemoryObjectStore,
  mergeCommits,
  parseRef,
  readCommit,
  readItem,
  writeItems,
} from '@labelkit/core';
import { box, doc } from './fixtures/helpers.ts';

class RefStore extends MemoryObjectStore {
  /** Moves `refs/main` from `expected` to `next` only if it still holds `expected` (If-Match). */
  cas(expected: string, next: string): boolean {
    const now = this.objects.get('refs/main');
    if (!now || parseRef(now, 'refs/main') !== expected) return false;
    this.objects.set('refs/main', encodeRef(next));
    return true;
  }
  head(): string {
    return parseRef(this.objects.get('refs/main') as Uint8Array, 'refs/main');
  }
}

const pause = () => new Promise((r) => setTimeout(r, Math.random() * 3));
let tick = 0;
const now = () => new Date(Date.UTC(2026, 0, 1) + tick++ * 1000).toISOString();

/** One client: commits `changes` on the head it read, then lets the "server" merge it if the head moved. */
async function submit(store: RefStore, changes: Map<string, AnnotationDocument>): Promise<'accepted' | 'conflict'> {
  const parent = store.head();
  const tree = (await readCommit(store, parent)).tree;
  await pause();
  const w = await writeItems(store, tree, changes);
  assert.ok(w.ok);
  store.write(w.value.puts);
  const c = await createCommit({
    parents: [parent],
    tree: w.value.tree,
    author: 'client',
    message: 'edit',
    time: now(),
  });
  assert.ok(c.ok);
  store.write([c.value.put]);
  await pause();
  if (store.cas(parent, c.value.hash)) return 'accepted';
  for (;;) {
    const head = store.head();
    const m = await mergeCommits(store, head, c.value.hash);
    if (!m.ok) return 'conflict';
    store.write(m.value.puts);
    const merge = await createCommit({
      parents: [head, c.value.hash],
      tree: m.value.tree,
      author: 'server',
      message: 'merge',
      time: now(),
    });
    assert.ok(merge.ok);
    store.write([merge.value.put]);
    await pause();
    if (store.cas(head, merge.value.hash)) return 'accepted';
  }
}

describe('concurrent writers over one compare-and-swap ref', () => {
  it('8 writers x 5 commits on their own items: every edit lands, no conflict', async () => {
    const store = new RefStore();
    const first = await writeItems(store, undefined, new Map([['seed', doc('seed')]]));
    assert.ok(first.ok);
    store.write(first.value.puts);
    const root = await createCommit({ parents: [], tree: first.value.tree, author: 'x', message: 'root', time: now() });
    assert.ok(root.ok);
    store.write([root.value.put, { key: 'refs/main', bytes: encodeRef(root.value.hash) }]);

    const writers = Array.from({ length: 8 }, async (_, w) => {
      const results: string[] = [];
      for (let i = 0; i < 5; i++) {
        const id = `w${w}-${i % 3}`;
        results.push(await submit(store, new Map([[id, doc(id, [box(`v${i}`, i)])]])));
      }
      return results;
    });
    const outcomes = (await Promise.all(writers)).flat();
    assert.deepEqual(new Set(outcomes), new Set(['accepted']));
    const tree = (await readCommit(store, store.head())).tree;
    for (let w = 0; w < 8; w++) {
      // Item i % 3 was last written at i = 2, 3, 4 for items 2, 0, 1.
      for (const [item, last] of [
        [2, 2],
        [0, 3],
        [1, 4],
      ] as const) {
        assert.deepEqual(await readItem(store, tree, `w${w}-${item}`), doc(`w${w}-${item}`, [box(`v${last}`, last)]));
      }
    }
    let commits = 0;
    for await (const _ of log(store, store.head())) commits++;
    assert.ok(commits >= 41, `${commits} commits: root + 40 edits (+ merges)`);
  });

  it('writers racing on one shape of one item: the first wins, the others are told they conflict', async () => {
    const store = new RefStore();
    const first = await writeItems(store, undefined, new Map([['shared', doc('shared', [box('s')])]]));
    assert.ok(first.ok);
    store.write(first.value.puts);
    const root = await createCommit({ parents: [], tree: first.value.tree, author: 'x', message: 'root', time: now() });
    assert.ok(root.ok);
    store.write([root.value.put, { key: 'refs/main', bytes: encodeRef(root.value.hash) }]);
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, (_, w) => submit(store, new Map([['shared', doc('shared', [box('s', w + 1)])]]))),
    );
    assert.equal(outcomes.filter((o) => o === 'accepted').length, 1);
    const winner = outcomes.indexOf('accepted');
    const tree = (await readCommit(store, store.head())).tree;
    assert.deepEqual(await readItem(store, tree, 'shared'), doc('shared', [box('s', winner + 1)]));
  });
});
