/** Messages between the encoder pool and its worker threads. */
export interface WorkerInit {
  modelPath: string;
  executionProvider: 'cpu' | 'cuda';
  /** onnxruntime intra-op threads; undefined lets onnxruntime choose. */
  intraOpThreads?: number;
}

export interface WorkerRequest {
  id: number;
  pixels: Uint8Array;
  resizedWidth: number;
  resizedHeight: number;
  inputSize: number;
  mean: [number, number, number];
  std: [number, number, number];
}

export interface WorkerTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

export type WorkerReply =
  | { type: 'ready'; provider: 'cpu' | 'cuda'; inputNames: string[]; outputNames: string[]; fallbackReason?: string }
  | { type: 'failed'; message: string }
  | { type: 'result'; id: number; tensors: WorkerTensor[]; inferenceMs: number }
  | { type: 'error'; id: number; message: string };
