/**
 * The `detector` contract (Ultralytics YOLO ONNX exports): letterbox, decoding of the v8/v11, v5 and
 * NMS-in-graph layouts, NMS, instance masks, manifests and conversion to shapes. Runtime-agnostic.
 */
export type {
  Detection,
  DetectionBox,
  Detector,
  DetectorConfig,
  DetectorImage,
  DetectResult,
  SessionLike,
  TensorConstructorLike,
  TensorLike,
} from './detector.ts';
export { createDetector, DETECTOR_INPUT, postprocess } from './detector.ts';
export type { PredictionShape } from './layout.ts';
export { DetectorLayout, resolveLayout } from './layout.ts';
export type { Letterbox } from './letterbox.ts';
export { LETTERBOX_GREY, letterbox, letterboxTransform, unletterboxBox } from './letterbox.ts';
export type { DetectorManifest } from './manifest.ts';
export { DETECTOR_CONTRACT, parseDetectorManifest } from './manifest.ts';
export type { NmsOptions, NmsResult } from './nms.ts';
export { nms } from './nms.ts';
export type { DetectOptions } from './options.ts';
export { DEFAULT_DETECT_OPTIONS } from './options.ts';
export type { ToShapesOptions } from './shapes.ts';
export { detectionsToShapes } from './shapes.ts';
