import { newShapeId } from '../shape-geometry.ts';
import type { Tool, ToolHost } from './types.ts';

/** `point`: each click adds a point. */
export function pointTool(host: ToolHost): Tool {
  return {
    name: 'point',
    cursor: 'crosshair',
    down() {},
    move() {},
    up(p) {
      if (host.readonly) return;
      host.commit({
        added: [{ id: newShapeId(), type: 'point', label: host.currentLabel(), x: p.x, y: p.y }],
        updated: [],
        removed: [],
      });
    },
    cancel() {},
  };
}
