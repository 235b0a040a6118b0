/**
 * Runs the built-in model in Node with onnxruntime-node, through the same adapter as the browser worker.
 * For tests and the quality benchmark only.
 */
import * as ort from 'onnxruntime-node';
import { sam1, type TensorData } from '../adapters/index.ts';
import { buildDecoder, buildEncoder } from '../builtin/index.ts';
import { preprocessSam1 } from '../preprocess/index.ts';
import type { Prompt } from '../prompt.ts';

export interface NodeBuiltin {
  embed(rgba: ArrayLike<number>, width: number, height: number): Promise<Record<string, TensorData>>;
  segment(
    embedding: Record<string, TensorData>,
    prompt: Prompt,
    width: number,
    height: number,
    previous?: Float32Array,
  ): Promise<ReturnType<typeof sam1.read>>;
}

let cached: Promise<NodeBuiltin> | undefined;

export function nodeBuiltin(): Promise<NodeBuiltin> {
  cached ??= (async () => {
    const encoder = await ort.InferenceSession.create(buildEncoder());
    const decoder = await ort.InferenceSession.create(buildDecoder());
    return {
      async embed(rgba, width, height) {
        const image = new ort.Tensor('float32', preprocessSam1(rgba, width, height), [1, 3, 1024, 1024]);
        const out = await encoder.run({ image });
        const e = out.image_embeddings as ort.Tensor;
        return { image_embeddings: { data: e.data as Float32Array, dims: [...e.dims] } };
      },
      async segment(embedding, prompt, width, height, previous) {
        const feeds = sam1.feeds(embedding, prompt, width, height, previous);
        const tensors = Object.fromEntries(
          Object.entries(feeds).map(([k, v]) => [k, new ort.Tensor('float32', v.data, v.dims)]),
        );
        const out = await decoder.run(tensors);
        const read = Object.fromEntries(
          Object.entries(out).map(([k, v]) => [k, { data: v.data as Float32Array, dims: [...v.dims] }]),
        );
        return sam1.read(read, width, height);
      },
    };
  })();
  return cached;
}
