/**
 * The detector half of the model worker: the `detector` contract (createDetector/postprocess) over an
 * onnxruntime-web session, one request at a time, a newer request skipping older ones still queued.
 */
import { createDetector, type Detection, type Detector } from '../detector/detector.ts';
import { fetchVerified, ModelError } from '../manifest.ts';
import type { Backend, DetectorWorkerApi, DetectorWorkerConfig, DetectorWorkerImage } from './protocol.ts';
import { createSession, hasWebGpu, loadOrt, need, pixels, wrap } from './runtime.ts';

let detector: Detector | undefined;
let latest = 0;
const aborted = new Set<number>();
let queue: Promise<unknown> = Promise.resolve();

/** The model's bytes: checked against the manifest's sha256 when there is one. */
async function fetchModel(c: DetectorWorkerConfig): Promise<Uint8Array> {
  const { url, sha256 } = c.model;
  if (sha256 !== undefined) {
    const r = await fetchVerified({ url, sha256 }, c.base, '$.model');
    if (!r.ok) throw r.error;
    return r.value;
  }
  const href = new URL(url, c.base);
  let response: Response;
  try {
    response = await fetch(href);
  } catch (cause) {
    throw new ModelError('model/unreachable', `Could not download ${href.pathname}`, { path: '$.modelUrl', cause });
  }
  if (!response.ok)
    throw new ModelError('model/not-found', `Downloading ${href.pathname} answered ${response.status}`, {
      path: '$.modelUrl',
    });
  return new Uint8Array(await response.arrayBuffer());
}

async function init(c: DetectorWorkerConfig): Promise<{ backend: Backend; threads: number }> {
  detector = undefined;
  const bytes = await fetchModel(c);
  const gpu = c.executionProviders.includes('webgpu') && (await hasWebGpu());
  const ort = await loadOrt(gpu, c.threads, c.wasmPaths);
  const { session, backend } = await createSession(ort, bytes, c.executionProviders, gpu, 'detector');
  detector = createDetector(session, ort.Tensor, c.config);
  return { backend, threads: backend === 'wasm' ? (ort.env.wasm.numThreads ?? 1) : 1 };
}

async function run(image: DetectorWorkerImage, options: Parameters<Detector['detect']>[1]): Promise<Detection[]> {
  const d = need(detector, 'The detector');
  const { rgba, width, height } = await pixels(image);
  return (await d.detect({ data: rgba, width, height }, options)).detections;
}

export const detectorApi: DetectorWorkerApi = {
  initDetector: (c) => wrap(() => init(c)),
  detect(id, image, options) {
    latest = Math.max(latest, id);
    const result = queue.then(() =>
      wrap(async () => {
        if (id < latest || aborted.has(id)) return null;
        const detections = await run(image, options);
        return aborted.has(id) || id < latest ? null : detections;
      }),
    );
    queue = result.finally(() => aborted.delete(id));
    return result;
  },
  abortDetect(id) {
    aborted.add(id);
  },
};
