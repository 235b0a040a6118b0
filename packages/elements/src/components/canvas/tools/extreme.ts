import { createCandidate, noSegmenter, type SamPrompt, type SamTool } from './candidate.ts';
import type { ToolHost } from './types.ts';

/** Extreme points per object: top, bottom, left and right, in any order. */
const POINTS = 4;
/** The box the points span grows by this fraction of its size on each side, as DEXTR relaxes its crop. */
const MARGIN = 0.02;

type Point = { x: number; y: number };

/** The box the extreme points span, grown by MARGIN (at least one pixel) and kept inside the image. */
export function extremeBox(
  points: readonly Point[],
  image: { width: number; height: number } | undefined,
): NonNullable<SamPrompt['box']> {
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  // Points on one line still give a box with an area (the segmenter refuses empty boxes).
  const mx = Math.max(1, (x1 - x0) * MARGIN);
  const my = Math.max(1, (y1 - y0) * MARGIN);
  const left = Math.max(0, x0 - mx);
  const top = Math.max(0, y0 - my);
  const right = image ? Math.min(image.width, x1 + mx) : x1 + mx;
  const bottom = image ? Math.min(image.height, y1 + my) : y1 + my;
  return { x: left, y: top, width: right - left, height: bottom - top };
}

/**
 * `extreme`: DEXTR-style extreme points. Four clicks on the object's top, bottom, left and right extremes (any
 * order) prompt the segmenter with the box they span (grown by 2%) and the four points as positive points; the
 * result is a candidate as with `sam` (Enter or the accept button commits it, Escape drops it). Backspace removes
 * the last point; a click once the four are placed moves the nearest of them there and segments again.
 */
export function extremeTool(host: ToolHost): SamTool {
  const points: Point[] = [];
  const candidate = createCandidate(host, 'extreme');

  const reset = () => {
    candidate.clear();
    points.length = 0;
    host.redraw();
  };

  const run = () => {
    candidate.run({
      points: points.map((p) => ({ x: p.x, y: p.y, positive: true })),
      box: extremeBox(points, host.imageSize),
      refine: false,
    });
  };

  const accept = (): boolean => {
    if (!candidate.result || host.readonly) return false;
    const done = candidate.accept();
    reset();
    return done;
  };

  /** Clicks outside the image still mark its edge: an object cut by the border has its extreme there. */
  const clamp = (p: Point): Point => {
    const size = host.imageSize;
    if (!size) return { x: p.x, y: p.y };
    return { x: Math.min(size.width, Math.max(0, p.x)), y: Math.min(size.height, Math.max(0, p.y)) };
  };

  return {
    name: 'extreme',
    cursor: 'crosshair',
    get hasCandidate() {
      return candidate.result !== undefined;
    },
    accept,
    down() {
      if (!host.segmenter) host.error(noSegmenter('extreme'));
    },
    move() {},
    up(p) {
      if (!host.segmenter || host.readonly) return;
      const at = clamp(p);
      if (points.length < POINTS) points.push(at);
      else {
        let nearest = 0;
        points.forEach((q, i) => {
          const best = points[nearest] as Point;
          if (Math.hypot(q.x - at.x, q.y - at.y) < Math.hypot(best.x - at.x, best.y - at.y)) nearest = i;
        });
        points[nearest] = at;
      }
      if (points.length === POINTS) run();
      host.redraw();
    },
    key(e) {
      if (e.key === 'Enter' && candidate.result) return accept();
      // Enter at the keyboard cursor must not move a point while the four are being segmented.
      if (e.key === 'Enter' && candidate.pending) return true;
      if (e.key === 'Escape' && (points.length || candidate.result || candidate.pending)) {
        reset();
        return true;
      }
      if (e.key === 'Backspace' && points.length) {
        candidate.clear();
        points.pop();
        host.redraw();
        return true;
      }
      return false;
    },
    paint(g, scale) {
      candidate.paint(g, scale);
      if (!points.length) return;
      g.save();
      if (points.length === POINTS) {
        const b = extremeBox(points, host.imageSize);
        g.strokeStyle = host.colorOf(host.currentLabel());
        g.lineWidth = 1.5 / scale;
        g.setLineDash([4 / scale, 4 / scale]);
        g.strokeRect(b.x, b.y, b.width, b.height);
        g.setLineDash([]);
      }
      g.lineWidth = 2 / scale;
      g.strokeStyle = '#fff';
      g.fillStyle = '#1b9e3e';
      for (const p of points) {
        g.beginPath();
        g.arc(p.x, p.y, 5 / scale, 0, Math.PI * 2);
        g.fill();
        g.stroke();
      }
      g.restore();
    },
    cancel: reset,
  };
}
