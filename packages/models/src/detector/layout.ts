/**
 * The output layouts of Ultralytics ONNX exports, told apart by the shape of the prediction tensor.
 */
import { ModelError } from '../manifest.ts';

export const DetectorLayout = {
  /** YOLOv8 / YOLO11: `[1, 4+C(+M), N]`, channels first: cx, cy, w, h, C class scores (then M mask coefficients). */
  V8: 'v8',
  /** YOLOv5: `[1, N, 5+C(+M)]`: cx, cy, w, h, objectness, C class scores (then M mask coefficients). */
  V5: 'v5',
  /**
   * NMS in the graph (`yolo export nms=True`, and end-to-end models such as YOLOv10): `[1, N, 6(+M)]`:
   * x1, y1, x2, y2, score, class (then M mask coefficients); rows with a score under the threshold are padding.
   */
  Nms: 'nms',
} as const;
export type DetectorLayout = (typeof DetectorLayout)[keyof typeof DetectorLayout];

export const LAYOUTS: readonly DetectorLayout[] = Object.values(DetectorLayout);

/** How to read a prediction tensor. */
export interface PredictionShape {
  layout: DetectorLayout;
  /** Candidate rows (anchors or NMS slots). */
  count: number;
  /** Values per candidate. */
  features: number;
  /** Mask coefficients per candidate (0 for a detection-only export). */
  maskCoefficients: number;
}

function fits(layout: DetectorLayout, a: number, b: number, classes: number, m: number): boolean {
  switch (layout) {
    case 'v8':
      return a === 4 + classes + m;
    case 'v5':
      return b === 5 + classes + m;
    case 'nms':
      return b === 6 + m;
  }
}

/**
 * Reads the layout from the prediction dims `[1, a, b]`, the number of class names and the number of mask
 * prototypes (0 without a proto output). `layout` (from the manifest) settles shapes that fit two layouts,
 * such as a one-class YOLOv5 `[1, N, 6]` and an NMS export.
 */
export function resolveLayout(
  dims: readonly number[],
  classes: number,
  maskCoefficients: number,
  layout?: DetectorLayout,
): PredictionShape {
  const shape = `[${dims.join(', ')}]`;
  if (dims.length !== 3 || dims[0] !== 1)
    throw new ModelError('model/unexpected-output', `The prediction output must be [1, a, b], got ${shape}`);
  const a = dims[1]!;
  const b = dims[2]!;
  const candidates = layout ? [layout] : LAYOUTS.filter((l) => fits(l, a, b, classes, maskCoefficients));
  const found = candidates.filter((l) => fits(l, a, b, classes, maskCoefficients));
  if (found.length === 0)
    throw new ModelError(
      'model/unexpected-output',
      `The prediction output ${shape} fits no ${layout ? `"${layout}" ` : ''}layout for ${classes} classes` +
        (maskCoefficients ? ` and ${maskCoefficients} mask coefficients` : '') +
        ' (v8: [1, 4+C(+32), N], v5: [1, N, 5+C(+32)], nms: [1, N, 6(+32)]); check the manifest classes',
    );
  if (found.length > 1)
    throw new ModelError(
      'model/ambiguous-layout',
      `The prediction output ${shape} fits layouts ${found.join(' and ')}; name one as the manifest's layout`,
    );
  const l = found[0]!;
  return l === 'v8'
    ? { layout: l, count: b, features: a, maskCoefficients }
    : { layout: l, count: a, features: b, maskCoefficients };
}
