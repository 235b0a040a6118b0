/**
 * Versioned annotation history (DESIGN.md section 6): canonical JSON and hashes, sharded trees, commits,
 * diff, log, merge base, per-item three-way merge and revert. Pure logic over an ObjectReader; the caller
 * (the server, or a client staging a commit) does the storage I/O. Format: ./README.md.
 */
export { canonicalBytes, canonicalJSON } from './canonical-json.ts';
export {
  type Commit,
  checkCommit,
  createCommit,
  MAX_AUTHOR_LENGTH,
  MAX_MESSAGE_LENGTH,
  MAX_PARENTS,
  readCommit,
} from './commit.ts';
export { diffTrees, type ItemChange } from './diff.ts';
export { checkDocument, checkItemId, MAX_ITEM_ID_LENGTH } from './document.ts';
export { ConflictReason, HistoryError, type MergeConflict, MergeConflictError } from './errors.ts';
export { isHash, sha256Hex } from './hash.ts';
export { isAncestor, type LogEntry, type LogOptions, log, mergeBase, mergeBases } from './log.ts';
export {
  type CommitMerge,
  type MergeOptions,
  mergeCommits,
  type RevertOptions,
  readDocument,
  revert,
  type TreeMerge,
  threeWayMerge,
} from './merge.ts';
export { type DocumentMerge, mergeDocuments } from './merge-document.ts';
export { readItem } from './read.ts';
export {
  cachingReader,
  commitKey,
  encodeRef,
  isBranchName,
  MemoryObjectStore,
  type ObjectPut,
  type ObjectReader,
  objectKey,
  parseRef,
  refKey,
  treeKey,
} from './store.ts';
export {
  countItems,
  FANOUT,
  LEAF_MAX,
  listItems,
  lookupItem,
  parseTreeNode,
  type TreeEntry,
  type TreeNode,
} from './tree.ts';
export { applyEntries, type EntryChange, type TreeWrite, type WriteItemsOptions, writeItems } from './tree-write.ts';
