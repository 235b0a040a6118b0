/** Per-call detection options, their defaults (Ultralytics' `predict` defaults) and their checks. */
import { jsonPath } from '@labelkit/core';
import { ModelInputError } from '../preprocess/index.ts';

export interface DetectOptions {
  /** Minimum score of a detection, strictly above (0..1; v5: objectness x class score). Default 0.25. */
  confidence?: number;
  /** NMS drops a box whose IoU with a better kept box is above this (0..1). Default 0.7. */
  iou?: number;
  /** Most detections returned per image. Default 300. */
  maxDetections?: number;
  /** NMS across classes (one box per object whatever its class) instead of within each class. Default false. */
  classAgnostic?: boolean;
  /** Candidates entering NMS, best first: bounds its cost on noisy outputs. Default 30000 (Ultralytics' max_nms). */
  preNmsTopK?: number;
  /**
   * Model class name -> dataset label name. When given, detections of classes it does not name are dropped
   * (after NMS) and counted in the result's `dropped`; when absent every class is kept and `label` is unset.
   */
  labelMap?: Readonly<Record<string, string>>;
  /** Compute instance masks when the model has prototypes. Default true. */
  masks?: boolean;
}

export type ResolvedOptions = Required<Omit<DetectOptions, 'labelMap'>> & Pick<DetectOptions, 'labelMap'>;

export const DEFAULT_DETECT_OPTIONS: ResolvedOptions = {
  confidence: 0.25,
  iou: 0.7,
  maxDetections: 300,
  classAgnostic: false,
  preNmsTopK: 30000,
  masks: true,
};

const bad = (field: string, message: string) =>
  new ModelInputError('model/invalid-option', message, { path: jsonPath('$', field) });

/** Defaults spread and checked; a bad option throws `ModelInputError` `model/invalid-option` with its path. */
export function resolveOptions(options: DetectOptions = {}): ResolvedOptions {
  // An option given as undefined takes its default, as an absent one does.
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const o: ResolvedOptions = { ...DEFAULT_DETECT_OPTIONS, ...given };
  for (const k of ['confidence', 'iou'] as const) {
    const v = o[k];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw bad(k, `${k} must be a number in [0, 1], got ${v}`);
  }
  for (const k of ['maxDetections', 'preNmsTopK'] as const) {
    const v = o[k];
    if (!Number.isInteger(v) || v < 1) throw bad(k, `${k} must be a positive integer, got ${v}`);
  }
  for (const k of ['classAgnostic', 'masks'] as const)
    if (typeof o[k] !== 'boolean') throw bad(k, `${k} must be a boolean, got ${String(o[k])}`);
  if (o.labelMap !== undefined) {
    if (typeof o.labelMap !== 'object' || o.labelMap === null || Array.isArray(o.labelMap))
      throw bad('labelMap', 'labelMap must be an object of class name -> label name');
    for (const [k, v] of Object.entries(o.labelMap))
      if (typeof v !== 'string' || v === '')
        throw new ModelInputError('model/invalid-option', `labelMap["${k}"] must be a non-empty label name`, {
          path: jsonPath('$.labelMap', k),
        });
  }
  return o;
}
