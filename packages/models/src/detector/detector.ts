/**
 * The `detector` contract: Ultralytics YOLO ONNX exports (DESIGN.md section 7). Runtime-agnostic: it runs any
 * session with onnxruntime's `run(feeds)` (onnxruntime-node on the server, onnxruntime-web in a worker).
 */
import type { RLE } from '@labelkit/core';
import { ModelError } from '../manifest.ts';
import { ModelInputError } from '../preprocess/index.ts';
import { coefficientsAt, readCandidates } from './candidates.ts';
import { type DetectorLayout, resolveLayout } from './layout.ts';
import { type Letterbox, letterbox, unletterboxBox } from './letterbox.ts';
import { boxMaskToRLE, instanceMask, type Prototypes } from './masks.ts';
import { nms } from './nms.ts';
import { type DetectOptions, resolveOptions } from './options.ts';

/** Name of the model input of Ultralytics exports. */
export const DETECTOR_INPUT = 'images';

/** A tensor as both onnxruntime packages return it. */
export interface TensorLike {
  data: unknown;
  dims: readonly number[];
}

/** What the detector needs of an onnxruntime `InferenceSession` (node or web). */
export interface SessionLike {
  run(feeds: Record<string, unknown>): Promise<Record<string, TensorLike>>;
}

/** onnxruntime's `Tensor` constructor (node or web): feeds must be instances of the session's own package. */
export type TensorConstructorLike = new (type: 'float32', data: Float32Array, dims: readonly number[]) => unknown;

/** The model-specific part of a detector manifest. */
export interface DetectorConfig {
  /** Side S of the square input `images` [1,3,S,S]. */
  inputSize: number;
  /** Class names, index = class id of the model. */
  classes: readonly string[];
  /** Output layout; read from the output shape when absent. */
  layout?: DetectorLayout;
}

export interface DetectionBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Detection {
  /** Image pixels, clipped to the image. */
  box: DetectionBox;
  classId: number;
  className: string;
  /** Dataset label, when a `labelMap` was given. */
  label?: string;
  score: number;
  /** Instance mask of segmentation exports (COCO RLE of the whole image), empty when no pixel is inside. */
  mask?: RLE;
}

export interface DetectResult {
  /** Best score first. */
  detections: Detection[];
  /** Detections dropped because `labelMap` does not name their class, per class name. */
  dropped: Record<string, number>;
  layout: DetectorLayout;
}

/** The image a detector takes: RGBA bytes (ImageData-like). */
export interface DetectorImage {
  data: ArrayLike<number>;
  width: number;
  height: number;
}

function floatData(t: TensorLike, name: string): Float32Array {
  if (!(t.data instanceof Float32Array))
    throw new ModelError('model/unexpected-output', `Output ${name} must be float32`);
  const n = t.dims.reduce((a, b) => a * b, 1);
  if (t.data.length !== n)
    throw new ModelError('model/unexpected-output', `Output ${name} holds ${t.data.length} values, dims say ${n}`);
  return t.data;
}

/** Finds the prediction ([1,a,b]) and prototype ([1,M,h,w]) outputs: by name first (output0/output1), else by rank. */
function pickOutputs(outputs: Record<string, TensorLike>): { prediction: TensorLike; protos?: TensorLike } {
  const entries = Object.entries(outputs);
  const byRank = (r: number) => entries.filter(([, t]) => t.dims.length === r);
  const prediction = outputs.output0?.dims.length === 3 ? outputs.output0 : byRank(3)[0]?.[1];
  if (!prediction || (outputs.output0 === undefined && byRank(3).length !== 1))
    throw new ModelError(
      'model/unexpected-output',
      `Expected one [1, a, b] prediction output (output0), got ${entries.map(([k, t]) => `${k} [${t.dims.join(', ')}]`).join(', ')}`,
    );
  const protos = outputs.output1?.dims.length === 4 ? outputs.output1 : byRank(4)[0]?.[1];
  return protos ? { prediction, protos } : { prediction };
}

function readPrototypes(t: TensorLike, size: number): Prototypes {
  const [one, count, height, width] = t.dims as [number, number, number, number];
  if (one !== 1 || height < 1 || width < 1 || count < 1 || height > size || width > size)
    throw new ModelError('model/unexpected-output', `Mask prototypes must be [1, M, h, w], got [${t.dims.join(', ')}]`);
  return { data: floatData(t, 'output1'), count, height, width };
}

/**
 * Decodes the raw outputs of one image: candidates above the confidence, NMS (unless the export has it),
 * class names and labels, boxes back in image pixels, masks. Pure: the same for any runtime.
 */
export function postprocess(
  outputs: Record<string, TensorLike>,
  lb: Letterbox,
  config: DetectorConfig,
  options: DetectOptions = {},
): DetectResult {
  const o = resolveOptions(options);
  const { prediction, protos: protoTensor } = pickOutputs(outputs);
  const protos = protoTensor ? readPrototypes(protoTensor, config.inputSize) : undefined;
  const classes = config.classes.length;
  const shape = resolveLayout(prediction.dims, classes, protos?.count ?? 0, config.layout);
  const data = floatData(prediction, 'output0');
  const c = readCandidates(data, shape, classes, o.confidence);

  let eligible: Uint8Array | undefined;
  if (o.labelMap) {
    const map = o.labelMap;
    const mapped = config.classes.map((name) => Object.hasOwn(map, name));
    eligible = new Uint8Array(c.count);
    for (let i = 0; i < c.count; i++) eligible[i] = mapped[c.classes[i]!] ? 1 : 0;
  }
  // An export with NMS in the graph has done the suppression; only the limit and the label map remain.
  const { kept, ineligibleKept } = nms(c.boxes, c.scores, c.classes, c.count, {
    iou: shape.layout === 'nms' ? Number.POSITIVE_INFINITY : o.iou,
    classAgnostic: o.classAgnostic,
    limit: o.maxDetections,
    preNmsTopK: o.preNmsTopK,
    ...(eligible ? { eligible } : {}),
  });

  const dropped: Record<string, number> = {};
  for (const i of ineligibleKept) {
    const name = config.classes[c.classes[i]!]!;
    dropped[name] = (dropped[name] ?? 0) + 1;
  }
  const detections: Detection[] = [];
  for (const i of kept) {
    const classId = c.classes[i]!;
    const className = config.classes[classId]!;
    const box = unletterboxBox(lb, c.boxes[4 * i]!, c.boxes[4 * i + 1]!, c.boxes[4 * i + 2]!, c.boxes[4 * i + 3]!);
    const d: Detection = { box, classId, className, score: c.scores[i]! };
    const label = o.labelMap?.[className];
    if (label !== undefined) d.label = label;
    if (protos && o.masks) {
      const { offset, stride } = coefficientsAt(shape, classes, c.rows[i]!);
      d.mask = boxMaskToRLE(instanceMask(lb, box, protos, data, offset, stride), lb.width, lb.height);
    }
    detections.push(d);
  }
  return { detections, dropped, layout: shape.layout };
}

export interface Detector {
  readonly config: DetectorConfig;
  /** Letterboxes the image, runs the model, decodes its outputs. */
  detect(image: DetectorImage, options?: DetectOptions): Promise<DetectResult>;
}

/**
 * A detector over an onnxruntime session: `createDetector(await ort.InferenceSession.create(bytes), ort.Tensor,
 * { inputSize: 640, classes })`, with `ort` being onnxruntime-node or onnxruntime-web.
 */
export function createDetector(session: SessionLike, Tensor: TensorConstructorLike, config: DetectorConfig): Detector {
  if (!Number.isInteger(config.inputSize) || config.inputSize < 1)
    throw new ModelInputError('model/invalid-option', `inputSize must be a positive integer, got ${config.inputSize}`, {
      path: '$.inputSize',
    });
  if (config.classes.length === 0)
    throw new ModelInputError('model/invalid-option', 'classes must name at least one class', { path: '$.classes' });
  return {
    config,
    async detect(image, options = {}) {
      resolveOptions(options);
      const size = config.inputSize;
      const { tensor, letterbox: lb } = letterbox(image.data, image.width, image.height, size);
      const outputs = await session.run({ [DETECTOR_INPUT]: new Tensor('float32', tensor, [1, 3, size, size]) });
      return postprocess(outputs, lb, config, options);
    },
  };
}
