/**
 * Encoder of the built-in model: a classical feature extractor (no learned weights) with the sam1
 * encoder contract. Input `image` float32 [1,3,1024,1024] (preprocessSam1's output), output
 * `image_embeddings` float32 [1,256,64,64].
 *
 * It computes 16 feature planes at 256x256 (one cell = 4x4 pixels of the 1024 frame) and packs them
 * into the 256 channels of the 64x64 embedding by a plain reshape: channel k holds rows 16(k mod 16) to
 * 16(k mod 16)+15 of plane floor(k/16). A space-to-depth packing would keep the embedding's 64x64 grid
 * spatial, but its inverse (DepthToSpace) costs as much as the whole rest of the decoder in onnxruntime-web,
 * and only this decoder ever reads these channels. The planes (FEATURE index ranges) are:
 *   0-2   colour: mean RGB of the cell
 *   3-5   smoothed colour: mean RGB over 5x5 cells
 *   6-8   texture: standard deviation of the cell colour over 5x5 cells
 *   9     the weighted squared norm of planes 0-8 (DISTANCE_WEIGHTS), the per-image term of the decoder's
 *         feature distance, computed once here instead of at every click
 *   10-12 fine texture: standard deviation of RGB inside the cell
 *   13    luminance (mean of the cell colour)
 *   14-15 luminance gradient (Sobel x, y over cells)
 */
import { GraphBuilder } from './graph.ts';

export const FEATURE_PLANES = 16;
export const FEATURE_SIZE = 256;
export const BLOCK = 4;
/** Index of the norm plane. */
export const NORM_PLANE = 9;
/**
 * Weight of each plane in the decoder's feature distance: colour, smoothed colour, texture; the other planes
 * do not take part (0).
 */
export const DISTANCE_WEIGHTS = [0.3, 0.3, 0.3, 1, 1, 1, 1.5, 1.5, 1.5, 0, 0, 0, 0, 0, 0, 0];

export function buildEncoder(): Uint8Array {
  const g = new GraphBuilder('labelkit_builtin_encoder');
  const x = g.input('image', [1, 3, 1024, 1024]);

  const cellPool = { kernel_shape: [4, 4], strides: [4, 4] };
  const mean = g.op('AveragePool', [x], cellPool);
  const meanOfSquares = g.op('AveragePool', [g.op('Mul', [x, x])], cellPool);
  const fineStd = g.op('Sqrt', [g.op('Relu', [g.op('Sub', [meanOfSquares, g.op('Mul', [mean, mean])])])]);

  const window = { kernel_shape: [5, 5], strides: [1, 1], pads: [2, 2, 2, 2], count_include_pad: 0 };
  const smooth = g.op('AveragePool', [mean], window);
  const smoothSquares = g.op('AveragePool', [g.op('Mul', [mean, mean])], window);
  const texture = g.op('Sqrt', [g.op('Relu', [g.op('Sub', [smoothSquares, g.op('Mul', [smooth, smooth])])])]);

  const luminance = g.op('Conv', [mean, g.f32([1 / 3, 1 / 3, 1 / 3], [1, 3, 1, 1])]);
  const sobel = g.f32(
    [-1, 0, 1, -2, 0, 2, -1, 0, 1, -1, -2, -1, 0, 0, 0, 1, 2, 1].map((v) => v / 8),
    [2, 1, 3, 3],
  );
  const gradient = g.op('Conv', [luminance, sobel], { pads: [1, 1, 1, 1] });

  const distancePlanes = g.op('Concat', [mean, smooth, texture], { axis: 1 });
  const norm = g.op('Conv', [
    g.op('Mul', [distancePlanes, distancePlanes]),
    g.f32(DISTANCE_WEIGHTS.slice(0, NORM_PLANE), [1, NORM_PLANE, 1, 1]),
  ]);
  const planes = g.op('Concat', [distancePlanes, norm, fineStd, luminance, gradient], { axis: 1 });
  const packed = g.op('Reshape', [planes, g.i64([1, 256, 64, 64])]);
  g.output(packed, 'image_embeddings', [1, 256, 64, 64]);
  return g.toBytes(
    'LabelKit built-in encoder: a classical colour/texture feature extractor (no learned weights), sam1 contract.',
  );
}
