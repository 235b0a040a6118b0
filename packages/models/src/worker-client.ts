/**
 * What the page side of every model worker shares (createSegmenter, createBrowserDetector): typed errors rebuilt
 * from the worker's answers, manifest and image downloads with typed errors, and abortable waits.
 */
import { AbortError, EmbeddingError, LabelKitError, type Result } from '@labelkit/core';
import { ModelError } from './manifest.ts';
import { ModelInputError } from './preprocess/index.ts';
import type { WireError, WireResult } from './worker/protocol.ts';

const ERRORS: Record<string, new (code: string, message: string, o: { path?: string }) => LabelKitError> = {
  ModelError,
  ModelInputError,
  EmbeddingError,
};

/** The error class the worker threw, rebuilt with its code and path (errors cross the worker as plain data). */
export function rebuildWireError(e: WireError): LabelKitError {
  const Ctor = ERRORS[e.name] ?? LabelKitError;
  return new Ctor(e.code, e.message, e.path === undefined ? {} : { path: e.path });
}

export function unwrapWire<T>(r: WireResult<T>): T {
  if (!r.ok) throw rebuildWireError(r.error);
  return r.value;
}

/** Downloads and checks a manifest; `base` is the URL its relative file URLs resolve against. */
export async function fetchManifest<M>(
  source: string | URL,
  parse: (json: unknown) => Result<M, LabelKitError>,
): Promise<{ manifest: M; base: string }> {
  const url = new URL(String(source), globalThis.location?.href);
  const response = await fetch(url).catch((cause) => {
    throw new ModelError('model/unreachable', `Could not download the manifest ${url.pathname}`, { cause });
  });
  if (!response.ok) throw new ModelError('model/not-found', `The manifest ${url.pathname} answered ${response.status}`);
  let json: unknown;
  try {
    json = await response.json();
  } catch (cause) {
    throw new ModelError('model/invalid-manifest', 'The manifest is not JSON', { path: '$', cause });
  }
  const parsed = parse(json);
  if (!parsed.ok) throw parsed.error;
  return { manifest: parsed.value, base: url.href };
}

/** Downloads an image given by URL (AbortError when `signal` aborts, `model/image-unreachable` otherwise). */
export async function fetchImage(image: string | URL, signal?: AbortSignal): Promise<Blob> {
  const url = new URL(String(image), globalThis.location?.href);
  let response: Response;
  try {
    response = await fetch(url, signal ? { signal } : {});
  } catch (cause) {
    if (signal?.aborted) throw new AbortError();
    throw new ModelError('model/image-unreachable', `Could not download the image ${url.pathname}`, { cause });
  }
  if (!response.ok)
    throw new ModelError('model/image-unreachable', `The image ${url.pathname} answered ${response.status}`);
  return response.blob();
}

/** Rejects with AbortError as soon as `signal` aborts, whatever `p` does. */
export function abortable<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(new AbortError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AbortError());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
