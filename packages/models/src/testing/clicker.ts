/**
 * The standard interactive-segmentation clicker (as in RITM / SAM evaluations): the next click goes to the
 * centre of the largest error region (the pixel farthest from its boundary), positive on a missed part,
 * negative on a wrongly included part. NoC@90 is the number of clicks to reach IoU 0.9.
 */

export interface Click {
  x: number;
  y: number;
  positive: boolean;
}

/** Next click for `mask` against `truth` (both row-major 0/1), or undefined when they are equal. */
export function nextClick(mask: Uint8Array, truth: Uint8Array, width: number, height: number): Click | undefined {
  const n = width * height;
  const error = new Uint8Array(n);
  for (let i = 0; i < n; i++) error[i] = mask[i]! !== truth[i]! ? 1 : 0;
  // Chamfer distance to the nearest non-error pixel (or the image border), two passes.
  const dist = new Float32Array(n);
  for (let i = 0; i < n; i++) dist[i] = error[i] ? 1e9 : 0;
  const at = (x: number, y: number) => (x < 0 || y < 0 || x >= width || y >= height ? 0 : dist[y * width + x]!);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (!error[i]) continue;
      dist[i] = Math.min(dist[i]!, at(x - 1, y) + 1, at(x, y - 1) + 1, at(x - 1, y - 1) + 1.4, at(x + 1, y - 1) + 1.4);
    }
  for (let y = height - 1; y >= 0; y--)
    for (let x = width - 1; x >= 0; x--) {
      const i = y * width + x;
      if (!error[i]) continue;
      dist[i] = Math.min(dist[i]!, at(x + 1, y) + 1, at(x, y + 1) + 1, at(x + 1, y + 1) + 1.4, at(x - 1, y + 1) + 1.4);
    }
  // Largest connected error region (4-connected), then its deepest pixel.
  const label = new Int32Array(n).fill(-1);
  const stack = new Int32Array(n);
  let best = -1;
  let bestSize = 0;
  let bestPixel = -1;
  for (let start = 0; start < n; start++) {
    if (!error[start] || label[start] !== -1) continue;
    let top = 0;
    let size = 0;
    let deepest = start;
    stack[top++] = start;
    label[start] = start;
    while (top > 0) {
      const i = stack[--top]!;
      size++;
      if (dist[i]! > dist[deepest]!) deepest = i;
      const x = i % width;
      const neighbours = [x > 0 ? i - 1 : -1, x < width - 1 ? i + 1 : -1, i - width, i + width];
      for (const j of neighbours) {
        if (j < 0 || j >= n || !error[j] || label[j] !== -1) continue;
        label[j] = start;
        stack[top++] = j;
      }
    }
    if (size > bestSize) {
      bestSize = size;
      best = start;
      bestPixel = deepest;
    }
  }
  if (best < 0) return undefined;
  return { x: (bestPixel % width) + 0.5, y: Math.floor(bestPixel / width) + 0.5, positive: truth[bestPixel] === 1 };
}
