/**
 * Generated "YOLO-shaped" ONNX graphs with the exact inputs and outputs of Ultralytics exports, for tests and
 * benchmarks (no learned weights):
 * - `constantDetectorGraph`: outputs fixed tensors (initializers) whatever the image, so known boxes come out;
 * - `colourSquaresGraph`: a v8 head that finds the pure red, green and blue squares of the image (classes 0-2),
 *   with a shifted, lower-scored duplicate of each for NMS to remove, padded to N anchors.
 */
import { GraphBuilder } from '../../builtin/graph.ts';
import type { DetectorLayout } from '../layout.ts';

/** A box the test wants out, in input-frame pixels (cx, cy, w, h), with its class, score and mask coefficients. */
export interface KnownBox {
  cx: number;
  cy: number;
  w: number;
  h: number;
  classId: number;
  score: number;
  /** Objectness (v5 only; the class score is then score / objectness). Default 1. */
  objectness?: number;
  coefficients?: number[];
}

/** The prediction tensor an export of `layout` would output for `boxes` (N rows, the rest zero). */
export function predictionTensor(
  layout: DetectorLayout,
  boxes: readonly KnownBox[],
  classes: number,
  n: number,
  maskCoefficients = 0,
): { data: Float32Array; dims: number[] } {
  const m = maskCoefficients;
  if (boxes.length > n) throw new RangeError('more boxes than rows');
  if (layout === 'v8') {
    const f = 4 + classes + m;
    const data = new Float32Array(f * n);
    boxes.forEach((b, i) => {
      [b.cx, b.cy, b.w, b.h].forEach((v, k) => {
        data[k * n + i] = v;
      });
      data[(4 + b.classId) * n + i] = b.score;
      b.coefficients?.forEach((v, k) => {
        data[(4 + classes + k) * n + i] = v;
      });
    });
    return { data, dims: [1, f, n] };
  }
  const f = (layout === 'v5' ? 5 + classes : 6) + m;
  const data = new Float32Array(f * n);
  boxes.forEach((b, i) => {
    const row = i * f;
    if (layout === 'v5') {
      const obj = b.objectness ?? 1;
      data.set([b.cx, b.cy, b.w, b.h, obj], row);
      data[row + 5 + b.classId] = b.score / obj;
      data.set(b.coefficients ?? [], row + 5 + classes);
    } else {
      data.set([b.cx - b.w / 2, b.cy - b.h / 2, b.cx + b.w / 2, b.cy + b.h / 2, b.score, b.classId], row);
      data.set(b.coefficients ?? [], row + 6);
    }
  });
  return { data, dims: [1, n, f] };
}

/**
 * A graph with input `images` [1,3,S,S] and the given constant outputs (`output0`, and `output1` prototypes
 * when given). The outputs depend on the input only through a zero term, so the graph really reads it.
 */
export function constantDetectorGraph(
  size: number,
  output0: { data: Float32Array; dims: number[] },
  output1?: { data: Float32Array; dims: number[] },
): Uint8Array {
  const g = new GraphBuilder('labelkit_test_detector');
  const x = g.input('images', [1, 3, size, size]);
  const zero = g.op('Mul', [g.op('ReduceMean', [x], { keepdims: 0 }), g.f32([0], [])]);
  g.output(g.op('Add', [g.f32(output0.data, output0.dims), zero]), 'output0', output0.dims);
  if (output1) g.output(g.op('Add', [g.f32(output1.data, output1.dims), zero]), 'output1', output1.dims);
  return g.toBytes('LabelKit test graph: constant YOLO-shaped outputs');
}

/** Shift (input pixels) and score of the duplicate of each square. */
export const DUPLICATE_SHIFT = 2;
export const SQUARE_SCORE = 0.9;
export const DUPLICATE_SCORE = 0.8;

/**
 * v8 layout, 3 classes (red, green, blue), `anchors` rows: rows 0-2 hold the bounding box of the input pixels
 * whose channel c is above 0.5 and only there (score 0.9, or 0 when there are none), rows 3-5 the same boxes
 * moved by DUPLICATE_SHIFT with score 0.8, the other rows zero.
 */
export function colourSquaresGraph(size: number, anchors = 8400): Uint8Array {
  const g = new GraphBuilder('labelkit_colour_squares_detector');
  const x = g.input('images', [1, 3, size, size]);
  const inside = g.op('Cast', [g.op('Greater', [x, g.f32([0.5], [])])], { to: 1 });
  const cols = g.op('ReduceMax', [inside], { axes: [2], keepdims: 0 }); // [1,3,S]
  const rows = g.op('ReduceMax', [inside], { axes: [3], keepdims: 0 });
  const index = g.f32(
    Array.from({ length: size }, (_, i) => i),
    [1, 1, size],
  );
  const next = g.f32(
    Array.from({ length: size }, (_, i) => i + 1),
    [1, 1, size],
  );
  const big = g.f32([1e6], []);
  const one = g.f32([1], []);
  const lo = (any: string) =>
    g.op('ReduceMin', [g.op('Add', [index, g.op('Mul', [g.op('Sub', [one, any]), big])])], { axes: [2], keepdims: 1 });
  const hi = (any: string) => g.op('ReduceMax', [g.op('Mul', [next, any])], { axes: [2], keepdims: 1 });
  // [1,3,1] each: edges of the thresholded pixels.
  const x1 = lo(cols);
  const x2 = hi(cols);
  const y1 = lo(rows);
  const y2 = hi(rows);
  const present = g.op('ReduceMax', [cols], { axes: [2], keepdims: 1 });
  const half = g.f32([0.5], []);
  const cx = g.op('Mul', [g.op('Add', [x1, x2]), half]);
  const cy = g.op('Mul', [g.op('Add', [y1, y2]), half]);
  const w = g.op('Sub', [x2, x1]);
  const h = g.op('Sub', [y2, y1]);
  // [1,4,3]: channels cx, cy, w, h; anchors = colour.
  const perm = { perm: [0, 2, 1] };
  const boxes = g.op('Transpose', [g.op('Concat', [cx, cy, w, h], { axis: 2 })], perm);
  const shifted = g.op('Add', [boxes, g.f32([DUPLICATE_SHIFT, DUPLICATE_SHIFT, 0, 0], [1, 4, 1])]);
  const presentRow = g.op('Transpose', [present], perm); // [1,1,3]
  const eye = (s: number) => g.f32([s, 0, 0, 0, s, 0, 0, 0, s], [1, 3, 3]);
  const scores = g.op('Mul', [presentRow, eye(SQUARE_SCORE)]);
  const dupScores = g.op('Mul', [presentRow, eye(DUPLICATE_SCORE)]);
  const head = g.op(
    'Concat',
    [g.op('Concat', [boxes, scores], { axis: 1 }), g.op('Concat', [shifted, dupScores], { axis: 1 })],
    {
      axis: 2,
    },
  ); // [1,7,6]
  const padding = g.f32(new Float32Array(7 * (anchors - 6)), [1, 7, anchors - 6]);
  g.output(g.op('Concat', [head, padding], { axis: 2 }), 'output0', [1, 7, anchors]);
  return g.toBytes('LabelKit test graph: a YOLOv8-shaped head finding pure red, green and blue squares');
}
