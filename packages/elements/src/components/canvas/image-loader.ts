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
