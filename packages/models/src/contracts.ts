/**
 * Model contracts (DESIGN.md section 7): the inputs, outputs and preprocessing each kind of
 * Segment-Anything export expects. Adapters read these instead of hard-coding names.
 */
export const ModelContract = { Sam1: 'sam1', Sam2: 'sam2' } as const;
export type ModelContract = (typeof ModelContract)[keyof typeof ModelContract];

export interface ContractSpec {
  /** Side of the square encoder input. */
  inputSize: number;
  /** `longest-side`: resize keeping aspect so the longest side is inputSize, pad bottom/right with zeros.
   *  `stretch`: resize to inputSize x inputSize without keeping aspect. */
  resize: 'longest-side' | 'stretch';
  /** Per-channel RGB mean and std applied to 0..255 values. */
  mean: [number, number, number];
  std: [number, number, number];
  encoderOutputs: Record<string, number[]>;
  decoderInputs: string[];
  decoderOutputs: string[];
}

export const CONTRACTS: Record<ModelContract, ContractSpec> = {
  sam1: {
    inputSize: 1024,
    resize: 'longest-side',
    mean: [123.675, 116.28, 103.53],
    std: [58.395, 57.12, 57.375],
    encoderOutputs: { image_embeddings: [1, 256, 64, 64] },
    decoderInputs: ['image_embeddings', 'point_coords', 'point_labels', 'mask_input', 'has_mask_input', 'orig_im_size'],
    decoderOutputs: ['masks', 'iou_predictions', 'low_res_masks'],
  },
  sam2: {
    inputSize: 1024,
    resize: 'stretch',
    // ImageNet mean/std on 0..255 values, i.e. (x/255 - m)/s with m = [0.485, 0.456, 0.406], s = [0.229, 0.224, 0.225].
    mean: [123.675, 116.28, 103.53],
    std: [58.395, 57.12, 57.375],
    encoderOutputs: {
      image_embed: [1, 256, 64, 64],
      high_res_feats_0: [1, 32, 256, 256],
      high_res_feats_1: [1, 64, 128, 128],
    },
    decoderInputs: [
      'image_embed',
      'high_res_feats_0',
      'high_res_feats_1',
      'point_coords',
      'point_labels',
      'mask_input',
      'has_mask_input',
    ],
    decoderOutputs: ['masks', 'iou_predictions'],
  },
};

/** Geometry of the resize from an image to the encoder frame, and its exact inverse. */
export interface ResizeTransform {
  scaleX: number;
  scaleY: number;
  /** Size of the resized image inside the encoder frame (before padding). */
  resizedWidth: number;
  resizedHeight: number;
}

export function resizeTransform(contract: ModelContract, width: number, height: number): ResizeTransform {
  const { inputSize, resize } = CONTRACTS[contract];
  if (resize === 'stretch') {
    return { scaleX: inputSize / width, scaleY: inputSize / height, resizedWidth: inputSize, resizedHeight: inputSize };
  }
  // As segment-anything's ResizeLongestSide: scale = target / max(h, w), new size rounded to nearest int.
  const scale = inputSize / Math.max(width, height);
  return {
    scaleX: scale,
    scaleY: scale,
    resizedWidth: Math.round(width * scale),
    resizedHeight: Math.round(height * scale),
  };
}
