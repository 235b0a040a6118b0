/**
 * Detector manifests: `{ id, contract: 'detector', model: { url, sha256 }, inputSize, classes, layout?, license }`.
 */
import { err, jsonPath, ok, type Result } from '@labelkit/core';
import { ModelError, type ModelFile, parseModelFile } from '../manifest.ts';
import type { DetectorConfig } from './detector.ts';
import { type DetectorLayout, LAYOUTS } from './layout.ts';

/** The contract name of detector manifests. */
export const DETECTOR_CONTRACT = 'detector';

export interface DetectorManifest extends DetectorConfig {
  id: string;
  contract: typeof DETECTOR_CONTRACT;
  /** The ONNX export (`yolo export format=onnx`). */
  model: ModelFile;
  /** Licence of the weights (Ultralytics models are AGPL-3.0 unless under an enterprise licence). */
  license: string;
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const bad = (path: string, message: string) => err(new ModelError('model/invalid-manifest', message, { path }));

/** Validates a detector manifest from outside; errors carry the JSON path of the bad field. */
export function parseDetectorManifest(x: unknown): Result<DetectorManifest, ModelError> {
  if (!isObject(x)) return bad('$', 'A manifest is a JSON object');
  if (typeof x.id !== 'string' || !/^[\w.-]{1,64}$/.test(x.id)) return bad('$.id', 'id must be 1-64 of [A-Za-z0-9_.-]');
  if (x.contract !== DETECTOR_CONTRACT) return bad('$.contract', `contract must be "${DETECTOR_CONTRACT}"`);
  const model = parseModelFile(x.model, '$.model');
  if (!model.ok) return model;
  if (!Number.isInteger(x.inputSize) || (x.inputSize as number) < 32 || (x.inputSize as number) % 32 !== 0)
    return bad('$.inputSize', 'inputSize must be a positive multiple of 32 (the export imgsz, e.g. 640)');
  if (!Array.isArray(x.classes) || x.classes.length === 0)
    return bad('$.classes', 'classes must be a non-empty array of class names, index = class id');
  const seen = new Set<string>();
  for (const [i, name] of x.classes.entries()) {
    if (typeof name !== 'string' || name === '')
      return bad(jsonPath('$.classes', i), 'A class name is a non-empty string');
    if (seen.has(name)) return bad(jsonPath('$.classes', i), `Class name "${name}" appears twice`);
    seen.add(name);
  }
  if (x.layout !== undefined && !LAYOUTS.includes(x.layout as DetectorLayout))
    return bad('$.layout', `layout must be one of ${LAYOUTS.join(', ')}`);
  if (typeof x.license !== 'string') return bad('$.license', 'license must be a string');
  return ok({
    id: x.id,
    contract: DETECTOR_CONTRACT,
    model: model.value,
    inputSize: x.inputSize as number,
    classes: x.classes as string[],
    ...(x.layout === undefined ? {} : { layout: x.layout as DetectorLayout }),
    license: x.license,
  });
}
