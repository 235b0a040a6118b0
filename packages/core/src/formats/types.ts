import type { FormatError } from '../errors.ts';
import type { Dataset } from '../records/types.ts';
import type { Result } from '../result.ts';

/** Files of an export, by path relative to its root (`/` separators): text or bytes. */
export type FileSet = Record<string, string | Uint8Array>;

/** Something a conversion approximated or could not keep, with where it happened. */
export interface FidelityEntry {
  /** Stable code, e.g. `rotation-dropped`, `mask-as-polygon`, `attributes-dropped`. */
  code: string;
  itemId?: string;
  shapeId?: string;
  message: string;
}

export interface ParseOutput {
  dataset: Dataset;
  fidelity: FidelityEntry[];
}

export interface SerializeOutput {
  files: FileSet;
  fidelity: FidelityEntry[];
}

export const FormatName = {
  Coco: 'coco',
  Yolo: 'yolo',
  Voc: 'voc',
  Cvat: 'cvat',
  LabelStudio: 'labelstudio',
} as const;
export type FormatName = (typeof FormatName)[keyof typeof FormatName];

/** Options every adapter's `parse` understands. */
export interface ParseOptions {
  /**
   * How far (in pixels) a coordinate may lie outside its image before parsing fails with
   * `format/out-of-bounds`. Exports of real tools put points on the border or a fraction past it. Default 1.
   */
  boundsTolerance?: number;
}

export interface FormatAdapter<P extends ParseOptions = ParseOptions, S = Record<string, never>> {
  readonly name: FormatName;
  parse(files: FileSet, options?: P): Result<ParseOutput, FormatError>;
  serialize(dataset: Dataset, options?: S): SerializeOutput;
}
