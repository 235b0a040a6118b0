import type { Mask, Shape } from '@labelkit/core';
import { boxCorners, decodeRLE, exhaustiveSwitchError } from '@labelkit/core';

/** How shapes are painted; sizes are in screen pixels and divided by the zoom, so strokes stay crisp. */
export interface PaintStyle {
  scale: number;
  colorOf: (label: string) => string;
  strokeWidth: number;
  fillOpacity: number;
  pointRadius: number;
}

/** Decoded masks as canvases, keyed by the RLE object (a changed mask is a new object). */
export class MaskCache {
  #cache = new WeakMap<object, { color: string; canvas: HTMLCanvasElement; mask: Uint8Array }>();

  bitmap(s: Mask, color: string): HTMLCanvasElement {
    const hit = this.#cache.get(s.rle);
    if (hit && hit.color === color) return hit.canvas;
    const mask = hit?.mask ?? decodeRLE(s.rle);
    const [h, w] = s.rle.size;
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    const g = canvas.getContext('2d');
    if (g && w && h) {
      g.fillStyle = color;
      g.fillRect(0, 0, 1, 1);
      const [r, gg, b] = g.getImageData(0, 0, 1, 1).data;
      const img = g.createImageData(w, h);
      const px = new Uint32Array(img.data.buffer);
      // Little-endian RGBA packed in one word per pixel: one typed-array write per set pixel.
      const word = (0x99 << 24) | ((b ?? 0) << 16) | ((gg ?? 0) << 8) | (r ?? 0);
      for (let i = 0; i < mask.length; i++) if (mask[i]) px[i] = word;
      g.putImageData(img, 0, 0);
    }
    this.#cache.set(s.rle, { color, canvas, mask });
    return canvas;
  }

  /** Whether the mask covers image pixel (x, y). */
  covers(s: Mask, x: number, y: number): boolean {
    const [h, w] = s.rle.size;
    const xi = Math.floor(x);
    const yi = Math.floor(y);
    if (xi < 0 || yi < 0 || xi >= w || yi >= h) return false;
    let hit = this.#cache.get(s.rle);
    if (!hit) {
      this.bitmap(s, '#000');
      hit = this.#cache.get(s.rle);
    }
    return hit?.mask[yi * w + xi] === 1;
  }

  mask(s: Mask): Uint8Array {
    return this.#cache.get(s.rle)?.mask ?? decodeRLE(s.rle);
  }
}

/** Shapes per path when painting many (see paintShapes). */
const PATH_CHUNK = 64;

function tracePath(g: CanvasRenderingContext2D, s: Shape, r: number): void {
  switch (s.type) {
    case 'box': {
      if (!s.rotation) {
        g.rect(s.x, s.y, s.width, s.height);
        return;
      }
      const c = boxCorners(s);
      g.moveTo(c[0] as number, c[1] as number);
      for (let i = 2; i < 8; i += 2) g.lineTo(c[i] as number, c[i + 1] as number);
      g.closePath();
      return;
    }
    case 'polygon':
      ring(g, s.points, true);
      for (const h of s.holes ?? []) ring(g, h, true);
      return;
    case 'polyline':
      ring(g, s.points, false);
      return;
    case 'point':
      g.moveTo(s.x + r, s.y);
      g.arc(s.x, s.y, r, 0, Math.PI * 2);
      return;
    case 'mask':
      return;
    default:
      exhaustiveSwitchError(s, 'shape type');
  }
}

function ring(g: CanvasRenderingContext2D, p: number[], closed: boolean): void {
  if (p.length < 2) return;
  g.moveTo(p[0] as number, p[1] as number);
  for (let i = 2; i + 1 < p.length; i += 2) g.lineTo(p[i] as number, p[i + 1] as number);
  if (closed) g.closePath();
}

/**
 * Paints shapes with one path per colour and style (so 10,000 shapes cost a handful of fill/stroke calls, not
 * 10,000 nodes). Model-made shapes are dashed and labelled with their score.
 */
export function paintShapes(
  g: CanvasRenderingContext2D,
  shapes: Iterable<Shape>,
  style: PaintStyle,
  masks: MaskCache,
): void {
  const groups = new Map<string, Shape[]>();
  const scored: Shape[] = [];
  const k = 1 / style.scale;
  for (const s of shapes) {
    if (s.type === 'mask') {
      g.save();
      g.imageSmoothingEnabled = false;
      g.drawImage(masks.bitmap(s, style.colorOf(s.label)), 0, 0);
      g.restore();
      if (s.source === 'model' && s.score !== undefined) scored.push(s);
      continue;
    }
    const key = `${style.colorOf(s.label)}|${s.source === 'model' ? 'd' : 's'}|${s.type === 'polyline' ? 'l' : 'f'}`;
    let list = groups.get(key);
    if (!list) groups.set(key, (list = []));
    list.push(s);
    if (s.source === 'model' && s.score !== undefined) scored.push(s);
  }
  // Round joins take hairlines (1 device pixel) off the rasteriser's fast path.
  g.lineJoin = style.strokeWidth > 1 ? 'round' : 'miter';
  g.lineWidth = style.strokeWidth * k;
  for (const [key, list] of groups) {
    const [color, dash, kind] = key.split('|') as [string, string, string];
    g.setLineDash(dash === 'd' ? [6 * k, 4 * k] : []);
    g.strokeStyle = color;
    g.fillStyle = color;
    // Paths of a few hundred contours: Chromium's path building slows down superlinearly past that.
    for (let start = 0; start < list.length; start += PATH_CHUNK) {
      g.beginPath();
      const end = Math.min(list.length, start + PATH_CHUNK);
      for (let i = start; i < end; i++) tracePath(g, list[i] as Shape, style.pointRadius * k);
      if (kind === 'f' && style.fillOpacity > 0) {
        g.globalAlpha = style.fillOpacity;
        g.fill('evenodd');
        g.globalAlpha = 1;
      }
      g.stroke();
    }
  }
  g.setLineDash([]);
  if (scored.length) {
    g.font = `${12 * k}px system-ui, sans-serif`;
    g.textBaseline = 'bottom';
    for (const s of scored) {
      const [x, y] = anchorOf(s);
      g.fillStyle = style.colorOf(s.label);
      g.fillText(`${s.label} ${Math.round((s.score ?? 0) * 100)}%`, x, y - 2 * k);
    }
  }
}

function anchorOf(s: Shape): [number, number] {
  switch (s.type) {
    case 'box':
    case 'point':
      return [s.x, s.y];
    case 'polygon':
    case 'polyline':
      return [s.points[0] ?? 0, s.points[1] ?? 0];
    case 'mask':
      return [0, 0];
    default:
      return exhaustiveSwitchError(s, 'shape type');
  }
}
