/** What an adapter exchanges with an ONNX session, independent of the runtime (onnxruntime-web or -node). */
export interface TensorData {
  data: Float32Array;
  dims: number[];
}

export type Feeds = Record<string, TensorData>;

/** The decoder's answer for one prompt, in original image pixels. */
export interface DecodedMask {
  /** Row-major, 1 inside. */
  mask: Uint8Array;
  width: number;
  height: number;
  score: number;
  /** Logits [1,1,256,256] to feed back as `mask_input` on the next prompt. */
  lowRes: Float32Array;
}
