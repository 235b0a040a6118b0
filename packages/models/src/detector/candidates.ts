/**
 * Turns a prediction tensor into candidates above the confidence threshold: boxes as x1,y1,x2,y2 in the
 * model input frame, score, class, and the row they came from (to read mask coefficients later).
 */
import { ModelError } from '../manifest.ts';
import type { PredictionShape } from './layout.ts';

export interface Candidates {
  count: number;
  /** x1,y1,x2,y2 per candidate, input frame pixels. */
  boxes: Float32Array;
  scores: Float32Array;
  classes: Int32Array;
  /** Row of the prediction tensor each candidate comes from. */
  rows: Int32Array;
}

class Growing {
  count = 0;
  boxes = new Float32Array(4 * 256);
  scores = new Float32Array(256);
  classes = new Int32Array(256);
  rows = new Int32Array(256);

  /** Adds a box given by centre and size (v8, v5). */
  centre(cx: number, cy: number, w: number, h: number, score: number, cls: number, row: number): void {
    this.push(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2, score, cls, row);
  }

  push(x1: number, y1: number, x2: number, y2: number, score: number, cls: number, row: number): void {
    if (this.count === this.scores.length) this.grow();
    const i = this.count++;
    this.boxes[4 * i] = x1;
    this.boxes[4 * i + 1] = y1;
    this.boxes[4 * i + 2] = x2;
    this.boxes[4 * i + 3] = y2;
    this.scores[i] = score;
    this.classes[i] = cls;
    this.rows[i] = row;
  }

  private grow(): void {
    const n = this.scores.length * 2;
    const boxes = new Float32Array(4 * n);
    boxes.set(this.boxes);
    this.boxes = boxes;
    const scores = new Float32Array(n);
    scores.set(this.scores);
    this.scores = scores;
    const classes = new Int32Array(n);
    classes.set(this.classes);
    this.classes = classes;
    const rows = new Int32Array(n);
    rows.set(this.rows);
    this.rows = rows;
  }

  done(): Candidates {
    return { count: this.count, boxes: this.boxes, scores: this.scores, classes: this.classes, rows: this.rows };
  }
}

/**
 * Candidates with a score strictly above `confidence`. v8: the best class score; v5: objectness times the
 * best class score (rows whose objectness is not above `confidence` are skipped first, as YOLOv5 does);
 * nms: the score column, the class column must be an integer in [0, classes).
 */
export function readCandidates(
  data: Float32Array,
  shape: PredictionShape,
  classes: number,
  confidence: number,
): Candidates {
  const { layout, count: n, features: f } = shape;
  const out = new Growing();
  if (layout === 'v8') {
    // Channel-major: scan each class plane in memory order, keeping the running best per anchor.
    const best = new Float32Array(n).fill(Number.NEGATIVE_INFINITY);
    const bestClass = new Int32Array(n);
    for (let c = 0; c < classes; c++) {
      const base = (4 + c) * n;
      for (let i = 0; i < n; i++) {
        const s = data[base + i]!;
        if (s > best[i]!) {
          best[i] = s;
          bestClass[i] = c;
        }
      }
    }
    for (let i = 0; i < n; i++) {
      const s = best[i]!;
      if (s > confidence) out.centre(data[i]!, data[n + i]!, data[2 * n + i]!, data[3 * n + i]!, s, bestClass[i]!, i);
    }
  } else if (layout === 'v5') {
    for (let i = 0; i < n; i++) {
      const o = i * f;
      const objectness = data[o + 4]!;
      if (!(objectness > confidence)) continue;
      let s = Number.NEGATIVE_INFINITY;
      let cls = 0;
      for (let c = 0; c < classes; c++) {
        const v = data[o + 5 + c]!;
        if (v > s) {
          s = v;
          cls = c;
        }
      }
      s *= objectness;
      if (s > confidence) out.centre(data[o]!, data[o + 1]!, data[o + 2]!, data[o + 3]!, s, cls, i);
    }
  } else {
    for (let i = 0; i < n; i++) {
      const o = i * f;
      const s = data[o + 4]!;
      if (!(s > confidence)) continue;
      const cls = data[o + 5]!;
      if (!Number.isInteger(cls) || cls < 0 || cls >= classes)
        throw new ModelError(
          'model/unexpected-output',
          `Row ${i} of the NMS output has class ${cls}, but the manifest names ${classes} classes`,
        );
      out.push(data[o]!, data[o + 1]!, data[o + 2]!, data[o + 3]!, s, cls, i);
    }
  }
  return out.done();
}

/** Offset and stride of the mask coefficients of row `row` (coefficient k is at `offset + k * stride`). */
export function coefficientsAt(
  shape: PredictionShape,
  classes: number,
  row: number,
): { offset: number; stride: number } {
  switch (shape.layout) {
    case 'v8':
      return { offset: (4 + classes) * shape.count + row, stride: shape.count };
    case 'v5':
      return { offset: row * shape.features + 5 + classes, stride: 1 };
    case 'nms':
      return { offset: row * shape.features + 6, stride: 1 };
  }
}
