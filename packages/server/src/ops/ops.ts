/**
 * Backup, restore and verify of one dataset (issue 12), over any storage drivers. A backup holds the history
 * at its prefix exactly as a dataset's target does (`objects/`, `trees/`, `commits/`, `refs/`), the images
 * (with `images`) under `images/`, and `labelkit-backup.json`, a note of what was backed up and when; so a
 * backup is itself a valid history that `verify` and `restore` read.
 */
import { canonicalBytes } from '@labelkit/core';
import type { DatasetService } from '../datasets/service.ts';
import { type CopyReport, copyHistory, listKeys } from './copy.ts';
import type { Location } from './digest.ts';
import { OpsError } from './errors.ts';
import type { Progress } from './progress.ts';
import { type VerifyOptions, type VerifyReport, verifyHistory } from './verify.ts';

export const BACKUP_MANIFEST = 'labelkit-backup.json';
export const BACKUP_IMAGES = 'images/';

export interface TransferOptions {
  /** Copy the source images too. Default false. */
  images?: boolean;
  /** Move destination refs that are not ancestors of the copied heads (loses commits there). Default false. */
  force?: boolean;
  /** Objects copied at once (default 8). */
  concurrency?: number;
  progress?: Progress;
  /** Stops the copy after the objects in flight (no ref is written); rejects with the signal's reason. */
  signal?: AbortSignal;
  /** The time written in the manifest (default now). */
  now?: () => Date;
}

/** The dataset's history (target) and images (source) as locations. */
export function datasetLocations(service: DatasetService): { history: Location; source: Location } {
  return {
    history: { driver: service.history.driver, prefix: service.history.prefix },
    source: { driver: service.source, prefix: service.dataset.source.prefix },
  };
}

const writable = (loc: Location, what: string) => {
  if (loc.driver.readOnly) throw new OpsError('ops/read-only-destination', `${what} is read-only`, { path: '$.to' });
};

/** Copies a dataset's history (and images) to `to`, then writes the manifest. */
export async function backupDataset(
  service: DatasetService,
  to: Location,
  options: TransferOptions = {},
): Promise<CopyReport> {
  writable(to, 'the backup destination');
  const { history, source } = datasetLocations(service);
  const report = await copyHistory({
    from: history,
    to,
    ...(options.images
      ? { images: { from: source, to: { driver: to.driver, prefix: to.prefix + BACKUP_IMAGES } } }
      : {}),
    ...common(options),
  });
  if (report.problems.length === 0) {
    const manifest = {
      dataset: service.id,
      time: (options.now?.() ?? new Date()).toISOString(),
      images: options.images === true,
      refs: Object.fromEntries(report.refs.map((r) => [r.branch, r.head])),
    };
    await to.driver.put(to.prefix + BACKUP_MANIFEST, canonicalBytes(manifest), { contentType: 'application/json' });
  }
  return report;
}

/**
 * Copies a backup at `from` into the dataset's history (and, with `images`, its source images). A branch of
 * the dataset moves only forward (a fast-forward) unless `force`.
 * @throws OpsError `ops/empty-backup` when `from` holds no ref (a wrong path is the likely cause),
 *   `ops/read-only-destination` for images into a read-only source.
 */
export async function restoreDataset(
  service: DatasetService,
  from: Location,
  options: TransferOptions = {},
): Promise<CopyReport> {
  const { history, source } = datasetLocations(service);
  if (options.images) writable(source, "the dataset's source storage");
  const refs = listKeys(from, 'refs/');
  const first = await refs.next();
  await refs.return(undefined);
  if (first.done)
    throw new OpsError('ops/empty-backup', 'no refs at the backup location: nothing to restore', { path: '$.from' });
  return copyHistory({
    from,
    to: history,
    ...(options.images
      ? { images: { from: { driver: from.driver, prefix: from.prefix + BACKUP_IMAGES }, to: source } }
      : {}),
    ...common(options),
  });
}

function common(o: TransferOptions) {
  return {
    ...(o.force === undefined ? {} : { force: o.force }),
    ...(o.concurrency === undefined ? {} : { concurrency: o.concurrency }),
    ...(o.progress === undefined ? {} : { progress: o.progress }),
    ...(o.signal === undefined ? {} : { signal: o.signal }),
  };
}

/**
 * Verifies a dataset's history and the lineage of its items at every branch head; with `backup`, the history
 * of a backup of it instead, its items checked against the backup's images when it holds them (its manifest
 * says so), else against the dataset's source.
 */
export async function verifyDataset(
  service: DatasetService,
  options: Omit<VerifyOptions, 'history' | 'source'> & { backup?: Location } = {},
): Promise<VerifyReport> {
  const { backup, ...rest } = options;
  const dataset = datasetLocations(service);
  if (!backup) return verifyHistory({ ...dataset, ...rest });
  const manifest = await backup.driver.get(backup.prefix + BACKUP_MANIFEST);
  let images = false;
  try {
    images = manifest !== undefined && JSON.parse(new TextDecoder().decode(manifest.body)).images === true;
  } catch {
    images = false; // an unreadable manifest: the images are checked where the dataset has them
  }
  const source = images ? { driver: backup.driver, prefix: backup.prefix + BACKUP_IMAGES } : dataset.source;
  return verifyHistory({ history: backup, source, ...rest });
}
