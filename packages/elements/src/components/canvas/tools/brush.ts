import type { Diff, Mask, Shape } from '@labelkit/core';
import { encodeRLE } from '@labelkit/core';
import { newShapeId } from '../shape-geometry.ts';
import type { Tool, ToolHost } from './types.ts';

/**
 * Rasterises a stroke (a round-capped polyline `size` image pixels wide) into a full-image 0/1 mask. Only the
 * stroke's bounding rectangle is drawn and read back, so a stroke on a 4096x4096 image stays cheap.
 */
export function rasterizeStroke(points: number[], size: number, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < points.length; i += 2) {
    minX = Math.min(minX, points[i] as number);
    maxX = Math.max(maxX, points[i] as number);
    minY = Math.min(minY, points[i + 1] as number);
    maxY = Math.max(maxY, points[i + 1] as number);
  }
  const r = size / 2;
  const x0 = Math.max(0, Math.floor(minX - r));
  const y0 = Math.max(0, Math.floor(minY - r));
  const x1 = Math.min(width, Math.ceil(maxX + r));
  const y1 = Math.min(height, Math.ceil(maxY + r));
  const w = x1 - x0;
  const h = y1 - y0;
  if (w <= 0 || h <= 0) return out;
  const c = new OffscreenCanvas(w, h);
  const g = c.getContext('2d', { willReadFrequently: true });
  if (!g) return out;
  g.translate(-x0, -y0);
  g.lineCap = 'round';
  g.lineJoin = 'round';
  g.lineWidth = size;
  g.beginPath();
  g.moveTo(points[0] as number, points[1] as number);
  // A single press is a dot: a zero-length segment with round caps.
  if (points.length === 2) g.lineTo((points[0] as number) + 0.01, points[1] as number);
  for (let i = 2; i < points.length; i += 2) g.lineTo(points[i] as number, points[i + 1] as number);
  g.stroke();
  const alpha = g.getImageData(0, 0, w, h).data;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) if ((alpha[(y * w + x) * 4 + 3] as number) >= 128) out[(y + y0) * width + x + x0] = 1;
  return out;
}

/** `brush` paints into the selected mask of the active label (or a new one); `eraser` removes from masks. */
export function brushTool(host: ToolHost, mode: 'brush' | 'eraser'): Tool {
  let stroke: number[] = [];
  let hover: { x: number; y: number } | undefined;
  const targets = (x: number, y: number): Mask[] => {
    const selected = [...host.selection()].map((id) => host.getShape(id)).filter(isMask);
    if (mode === 'brush') return selected.filter((m) => m.label === host.currentLabel()).slice(0, 1);
    if (selected.length) return selected;
    const hit = host.hitTest(x, y);
    return hit && isMask(hit) ? [hit] : [];
  };
  return {
    name: mode,
    cursor: 'crosshair',
    down(p) {
      if (host.readonly || !host.imageSize) return;
      stroke = [p.x, p.y];
      host.redraw();
    },
    move(p) {
      hover = { x: p.x, y: p.y };
      if (stroke.length) stroke.push(p.x, p.y);
      host.redraw();
    },
    up() {
      const size = host.imageSize;
      if (!stroke.length || !size) return;
      const painted = rasterizeStroke(stroke, host.brushSize, size.width, size.height);
      const diff: Diff = { added: [], updated: [], removed: [] };
      const found = targets(stroke[0] as number, stroke[1] as number);
      stroke = [];
      for (const m of found) {
        const bits = host.masks.mask(m);
        if (bits.length !== painted.length) continue;
        const next = Uint8Array.from(bits);
        let any = false;
        for (let i = 0; i < next.length; i++) {
          if (painted[i]) next[i] = mode === 'brush' ? 1 : 0;
          any ||= next[i] === 1;
        }
        if (any) diff.updated.push([m, { ...m, rle: encodeRLE(next, size.width, size.height) }]);
        else diff.removed.push(m);
      }
      if (mode === 'brush' && !found.length) {
        const added: Shape = {
          id: newShapeId(),
          type: 'mask',
          label: host.currentLabel(),
          rle: encodeRLE(painted, size.width, size.height),
        };
        diff.added.push(added);
        host.commit(diff);
        host.setSelection([added.id]);
      } else host.commit(diff);
      host.redraw();
    },
    paint(g, scale) {
      g.strokeStyle = mode === 'brush' ? host.colorOf(host.currentLabel()) : '#fff';
      g.lineCap = 'round';
      g.lineJoin = 'round';
      if (stroke.length) {
        g.globalAlpha = 0.6;
        g.lineWidth = host.brushSize;
        g.beginPath();
        g.moveTo(stroke[0] as number, stroke[1] as number);
        g.lineTo((stroke[0] as number) + 0.01, stroke[1] as number);
        for (let i = 2; i < stroke.length; i += 2) g.lineTo(stroke[i] as number, stroke[i + 1] as number);
        g.stroke();
        g.globalAlpha = 1;
      }
      if (hover) {
        g.lineWidth = 1 / scale;
        g.beginPath();
        g.arc(hover.x, hover.y, host.brushSize / 2, 0, Math.PI * 2);
        g.stroke();
      }
    },
    cancel() {
      stroke = [];
      host.redraw();
    },
  };
}

const isMask = (s: Shape | undefined): s is Mask => s?.type === 'mask';
