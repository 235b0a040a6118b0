import { newShapeId } from '../shape-geometry.ts';
import type { Tool, ToolHost, ToolPointer } from './types.ts';

/** Below this drag (screen pixels) a press is a click: the box is then drawn by two clicks (or two Enters). */
const CLICK_PX = 4;

/** `box`: drag from corner to corner, or click one corner then the other (what the keyboard cursor does). */
export function boxTool(host: ToolHost): Tool {
  let start: { x: number; y: number } | undefined;
  let end: { x: number; y: number } | undefined;
  let press: ToolPointer | undefined;
  let armed = false;
  const reset = () => {
    start = end = press = undefined;
    armed = false;
    host.redraw();
  };
  const finish = () => {
    if (start && end) {
      const width = Math.abs(end.x - start.x);
      const height = Math.abs(end.y - start.y);
      if (width > 0 && height > 0)
        host.commit({
          added: [
            {
              id: newShapeId(),
              type: 'box',
              label: host.currentLabel(),
              x: Math.min(start.x, end.x),
              y: Math.min(start.y, end.y),
              width,
              height,
            },
          ],
          updated: [],
          removed: [],
        });
    }
    reset();
  };
  return {
    name: 'box',
    cursor: 'crosshair',
    down(p) {
      if (host.readonly) return;
      press = p;
      start ??= { x: p.x, y: p.y };
      end = { x: p.x, y: p.y };
      host.redraw();
    },
    move(p) {
      if (!start) return;
      end = { x: p.x, y: p.y };
      host.redraw();
    },
    up(p) {
      if (!start || !press) return;
      end = { x: p.x, y: p.y };
      const dragged = Math.hypot(p.sx - press.sx, p.sy - press.sy) >= CLICK_PX;
      press = undefined;
      if (dragged || armed) finish();
      else {
        armed = true;
        host.redraw();
      }
    },
    key(e) {
      if (e.key === 'Escape' && start) {
        reset();
        return true;
      }
      return false;
    },
    paint(g, scale) {
      if (!start || !end) return;
      g.setLineDash([4 / scale, 4 / scale]);
      g.lineWidth = 1.5 / scale;
      g.strokeStyle = host.colorOf(host.currentLabel());
      g.strokeRect(start.x, start.y, end.x - start.x, end.y - start.y);
      g.setLineDash([]);
    },
    cancel: reset,
  };
}
