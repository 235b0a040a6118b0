import type { AnnotationDocument, LabelDef } from '@labelkit/core';

/** Shapes of the LabelKit server API's answers (see the server's API contract). */
export interface DatasetInfo {
  id: string;
  title?: string;
  labels: LabelDef[];
  source: { storage: string; prefix: string };
  readOnlySource?: boolean;
  branches?: { name: string; head: string | null }[];
}

/** One source image of a dataset, with a signed GET URL that lives minutes (`expiresAt`, ISO time or epoch ms). */
export interface DatasetItem {
  id: string;
  key: string;
  size: number;
  etag?: string;
  url: string;
  expiresAt: string | number;
}

export interface Page<T> {
  items: T[];
  cursor?: string;
}

export interface ItemAt {
  /** The commit the document was read at (null when the branch has no commit yet). */
  commit: string | null;
  /** The item's annotations at that commit, or null when it has none. */
  document: AnnotationDocument | null;
}

export interface CommitInput {
  /** Branch to move (default `main`). */
  branch?: string;
  /** The commit the edits were made on; null for the first commit of an empty branch. */
  parent: string | null;
  message?: string;
  /** Item id -> its whole new document, or null to delete its annotations. */
  items: Record<string, AnnotationDocument | null>;
}

export interface CommitResult {
  commit: string;
  head: string;
  parents: string[];
  /** True when the parent was stale and the server merged the edit per item. */
  merged: boolean;
}

export interface CommitInfo {
  hash: string;
  parents: string[];
  author: string;
  message: string;
  /** ISO time or epoch ms, as the server stores it. */
  time: string | number;
}

export type ChangeKind = 'added' | 'modified' | 'removed';

export interface CommitDetail extends CommitInfo {
  changes: { item: string; kind: ChangeKind }[];
}

export interface DiffChange {
  item: string;
  kind: ChangeKind;
  from?: string;
  to?: string;
}

export interface SignedUrl {
  url: string;
  method: string;
  headers?: Record<string, string>;
  fields?: Record<string, string>;
  expiresAt: string | number;
}

/** Formats the export route serves. */
export const ExportFormat = {
  Coco: 'coco',
  Yolo: 'yolo',
  Voc: 'voc',
  Cvat: 'cvat',
  LabelStudio: 'labelstudio',
} as const;
export type ExportFormat = (typeof ExportFormat)[keyof typeof ExportFormat];
export const EXPORT_FORMATS: readonly ExportFormat[] = Object.values(ExportFormat);

export interface ExportArchive {
  blob: Blob;
  /** From the server's Content-Disposition (`<dataset>-<short hash>-<format>.zip`). */
  filename: string;
}
