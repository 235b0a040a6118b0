/**
 * Versioned commits (core part of issue 9), in memory: what one commit writes into a large dataset, and how
 * log, diff and merge scale. Storage latency is not included (the MemoryObjectStore answers at once); the
 * object and read counts printed at setup are what a storage driver would see.
 * The root package does not depend on @labelkit/core, so the sources are imported by path.
 */
import {
  type AnnotationDocument,
  applyEntries,
  createCommit,
  diffTrees,
  listItems,
  log,
  MemoryObjectStore,
  sha256Hex,
  threeWayMerge,
  writeItems,
} from '../../packages/core/src/index.ts';
import { suite } from '../harness.ts';

const N = 100_000;

function doc(id: string, x: number): AnnotationDocument {
  return {
    version: 1,
    item: { id, width: 1920, height: 1080 },
    shapes: [{ id: `${id}-s`, type: 'box', label: 'car', x, y: 10, width: 100, height: 50 }],
  };
}

/** A dataset of N items (documents are not stored: the tree is what a commit touches). */
async function dataset(store: MemoryObjectStore): Promise<string> {
  const entries = new Map<string, string | null>();
  for (let i = 0; i < N; i++) entries.set(`item-${i}`, await sha256Hex(`doc-${i}`));
  const w = await applyEntries(store, undefined, entries);
  store.write(w.puts);
  return w.tree;
}

class CountingReader extends MemoryObjectStore {
  reads = 0;
  override async get(key: string) {
    this.reads++;
    return super.get(key);
  }
}

let seq = 0;
const time = () => new Date(Date.UTC(2026, 0, 1) + seq++ * 1000).toISOString();

suite('history', [
  {
    name: `import ${N.toLocaleString('en')} items (tree only)`,
    iterations: 3,
    setup: async () => {
      const entries = new Map<string, string | null>();
      for (let i = 0; i < N; i++) entries.set(`item-${i}`, await sha256Hex(`doc-${i}`));
      return entries;
    },
    run: (entries: Map<string, string | null>) => applyEntries(new MemoryObjectStore(), undefined, entries),
    units: { count: N, name: 'items' },
  },
  {
    name: `commit 1 item into ${N.toLocaleString('en')}`,
    setup: async () => {
      const store = new CountingReader();
      const tree = await dataset(store);
      store.reads = 0;
      const w = await writeItems(store, tree, new Map([['item-777', doc('item-777', 1)]]));
      if (!w.ok) throw w.error;
      const bytes = w.value.puts.reduce((s, p) => s + p.bytes.length, 0);
      console.log(
        `    commit 1 of ${N}: ${w.value.puts.length + 1} objects written (incl. commit), ${bytes} bytes + commit, ${store.reads} reads`,
      );
      return { store, tree };
    },
    run: async ({ store, tree }: { store: MemoryObjectStore; tree: string }) => {
      const w = await writeItems(store, tree, new Map([['item-777', doc('item-777', seq)]]));
      if (!w.ok) throw w.error;
      const c = await createCommit({ parents: [], tree: w.value.tree, author: 'bench', message: 'one', time: time() });
      if (!c.ok) throw c.error;
    },
  },
  {
    name: 'log of 1,000 commits',
    setup: async () => {
      const store = new MemoryObjectStore();
      const empty = await applyEntries(store, undefined, new Map());
      store.write(empty.puts);
      let tree = empty.tree;
      let head: string | undefined;
      for (let i = 0; i < 1000; i++) {
        const w = await writeItems(store, tree, new Map([[`item-${i % 50}`, doc(`item-${i % 50}`, i)]]));
        if (!w.ok) throw w.error;
        store.write(w.value.puts);
        tree = w.value.tree;
        const c = await createCommit({
          parents: head ? [head] : [],
          tree,
          author: 'bench',
          message: `edit ${i}`,
          time: time(),
        });
        if (!c.ok) throw c.error;
        store.write([c.value.put]);
        head = c.value.hash;
      }
      return { store, head: head as string };
    },
    run: async ({ store, head }: { store: MemoryObjectStore; head: string }) => {
      let n = 0;
      for await (const _ of log(store, head)) n++;
      if (n !== 1000) throw new Error(`log walked ${n}`);
    },
    units: { count: 1000, name: 'commits' },
  },
  ...(() => {
    let memo: ReturnType<typeof make> | undefined;
    // Built on first use only, so that `pnpm bench <other filter>` does not pay for it.
    const shared = () => (memo ??= make());
    const make = async () => {
      const store = new CountingReader();
      const a = await dataset(store);
      const changed = async (every: number) => {
        const edit = new Map<string, string | null>();
        for (let i = 0; i < N; i += every) edit.set(`item-${i}`, await sha256Hex(`doc2-${i}`));
        const w = await applyEntries(store, a, edit);
        store.write(w.puts);
        store.reads = 0;
        let changes = 0;
        for await (const _ of diffTrees(store, a, w.tree)) changes++;
        console.log(`    diff, ${changes} of ${N} changed: ${store.reads} tree reads`);
        return w.tree;
      };
      const [b10k, b1k] = [await changed(10), await changed(100)];
      store.reads = 0;
      for await (const _ of listItems(store, a));
      console.log(`    listing one tree of ${N}: ${store.reads} tree reads`);
      return { store, a, b10k, b1k };
    };
    type In = Awaited<ReturnType<typeof make>>;
    return [
      {
        name: `list ${N.toLocaleString('en')} items (one tree)`,
        setup: shared,
        run: async ({ store, a }: In) => {
          for await (const _ of listItems(store, a));
        },
        units: { count: N, name: 'items' },
      },
      {
        name: `diff, 10,000 of ${N.toLocaleString('en')} items changed`,
        setup: shared,
        run: async ({ store, a, b10k }: In) => {
          let n = 0;
          for await (const _ of diffTrees(store, a, b10k)) n++;
          if (n !== 10_000) throw new Error(`diff found ${n}`);
        },
        units: { count: 10_000, name: 'changes' },
        baseline: `list ${N.toLocaleString('en')} items (one tree)`,
      },
      {
        name: `diff, 1,000 of ${N.toLocaleString('en')} items changed`,
        setup: shared,
        run: async ({ store, a, b1k }: In) => {
          let n = 0;
          for await (const _ of diffTrees(store, a, b1k)) n++;
          if (n !== 1000) throw new Error(`diff found ${n}`);
        },
        units: { count: 1000, name: 'changes' },
        baseline: `list ${N.toLocaleString('en')} items (one tree)`,
      },
      {
        name: 'merge two 1-item commits over 100,000 (stale parent)',
        setup: async () => {
          const { store, a } = await shared();
          const ours = await applyEntries(store, a, new Map([['item-1', await sha256Hex('o')]]));
          const theirs = await applyEntries(store, a, new Map([['item-2', await sha256Hex('t')]]));
          store.write([...ours.puts, ...theirs.puts]);
          return { store, a, ours: ours.tree, theirs: theirs.tree };
        },
        run: async ({
          store,
          a,
          ours,
          theirs,
        }: {
          store: MemoryObjectStore;
          a: string;
          ours: string;
          theirs: string;
        }) => {
          const m = await threeWayMerge(store, a, ours, theirs);
          if (!m.ok) throw m.error;
        },
      },
    ];
  })(),
]);
