import { dirname, isAbsolute, resolve } from 'node:path';
import { err, ok, type Result } from '@labelkit/core';
import { type DetectorManifest, parseDetectorManifest } from '@labelkit/models/detector';
import { ModelError } from '../errors.ts';

/** Where a model file comes from: an http(s) URL, a `file:` URL or a local path, and its expected sha256 (hex). */
export interface ModelFile {
  url: string;
  sha256: string;
}

/** A Segment-Anything model manifest (DESIGN.md section 7): an encoder and a decoder. */
export interface SamManifest {
  /** Id used in URLs (`?model=ID`): lowercase letters, digits, `.`, `_` and `-`. */
  id: string;
  /** Which inputs, outputs and preprocessing the encoder and decoder follow. */
  contract: 'sam1' | 'sam2';
  encoder: ModelFile;
  decoder: ModelFile;
  /** Licence of the weights, shown by `GET /v1/models` (e.g. `Apache-2.0`). */
  license: string;
}

/**
 * A manifest of the configuration's `models`: a Segment-Anything model, or a `detector` (an Ultralytics YOLO
 * ONNX export, `@labelkit/models/detector`) that auto-annotation jobs run.
 */
export type ModelManifest = SamManifest | DetectorManifest;

export const isDetectorManifest = (m: ModelManifest): m is DetectorManifest => m.contract === 'detector';

const ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const SHA = /^[0-9a-f]{64}$/;

/**
 * Checks a manifest from outside. Relative local paths are resolved against the folder of `file`
 * (the config file that names them), so a manifest travels with its model files.
 */
export function validateManifest(x: unknown, path = '$', file?: string): Result<ModelManifest, ModelError> {
  const bad = (field: string, message: string) =>
    err(new ModelError('model/invalid-manifest', message, { path: field === '' ? path : `${path}.${field}` }));
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return bad('', 'A model manifest must be an object');
  const m = x as Record<string, unknown>;
  if (typeof m.id !== 'string' || !ID.test(m.id)) return bad('id', `Model id ${JSON.stringify(m.id)} must match ${ID}`);
  if (m.contract === 'detector') return validateDetector(m, path, file);
  if (m.contract !== 'sam1' && m.contract !== 'sam2')
    return bad('contract', `Model contract ${JSON.stringify(m.contract)} must be "sam1", "sam2" or "detector"`);
  if (typeof m.license !== 'string' || m.license.length === 0)
    return bad('license', 'Model license must be a non-empty string');
  const files: Partial<Record<'encoder' | 'decoder', ModelFile>> = {};
  for (const part of ['encoder', 'decoder'] as const) {
    const f = m[part] as Record<string, unknown> | undefined;
    if (typeof f !== 'object' || f === null) return bad(part, `Model ${part} must be { url, sha256 }`);
    if (typeof f.url !== 'string' || f.url.length === 0)
      return bad(`${part}.url`, `Model ${part}.url must be a URL or a path`);
    if (typeof f.sha256 !== 'string' || !SHA.test(f.sha256.toLowerCase()))
      return bad(`${part}.sha256`, `Model ${part}.sha256 must be 64 hex digits`);
    const url = resolveUrl(f.url, file);
    if (/^[a-z][a-z0-9+.-]*:/i.test(url) && !/^(https?|file):/i.test(url))
      return bad(`${part}.url`, `Model ${part}.url must use http, https or file`);
    files[part] = { url, sha256: f.sha256.toLowerCase() };
  }
  return ok({
    id: m.id,
    contract: m.contract,
    encoder: files.encoder as ModelFile,
    decoder: files.decoder as ModelFile,
    license: m.license,
  });
}

const resolveUrl = (url: string, file: string | undefined) =>
  /^(https?|file):/i.test(url) || isAbsolute(url) || !file ? url : resolve(dirname(file), url);

/** A detector manifest (checked by the models package), its relative model path resolved like the others. */
function validateDetector(
  m: Record<string, unknown>,
  path: string,
  configFile?: string,
): Result<DetectorManifest, ModelError> {
  // Hex digits in either case, as for the other manifests.
  const given = m.model as { sha256?: unknown } | undefined;
  const sha = typeof given?.sha256 === 'string' ? given.sha256.toLowerCase() : given?.sha256;
  const r = parseDetectorManifest(
    typeof given === 'object' && given !== null ? { ...m, model: { ...given, sha256: sha } } : m,
  );
  if (!r.ok) return err(new ModelError(r.error.code, r.error.message, { path: path + (r.error.path ?? '$').slice(1) }));
  const url = resolveUrl(r.value.model.url, configFile);
  if (/^[a-z][a-z0-9+.-]*:/i.test(url) && !/^(https?|file):/i.test(url))
    return err(
      new ModelError('model/invalid-manifest', 'Model model.url must use http, https or file', {
        path: `${path}.model.url`,
      }),
    );
  return ok({ ...r.value, model: { url, sha256: r.value.model.sha256.toLowerCase() } });
}
