/** A detector over onnxruntime-node (CPU) for tests and benchmarks outside the package's own folder. */
import * as ort from 'onnxruntime-node';
import { createDetector, type Detector, type DetectorConfig } from '../detector.ts';

export async function nodeDetector(graph: Uint8Array, config: DetectorConfig): Promise<Detector> {
  return createDetector(await ort.InferenceSession.create(graph), ort.Tensor, config);
}
