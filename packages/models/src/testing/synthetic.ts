/**
 * Synthetic segmentation scenes for the built-in model's quality tests and benchmarks: flat and textured
 * shapes on textured backgrounds with noise, with their exact ground-truth masks. Deterministic per seed.
 */

export interface Scene {
  name: string;
  width: number;
  height: number;
  rgba: Uint8ClampedArray;
  /** Ground truth of the object (1 inside), row-major. */
  truth: Uint8Array;
  /** A point well inside the object. */
  inside: [number, number];
  /** Tight bounding box of the object [x0, y0, x1, y1] (pixel edges). */
  box: [number, number, number, number];
}

/** Mulberry32: a tiny seeded PRNG so that scenes are the same on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rgb = [number, number, number];
type Shape = 'disc' | 'rect' | 'ellipse' | 'triangle';
type Texture = 'flat' | 'stripes' | 'checker';

export interface SceneSpec {
  seed: number;
  width?: number;
  height?: number;
  shape?: Shape;
  texture?: Texture;
  /** Standard deviation of the pixel noise, 0..255 levels. */
  noise?: number;
}

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(random() || 1e-9)) * Math.cos(2 * Math.PI * random());
}

function inShape(shape: Shape, x: number, y: number, cx: number, cy: number, rx: number, ry: number): boolean {
  const u = (x - cx) / rx;
  const v = (y - cy) / ry;
  switch (shape) {
    case 'disc':
    case 'ellipse':
      return u * u + v * v <= 1;
    case 'rect':
      return Math.abs(u) <= 1 && Math.abs(v) <= 1;
    case 'triangle':
      return v <= 1 && v >= -1 && Math.abs(u) <= (v + 1) / 2;
  }
}

function textured(t: Texture, x: number, y: number, a: Rgb, b: Rgb, period: number): Rgb {
  if (t === 'flat') return a;
  const on =
    t === 'stripes'
      ? Math.floor((x + y) / period) % 2 === 0
      : (Math.floor(x / period) + Math.floor(y / period)) % 2 === 0;
  return on ? a : b;
}

/** One scene: a shape of one colour family on a background of a clearly different one. */
export function makeScene(spec: SceneSpec): Scene {
  const random = rng(spec.seed);
  const width = spec.width ?? 480;
  const height = spec.height ?? 360;
  const shape: Shape = spec.shape ?? (['disc', 'rect', 'ellipse', 'triangle'] as const)[spec.seed % 4]!;
  const texture: Texture = spec.texture ?? (['flat', 'stripes', 'checker'] as const)[Math.floor(spec.seed / 4) % 3]!;
  const noise = spec.noise ?? 8;
  const colour = (): Rgb => [40 + random() * 175, 40 + random() * 175, 40 + random() * 175];
  const fg = colour();
  let bg = colour();
  // Keep the object's and the background's colours well apart (a real object boundary).
  while (Math.hypot(fg[0] - bg[0], fg[1] - bg[1], fg[2] - bg[2]) < 110) bg = colour();
  const shade = (c: Rgb, d: number): Rgb => [c[0] + d, c[1] + d, c[2] + d];
  const rx = Math.min(width, height) * (0.15 + random() * 0.15);
  const ry = shape === 'disc' ? rx : rx * (0.6 + random() * 0.6);
  const cx = rx + 10 + random() * (width - 2 * rx - 20);
  const cy = ry + 10 + random() * (height - 2 * ry - 20);
  const rgba = new Uint8ClampedArray(width * height * 4);
  const truth = new Uint8Array(width * height);
  let x0 = width;
  let y0 = height;
  let x1 = 0;
  let y1 = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const inside = inShape(shape, x + 0.5, y + 0.5, cx, cy, rx, ry);
      // Backgrounds carry a soft texture of their own (low-frequency waves).
      const wave = 14 * Math.sin(x / 9) * Math.cos(y / 13);
      const c = inside ? textured(texture, x, y, fg, shade(fg, 35), 6) : shade(bg, wave);
      if (inside) {
        truth[i] = 1;
        x0 = Math.min(x0, x);
        y0 = Math.min(y0, y);
        x1 = Math.max(x1, x + 1);
        y1 = Math.max(y1, y + 1);
      }
      for (let ch = 0; ch < 3; ch++) rgba[i * 4 + ch] = c[ch]! + noise * gaussian(random);
      rgba[i * 4 + 3] = 255;
    }
  }
  return {
    name: `${shape}/${texture}#${spec.seed}`,
    width,
    height,
    rgba,
    truth,
    inside: [Math.round(cx), shape === 'triangle' ? Math.round(cy + ry * 0.4) : Math.round(cy)],
    box: [x0, y0, x1, y1],
  };
}

/** IoU of two binary masks of the same size. */
export function maskIoU(a: Uint8Array, b: Uint8Array): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    const p = a[i]! > 0;
    const q = b[i]! > 0;
    if (p && q) inter++;
    if (p || q) union++;
  }
  return union === 0 ? 1 : inter / union;
}

/**
 * A scene whose object touches a second region of a close colour, so that one click takes both:
 * `distractor` is a point inside the second region, where a negative click should remove it.
 */
export function makeTouchingScene(seed: number): Scene & { distractor: [number, number] } {
  const base = makeScene({ seed, shape: 'rect', texture: 'flat', width: 400, height: 300 });
  const random = rng(seed + 1000);
  const [x0, y0, x1, y1] = base.box;
  const { width, rgba } = base;
  // A block glued to the right side of the object, its colour 14 levels (per channel) away from the object's.
  const bx0 = x1;
  const bx1 = Math.min(width - 4, x1 + Math.round((x1 - x0) * 0.6));
  const by0 = y0 + Math.round((y1 - y0) * 0.2);
  const by1 = y1 - Math.round((y1 - y0) * 0.2);
  // The object's mean colour (the pixel under a click carries noise).
  const mean = [0, 0, 0];
  let n = 0;
  for (let i = 0; i < base.truth.length; i++) {
    if (!base.truth[i]) continue;
    for (let ch = 0; ch < 3; ch++) mean[ch]! += rgba[i * 4 + ch]!;
    n++;
  }
  for (let y = by0; y < by1; y++)
    for (let x = bx0; x < bx1; x++) {
      const i = (y * width + x) * 4;
      for (let ch = 0; ch < 3; ch++) rgba[i + ch] = mean[ch]! / n + 14 + (random() - 0.5) * 16;
    }
  return { ...base, name: `touching#${seed}`, distractor: [Math.round((bx0 + bx1) / 2), Math.round((by0 + by1) / 2)] };
}
