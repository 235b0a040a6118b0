import type { LabelDef } from '@labelkit/core';

/** Where a dataset's objects are: a named storage and a key prefix in it (`''` or ending with `/`). */
export interface StorageLocation {
  /** A storage named in the configuration's `storages` (`data` always exists). */
  storage: string;
  prefix: string;
}

/** A dataset as declared in `labelkit.config.json` (api.md), or as created with `POST /v1/datasets`. */
export interface DatasetConfig {
  /** `[a-z0-9][a-z0-9._-]{0,63}` */
  id: string;
  /** Shown to people; default the id. */
  title?: string;
  /** The images: source objects with an image extension under the prefix. Default `data`, `datasets/<id>/images/`. */
  source?: StorageLocation;
  /** Where the history (objects, trees, commits, refs) is written. Default `data`, `datasets/<id>/`. */
  target?: StorageLocation;
  /** The label set; shapes with other labels are refused on commit. Default none (any label). */
  labels?: LabelDef[];
}

/** A dataset with every default applied and every field checked. */
export interface ResolvedDataset {
  id: string;
  title: string;
  source: StorageLocation;
  target: StorageLocation;
  labels: LabelDef[];
  /** Declared in the configuration (true) or created through the API and stored in `data` (false). */
  configured: boolean;
}

/** The public view of a dataset (`GET /v1/datasets`). */
export interface DatasetInfo {
  id: string;
  title: string;
  labels: LabelDef[];
  source: StorageLocation;
  /** The source storage refuses writes (no signed PUT for new images). */
  readOnlySource: boolean;
}
