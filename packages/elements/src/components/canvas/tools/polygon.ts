import { newShapeId } from '../shape-geometry.ts';
import type { Tool, ToolHost } from './types.ts';

/** Screen pixels within which a click on the first point closes a polygon. */
const CLOSE_PX = 8;

/**
 * `polygon` and `polyline`: each click adds a vertex; a polygon closes on a click on its first point or on Enter
 * (a polyline ends on Enter or on a click on its last point); Backspace removes the last vertex, Escape drops it.
 */
export function polygonTool(host: ToolHost, kind: 'polygon' | 'polyline'): Tool {
  let points: number[] = [];
  let hover: { x: number; y: number } | undefined;
  const min = kind === 'polygon' ? 3 : 2;
  const reset = () => {
    points = [];
    host.redraw();
  };
  const finish = () => {
    if (points.length / 2 >= min)
      host.commit({
        added: [{ id: newShapeId(), type: kind, label: host.currentLabel(), points }],
        updated: [],
        removed: [],
      });
    reset();
  };
  const near = (i: number, x: number, y: number) =>
    points.length > i * 2 &&
    Math.hypot((points[i * 2] as number) - x, (points[i * 2 + 1] as number) - y) * host.scale <= CLOSE_PX;
  return {
    name: kind,
    cursor: 'crosshair',
    down() {},
    move(p) {
      hover = { x: p.x, y: p.y };
      if (points.length) host.redraw();
    },
    up(p) {
      if (host.readonly) return;
      const n = points.length / 2;
      if (kind === 'polygon' && n >= min && near(0, p.x, p.y)) return finish();
      if (kind === 'polyline' && n >= min && near(n - 1, p.x, p.y)) return finish();
      points = [...points, p.x, p.y];
      host.redraw();
    },
    key(e) {
      if (!points.length) return false;
      if (e.key === 'Enter') {
        finish();
        return true;
      }
      if (e.key === 'Backspace') {
        points = points.slice(0, -2);
        host.redraw();
        return true;
      }
      if (e.key === 'Escape') {
        reset();
        return true;
      }
      return false;
    },
    paint(g, scale) {
      if (!points.length) return;
      g.strokeStyle = host.colorOf(host.currentLabel());
      g.fillStyle = g.strokeStyle;
      g.lineWidth = 1.5 / scale;
      g.beginPath();
      g.moveTo(points[0] as number, points[1] as number);
      for (let i = 2; i < points.length; i += 2) g.lineTo(points[i] as number, points[i + 1] as number);
      if (hover) g.lineTo(hover.x, hover.y);
      g.stroke();
      for (let i = 0; i < points.length; i += 2) {
        g.beginPath();
        g.arc(points[i] as number, points[i + 1] as number, (i === 0 ? 5 : 3) / scale, 0, Math.PI * 2);
        g.fill();
      }
    },
    cancel: reset,
  };
}
