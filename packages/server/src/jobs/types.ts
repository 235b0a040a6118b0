/** Auto-annotation jobs: what a job asks for and the record of its progress kept in the target storage. */
import type { Shape } from '@labelkit/core';

export const JobState = {
  Queued: 'queued',
  Running: 'running',
  Done: 'done',
  Cancelled: 'cancelled',
  Failed: 'failed',
} as const;
export type JobState = (typeof JobState)[keyof typeof JobState];

export const isFinished = (s: JobState): boolean => s === 'done' || s === 'cancelled' || s === 'failed';

/** Which items a job runs over: an explicit list of item ids, or the source listing (under a prefix). */
export type JobItems = { list: string[] } | { prefix: string; unlabeled: boolean };

/** A checked `POST /v1/datasets/:id/jobs` body. */
export interface JobSpec {
  /** A `detector` model of the configuration. */
  model: string;
  items: JobItems;
  /** Model class name -> dataset label id (the request may name labels by id or name); others are dropped. */
  labelMap: Record<string, string>;
  thresholds: { confidence: number; iou: number };
  /** Refine each detected box into a mask with the Segment-Anything refiner (box as prompt). */
  boxToMask: boolean;
}

/** Where the job resumes: the start of the current listing page (driver cursor) and the items done in it. */
export interface JobPosition {
  /** Listing mode: the driver's cursor of the page being worked on (absent for the first page). */
  page?: string;
  /** Items of that page already done (listing mode), or the index into `items.list` (list mode). */
  offset: number;
  /** Every item has been gone over; only the commit remains. */
  complete?: boolean;
}

export interface JobErrorEntry {
  item?: string;
  code: string;
  message: string;
}

/** `jobs/<id>.json` in the dataset's target storage, moved only by compare-and-swap. */
export interface JobRecord {
  version: 1;
  id: string;
  dataset: string;
  /** Principal that started it; the author of its commit. */
  author: string;
  created: string;
  updated: string;
  spec: JobSpec;
  state: JobState;
  /** Head of `main` when the job was created (what `unlabeled` is judged against), null on an empty history. */
  base: string | null;
  /** Items to go over, null until counted. */
  total: number | null;
  /** Items gone over (predicted, skipped as labelled, or failed). */
  done: number;
  /** Items skipped because they had annotations at `base` (`unlabeled`). */
  skipped: number;
  position: JobPosition;
  /** Partial results written so far: `jobs/<id>/part-<n>.json` for n < parts. */
  parts: number;
  /** Per-item failures (at most {@link MAX_ERRORS}; `errorCount` counts them all). */
  errors: JobErrorEntry[];
  errorCount: number;
  /** The commit holding the results, once done. */
  commit?: string;
  /** Why a failed job failed. */
  failure?: JobErrorEntry;
  /** Server instance running it, and when it last wrote; another server resumes it once the lease lapses. */
  owner?: string;
  heartbeat?: string;
}

export const MAX_ERRORS = 100;

/** The predictions of one item, as stored in a part. */
export interface ItemResult {
  width: number;
  height: number;
  shapes: Shape[];
}

/** The public view (`GET .../jobs/:job`). */
export function jobView(r: JobRecord) {
  return {
    id: r.id,
    dataset: r.dataset,
    model: r.spec.model,
    state: r.state,
    done: r.done,
    total: r.total,
    skipped: r.skipped,
    created: r.created,
    updated: r.updated,
    ...(r.commit === undefined ? {} : { commit: r.commit }),
    errors: r.errors,
    errorCount: r.errorCount,
    ...(r.failure === undefined ? {} : { failure: r.failure }),
  };
}
export type JobView = ReturnType<typeof jobView>;
