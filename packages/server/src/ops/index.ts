/** Backup, restore and verify of a dataset's history, and the lineage of its source images (issue 12). */
export {
  type CopyOptions,
  type CopyProblem,
  CopyProblemKind,
  type CopyReport,
  copyHistory,
  type RefAction,
} from './copy.ts';
export { type Location, sameContent } from './digest.ts';
export { OpsError } from './errors.ts';
export {
  checkLineage,
  describeLineage,
  imageStamp,
  type LineageCheck,
  LineageStatus,
  lineageFidelity,
  stampImages,
  withLineage,
} from './lineage.ts';
export { parseLocation } from './location.ts';
export {
  BACKUP_IMAGES,
  BACKUP_MANIFEST,
  backupDataset,
  datasetLocations,
  restoreDataset,
  type TransferOptions,
  verifyDataset,
} from './ops.ts';
export { type CopyCounts, Progress, type ProgressOptions, type ProgressStream } from './progress.ts';
export {
  type VerifyOptions,
  type VerifyProblem,
  VerifyProblemKind,
  type VerifyReport,
  verifyHistory,
} from './verify.ts';
