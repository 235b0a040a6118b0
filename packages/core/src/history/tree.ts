/**
 * The sharded tree: item id -> object hash, split by the hex digits of sha256(item id).
 *
 * A node holding at most {@link LEAF_MAX} items is a leaf `{"items":{"<item id>":"<object hash>",...}}`; a larger
 * one is an inner node `{"children":{"<hex digit>":{"count":n,"tree":"<tree hash>"},...}}` whose child under digit
 * `d` holds the items whose id hash has `d` at this depth (empty children are left out). The shape is a function
 * of the set of items alone, never of the order of the edits that made it, so equal sets have equal root
 * hashes, diffs skip equal subtrees by hash, and merges in any order meet in the same tree.
 */
import { isHash, sha256HexOfString } from './hash.ts';
import { corrupt, encodeObject, type ObjectReader, readObjectJSON, treeKey } from './store.ts';

/** Children per inner node: one hex digit of the item id's hash per level. */
export const FANOUT = 16;
/**
 * Most items in a leaf. With 16 children per level, 100,000 items sit at depth 3 to 4 in leaves of ~25-60
 * entries (~3-6 KB), so a one-item commit rewrites about 5 small nodes (see bench/history).
 */
export const LEAF_MAX = 64;
/** A hash has 64 hex digits; past them, ids cannot be told apart and the leaf grows instead. */
export const MAX_DEPTH = 64;

export interface ChildRef {
  count: number;
  tree: string;
}
export type TreeNode =
  | { kind: 'leaf'; items: Map<string, string> }
  | { kind: 'inner'; children: Map<string, ChildRef> };

export const EMPTY_LEAF: TreeNode = { kind: 'leaf', items: new Map() };
const DIGIT = /^[0-9a-f]$/;

export function nodeCount(node: TreeNode): number {
  if (node.kind === 'leaf') return node.items.size;
  let n = 0;
  for (const c of node.children.values()) n += c.count;
  return n;
}

/** The JSON form of a node (null-prototype objects, so an item id like `__proto__` stays an own key). */
export function nodeJSON(node: TreeNode): unknown {
  if (node.kind === 'leaf') {
    const items: Record<string, string> = Object.create(null);
    for (const [id, h] of node.items) items[id] = h;
    return { items };
  }
  const children: Record<string, ChildRef> = Object.create(null);
  for (const [d, c] of node.children) children[d] = { count: c.count, tree: c.tree };
  return { children };
}

/** Reads a stored tree node strictly (README.md's format); `history/corrupt-object` naming `key` otherwise. */
export function parseTreeNode(json: unknown, key: string): TreeNode {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw corrupt(key, 'a tree is an object');
  const keys = Object.keys(json);
  const o = json as Record<string, unknown>;
  if (keys.length === 1 && keys[0] === 'items' && typeof o.items === 'object' && o.items && !Array.isArray(o.items)) {
    const items = new Map<string, string>();
    for (const [id, h] of Object.entries(o.items)) {
      if (id.length === 0 || !isHash(h)) throw corrupt(key, `bad leaf entry ${JSON.stringify(id)}`);
      items.set(id, h);
    }
    return { kind: 'leaf', items };
  }
  if (keys.length === 1 && keys[0] === 'children' && typeof o.children === 'object' && o.children) {
    const children = new Map<string, ChildRef>();
    for (const [d, c] of Object.entries(o.children)) {
      const ref = c as Partial<ChildRef> | null;
      const ok =
        DIGIT.test(d) && ref && Number.isSafeInteger(ref.count) && (ref.count as number) > 0 && isHash(ref.tree);
      if (!ok) throw corrupt(key, `bad child ${JSON.stringify(d)}`);
      children.set(d, { count: ref.count as number, tree: ref.tree as string });
    }
    if (children.size === 0) throw corrupt(key, 'an inner node has children');
    return { kind: 'inner', children };
  }
  throw corrupt(key, 'a tree is {"items":{...}} or {"children":{...}}');
}

/**
 * Reads trees and hashes item ids for one operation, remembering both (a tree node is immutable, so
 * remembering it is always right). `pending` holds nodes made during the operation, not yet stored.
 */
export class TreeContext {
  private readonly nodes = new Map<string, TreeNode>();
  /** Reads in flight, so that concurrent walks of one subtree read it once. */
  private readonly reading = new Map<string, Promise<TreeNode>>();
  private readonly idHashes = new Map<string, string>();
  /** Nodes encoded during this operation, by hash (their bytes are what the caller must put). */
  readonly pending = new Map<string, Uint8Array>();
  /** Number of `reader.get` calls made (tests and benchmarks read it). */
  reads = 0;

  constructor(readonly reader: ObjectReader) {}

  async node(hash: string): Promise<TreeNode> {
    const known = this.nodes.get(hash);
    if (known) return known;
    let reading = this.reading.get(hash);
    if (!reading) {
      this.reads++;
      reading = readObjectJSON(this.reader, 'trees', hash).then((json) => parseTreeNode(json, treeKey(hash)));
      this.reading.set(hash, reading);
    }
    try {
      const node = await reading;
      this.nodes.set(hash, node);
      return node;
    } finally {
      this.reading.delete(hash);
    }
  }

  /** Drops a node read before, so that a streaming walk holds only the nodes on its path. */
  forget(hash: string): void {
    if (!this.pending.has(hash)) this.nodes.delete(hash);
  }

  /** A node already read or made in this operation, without reading. */
  known(hash: string): TreeNode | undefined {
    return this.nodes.get(hash);
  }

  idHash(itemId: string): string {
    let h = this.idHashes.get(itemId);
    if (h === undefined) {
      h = sha256HexOfString(itemId);
      this.idHashes.set(itemId, h);
    }
    return h;
  }

  /** Encodes a node, keeps it for later reads in this operation, and returns its hash. */
  async store(node: TreeNode): Promise<string> {
    const { hash, put } = await encodeObject('trees', nodeJSON(node));
    this.nodes.set(hash, node);
    this.pending.set(hash, put.bytes);
    return hash;
  }

  /** The digit of `itemId`'s hash at `depth`. */
  digit(itemId: string, depth: number): string {
    return this.idHash(itemId)[depth] as string;
  }
}

/** The object hash of `itemId` in `tree`, or `undefined`. Reads one node per level. */
export async function lookupItem(reader: ObjectReader, tree: string, itemId: string): Promise<string | undefined> {
  const ctx = new TreeContext(reader);
  const h = ctx.idHash(itemId);
  let node = await ctx.node(tree);
  for (let depth = 0; node.kind === 'inner'; depth++) {
    const child = node.children.get(h[depth] as string);
    if (!child) return undefined;
    node = await ctx.node(child.tree);
  }
  return node.items.get(itemId);
}

/** Number of items in `tree` (reads only the root). */
export async function countItems(reader: ObjectReader, tree: string): Promise<number> {
  return nodeCount(await new TreeContext(reader).node(tree));
}

/** One entry of a tree. */
export interface TreeEntry {
  itemId: string;
  /** Hash of the item's document (`objects/<object>.json`). */
  object: string;
}

/**
 * Every item of `tree`, streamed: one node is read at a time, so 100,000 items never sit in memory at once.
 * Order: by the hash of the item id (shard order), then by item id within a leaf; stable for a given tree.
 */
export async function* listItems(reader: ObjectReader, tree: string): AsyncGenerator<TreeEntry> {
  const ctx = new TreeContext(reader);
  yield* walk(ctx, tree);
}

async function* walk(ctx: TreeContext, hash: string): AsyncGenerator<TreeEntry> {
  const node = await ctx.node(hash);
  if (node.kind === 'leaf') {
    for (const itemId of [...node.items.keys()].sort()) yield { itemId, object: node.items.get(itemId) as string };
    return;
  }
  const children = [...node.children.keys()].sort().map((d) => (node.children.get(d) as ChildRef).tree);
  // Read the (at most 16) children at once, so storage latency is paid per level, not per node.
  await Promise.all(children.map((h) => ctx.node(h)));
  for (const h of children) {
    yield* walk(ctx, h);
    ctx.forget(h);
  }
}

/** Every item of a subtree, collected (for subtrees known to be small). */
export async function collectEntries(ctx: TreeContext, hash: string, into: Map<string, string>): Promise<void> {
  for await (const e of walk(ctx, hash)) into.set(e.itemId, e.object);
}
