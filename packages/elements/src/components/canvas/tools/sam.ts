import { createCandidate, noSegmenter, type SamPrompt, type SamTool } from './candidate.ts';
import type { ToolHost, ToolPointer } from './types.ts';

export type { SamPrompt, SamResult, SamTool, SamToolHost } from './candidate.ts';
export { SamOutput } from './candidate.ts';

/** A drag shorter than this (screen pixels) is a click. */
const DRAG_PX = 4;

/**
 * `sam`: interactive segmentation. A click adds a positive point, a right-, alt- or shift-click a negative one, a drag
 * sets the box; each prompt re-segments (aborting the one in flight) and shows the result as a candidate over
 * the image. Enter (or the canvas' accept button) commits it; Escape drops it and its prompts.
 */
export function samTool(host: ToolHost): SamTool {
  const points: NonNullable<SamPrompt['points']> = [];
  let box: SamPrompt['box'];
  let start: ToolPointer | undefined;
  let dragBox: SamPrompt['box'];
  const candidate = createCandidate(host, 'sam');

  const reset = () => {
    candidate.clear();
    points.length = 0;
    box = undefined;
    start = undefined;
    dragBox = undefined;
    host.redraw();
  };

  const run = () => {
    const prompt: SamPrompt = { points: [...points], refine: candidate.result !== undefined };
    if (box) prompt.box = { ...box };
    candidate.run(prompt);
  };

  const accept = (): boolean => {
    if (!candidate.result || host.readonly) return false;
    const done = candidate.accept();
    reset();
    return done;
  };

  return {
    name: 'sam',
    cursor: 'crosshair',
    secondaryButton: true,
    get hasCandidate() {
      return candidate.result !== undefined;
    },
    accept,
    down(p) {
      if (!host.segmenter) return host.error(noSegmenter('sam'));
      if (host.readonly) return;
      start = p;
    },
    move(p) {
      if (!start) return;
      if (Math.hypot(p.sx - start.sx, p.sy - start.sy) < DRAG_PX && !dragBox) return;
      dragBox = {
        x: Math.min(start.x, p.x),
        y: Math.min(start.y, p.y),
        width: Math.abs(p.x - start.x),
        height: Math.abs(p.y - start.y),
      };
      host.redraw();
    },
    up(p) {
      const s = start;
      start = undefined;
      if (!s) return;
      if (dragBox && dragBox.width > 0 && dragBox.height > 0) box = dragBox;
      else points.push({ x: p.x, y: p.y, positive: !(p.alt || p.shift || p.secondary) });
      dragBox = undefined;
      run();
    },
    key(e) {
      if (e.key === 'Enter' && candidate.result) return accept();
      if (e.key === 'Escape' && (candidate.result || points.length || box || candidate.pending)) {
        reset();
        return true;
      }
      return false;
    },
    paint(g, scale) {
      candidate.paint(g, scale);
      const color = host.colorOf(host.currentLabel());
      g.save();
      g.lineWidth = 2 / scale;
      const b = dragBox ?? box;
      if (b) {
        g.strokeStyle = color;
        g.setLineDash([4 / scale, 4 / scale]);
        g.strokeRect(b.x, b.y, b.width, b.height);
      }
      g.setLineDash([]);
      for (const pt of points) {
        g.fillStyle = pt.positive ? '#1b9e3e' : '#d62728';
        g.beginPath();
        g.arc(pt.x, pt.y, 5 / scale, 0, Math.PI * 2);
        g.fill();
      }
      g.restore();
    },
    cancel: reset,
  };
}
