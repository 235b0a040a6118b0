import type { Tool, ToolHost, ToolPointer } from './types.ts';

/** `pan`: drag to move the view (also what space+drag and the middle button do with any tool). */
export function panTool(host: ToolHost): Tool {
  let last: ToolPointer | undefined;
  return {
    name: 'pan',
    cursor: 'grab',
    down(p) {
      last = p;
    },
    move(p) {
      if (!last) return;
      host.panBy(p.sx - last.sx, p.sy - last.sy);
      last = p;
    },
    up() {
      last = undefined;
    },
    cancel() {
      last = undefined;
    },
  };
}
