/**
 * Diff of two trees, walking both at once and skipping every pair of subtrees with equal hashes: the cost
 * follows the number of changed items, not the size of the dataset.
 */
import { assertHash } from './hash.ts';
import type { ObjectReader } from './store.ts';
import { TreeContext, type TreeNode } from './tree.ts';

/** One item that differs between two trees: `before` / `after` are object hashes (absent: no such item). */
export interface ItemChange {
  itemId: string;
  before?: string;
  after?: string;
}

/** A node and, when it is stored, its hash (a leaf split in memory to face an inner node has none). */
interface View {
  hash?: string;
  node: TreeNode;
}

async function child(ctx: TreeContext, v: View | undefined, d: string): Promise<View | undefined> {
  if (v?.node.kind !== 'inner') return undefined;
  const c = v.node.children.get(d);
  return c ? { hash: c.tree, node: await ctx.node(c.tree) } : undefined;
}

/** Splits a leaf by the digit at `depth` so it can be walked beside an inner node. */
async function split(ctx: TreeContext, v: View, depth: number): Promise<Map<string, View>> {
  const out = new Map<string, View>();
  if (v.node.kind !== 'leaf') return out;
  for (const [id, h] of v.node.items) {
    const d = ctx.digit(id, depth);
    let part = out.get(d);
    if (!part) out.set(d, (part = { node: { kind: 'leaf', items: new Map() } }));
    (part.node as { items: Map<string, string> }).items.set(id, h);
  }
  return out;
}

async function* diffViews(
  ctx: TreeContext,
  a: View | undefined,
  b: View | undefined,
  depth: number,
): AsyncGenerator<ItemChange> {
  if (a?.hash !== undefined && a.hash === b?.hash) return;
  const aLeaf = !a || a.node.kind === 'leaf';
  const bLeaf = !b || b.node.kind === 'leaf';
  if (aLeaf && bLeaf) {
    const ai = a?.node.kind === 'leaf' ? a.node.items : new Map<string, string>();
    const bi = b?.node.kind === 'leaf' ? b.node.items : new Map<string, string>();
    const ids = new Set([...ai.keys(), ...bi.keys()]);
    for (const itemId of [...ids].sort()) {
      const before = ai.get(itemId);
      const after = bi.get(itemId);
      if (before === after) continue;
      yield { itemId, ...(before === undefined ? {} : { before }), ...(after === undefined ? {} : { after }) };
    }
    return;
  }
  // At least one side is inner. A leaf facing it is split by the next digit, so both sides descend together.
  const aParts = a && aLeaf ? await split(ctx, a, depth) : undefined;
  const bParts = b && bLeaf ? await split(ctx, b, depth) : undefined;
  const digits = new Set<string>();
  for (const v of [a, b]) if (v?.node.kind === 'inner') for (const d of v.node.children.keys()) digits.add(d);
  for (const p of [aParts, bParts]) if (p) for (const d of p.keys()) digits.add(d);
  const descend: string[] = [];
  const loads: Promise<unknown>[] = [];
  for (const d of [...digits].sort()) {
    // Compare child hashes before reading: equal subtrees are skipped without a read.
    const ar = a?.node.kind === 'inner' ? a.node.children.get(d)?.tree : undefined;
    const br = b?.node.kind === 'inner' ? b.node.children.get(d)?.tree : undefined;
    if (ar !== undefined && ar === br) continue;
    descend.push(d);
    // Start the reads of all children at once: over real storage, latency, not bytes, is the cost.
    for (const h of [ar, br]) if (h !== undefined) loads.push(ctx.node(h));
  }
  await Promise.all(loads);
  for (const d of descend) {
    const ac = aParts ? aParts.get(d) : await child(ctx, a, d);
    const bc = bParts ? bParts.get(d) : await child(ctx, b, d);
    yield* diffViews(ctx, ac, bc, depth + 1);
    // Done with these subtrees: keep memory to the current path, not the whole diff.
    for (const v of [ac, bc]) if (v?.hash !== undefined) ctx.forget(v.hash);
  }
}

/**
 * The items that differ from tree `a` to tree `b` (either may be `undefined`: the empty tree), streamed in
 * shard order. Subtrees with equal hashes are never read, so 10,000 changes among 100,000 items read only
 * the nodes on the changed paths.
 * @throws HistoryError `history/invalid-hash`, `history/missing-object`, `history/corrupt-object`
 */
export async function* diffTrees(
  reader: ObjectReader,
  a: string | undefined,
  b: string | undefined,
): AsyncGenerator<ItemChange> {
  if (a !== undefined) assertHash(a, '$.a');
  if (b !== undefined) assertHash(b, '$.b');
  const ctx = new TreeContext(reader);
  const av = a === undefined ? undefined : { hash: a, node: await ctx.node(a) };
  const bv = b === undefined ? undefined : { hash: b, node: await ctx.node(b) };
  yield* diffViews(ctx, av, bv, 0);
}
