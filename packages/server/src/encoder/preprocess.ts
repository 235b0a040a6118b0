/**
 * Image decoding and resizing for the encoder (sharp). The header is read first and the pixel count checked
 * before any decoding, so a 50,000 x 50,000 PNG of a few kilobytes is refused without allocating its pixels.
 * Normalization (mean/std, CHW, zero padding) runs in the encoder worker, off the event loop.
 */
import sharp, { type Metadata } from 'sharp';
import { HttpError } from '../errors.ts';

export type ImageMime = 'image/png' | 'image/jpeg' | 'image/webp';
export const IMAGE_TYPES: Record<ImageMime, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/webp': 'webp',
};

export interface PreprocessSpec {
  /** Side of the square encoder input (1024 for SAM). */
  inputSize: number;
  /** `longest-side` (sam1: keep aspect, pad bottom/right) or `stretch` (sam2: fill the square). */
  resize: 'longest-side' | 'stretch';
}

export interface PreparedImage {
  /** RGB bytes, row-major, `resizedWidth * resizedHeight * 3`. */
  pixels: Uint8Array;
  imageWidth: number;
  imageHeight: number;
  resizedWidth: number;
  resizedHeight: number;
}

/** Resized size per contract, rounded as segment-anything's `ResizeLongestSide` does. */
export function resizedSize(spec: PreprocessSpec, width: number, height: number): { width: number; height: number } {
  if (spec.resize === 'stretch') return { width: spec.inputSize, height: spec.inputSize };
  const scale = spec.inputSize / Math.max(width, height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/**
 * Decodes, orients (EXIF), checks and resizes an image. `declared` is the request's Content-Type, or undefined
 * for images read from storage (then any of PNG, JPEG, WebP is accepted).
 */
export async function prepareImage(
  bytes: Uint8Array,
  spec: PreprocessSpec,
  maxPixels: number,
  declared?: ImageMime,
): Promise<PreparedImage> {
  let meta: Metadata;
  try {
    // Only the header is read here, so no pixel limit yet: the check below gives the clear error.
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (cause) {
    throw new HttpError(422, 'image/unsupported-format', 'The body is not a PNG, JPEG or WebP image', { cause });
  }
  const format: string = meta.format;
  if (!Object.values(IMAGE_TYPES).includes(format ?? ''))
    throw new HttpError(422, 'image/unsupported-format', `Images must be PNG, JPEG or WebP, not ${format}`);
  if (declared && IMAGE_TYPES[declared] !== format)
    throw new HttpError(415, 'image/type-mismatch', `Content-Type says ${declared} but the bytes are ${format}`);
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (width < 1 || height < 1) throw new HttpError(422, 'image/unsupported-format', 'The image has no size');
  if (width * height > maxPixels)
    throw new HttpError(
      413,
      'image/too-many-pixels',
      `The image is ${width} x ${height} pixels; at most ${maxPixels} pixels are accepted`,
    );
  const swapped = (meta.orientation ?? 1) >= 5;
  const imageWidth = swapped ? height : width;
  const imageHeight = swapped ? width : height;
  const size = resizedSize(spec, imageWidth, imageHeight);
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: maxPixels, failOn: 'truncated' })
      .rotate()
      .removeAlpha()
      .toColourspace('srgb')
      // Bilinear, as SAM's PIL/torchvision (sam1) and OpenCV (sam2 exporters) resizes are.
      .resize(size.width, size.height, { fit: 'fill', kernel: 'linear' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || info.width !== size.width || info.height !== size.height)
      throw new Error(`unexpected decode result ${info.width}x${info.height}x${info.channels}`);
    return {
      pixels: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      imageWidth,
      imageHeight,
      resizedWidth: size.width,
      resizedHeight: size.height,
    };
  } catch (cause) {
    throw new HttpError(422, 'image/decode-failed', `The image cannot be decoded: ${(cause as Error).message}`, {
      cause,
    });
  }
}

/**
 * The encoder input tensor: (pixel - mean) / std per channel, CHW, `inputSize` square, zeros where the
 * resized image does not reach (sam1 pads after normalizing, as segment-anything does).
 */
export function normalizeToTensor(
  image: Pick<PreparedImage, 'pixels' | 'resizedWidth' | 'resizedHeight'>,
  inputSize: number,
  mean: readonly [number, number, number],
  std: readonly [number, number, number],
): Float32Array {
  const plane = inputSize * inputSize;
  const out = new Float32Array(3 * plane);
  const { pixels, resizedWidth: w, resizedHeight: h } = image;
  for (let c = 0; c < 3; c++) {
    const m = mean[c] as number;
    const inv = 1 / (std[c] as number);
    const base = c * plane;
    for (let y = 0; y < h; y++) {
      const row = base + y * inputSize;
      let src = y * w * 3 + c;
      for (let x = 0; x < w; x++, src += 3) out[row + x] = ((pixels[src] as number) - m) * inv;
    }
  }
  return out;
}
