/**
 * Per-item three-way merge of trees, merges of commits, and revert. Only items changed on both sides are
 * read; everything else is decided from hashes.
 */
import type { AnnotationDocument } from '../records/types.ts';
import { validateDocument } from '../records/validate.ts';
import { err, ok, type Result } from '../result.ts';
import { readCommit } from './commit.ts';
import { diffTrees, type ItemChange } from './diff.ts';
import { checkDocument } from './document.ts';
import { ConflictReason, HistoryError, type MergeConflict, MergeConflictError } from './errors.ts';
import { assertHash } from './hash.ts';
import { mergeBase } from './log.ts';
import { mergeDocuments } from './merge-document.ts';
import { corrupt, encodeObject, type ObjectPut, type ObjectReader, objectKey, readObjectJSON } from './store.ts';
import { applyEntries, type EntryChange, type TreeWrite } from './tree-write.ts';

export interface MergeOptions {
  /**
   * Merge inside an item when both sides changed it (per shape, see merge-document.ts for the rule).
   * Default true; false makes any item changed differently on both sides a conflict.
   */
  shapes?: boolean;
}

export interface TreeMerge extends TreeWrite {
  /** Items taken from theirs unchanged. */
  fromTheirs: string[];
  /** Items changed on both sides and merged shape by shape into a new document. */
  combined: string[];
}

/**
 * Reads `objects/<hash>.json` and checks it is a document of item `itemId`.
 * @throws HistoryError `history/missing-object`, `history/corrupt-object`
 */
export async function readDocument(reader: ObjectReader, hash: string, itemId: string): Promise<AnnotationDocument> {
  assertHash(hash, '$');
  const json = await readObjectJSON(reader, 'objects', hash);
  const bad = checkDocument(json, itemId);
  if (bad) throw corrupt(objectKey(hash), `${bad.message} (at ${bad.path})`);
  return json as AnnotationDocument;
}

async function collect(
  reader: ObjectReader,
  a: string | undefined,
  b: string | undefined,
): Promise<Map<string, ItemChange>> {
  const out = new Map<string, ItemChange>();
  for await (const c of diffTrees(reader, a, b)) out.set(c.itemId, c);
  return out;
}

/**
 * Merges tree `theirs` into tree `ours`, both descended from tree `base` (any of the three `undefined`: the
 * empty tree).
 * An item changed on one side only takes that side; changed identically on both is kept; changed differently
 * on both is merged per shape (see {@link MergeOptions.shapes}) or is a conflict. Either every change lands
 * or none does: the result is the merged tree with its puts, or a `history/merge-conflict` error listing
 * every conflicting item.
 * @throws HistoryError `history/missing-object`, `history/corrupt-object` when storage cannot be read.
 */
export async function threeWayMerge(
  reader: ObjectReader,
  base: string | undefined,
  ours: string | undefined,
  theirs: string | undefined,
  options: MergeOptions = {},
): Promise<Result<TreeMerge, MergeConflictError>> {
  if (base !== undefined) assertHash(base, '$.base');
  if (ours !== undefined) assertHash(ours, '$.ours');
  if (theirs !== undefined) assertHash(theirs, '$.theirs');
  const mine = await collect(reader, base, ours);
  const changes = new Map<string, EntryChange>();
  const docPuts: ObjectPut[] = [];
  const conflicts: MergeConflict[] = [];
  const fromTheirs: string[] = [];
  const combined: string[] = [];
  for await (const t of diffTrees(reader, base, theirs)) {
    const o = mine.get(t.itemId);
    if (!o) {
      changes.set(t.itemId, t.after ?? null);
      fromTheirs.push(t.itemId);
      continue;
    }
    if (o.after === t.after) continue;
    const hashes = {
      ...(t.before === undefined ? {} : { base: t.before }),
      ...(o.after === undefined ? {} : { ours: o.after }),
      ...(t.after === undefined ? {} : { theirs: t.after }),
    };
    if (o.after === undefined || t.after === undefined || options.shapes === false) {
      const reason =
        t.before === undefined
          ? ConflictReason.BothAdded
          : o.after && t.after
            ? ConflictReason.BothModified
            : ConflictReason.DeleteModify;
      conflicts.push({ itemId: t.itemId, reason, ...hashes });
      continue;
    }
    const [b, od, td] = await Promise.all([
      t.before === undefined ? undefined : readDocument(reader, t.before, t.itemId),
      readDocument(reader, o.after, t.itemId),
      readDocument(reader, t.after, t.itemId),
    ]);
    const m = mergeDocuments(b, od, td);
    // Each side was valid, but their combination may not be (e.g. one resized the image, the other drew
    // near its old edge): such an item is a conflict too, never stored invalid.
    if (m.ok && (!validateDocument(m.doc).ok || checkDocument(m.doc, t.itemId))) {
      conflicts.push({ itemId: t.itemId, reason: ConflictReason.BothModified, ...hashes, fields: ['item'] });
      continue;
    }
    if (!m.ok) {
      conflicts.push({
        itemId: t.itemId,
        reason: m.reason,
        ...hashes,
        shapes: m.shapes,
        ...(m.fields.length ? { fields: m.fields } : {}),
      });
      continue;
    }
    const { hash, put } = await encodeObject('objects', m.doc);
    changes.set(t.itemId, hash);
    docPuts.push(put);
    combined.push(t.itemId);
  }
  if (conflicts.length > 0) return err(new MergeConflictError(conflicts));
  const written = await applyEntries(reader, ours, changes);
  return ok({ ...written, puts: [...docPuts, ...written.puts], fromTheirs, combined });
}

/** The merge of two commits: the tree to commit with parents `[ours, theirs]`, unless one contains the other. */
export interface CommitMerge {
  /**
   * `up-to-date`: theirs is already in ours (commit nothing); `fast-forward`: ours is in theirs (move the ref to
   * theirs, or commit `tree` if a merge commit is wanted); `merged`: commit `tree` with parents [ours, theirs].
   */
  kind: 'up-to-date' | 'fast-forward' | 'merged';
  tree: string;
  puts: ObjectPut[];
  /** The merge base used (undefined: unrelated histories, merged against the empty tree). */
  base: string | undefined;
  fromTheirs: string[];
  combined: string[];
}

/**
 * Merges commit `theirs` into commit `ours` (what the server does when a client's parent is stale: ours =
 * the branch head, theirs = the client's commit). With several best merge bases (criss-cross merges) the
 * newest is used; an older base can only turn agreeing edits into conflicts, never drop an edit.
 */
export async function mergeCommits(
  reader: ObjectReader,
  ours: string,
  theirs: string,
  options: MergeOptions = {},
): Promise<Result<CommitMerge, MergeConflictError>> {
  const [oc, tc] = await Promise.all([readCommit(reader, ours), readCommit(reader, theirs)]);
  const base = await mergeBase(reader, ours, theirs);
  const none = { puts: [], fromTheirs: [], combined: [] };
  if (base === theirs) return ok({ kind: 'up-to-date', tree: oc.tree, base, ...none });
  if (base === ours) return ok({ kind: 'fast-forward', tree: tc.tree, base, ...none });
  const baseTree = base === undefined ? undefined : (await readCommit(reader, base)).tree;
  const m = await threeWayMerge(reader, baseTree, oc.tree, tc.tree, options);
  if (!m.ok) return m;
  const { tree, puts, fromTheirs, combined } = m.value;
  return ok({ kind: 'merged', tree, puts, base, fromTheirs, combined });
}

export interface RevertOptions {
  /** For a merge commit: which parent (1-based) is the line to go back to (default 1, the branch merged into). */
  mainline?: number;
  /** Per-shape merge, as in {@link MergeOptions.shapes}. */
  shapes?: boolean;
}

/**
 * Undoes the changes `commit` made, on top of `head` (which may be later): a three-way merge with base =
 * the commit's tree, ours = the head's tree, theirs = the commit's parent's tree, as `git revert` does.
 * Items changed again since then conflict rather than being rolled back silently.
 * Returns the tree to commit with parents `[head]` and a suggested message.
 */
export async function revert(
  reader: ObjectReader,
  head: string,
  commit: string,
  options: RevertOptions = {},
): Promise<Result<TreeMerge & { message: string }, MergeConflictError | HistoryError>> {
  const [hc, cc] = await Promise.all([readCommit(reader, head), readCommit(reader, commit)]);
  const mainline = options.mainline ?? 1;
  if (!Number.isInteger(mainline) || mainline < 1 || (cc.parents.length > 0 && mainline > cc.parents.length)) {
    return err(
      new HistoryError('history/invalid-commit', `The commit has no parent number ${mainline}`, { path: '$.mainline' }),
    );
  }
  const parent = cc.parents[mainline - 1];
  const parentTree = parent === undefined ? undefined : (await readCommit(reader, parent)).tree;
  const firstLine = cc.message.split('\n', 1)[0] ?? '';
  const m = await threeWayMerge(reader, cc.tree, hc.tree, parentTree, options);
  if (!m.ok) return m;
  return ok({ ...m.value, message: `Revert "${firstLine}"\n\nThis reverts commit ${commit}.` });
}
