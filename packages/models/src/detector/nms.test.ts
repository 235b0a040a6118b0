import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { nms } from './nms.ts';

interface B {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  score: number;
  cls: number;
  ok: boolean;
}

function iou(a: B, b: B): number {
  const w = Math.max(0, Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1));
  const h = Math.max(0, Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1));
  const inter = w * h;
  const union = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter;
  return union > 0 ? inter / union : 0;
}

/** The textbook algorithm: take the best remaining box, drop every remaining box it overlaps, repeat. */
function reference(boxes: B[], thr: number, agnostic: boolean, limit: number, topK: number) {
  let rest = boxes
    .map((b, i) => ({ b, i }))
    .sort((p, q) => q.b.score - p.b.score || p.i - q.i)
    .slice(0, topK);
  const kept: number[] = [];
  const ineligible: number[] = [];
  while (rest.length > 0 && kept.length < limit) {
    const [best, ...others] = rest as [(typeof rest)[0], ...typeof rest];
    (best.b.ok ? kept : ineligible).push(best.i);
    rest = others.filter((o) => !((agnostic || o.b.cls === best.b.cls) && iou(o.b, best.b) > thr));
  }
  return { kept, ineligible };
}

function run(boxes: B[], thr: number, agnostic: boolean, limit: number, topK: number, withEligible: boolean) {
  const flat = new Float32Array(boxes.flatMap((b) => [b.x1, b.y1, b.x2, b.y2]));
  const r = nms(
    flat,
    Float32Array.from(boxes, (b) => b.score),
    Int32Array.from(boxes, (b) => b.cls),
    boxes.length,
    {
      iou: thr,
      classAgnostic: agnostic,
      limit,
      preNmsTopK: topK,
      ...(withEligible ? { eligible: Uint8Array.from(boxes, (b) => (b.ok ? 1 : 0)) } : {}),
    },
  );
  return { kept: [...r.kept], ineligible: [...r.ineligibleKept] };
}

const box = fc
  .record({
    x: fc.integer({ min: 0, max: 60 }),
    y: fc.integer({ min: 0, max: 60 }),
    w: fc.integer({ min: 1, max: 40 }),
    h: fc.integer({ min: 1, max: 40 }),
    // Few distinct scores so that ties happen.
    score: fc.integer({ min: 1, max: 8 }).map((s) => s / 8),
    cls: fc.integer({ min: 0, max: 2 }),
    ok: fc.boolean(),
  })
  .map(({ x, y, w, h, score, cls, ok }) => ({ x1: x, y1: y, x2: x + w, y2: y + h, score, cls, ok }));

describe('detector NMS', () => {
  it('matches the textbook algorithm on random boxes (per class, agnostic, limits, top-k, eligibility)', () => {
    fc.assert(
      fc.property(
        fc.array(box, { maxLength: 60 }),
        fc.constantFrom(0, 0.3, 0.5, 0.7, 1),
        fc.boolean(),
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 1, max: 70 }),
        fc.boolean(),
        (boxes, thr, agnostic, limit, topK, withEligible) => {
          const input = withEligible ? boxes : boxes.map((b) => ({ ...b, ok: true }));
          const expected = reference(input, thr, agnostic, limit, topK);
          assert.deepEqual(run(input, thr, agnostic, limit, topK, withEligible), expected);
        },
      ),
      { numRuns: 400 },
    );
  });

  const b = (x1: number, y1: number, x2: number, y2: number, score: number, cls = 0): B => ({
    x1,
    y1,
    x2,
    y2,
    score,
    cls,
    ok: true,
  });

  it('drops a box overlapping a better one above the threshold, keeps it at or under it', () => {
    // IoU of (0,0,10,10) and (0,0,10,5) is exactly 0.5.
    const boxes = [b(0, 0, 10, 10, 0.9), b(0, 0, 10, 5, 0.8), b(20, 20, 30, 30, 0.7)];
    assert.deepEqual(run(boxes, 0.49, false, 10, 10, false).kept, [0, 2]);
    assert.deepEqual(run(boxes, 0.5, false, 10, 10, false).kept, [0, 1, 2]);
  });

  it('suppresses across classes only when class-agnostic', () => {
    const boxes = [b(0, 0, 10, 10, 0.6, 0), b(1, 0, 11, 10, 0.9, 1)];
    assert.deepEqual(run(boxes, 0.5, false, 10, 10, false).kept, [1, 0]);
    assert.deepEqual(run(boxes, 0.5, true, 10, 10, false).kept, [1]);
  });

  it('lets a suppressed box never suppress others (chains are not transitive)', () => {
    // A suppresses B; B would suppress C, but B is gone, so C stays.
    const boxes = [b(0, 0, 10, 10, 0.9), b(4, 0, 14, 10, 0.8), b(8, 0, 18, 10, 0.7)];
    assert.deepEqual(run(boxes, 0.3, false, 10, 10, false).kept, [0, 2]);
  });

  it('stops at the limit and reads only the top-k candidates', () => {
    const boxes = Array.from({ length: 10 }, (_, i) => b(20 * i, 0, 20 * i + 10, 10, i / 10));
    assert.deepEqual(run(boxes, 0.5, false, 3, 100, false).kept, [9, 8, 7]);
    assert.deepEqual(run(boxes, 0.5, false, 100, 2, false).kept, [9, 8]);
  });
});
