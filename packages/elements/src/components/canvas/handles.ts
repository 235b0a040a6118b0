import type { Box, Shape } from '@labelkit/core';

/** Screen pixels within which a handle is picked. */
export const HANDLE_PX = 7;
/** Distance of the rotation handle above a box's top edge, in screen pixels. */
export const ROTATE_PX = 24;

export type Handle =
  | { kind: 'resize'; hx: -1 | 0 | 1; hy: -1 | 0 | 1; x: number; y: number }
  | { kind: 'rotate'; x: number; y: number }
  | { kind: 'vertex'; index: number; x: number; y: number }
  | { kind: 'midpoint'; index: number; x: number; y: number };

const rot = (x: number, y: number, deg: number): [number, number] => {
  const a = (deg * Math.PI) / 180;
  return [x * Math.cos(a) - y * Math.sin(a), x * Math.sin(a) + y * Math.cos(a)];
};

/** Editing handles of one selected shape, in image pixels (`scale` places the rotation handle). */
export function handlesOf(s: Shape, scale: number): Handle[] {
  if (s.type === 'box') {
    const cx = s.x + s.width / 2;
    const cy = s.y + s.height / 2;
    const out: Handle[] = [];
    for (const hy of [-1, 0, 1] as const)
      for (const hx of [-1, 0, 1] as const) {
        if (!hx && !hy) continue;
        const [dx, dy] = rot((hx * s.width) / 2, (hy * s.height) / 2, s.rotation ?? 0);
        out.push({ kind: 'resize', hx, hy, x: cx + dx, y: cy + dy });
      }
    const [dx, dy] = rot(0, -s.height / 2 - ROTATE_PX / scale, s.rotation ?? 0);
    out.push({ kind: 'rotate', x: cx + dx, y: cy + dy });
    return out;
  }
  if (s.type === 'polygon' || s.type === 'polyline') {
    const out: Handle[] = [];
    const n = s.points.length >> 1;
    for (let i = 0; i < n; i++)
      out.push({ kind: 'vertex', index: i, x: s.points[2 * i] as number, y: s.points[2 * i + 1] as number });
    const edges = s.type === 'polygon' ? n : n - 1;
    for (let i = 0; i < edges; i++) {
      const j = (i + 1) % n;
      out.push({
        kind: 'midpoint',
        index: i + 1,
        x: ((s.points[2 * i] as number) + (s.points[2 * j] as number)) / 2,
        y: ((s.points[2 * i + 1] as number) + (s.points[2 * j + 1] as number)) / 2,
      });
    }
    return out;
  }
  return [];
}

/** The handle under an image point, vertices before midpoints. */
export function pickHandle(handles: Handle[], x: number, y: number, scale: number): Handle | undefined {
  let best: Handle | undefined;
  let bestD = HANDLE_PX;
  for (const h of handles) {
    const d = Math.hypot(h.x - x, h.y - y) * scale;
    if (d <= bestD && !(best && best.kind !== 'midpoint' && h.kind === 'midpoint')) {
      best = h;
      bestD = d;
    }
  }
  return best;
}

/** The box resized by dragging handle (hx, hy) to image point p; the opposite handle stays where it is. */
export function resizeBox(b: Box, hx: -1 | 0 | 1, hy: -1 | 0 | 1, px: number, py: number): Box {
  const deg = b.rotation ?? 0;
  const cx = b.x + b.width / 2;
  const cy = b.y + b.height / 2;
  const [qx, qy] = rot(px - cx, py - cy, -deg);
  let w = b.width;
  let h = b.height;
  let lx = 0;
  let ly = 0;
  if (hx) {
    const a = (-hx * b.width) / 2;
    w = Math.abs(qx - a);
    lx = (qx + a) / 2;
  }
  if (hy) {
    const a = (-hy * b.height) / 2;
    h = Math.abs(qy - a);
    ly = (qy + a) / 2;
  }
  const [dx, dy] = rot(lx, ly, deg);
  return { ...b, x: cx + dx - w / 2, y: cy + dy - h / 2, width: w, height: h };
}

/** The box rotated so that its rotation handle points at image point p (degrees, in [0, 360)). */
export function rotateBox(b: Box, px: number, py: number): Box {
  const cx = b.x + b.width / 2;
  const cy = b.y + b.height / 2;
  const deg = (Math.atan2(py - cy, px - cx) * 180) / Math.PI + 90;
  const rotation = Math.round((((deg % 360) + 360) % 360) * 100) / 100;
  return { ...b, rotation };
}

export function paintHandles(g: CanvasRenderingContext2D, handles: Handle[], scale: number): void {
  const r = 4 / scale;
  g.lineWidth = 1 / scale;
  g.strokeStyle = '#1a73e8';
  for (const h of handles) {
    g.fillStyle = h.kind === 'midpoint' ? 'rgba(255,255,255,0.6)' : '#fff';
    g.beginPath();
    if (h.kind === 'resize') g.rect(h.x - r, h.y - r, 2 * r, 2 * r);
    else g.arc(h.x, h.y, h.kind === 'midpoint' ? r * 0.75 : r, 0, Math.PI * 2);
    g.fill();
    g.stroke();
  }
}
