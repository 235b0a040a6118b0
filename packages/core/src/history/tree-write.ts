/**
 * Writing trees: apply item changes to a tree and return the new root and the objects to put.
 * Only the nodes on the paths of changed items are rebuilt, so a one-item commit into 100,000 items writes
 * one document and one node per level.
 */

import { jsonPath, type LabelKitError, ValidationError } from '../errors.ts';
import type { AnnotationDocument, LabelDef } from '../records/types.ts';
import { validateDocument } from '../records/validate.ts';
import { err, ok, type Result } from '../result.ts';
import { checkDocument, checkItemId } from './document.ts';
import { HistoryError } from './errors.ts';
import { assertHash } from './hash.ts';
import { encodeObject, type ObjectPut, type ObjectReader, treeKey } from './store.ts';
import { type ChildRef, collectEntries, EMPTY_LEAF, LEAF_MAX, MAX_DEPTH, nodeCount, TreeContext } from './tree.ts';

/** The new object hash of an item, or `null` to remove it. */
export type EntryChange = string | null;

interface Built {
  count: number;
  /** Absent when the subtree is empty. */
  tree?: string;
}

/** Builds the canonical subtree of `entries` at `depth`. */
async function build(ctx: TreeContext, entries: Map<string, string>, depth: number): Promise<Built> {
  if (entries.size === 0) return { count: 0 };
  if (entries.size <= LEAF_MAX || depth >= MAX_DEPTH) {
    return { count: entries.size, tree: await ctx.store({ kind: 'leaf', items: entries }) };
  }
  const groups = new Map<string, Map<string, string>>();
  for (const [id, h] of entries) {
    const d = ctx.digit(id, depth);
    let g = groups.get(d);
    if (!g) groups.set(d, (g = new Map()));
    g.set(id, h);
  }
  const children = new Map<string, ChildRef>();
  for (const [d, g] of groups) {
    const b = await build(ctx, g, depth + 1);
    children.set(d, { count: b.count, tree: b.tree as string });
  }
  return { count: entries.size, tree: await ctx.store({ kind: 'inner', children }) };
}

async function update(
  ctx: TreeContext,
  hash: string | undefined,
  depth: number,
  changes: [string, EntryChange][],
  changed: Set<string>,
): Promise<Built> {
  const node = hash === undefined ? EMPTY_LEAF : await ctx.node(hash);
  if (node.kind === 'leaf') {
    const items = new Map(node.items);
    let dirty = false;
    for (const [id, h] of changes) {
      if (items.get(id) === (h ?? undefined)) continue;
      dirty = true;
      changed.add(id);
      if (h === null) items.delete(id);
      else items.set(id, h);
    }
    if (!dirty) return hash === undefined ? { count: 0 } : { count: items.size, tree: hash };
    return build(ctx, items, depth);
  }
  const groups = new Map<string, [string, EntryChange][]>();
  for (const c of changes) {
    const d = ctx.digit(c[0], depth);
    let g = groups.get(d);
    if (!g) groups.set(d, (g = []));
    g.push(c);
  }
  const children = new Map(node.children);
  let dirty = false;
  // Subtrees are independent: update them concurrently so their reads overlap.
  const results = await Promise.all(
    [...groups].map(async ([d, g]) => [d, await update(ctx, children.get(d)?.tree, depth + 1, g, changed)] as const),
  );
  for (const [d, after] of results) {
    const before = children.get(d);
    if (after.tree === before?.tree) continue;
    dirty = true;
    if (after.tree === undefined) children.delete(d);
    else children.set(d, { count: after.count, tree: after.tree });
  }
  if (!dirty) return { count: nodeCount(node), tree: hash as string };
  const next = { kind: 'inner', children } as const;
  const count = nodeCount(next);
  if (count === 0) return { count: 0 };
  if (count > LEAF_MAX) return { count, tree: await ctx.store(next) };
  // Few enough items left to fit one leaf: collapse, so the shape stays a function of the set alone.
  const items = new Map<string, string>();
  for (const c of children.values()) await collectEntries(ctx, c.tree, items);
  return build(ctx, items, depth);
}

/** The tree nodes made in `ctx` that `root` reaches, children before parents (a reader never sees a dangling hash). */
function reachablePuts(ctx: TreeContext, root: string): ObjectPut[] {
  const out: ObjectPut[] = [];
  const visit = (hash: string) => {
    const bytes = ctx.pending.get(hash);
    if (!bytes) return; // already stored
    const node = ctx.known(hash);
    if (node?.kind === 'inner') for (const c of node.children.values()) visit(c.tree);
    out.push({ key: treeKey(hash), bytes });
    ctx.pending.delete(hash); // a subtree shared by two parents is put once
  };
  visit(root);
  return out;
}

/** The outcome of writing changes into a tree. */
export interface TreeWrite {
  /** Hash of the new root tree. */
  tree: string;
  /** Number of items in the new tree. */
  count: number;
  /** Objects to put: documents first, then tree nodes children-first; all immutable. */
  puts: ObjectPut[];
  /** Item ids whose entry actually changed (a document equal to the stored one changes nothing). */
  changed: string[];
}

/**
 * Applies entry changes (item id -> object hash, or null to remove) to `baseTree` (undefined: the empty tree).
 * Lower level than {@link writeItems}: the objects named must already be stored (merges and reverts use it).
 */
export async function applyEntries(
  reader: ObjectReader,
  baseTree: string | undefined,
  changes: Map<string, EntryChange>,
): Promise<TreeWrite> {
  if (baseTree !== undefined) assertHash(baseTree, '$.baseTree');
  const ctx = new TreeContext(reader);
  const changed = new Set<string>();
  const built = await update(ctx, baseTree, 0, [...changes], changed);
  // An empty tree is still a stored object, so that every commit names a readable tree.
  const tree = built.tree ?? (await ctx.store(EMPTY_LEAF));
  return { tree, count: built.count, puts: reachablePuts(ctx, tree), changed: [...changed].sort() };
}

export interface WriteItemsOptions {
  /** The dataset's label set: a shape whose label is not one of these ids is refused (`shape/unknown-label`). */
  labels?: readonly LabelDef[];
}

/** Re-roots an error about one document at `$["<item id>"]`, so the caller knows which item is bad. */
function atItem<E extends LabelKitError>(e: E, itemId: string): E {
  const path = jsonPath('$', itemId) + (e.path ?? '$').slice(1);
  const message = `Item ${JSON.stringify(itemId)}: ${e.message}`;
  return (e instanceof HistoryError
    ? new HistoryError(e.code, message, { path })
    : new ValidationError(e.code, message, { path })) as unknown as E;
}

/**
 * Writes documents into a tree. `changes` maps item id -> new document, or `null` to delete the item
 * (deleting an absent item changes nothing). Every document goes through `validateDocument` (older versions
 * are migrated and stored migrated) and the history's own checks; nothing is returned to put unless all pass.
 * @returns the new root, its item count, and the objects to put (unchanged documents are not put again);
 *   or the first bad input, its path rooted at `$["<item id>"]`: `ValidationError` (the records' codes,
 *   e.g. `shape/unknown-label`) or `HistoryError` (`history/invalid-item-id`, `history/invalid-document`,
 *   `history/invalid-json-value`).
 * @throws HistoryError `history/missing-object` or `history/corrupt-object` when the base tree cannot be read.
 */
export async function writeItems(
  reader: ObjectReader,
  baseTree: string | undefined,
  changes: ReadonlyMap<string, AnnotationDocument | null>,
  options: WriteItemsOptions = {},
): Promise<Result<TreeWrite, HistoryError | ValidationError>> {
  const entries = new Map<string, EntryChange>();
  const docs = new Map<string, ObjectPut>();
  for (const [id, input] of changes) {
    const badId = checkItemId(id, jsonPath('$', id));
    if (badId) return err(badId);
    if (input === null) {
      entries.set(id, null);
      continue;
    }
    const valid = validateDocument(input, options.labels ? { labels: options.labels } : {});
    if (!valid.ok) return err(atItem(valid.error, id));
    const doc = valid.value;
    const badDoc = checkDocument(doc, id);
    if (badDoc) return err(atItem(badDoc, id));
    try {
      const { hash, put } = await encodeObject('objects', doc);
      entries.set(id, hash);
      docs.set(id, put);
    } catch (e) {
      if (e instanceof HistoryError) return err(atItem(e, id));
      throw e;
    }
  }
  const written = await applyEntries(reader, baseTree, entries);
  const seen = new Set<string>();
  const objectPuts: ObjectPut[] = [];
  for (const id of written.changed) {
    const put = docs.get(id);
    if (put && !seen.has(put.key)) {
      seen.add(put.key);
      objectPuts.push(put);
    }
  }
  return ok({ ...written, puts: [...objectPuts, ...written.puts] });
}
