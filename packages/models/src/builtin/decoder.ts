/**
 * Decoder of the built-in model: a classical interactive region grower (no learned weights) with the
 * sam1 decoder contract (DESIGN.md section 7).
 *
 * Everything happens on the 256x256 feature grid of the encoder (one cell = 4x4 pixels of the 1024 frame):
 * 1. Each click samples the feature vector under it; a box with no positive click gets a virtual positive
 *    click at its centre. A weighted squared distance to every click's features is computed with one MatMul
 *    (and the encoder's precomputed norm plane).
 * 2. A cell may join the object when it is close to a positive click's features (the threshold is relaxed
 *    inside the previous mask, `mask_input`), closer to them than to any negative click's, inside the box
 *    and inside the valid (unpadded) part of the frame; the background's cells likewise for negative clicks.
 * 3. The object grows from the positive clicks and the background from the negative clicks, both by a fixed
 *    number of 9x9 max-pool dilations constrained to the cells they may join; neither grows into the other,
 *    so a negative click on a region of the same colour still splits it where the two fronts meet.
 * 4. The grown cells become logits (`low_res_masks`); `masks` undoes the sam1 preprocessing as
 *    segment-anything does (upsample x4, crop the valid region, resize to orig_im_size), in one Resize.
 */
import { BLOCK, DISTANCE_WEIGHTS, FEATURE_PLANES, FEATURE_SIZE, NORM_PLANE } from './encoder.ts';
import { GraphBuilder } from './graph.ts';

/** Tunables of the region grower, fixed in the generated graph. */
export interface DecoderOptions {
  /** Number of dilations; iterations x radius is the furthest (geodesic) distance a region grows, in cells. */
  iterations: number;
  /** Radius of each dilation in cells (a (2r+1)x(2r+1) max-pool): fewer, larger steps mean fewer operators
   *  (WebGPU dispatches) but let a region jump over barriers thinner than r cells. */
  radius: number;
  /** Squared feature distance under which a cell joins a positive click's region. */
  threshold: number;
}

export const DEFAULT_DECODER_OPTIONS: DecoderOptions = {
  iterations: 32,
  radius: 4,
  threshold: 0.5,
};

/** Logit of a cell inside (+) and outside (-) the mask. */
const LOGIT = 10;
const BIG = 1e6;
const FRAME = FEATURE_SIZE * BLOCK;

export function buildDecoder(options: Partial<DecoderOptions> = {}): Uint8Array {
  const o = { ...DEFAULT_DECODER_OPTIONS, ...options };
  const g = new GraphBuilder('labelkit_builtin_decoder');
  const embeddings = g.input('image_embeddings', [1, 256, 64, 64]);
  const pointCoords = g.input('point_coords', [1, 'num_points', 2]);
  const pointLabels = g.input('point_labels', [1, 'num_points']);
  const maskInput = g.input('mask_input', [1, 1, 256, 256]);
  const hasMaskInput = g.input('has_mask_input', [1]);
  const origSize = g.input('orig_im_size', [2]);

  const one = g.f32([1], []);
  // The inverse of the encoder's packing: a reshape, no data moved.
  const features = g.op('Reshape', [embeddings, g.i64([1, FEATURE_PLANES, FEATURE_SIZE, FEATURE_SIZE])]);

  // Cell-centre coordinates of the grid, in cells.
  const centres = Array.from({ length: FEATURE_SIZE }, (_, i) => i + 0.5);
  const gridX = g.f32(centres, [1, 1, FEATURE_SIZE]);
  const gridY = g.f32(centres, [1, FEATURE_SIZE, 1]);

  // Clicks as [N,1,1] columns, in cells.
  const column = g.i64([-1, 1, 1]);
  const cellOf = (axis: number) =>
    g.op('Reshape', [
      g.op('Div', [g.op('Slice', [pointCoords, g.i64([axis]), g.i64([axis + 1]), g.i64([2])]), g.f32([BLOCK], [])]),
      column,
    ]);
  const cx = cellOf(0);
  const cy = cellOf(1);
  const labels = g.op('Reshape', [pointLabels, column]);
  const isLabel = (v: number) => g.op('Cast', [g.op('Equal', [labels, g.f32([v], [])])], { to: 1 });
  const isPos = isLabel(1);
  const isNeg = isLabel(0);
  const isTopLeft = isLabel(2);
  const isBottomRight = isLabel(3);

  // Box corners (cells) and whether there is one; all [1,1,1].
  const sum0 = (x: string) => g.op('ReduceSum', [x, g.i64([0])], { keepdims: 1 });
  const max0 = (x: string) => g.op('ReduceMax', [x], { axes: [0], keepdims: 1 });
  const hasBox = max0(isTopLeft);
  const hasPos = max0(isPos);
  const x1 = sum0(g.op('Mul', [cx, isTopLeft]));
  const y1 = sum0(g.op('Mul', [cy, isTopLeft]));
  const x2 = sum0(g.op('Mul', [cx, isBottomRight]));
  const y2 = sum0(g.op('Mul', [cy, isBottomRight]));
  const half = g.f32([0.5], []);
  const virtualPos = g.op('Mul', [hasBox, g.op('Sub', [one, hasPos])]);

  // Clicks plus the virtual centre click of a lone box: [M,1,1] with M = N + 1.
  const allX = g.op('Concat', [cx, g.op('Mul', [g.op('Add', [x1, x2]), half])], { axis: 0 });
  const allY = g.op('Concat', [cy, g.op('Mul', [g.op('Add', [y1, y2]), half])], { axis: 0 });
  const allPos = g.op('Concat', [isPos, virtualPos], { axis: 0 });
  const allNeg = g.op('Concat', [isNeg, g.f32([0], [1, 1, 1])], { axis: 0 });

  // Seed squares (3x3 cells) around every click, as the product of a row and a column indicator: the sum
  // over clicks is one [256,M] x [M,256] MatMul instead of M full-size maps.
  const near = (v: string) =>
    g.op('Reshape', [
      g.op('Cast', [g.op('Less', [g.op('Abs', [g.op('Sub', [gridX, v])]), g.f32([1.5], [])])], { to: 1 }),
      g.i64([-1, FEATURE_SIZE]),
    ]); // [M,256]
  const nearX = near(allX);
  const nearY = near(allY);
  const seedsOf = (which: string) =>
    g.op('Reshape', [
      g.op('Min', [
        g.op('MatMul', [
          g.op('Transpose', [g.op('Mul', [nearY, g.op('Reshape', [which, g.i64([-1, 1])])])], { perm: [1, 0] }),
          nearX,
        ]),
        one,
      ]),
      g.i64([1, 1, FEATURE_SIZE, FEATURE_SIZE]),
    ]);

  // Box confinement on the grid (cells whose centre lies in the box); everything when there is no box.
  const within = (grid: string, lo: string, hi: string) =>
    g.op('Mul', [
      g.op('Cast', [g.op('GreaterOrEqual', [grid, lo])], { to: 1 }),
      g.op('Cast', [g.op('LessOrEqual', [grid, hi])], { to: 1 }),
    ]);
  const gate = (inside: string) => g.op('Add', [g.op('Mul', [inside, hasBox]), g.op('Sub', [one, hasBox])]);
  const inBox = gate(g.op('Mul', [within(gridX, x1, x2), within(gridY, y1, y2)]));

  // Valid (unpadded) part of the frame, from orig_im_size exactly as sam1 preprocessing resizes.
  const height = g.op('Gather', [origSize, g.i64([0])], { axis: 0 });
  const width = g.op('Gather', [origSize, g.i64([1])], { axis: 0 });
  const scale = g.op('Div', [g.f32([FRAME], []), g.op('Max', [height, width])]);
  const resized = (side: string) => g.op('Floor', [g.op('Add', [g.op('Mul', [side, scale]), half])]);
  const resizedH = resized(height);
  const resizedW = resized(width);
  const cellsOf = (v: string) => g.op('Div', [v, g.f32([BLOCK], [])]);
  const valid = g.op('Mul', [
    g.op('Cast', [g.op('Less', [gridX, cellsOf(resizedW)])], { to: 1 }),
    g.op('Cast', [g.op('Less', [gridY, cellsOf(resizedH)])], { to: 1 }),
  ]);

  // Features under every click: gather the cell from the [16, 65536] planes -> [M,16].
  const clampCell = (v: string) => g.op('Clip', [g.op('Floor', [v]), g.f32([0], []), g.f32([FEATURE_SIZE - 1], [])]);
  const flatIndex = g.op(
    'Cast',
    [
      g.op('Reshape', [
        g.op('Add', [g.op('Mul', [clampCell(allY), g.f32([FEATURE_SIZE], [])]), clampCell(allX)]),
        g.i64([-1]),
      ]),
    ],
    { to: 7 },
  );
  const planes = g.op('Reshape', [features, g.i64([FEATURE_PLANES, -1])]);
  const seedFeatures = g.op('Transpose', [g.op('Gather', [planes, flatIndex], { axis: 1 })], { perm: [1, 0] });

  // Weighted squared distance of every cell to every click: |f|^2_w - 2 f.w.c + |c|^2_w  -> [1,M,256,256];
  // |f|^2_w is the encoder's norm plane, the cross term one [M,16] x [16,65536] MatMul.
  const w = g.f32(DISTANCE_WEIGHTS, [1, FEATURE_PLANES]);
  const weighted = g.op('Mul', [seedFeatures, w]);
  const cross = g.op('Reshape', [g.op('MatMul', [weighted, planes]), g.i64([1, -1, FEATURE_SIZE, FEATURE_SIZE])]);
  const selfTerm = g.op('Slice', [features, g.i64([NORM_PLANE]), g.i64([NORM_PLANE + 1]), g.i64([1])]);
  const seedTerm = g.op('Reshape', [
    g.op('ReduceSum', [g.op('Mul', [weighted, seedFeatures]), g.i64([1])], { keepdims: 1 }),
    g.i64([1, -1, 1, 1]),
  ]);
  const distance = g.op('Add', [g.op('Sub', [selfTerm, g.op('Mul', [cross, g.f32([2], [])])]), seedTerm]);
  const asChannels = (x: string) => g.op('Reshape', [x, g.i64([1, -1, 1, 1])]);
  const nearest = (which: string) =>
    g.op(
      'ReduceMin',
      [g.op('Add', [distance, g.op('Mul', [asChannels(g.op('Sub', [one, which])), g.f32([BIG], [])])])],
      {
        axes: [1],
        keepdims: 1,
      },
    );
  const toPos = nearest(allPos);
  const toNeg = nearest(allNeg);

  // Which cells each region may join.
  const previous = g.op('Mul', [g.op('Cast', [g.op('Greater', [maskInput, g.f32([0], [])])], { to: 1 }), hasMaskInput]);
  const threshold = g.f32([o.threshold], []);
  const posThreshold = g.op('Mul', [threshold, g.op('Add', [one, g.op('Mul', [previous, half])])]);
  const less = (a: string, b: string) => g.op('Cast', [g.op('Less', [a, b])], { to: 1 });
  const bounds = g.op('Mul', [valid, inBox]);
  const posSeeds = g.op('Mul', [seedsOf(allPos), bounds]);
  const negSeeds = seedsOf(allNeg);
  const posAllowed = g.op('Max', [
    g.op('Mul', [g.op('Mul', [less(toPos, posThreshold), less(toPos, toNeg)]), bounds]),
    posSeeds,
  ]);
  const negAllowed = g.op('Max', [
    g.op('Mul', [g.op('Mul', [less(toNeg, threshold), less(toNeg, toPos)]), valid]),
    negSeeds,
  ]);

  // Competing growth: a fixed number of constrained dilations.
  const k = 2 * o.radius + 1;
  const dilate = { kernel_shape: [k, k], pads: [o.radius, o.radius, o.radius, o.radius], strides: [1, 1] };
  let pos = posSeeds;
  let neg = g.op('Mul', [negSeeds, g.op('Sub', [one, posSeeds])]);
  for (let i = 0; i < o.iterations; i++) {
    pos = g.op('Mul', [g.op('Mul', [g.op('MaxPool', [pos], dilate), posAllowed]), g.op('Sub', [one, neg])]);
    neg = g.op('Mul', [g.op('Mul', [g.op('MaxPool', [neg], dilate), negAllowed]), g.op('Sub', [one, pos])]);
  }

  pos = refineBoundary(g, features, pos, g.op('Mul', [bounds, g.op('Sub', [one, neg])]), valid);

  // Score: how far inside the threshold the mask's cells are on average.
  const confidence = g.op('Clip', [g.op('Sub', [one, g.op('Div', [toPos, posThreshold])]), g.f32([0], []), one]);
  const area = g.op('ReduceSum', [pos, g.i64([1, 2, 3])], { keepdims: 0 });
  const score = g.op('Div', [
    g.op('ReduceSum', [g.op('Mul', [pos, confidence]), g.i64([1, 2, 3])], { keepdims: 0 }),
    g.op('Max', [area, one]),
  ]);
  g.output(g.op('Reshape', [score, g.i64([1, 1])]), 'iou_predictions', [1, 1]);

  const lowRes = g.op('Sub', [g.op('Mul', [pos, g.f32([2 * LOGIT], [])]), g.f32([LOGIT], [])]);
  g.output(lowRes, 'low_res_masks', [1, 1, 256, 256]);

  g.output(toImage(g, lowRes, { height, width, resizedH, resizedW, scale, hasBox, x1, y1, x2, y2 }), 'masks', [
    1,
    1,
    'height',
    'width',
  ]);

  return decoderBytes(g);
}

/**
 * The smoothed and texture features straddle the object's edge within 2 cells of it, so the grown region
 * stops short of the edge. Each cell of a band around the region joins it when its own colour is closer
 * to the mean colour of the region's cells nearby than to that of the clear outside nearby (a local
 * two-class decision), which puts the boundary back on the colour edge.
 */
function refineBoundary(g: GraphBuilder, features: string, region: string, allowed: string, valid: string): string {
  const one = g.f32([1], []);
  const pool = (x: string, k: number, op = 'MaxPool') =>
    g.op(op, [x], {
      kernel_shape: [k, k],
      pads: [k >> 1, k >> 1, k >> 1, k >> 1],
      strides: [1, 1],
      ...(op === 'AveragePool' ? { count_include_pad: 1 } : {}),
    });
  const colour = g.op('Slice', [features, g.i64([0]), g.i64([3]), g.i64([1])]);
  const band = g.op('Mul', [g.op('Mul', [pool(region, 7), g.op('Sub', [one, region])]), allowed]);
  // The outside is not confined to the box: what lies beyond a box's edge is outside too.
  const outside = g.op('Mul', [g.op('Sub', [one, pool(region, 9)]), valid]);
  const eps = g.f32([1e-6], []);
  const localMean = (where: string) =>
    g.op('Div', [
      pool(g.op('Mul', [colour, where]), 11, 'AveragePool'),
      g.op('Max', [pool(where, 11, 'AveragePool'), eps]),
    ]);
  const distanceTo = (mean: string) => {
    const d = g.op('Sub', [colour, mean]);
    return g.op('ReduceSum', [g.op('Mul', [d, d]), g.i64([1])], { keepdims: 1 });
  };
  // With no clear outside nearby there is nothing to compare with: the band cell stays out.
  const hasOutside = g.op('Cast', [g.op('Greater', [pool(outside, 11, 'AveragePool'), eps])], { to: 1 });
  const closer = g.op('Cast', [g.op('Less', [distanceTo(localMean(region)), distanceTo(localMean(outside))])], {
    to: 1,
  });
  return g.op('Max', [region, g.op('Mul', [g.op('Mul', [band, closer]), hasOutside])]);
}

interface Frame {
  /** Image height and width, [1] each. */
  height: string;
  width: string;
  /** Size of the image in the 1024 frame, [1] each. */
  resizedH: string;
  resizedW: string;
  /** 1024 / longest side, [1]. */
  scale: string;
  /** Whether there is a box and its corners in cells, [1,1,1] each. */
  hasBox: string;
  x1: string;
  y1: string;
  x2: string;
  y2: string;
}

/**
 * Low-res logits [1,1,256,256] to logits at the image size. segment-anything upsamples x4 to the 1024 frame,
 * crops the valid region and resizes that to the image; the composition of the two bilinear maps is one affine
 * map from image pixel centres to cell coordinates, (u + 0.5) * (resized / size) / 4 - 0.5, which one `tf_crop_and_resize`
 * Resize applies directly (two Resizes over the 1024 frame cost ten times more in onnxruntime-web). The grid is
 * edge-padded by one cell so that pixel centres just beyond the outer cell centres clamp to them as PyTorch does.
 * Pixels outside the box are then forced outside, at image resolution.
 */
function toImage(g: GraphBuilder, lowRes: string, f: Frame): string {
  const c = (v: number) => g.f32([v], []);
  const padded = g.op('Pad', [lowRes, g.i64([0, 0, 1, 1, 0, 0, 1, 1])], { mode: 'edge' });
  const last = FEATURE_SIZE + 1; // index of the last cell of the padded grid
  // x_cell(u) = start * last + u * (end - start) * last / (len - 1)  (ONNX tf_crop_and_resize), solved for
  // start and end so that x_cell(u) = (u + 0.5) * (resized / len) / 4 - 0.5 + 1 (the +1 is the padding).
  const bounds = (len: string, resized: string) => {
    const cellsPerPixel = g.op('Div', [g.op('Div', [resized, len]), c(BLOCK)]);
    const start = g.op('Div', [g.op('Add', [g.op('Mul', [cellsPerPixel, c(0.5)]), c(0.5)]), c(last)]);
    const end = g.op('Add', [start, g.op('Div', [g.op('Mul', [cellsPerPixel, g.op('Sub', [len, c(1)])]), c(last)])]);
    return { start, end };
  };
  const y = bounds(f.height, f.resizedH);
  const x = bounds(f.width, f.resizedW);
  const roi = g.op('Concat', [g.f32([0, 0]), y.start, x.start, g.f32([1, 1]), y.end, x.end], { axis: 0 });
  const sizes = g.op(
    'Concat',
    [g.i64([1, 1]), g.op('Cast', [g.op('Concat', [f.height, f.width], { axis: 0 })], { to: 7 })],
    {
      axis: 0,
    },
  );
  const image = g.op('Resize', [padded, roi, '', sizes], {
    mode: 'linear',
    coordinate_transformation_mode: 'tf_crop_and_resize',
  });

  // Box limits per column and per row, in image pixels (cells * 4 / scale).
  const toPixels = (v: string) => g.op('Div', [g.op('Mul', [v, c(BLOCK)]), f.scale]);
  const limit = (len: string, lo: string, hi: string, shape: number[]) => {
    const centres = g.op('Range', [c(0.5), g.op('Reshape', [len, g.i64([])]), c(1)]);
    const inside = g.op('Mul', [
      g.op('Cast', [g.op('GreaterOrEqual', [centres, g.op('Reshape', [toPixels(lo), g.i64([1])])])], { to: 1 }),
      g.op('Cast', [g.op('LessOrEqual', [centres, g.op('Reshape', [toPixels(hi), g.i64([1])])])], { to: 1 }),
    ]);
    const hasBox = g.op('Reshape', [f.hasBox, g.i64([1])]);
    const gated = g.op('Add', [g.op('Mul', [inside, hasBox]), g.op('Sub', [c(1), hasBox])]);
    return g.op('Reshape', [g.op('Sub', [g.op('Mul', [gated, c(BIG)]), c(LOGIT)]), g.i64(shape)]);
  };
  const columns = limit(f.width, f.x1, f.x2, [1, 1, 1, -1]);
  const rows = limit(f.height, f.y1, f.y2, [1, 1, -1, 1]);
  return g.op('Min', [image, columns, rows]);
}

function decoderBytes(g: GraphBuilder): Uint8Array {
  return g.toBytes(
    'LabelKit built-in decoder: a classical interactive region grower (constrained dilations held back by ' +
      'feature distance, negative clicks and the box; no learned weights), sam1 contract.',
  );
}
