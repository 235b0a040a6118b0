/**
 * Encoder worker thread: owns one onnxruntime-node session, normalizes the resized pixels and runs the model,
 * so neither the 12 MB input tensor nor inference touches the server's event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { normalizeToTensor } from './preprocess.ts';
import type { WorkerInit, WorkerReply, WorkerRequest } from './protocol.ts';

const init = workerData as WorkerInit;
const port = parentPort;
if (!port) throw new Error('encoder worker started outside a worker thread');

async function createSession(): Promise<{
  session: ort.InferenceSession;
  provider: 'cpu' | 'cuda';
  fallbackReason?: string;
}> {
  const base: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    ...(init.intraOpThreads ? { intraOpNumThreads: init.intraOpThreads } : {}),
  };
  if (init.executionProvider === 'cuda') {
    try {
      return {
        session: await ort.InferenceSession.create(init.modelPath, { ...base, executionProviders: ['cuda'] }),
        provider: 'cuda',
      };
    } catch (e) {
      const session = await ort.InferenceSession.create(init.modelPath, { ...base, executionProviders: ['cpu'] });
      return { session, provider: 'cpu', fallbackReason: (e as Error).message.split('\n')[0] ?? String(e) };
    }
  }
  return {
    session: await ort.InferenceSession.create(init.modelPath, { ...base, executionProviders: ['cpu'] }),
    provider: 'cpu',
  };
}

const ready = createSession();
ready.then(
  ({ session, provider, fallbackReason }) =>
    port.postMessage({
      type: 'ready',
      provider,
      inputNames: [...session.inputNames],
      outputNames: [...session.outputNames],
      ...(fallbackReason ? { fallbackReason } : {}),
    } satisfies WorkerReply),
  (e: unknown) => port.postMessage({ type: 'failed', message: (e as Error).message } satisfies WorkerReply),
);

port.on('message', async (req: WorkerRequest) => {
  try {
    const { session } = await ready;
    const input = normalizeToTensor(req, req.inputSize, req.mean, req.std);
    const name = session.inputNames[0] as string;
    const started = performance.now();
    const out = await session.run({ [name]: new ort.Tensor('float32', input, [1, 3, req.inputSize, req.inputSize]) });
    const tensors = Object.entries(out).map(([n, t]) => ({
      name: n,
      shape: t.dims.map(Number),
      data: t.data as Float32Array,
    }));
    port.postMessage(
      { type: 'result', id: req.id, tensors, inferenceMs: performance.now() - started } satisfies WorkerReply,
      tensors.map((t) => t.data.buffer as ArrayBuffer),
    );
  } catch (e) {
    port.postMessage({ type: 'error', id: req.id, message: (e as Error).message } satisfies WorkerReply);
  }
});
