/** Datasets and their versioned annotation history on storage (DESIGN.md sections 6 and 9). */
export { CommitConflictError, type CommitResult, commitTime, landCommit } from './commit.ts';
export { DATASET_STATUS, DatasetError } from './errors.ts';
export { IMAGE_EXTENSIONS, type ItemsPage, type ListItemsOptions, listSourceItems, type SourceItem } from './items.ts';
export { DATASET_ID, DatasetRegistry, type DatasetRegistryOptions } from './registry.ts';
export {
  type ChangeKind,
  type CommitRequest,
  DatasetService,
  type DatasetServiceOptions,
  type DiffPage,
  type LogPage,
  MAX_SHOWN_CHANGES,
  type RevertRequest,
} from './service.ts';
export { HistoryStore, type HistoryStoreOptions, type RefState } from './target.ts';
export type { DatasetConfig, DatasetInfo, ResolvedDataset, StorageLocation } from './types.ts';
