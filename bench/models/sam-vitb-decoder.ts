/**
 * A graph with SAM ViT-B's mask decoder architecture and shapes (segment-anything's ONNX export signature:
 * the sam1 contract), random weights. It predicts the click-to-mask latency of real SAM without downloading
 * it: prompt encoding (Fourier features), a two-way transformer of depth 2 (dim 256, 8 heads, attention
 * downsampled to 128 for the cross attentions, MLP 2048) over 4096 image tokens and 7 + N prompt tokens, the
 * final token-to-image attention, output upscaling (two transposed convolutions to 32 x 256 x 256),
 * hypernetwork MLPs and the IoU head, then the same postprocessing to the original image size.
 */
import { GraphBuilder } from '../../packages/models/src/builtin/graph.ts';

export function buildSamVitBDecoder(seed = 1): Uint8Array {
  let state = seed >>> 0;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296 - 0.5;
  };
  const g = new GraphBuilder('sam_vit_b_decoder_shapes');
  const weight = (rows: number, cols: number) =>
    g.f32(
      Float32Array.from({ length: rows * cols }, () => random() * (2 / Math.sqrt(rows))),
      [rows, cols],
    );
  const bias = (n: number) => g.f32(new Float32Array(n), [n]);
  const linear = (x: string, i: number, o: number) => g.op('Add', [g.op('MatMul', [x, weight(i, o)]), bias(o)]);
  const relu = (x: string) => g.op('Relu', [x]);
  const norm = (x: string, d: number) =>
    g.op('LayerNormalization', [x, g.f32(new Float32Array(d).fill(1)), bias(d)], { axis: -1 });

  /** Multi-head attention: q [1,Tq,256], k/v [1,Tk,256]; internal dim `inner`, 8 heads. */
  const attention = (q: string, k: string, v: string, inner: number) => {
    const heads = 8;
    const split = (x: string) =>
      g.op('Transpose', [g.op('Reshape', [x, g.i64([1, -1, heads, inner / heads])])], { perm: [0, 2, 1, 3] });
    const Q = split(linear(q, 256, inner));
    const K = split(linear(k, 256, inner));
    const V = split(linear(v, 256, inner));
    const scores = g.op('Div', [
      g.op('MatMul', [Q, g.op('Transpose', [K], { perm: [0, 1, 3, 2] })]),
      g.f32([Math.sqrt(inner / heads)], []),
    ]);
    const out = g.op('MatMul', [g.op('Softmax', [scores], { axis: -1 }), V]);
    const merged = g.op('Reshape', [g.op('Transpose', [out], { perm: [0, 2, 1, 3] }), g.i64([1, -1, inner])]);
    return linear(merged, inner, 256);
  };

  const embeddings = g.input('image_embeddings', [1, 256, 64, 64]);
  const coords = g.input('point_coords', [1, 'num_points', 2]);
  const labels = g.input('point_labels', [1, 'num_points']);
  const maskInput = g.input('mask_input', [1, 1, 256, 256]);
  const hasMask = g.input('has_mask_input', [1]);
  const origSize = g.input('orig_im_size', [2]);

  // Prompt encoder: random Fourier features of the normalized coordinates plus a label embedding.
  const normalized = g.op('Sub', [
    g.op('Mul', [g.op('Div', [g.op('Add', [coords, g.f32([0.5], [])]), g.f32([1024], [])]), g.f32([2], [])]),
    g.f32([1], []),
  ]);
  const projected = g.op('Mul', [g.op('MatMul', [normalized, weight(2, 128)]), g.f32([2 * Math.PI], [])]);
  const fourier = g.op('Concat', [g.op('Sin', [projected]), g.op('Cos', [projected])], { axis: -1 });
  const labelEmbedding = g.op('MatMul', [g.op('Unsqueeze', [labels, g.i64([2])]), weight(1, 256)]);
  const sparse = g.op('Add', [fourier, labelEmbedding]); // [1,N,256]
  const outputTokens = g.f32(Float32Array.from({ length: 5 * 256 }, random), [1, 5, 256]);
  const tokens = g.op('Concat', [outputTokens, sparse], { axis: 1 }); // [1,5+N,256]

  // Dense prompt: the mask input downscaled by two strided convolutions, or a learned "no mask" embedding.
  const conv = (x: string, i: number, o: number, k: number, s: number) =>
    g.op(
      'Conv',
      [
        x,
        g.f32(
          Float32Array.from({ length: o * i * k * k }, () => random() * 0.2),
          [o, i, k, k],
        ),
        bias(o),
      ],
      {
        kernel_shape: [k, k],
        strides: [s, s],
      },
    );
  const maskDense = conv(relu(conv(relu(conv(maskInput, 1, 4, 2, 2)), 4, 16, 2, 2)), 16, 256, 1, 1);
  const noMask = g.f32(Float32Array.from({ length: 256 }, random), [1, 256, 1, 1]);
  const dense = g.op('Add', [
    g.op('Mul', [maskDense, hasMask]),
    g.op('Mul', [noMask, g.op('Sub', [g.f32([1], []), hasMask])]),
  ]);
  const src = g.op('Add', [embeddings, dense]);
  const toTokens = (x: string) => g.op('Transpose', [g.op('Reshape', [x, g.i64([1, 256, 4096])])], { perm: [0, 2, 1] });
  let keys = toTokens(src); // [1,4096,256]
  const pe = toTokens(g.f32(Float32Array.from({ length: 256 * 4096 }, random), [1, 256, 64, 64]));

  // Two-way transformer, depth 2.
  let queries = tokens;
  for (let layer = 0; layer < 2; layer++) {
    const selfAttn = attention(g.op('Add', [queries, tokens]), g.op('Add', [queries, tokens]), queries, 256);
    queries = norm(layer === 0 ? selfAttn : g.op('Add', [queries, selfAttn]), 256);
    const keysPe = g.op('Add', [keys, pe]);
    queries = norm(g.op('Add', [queries, attention(g.op('Add', [queries, tokens]), keysPe, keys, 128)]), 256);
    queries = norm(g.op('Add', [queries, linear(relu(linear(queries, 256, 2048)), 2048, 256)]), 256);
    keys = norm(g.op('Add', [keys, attention(keysPe, g.op('Add', [queries, tokens]), queries, 128)]), 256);
  }
  queries = norm(
    g.op('Add', [queries, attention(g.op('Add', [queries, tokens]), g.op('Add', [keys, pe]), keys, 128)]),
    256,
  );

  // Output upscaling to [1,32,256,256] and the hypernetwork dot product -> 4 low-res masks.
  const image = g.op('Reshape', [g.op('Transpose', [keys], { perm: [0, 2, 1] }), g.i64([1, 256, 64, 64])]);
  const up = (x: string, i: number, o: number) =>
    g.op(
      'ConvTranspose',
      [
        x,
        g.f32(
          Float32Array.from({ length: i * o * 4 }, () => random() * 0.1),
          [i, o, 2, 2],
        ),
        bias(o),
      ],
      {
        kernel_shape: [2, 2],
        strides: [2, 2],
      },
    );
  const upscaled = g.op('Relu', [up(g.op('Relu', [up(image, 256, 64)]), 64, 32)]);
  const maskTokens = g.op('Slice', [queries, g.i64([1]), g.i64([5]), g.i64([1])]); // [1,4,256]
  const hyper = linear(relu(linear(relu(linear(maskTokens, 256, 256)), 256, 256)), 256, 32); // [1,4,32]
  const lowResAll = g.op('Reshape', [
    g.op('MatMul', [hyper, g.op('Reshape', [upscaled, g.i64([1, 32, 65536])])]),
    g.i64([1, 4, 256, 256]),
  ]);
  const iouToken = g.op('Slice', [queries, g.i64([0]), g.i64([1]), g.i64([1])]);
  const iou = g.op('Reshape', [
    linear(relu(linear(relu(linear(iouToken, 256, 256)), 256, 256)), 256, 4),
    g.i64([1, 4]),
  ]);

  // Single-mask output as the exported model with return_single_mask: the first mask.
  const lowRes = g.op('Slice', [lowResAll, g.i64([0]), g.i64([1]), g.i64([1])]);
  g.output(g.op('Slice', [iou, g.i64([0]), g.i64([1]), g.i64([1])]), 'iou_predictions', [1, 1]);
  g.output(lowRes, 'low_res_masks', [1, 1, 256, 256]);
  // Postprocessing as segment-anything: x4 to the 1024 frame, crop the valid region, resize to the image.
  const frame = g.op('Resize', [lowRes, '', g.f32([1, 1, 4, 4])], {
    mode: 'linear',
    coordinate_transformation_mode: 'half_pixel',
  });
  const longest = g.op('ReduceMax', [origSize], { keepdims: 1 });
  const resized = g.op(
    'Cast',
    [
      g.op('Floor', [
        g.op('Add', [g.op('Mul', [origSize, g.op('Div', [g.f32([1024], []), longest])]), g.f32([0.5], [])]),
      ]),
    ],
    { to: 7 },
  );
  const cropped = g.op('Slice', [frame, g.i64([0, 0]), resized, g.i64([2, 3])]);
  const sizes = g.op('Concat', [g.i64([1, 1]), g.op('Cast', [origSize], { to: 7 })], { axis: 0 });
  const masks = g.op('Resize', [cropped, '', '', sizes], {
    mode: 'linear',
    coordinate_transformation_mode: 'half_pixel',
  });
  g.output(masks, 'masks', [1, 1, 'height', 'width']);
  return g.toBytes('Random weights with the shapes of SAM ViT-B mask decoder: for latency benchmarks only.');
}
