export { Autosave, type AutosaveOptions } from './autosave.ts';
export { ItemCatalog, type ItemFilter, type ItemSummary } from './catalog.ts';
export { type RetryOptions, type TokenSource, WorkspaceClient, type WorkspaceClientOptions } from './client.ts';
export { type ServerConflict, WorkspaceError } from './errors.ts';
export {
  itemOfPath,
  Outbox,
  type OutboxConflict,
  type OutboxEntry,
  type OutboxEvent,
  type OutboxOptions,
  type OutboxSaved,
} from './outbox.ts';
export { ITEM_STATUSES, ItemStatus, labelsOf, statusOf, tagsWithStatus } from './status.ts';
export * from './types.ts';
