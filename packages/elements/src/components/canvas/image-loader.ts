import { err, LabelKitError, ok, type Result } from '@labelkit/core';

/** Loads and decodes an image; a missing file, a non-image or a CORS refusal is `canvas/image-load`. */
export async function loadImage(src: string): Promise<Result<HTMLImageElement>> {
  const img = new Image();
  img.crossOrigin = 'anonymous';
  img.decoding = 'async';
  img.src = src;
  try {
    await img.decode();
    return ok(img);
  } catch (cause) {
    return err(
      new LabelKitError(
        'canvas/image-load',
        `Could not load image ${src} (missing, not an image, or blocked by CORS)`,
        {
          cause,
        },
      ),
    );
  }
}

/**
 * The decoded pixels of a loaded image, or undefined when a cross-origin image without CORS taints the canvas.
 * The canvas hands these to its segmenter, and the workspace prefetches with them: the same input on both paths,
 * so the embedding fetched ahead is the one found when the item opens (the caches key by the bytes they get).
 */
export function imagePixels(img: HTMLImageElement): ImageData | undefined {
  try {
    const c = new OffscreenCanvas(img.naturalWidth, img.naturalHeight);
    const g = c.getContext('2d');
    if (!g) return undefined;
    g.drawImage(img, 0, 0);
    return g.getImageData(0, 0, img.naturalWidth, img.naturalHeight);
  } catch {
    return undefined;
  }
}
