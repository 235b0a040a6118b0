/**
 * Model manifests (DESIGN.md section 7): `{ id, contract, encoder: {url, sha256}, decoder: {url, sha256}, license }`.
 * `parseManifest` validates one from outside; `fetchVerified` downloads a file of it and checks its sha256.
 */
import { err, jsonPath, LabelKitError, ok, type Result } from '@labelkit/core';
import { CONTRACTS, type ModelContract } from './contracts.ts';

export interface ModelFile {
  /** Absolute URL, or a URL relative to the manifest's own URL. */
  url: string;
  /** Lower-case hex SHA-256 of the file; a download that does not match is refused. */
  sha256: string;
}

export interface ModelManifest {
  id: string;
  contract: ModelContract;
  /** The image encoder; optional where embeddings always come from a server. */
  encoder?: ModelFile;
  decoder: ModelFile;
  license: string;
}

/** A manifest that cannot be read, or a model file that does not match it. */
export class ModelError extends LabelKitError {
  override name = 'ModelError';
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Checks one `{ url, sha256 }` entry of a manifest; `path` is its JSON path. */
export function parseModelFile(x: unknown, path: string): Result<ModelFile, ModelError> {
  if (!isObject(x)) return err(new ModelError('model/invalid-manifest', 'Expected an object', { path }));
  if (typeof x.url !== 'string' || x.url === '')
    return err(new ModelError('model/invalid-manifest', 'url must be a non-empty string', { path: `${path}.url` }));
  if (typeof x.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(x.sha256))
    return err(
      new ModelError('model/invalid-manifest', 'sha256 must be 64 lower-case hex digits', { path: `${path}.sha256` }),
    );
  return ok({ url: x.url, sha256: x.sha256 });
}

export function parseManifest(x: unknown): Result<ModelManifest, ModelError> {
  if (!isObject(x)) return err(new ModelError('model/invalid-manifest', 'A manifest is a JSON object', { path: '$' }));
  if (typeof x.id !== 'string' || !/^[\w.-]{1,64}$/.test(x.id))
    return err(new ModelError('model/invalid-manifest', 'id must be 1-64 of [A-Za-z0-9_.-]', { path: '$.id' }));
  if (typeof x.contract !== 'string' || !(x.contract in CONTRACTS))
    return err(
      new ModelError('model/invalid-manifest', `contract must be one of ${Object.keys(CONTRACTS).join(', ')}`, {
        path: '$.contract',
      }),
    );
  const decoder = parseModelFile(x.decoder, jsonPath('$', 'decoder'));
  if (!decoder.ok) return decoder;
  let encoder: ModelFile | undefined;
  if (x.encoder !== undefined) {
    const e = parseModelFile(x.encoder, jsonPath('$', 'encoder'));
    if (!e.ok) return e;
    encoder = e.value;
  }
  if (typeof x.license !== 'string')
    return err(new ModelError('model/invalid-manifest', 'license must be a string', { path: '$.license' }));
  return ok({
    id: x.id,
    contract: x.contract as ModelContract,
    ...(encoder ? { encoder } : {}),
    decoder: decoder.value,
    license: x.license,
  });
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Checks bytes against a manifest file entry. */
export async function verifyFile(
  bytes: Uint8Array,
  file: ModelFile,
  path = '$.decoder',
): Promise<Result<Uint8Array, ModelError>> {
  const actual = await sha256Hex(bytes);
  if (actual !== file.sha256)
    return err(
      new ModelError(
        'model/checksum-mismatch',
        `sha256 of ${file.url} is ${actual}, the manifest says ${file.sha256}`,
        {
          path: `${path}.sha256`,
        },
      ),
    );
  return ok(bytes);
}

/** Downloads a model file (relative URLs resolve against `base`) and checks its checksum. */
export async function fetchVerified(
  file: ModelFile,
  base: string | URL | undefined,
  path: string,
  signal?: AbortSignal,
): Promise<Result<Uint8Array, ModelError>> {
  const url = new URL(file.url, base ?? globalThis.location?.href);
  let response: Response;
  try {
    response = await fetch(url, signal ? { signal } : {});
  } catch (cause) {
    if (signal?.aborted) throw cause;
    return err(new ModelError('model/unreachable', `Could not download ${url.pathname}`, { path, cause }));
  }
  if (!response.ok)
    return err(new ModelError('model/not-found', `Downloading ${url.pathname} answered ${response.status}`, { path }));
  return verifyFile(new Uint8Array(await response.arrayBuffer()), file, path);
}
