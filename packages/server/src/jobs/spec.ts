/** Checks a `POST /v1/datasets/:id/jobs` body into a {@link JobSpec}; every refusal names its field. */
import { checkItemId, jsonPath, type LabelDef } from '@labelkit/core';
import type { DetectorManifest } from '@labelkit/models/detector';
import { normalizeListPrefix } from '../storage/drivers/keys.ts';
import { JobError } from './errors.ts';
import type { JobItems, JobSpec } from './types.ts';

/** Most item ids a job may list explicitly (larger sets: a prefix). */
export const MAX_LISTED_ITEMS = 10_000;

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const bad = (message: string, path: string) => new JobError('job/invalid-request', message, { path });

function items(x: unknown): JobItems {
  if (x === undefined) return { prefix: '', unlabeled: false };
  if (Array.isArray(x)) {
    if (x.length === 0 || x.length > MAX_LISTED_ITEMS)
      throw bad(`items lists 1 to ${MAX_LISTED_ITEMS} item ids`, '$.items');
    const seen = new Set<string>();
    x.forEach((id, i) => {
      const e = checkItemId(id, jsonPath('$.items', i));
      if (e) throw bad(e.message, e.path ?? '$.items');
      if (seen.has(id as string)) throw bad(`Item ${id} is listed twice`, jsonPath('$.items', i));
      seen.add(id as string);
    });
    return { list: x as string[] };
  }
  if (!isRecord(x)) throw bad('items is a list of item ids or { prefix?, unlabeled? }', '$.items');
  for (const k of Object.keys(x))
    if (k !== 'prefix' && k !== 'unlabeled') throw bad(`Unknown field ${k}`, `$.items.${k}`);
  if (x.prefix !== undefined && typeof x.prefix !== 'string') throw bad('prefix is a string', '$.items.prefix');
  if (x.unlabeled !== undefined && typeof x.unlabeled !== 'boolean')
    throw bad('unlabeled is true or false', '$.items.unlabeled');
  let prefix = '';
  if (x.prefix) {
    try {
      prefix = normalizeListPrefix(x.prefix);
    } catch {
      throw bad('prefix is /-separated key segments (no "..", "." or empty ones)', '$.items.prefix');
    }
  }
  return { prefix, unlabeled: x.unlabeled === true };
}

function unit(x: unknown, name: string, fallback: number): number {
  if (x === undefined) return fallback;
  if (typeof x !== 'number' || !(x >= 0 && x <= 1))
    throw bad(`${name} is a number from 0 to 1`, `$.thresholds.${name}`);
  return x;
}

/**
 * The job a request body asks for. `detectors` are the configured detector models; `labels` the dataset's
 * label set (empty: any label name is accepted).
 */
export function parseJobRequest(
  body: Record<string, unknown>,
  detectors: ReadonlyMap<string, DetectorManifest>,
  labels: readonly LabelDef[],
): JobSpec {
  for (const k of Object.keys(body))
    if (!['model', 'items', 'labelMap', 'thresholds', 'boxToMask'].includes(k))
      throw bad(`Unknown field ${k}`, `$.${k}`);
  if (typeof body.model !== 'string') throw bad('model names a detector model', '$.model');
  const detector = detectors.get(body.model);
  if (!detector)
    throw new JobError('job/unknown-model', `No detector model "${body.model}" is configured`, { path: '$.model' });
  if (!isRecord(body.labelMap) || Object.keys(body.labelMap).length === 0)
    throw bad('labelMap maps model class names to dataset labels', '$.labelMap');
  const ids = new Set(labels.map((l) => l.id));
  const byName = new Map(labels.map((l) => [l.name, l.id]));
  const labelMap: Record<string, string> = {};
  for (const [cls, label] of Object.entries(body.labelMap)) {
    const path = jsonPath('$.labelMap', cls);
    if (!detector.classes.includes(cls))
      throw new JobError('job/unknown-class', `Model ${detector.id} has no class "${cls}"`, { path });
    if (typeof label !== 'string' || label === '') throw bad('A label is a non-empty string', path);
    // A dataset label may be given by id or by name; shapes carry its id.
    const id = ids.has(label) ? label : byName.get(label);
    if (labels.length > 0 && id === undefined)
      throw new JobError('job/unknown-label', `The dataset has no label "${label}"`, { path });
    labelMap[cls] = id ?? label;
  }
  const t = body.thresholds;
  if (t !== undefined && !isRecord(t)) throw bad('thresholds is { confidence?, iou? }', '$.thresholds');
  for (const k of Object.keys(t ?? {}))
    if (k !== 'confidence' && k !== 'iou') throw bad(`Unknown field ${k}`, `$.thresholds.${k}`);
  if (body.boxToMask !== undefined && typeof body.boxToMask !== 'boolean')
    throw bad('boxToMask is true or false', '$.boxToMask');
  return {
    model: detector.id,
    items: items(body.items),
    labelMap,
    thresholds: { confidence: unit(t?.confidence, 'confidence', 0.25), iou: unit(t?.iou, 'iou', 0.7) },
    boxToMask: body.boxToMask === true,
  };
}
