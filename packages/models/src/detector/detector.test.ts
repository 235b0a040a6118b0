import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeRLE, LabelKitError, validateDocument } from '@labelkit/core';
import * as ort from 'onnxruntime-node';
import { createDetector, type Detection, type DetectorConfig, detectionsToShapes, postprocess } from './index.ts';
import type { DetectorLayout } from './layout.ts';
import { letterboxTransform } from './letterbox.ts';
import { constantDetectorGraph, type KnownBox, predictionTensor } from './testing/graphs.ts';

const CLASSES = ['person', 'car', 'dog'];

/** The letterbox of each test image in a 640 input, worked out by hand from Ultralytics' LetterBox. */
const FRAMES = {
  '640x360': { width: 640, height: 360, sx: 1, sy: 1, padX: 0, padY: 140 },
  // r = 640/900; width 300r = 213.3 -> 213 columns, left padding round(213.5 - 0.1) = 213.
  '300x900': { width: 300, height: 900, sx: 213 / 300, sy: 640 / 900, padX: 213, padY: 0 },
};
type Frame = (typeof FRAMES)[keyof typeof FRAMES];

interface ImageBox {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  classId: number;
  score: number;
  coefficients?: number[];
}

/** An image-pixel box as the model would output it in the input frame. */
function toInput(f: Frame, b: ImageBox): KnownBox {
  const x1 = b.x1 * f.sx + f.padX;
  const x2 = b.x2 * f.sx + f.padX;
  const y1 = b.y1 * f.sy + f.padY;
  const y2 = b.y2 * f.sy + f.padY;
  return {
    cx: (x1 + x2) / 2,
    cy: (y1 + y2) / 2,
    w: x2 - x1,
    h: y2 - y1,
    classId: b.classId,
    score: b.score,
    objectness: 0.95,
    ...(b.coefficients ? { coefficients: b.coefficients } : {}),
  };
}

async function detectorFor(graph: Uint8Array, config: DetectorConfig) {
  return createDetector(await ort.InferenceSession.create(graph), ort.Tensor, config);
}

const blank = (f: Frame) => ({ data: new Uint8Array(f.width * f.height * 4), width: f.width, height: f.height });

function assertBox(d: Detection | undefined, b: ImageBox, name: string): void {
  assert.ok(d, `${name}: missing`);
  assert.equal(d.classId, b.classId, `${name}: class`);
  assert.equal(d.className, CLASSES[b.classId]);
  assert.ok(Math.abs(d.score - b.score) < 1e-6, `${name}: score ${d.score}`);
  const expected = { x: b.x1, y: b.y1, width: b.x2 - b.x1, height: b.y2 - b.y1 };
  for (const k of ['x', 'y', 'width', 'height'] as const)
    assert.ok(Math.abs(d.box[k] - expected[k]) < 1e-3, `${name}: ${k} ${d.box[k]} != ${expected[k]}`);
}

/** A person, a duplicate of it, a car on the same spot, and a dog under the confidence threshold. */
function scene(f: Frame) {
  const W = f.width;
  const H = f.height;
  const person = { x1: 0.1 * W, y1: 0.1 * H, x2: 0.5 * W, y2: 0.45 * H, classId: 0, score: 0.9 };
  const duplicate = { ...person, x1: person.x1 + 0.01 * W, x2: person.x2 + 0.01 * W, score: 0.85 };
  const car = { ...person, y1: person.y1 + 0.01 * H, classId: 1, score: 0.8 };
  const dog = { x1: 0.6 * W, y1: 0.6 * H, x2: 0.9 * W, y2: 0.9 * H, classId: 2, score: 0.2 };
  return { person, duplicate, car, dog, all: [duplicate, dog, person, car] };
}

describe('detector: generated YOLO-shaped graphs in onnxruntime-node', () => {
  for (const layout of ['v8', 'v5', 'nms'] as const) {
    for (const [name, f] of Object.entries(FRAMES)) {
      it(`${layout} layout, ${name} image: known boxes come out after NMS and un-letterboxing, to 1e-3 px`, async () => {
        const s = scene(f);
        const out = predictionTensor(
          layout,
          s.all.map((b) => toInput(f, b)),
          3,
          50,
        );
        const detector = await detectorFor(constantDetectorGraph(640, out), { inputSize: 640, classes: CLASSES });
        const r = await detector.detect(blank(f));
        assert.equal(r.layout, layout);
        if (layout === 'nms') {
          // NMS in the graph: the duplicate is the export's decision and is not suppressed again.
          assert.equal(r.detections.length, 3);
          assertBox(r.detections[0], s.person, 'person');
          assertBox(r.detections[1], s.duplicate, 'duplicate');
          assertBox(r.detections[2], s.car, 'car');
        } else {
          assert.equal(r.detections.length, 2);
          assertBox(r.detections[0], s.person, 'person');
          assertBox(r.detections[1], s.car, 'car');
        }
        assert.deepEqual(r.dropped, {});
        assert.equal(r.detections[0]?.label, undefined);
      });
    }
  }

  it('class-agnostic NMS, thresholds, max detections and the label map', async () => {
    const f = FRAMES['300x900'];
    const s = scene(f);
    const out = predictionTensor(
      'v8',
      s.all.map((b) => toInput(f, b)),
      3,
      50,
    );
    const detector = await detectorFor(constantDetectorGraph(640, out), { inputSize: 640, classes: CLASSES });
    const image = blank(f);
    const agnostic = await detector.detect(image, { classAgnostic: true });
    assert.deepEqual(
      agnostic.detections.map((d) => d.className),
      ['person'],
    );
    const low = await detector.detect(image, { confidence: 0.1 });
    assert.deepEqual(
      low.detections.map((d) => d.className),
      ['person', 'car', 'dog'],
    );
    const loose = await detector.detect(image, { iou: 0.99 });
    assert.deepEqual(
      loose.detections.map((d) => d.score.toFixed(2)),
      ['0.90', '0.85', '0.80'],
    );
    const defaults = await detector.detect(image, { confidence: undefined });
    assert.equal(defaults.detections.length, 2);
    const one = await detector.detect(image, { maxDetections: 1 });
    assert.equal(one.detections.length, 1);
    const mapped = await detector.detect(image, { confidence: 0.1, labelMap: { person: 'pedestrian', dog: 'animal' } });
    assert.deepEqual(
      mapped.detections.map((d) => [d.className, d.label]),
      [
        ['person', 'pedestrian'],
        ['dog', 'animal'],
      ],
    );
    assert.deepEqual(mapped.dropped, { car: 1 });
    // An unmapped class still suppresses what it overlaps when NMS is class-agnostic: it is what the model saw.
    const carOnly = await detector.detect(image, { classAgnostic: true, labelMap: { car: 'vehicle' } });
    assert.deepEqual(carOnly.detections, []);
    assert.deepEqual(carOnly.dropped, { person: 1 });
  });

  it('refuses outputs that fit no layout, and settles an ambiguous shape with the configured layout', async () => {
    const lb = letterboxTransform(640, 360, 640);
    const out = predictionTensor('v8', [], 3, 20);
    assert.throws(
      () => postprocess({ output0: out }, lb, { inputSize: 640, classes: ['a', 'b'] }),
      (e: unknown) => e instanceof LabelKitError && e.code === 'model/unexpected-output',
    );
    // One class: a YOLOv5 row (5 + 1) and an NMS row (6) have the same length.
    const row = predictionTensor('nms', [{ cx: 50, cy: 190, w: 20, h: 20, classId: 0, score: 0.9 }], 1, 10);
    assert.throws(
      () => postprocess({ output0: row }, lb, { inputSize: 640, classes: ['a'] }),
      (e: unknown) => e instanceof LabelKitError && e.code === 'model/ambiguous-layout',
    );
    const r = postprocess({ output0: row }, lb, { inputSize: 640, classes: ['a'], layout: 'nms' });
    assert.deepEqual(r.detections[0]?.box, { x: 40, y: 40, width: 20, height: 20 });
    const badClass = predictionTensor('nms', [{ cx: 50, cy: 190, w: 20, h: 20, classId: 3, score: 0.9 }], 1, 10);
    assert.throws(
      () => postprocess({ output0: badClass }, lb, { inputSize: 640, classes: ['a'], layout: 'nms' }),
      (e: unknown) => e instanceof LabelKitError && e.code === 'model/unexpected-output',
    );
    assert.throws(
      () =>
        postprocess({ output0: { data: new Float64Array(7 * 20), dims: [1, 7, 20] } }, lb, {
          inputSize: 640,
          classes: CLASSES,
        }),
      (e: unknown) => e instanceof LabelKitError && e.code === 'model/unexpected-output',
    );
  });

  it('refuses outputs without a [1, a, b] prediction, and a config without classes', async () => {
    const lb = letterboxTransform(640, 360, 640);
    assert.throws(
      () =>
        postprocess({ scores: { data: new Float32Array(4), dims: [1, 4] } }, lb, { inputSize: 640, classes: CLASSES }),
      (e: unknown) => e instanceof LabelKitError && e.code === 'model/unexpected-output',
    );
    const session = await ort.InferenceSession.create(constantDetectorGraph(640, predictionTensor('v8', [], 3, 10)));
    assert.throws(
      () => createDetector(session, ort.Tensor, { inputSize: 640, classes: [] }),
      (e: unknown) => e instanceof LabelKitError && e.code === 'model/invalid-option' && e.path === '$.classes',
    );
  });

  it('refuses bad options with a typed error and the path of the option', async () => {
    const detector = await detectorFor(constantDetectorGraph(640, predictionTensor('v8', [], 3, 10)), {
      inputSize: 640,
      classes: CLASSES,
    });
    const image = blank(FRAMES['640x360']);
    for (const [options, path] of [
      [{ confidence: 2 }, '$.confidence'],
      [{ iou: Number.NaN }, '$.iou'],
      [{ maxDetections: 0 }, '$.maxDetections'],
      [{ preNmsTopK: 1.5 }, '$.preNmsTopK'],
      [{ labelMap: { person: 3 } }, '$.labelMap.person'],
      [{ classAgnostic: 'yes' }, '$.classAgnostic'],
    ] as const)
      await assert.rejects(
        detector.detect(image, options as never),
        (e: unknown) => e instanceof LabelKitError && e.code === 'model/invalid-option' && e.path === path,
      );
  });
});

describe('detector: segmentation exports', () => {
  const S = 160;
  const P = S / 4;
  const M = 32;
  /** Prototype 0: +10 on cells x 16-23, y 8-29; prototype 1: +10 on x 20-29, y 20-35; -10 elsewhere; others 0. */
  function prototypes() {
    const data = new Float32Array(M * P * P);
    const rect = (k: number, x0: number, x1: number, y0: number, y1: number) => {
      for (let y = 0; y < P; y++)
        for (let x = 0; x < P; x++) data[k * P * P + y * P + x] = x >= x0 && x < x1 && y >= y0 && y < y1 ? 10 : -10;
    };
    rect(0, 16, 24, 8, 30);
    rect(1, 20, 30, 20, 36);
    return { data, dims: [1, M, P, P] };
  }
  // 300x900 in 160: r = 160/900, 53 columns, left padding round(53.5 - 0.1) = 53.
  const f = { width: 300, height: 900, sx: 53 / 300, sy: 160 / 900, padX: 53, padY: 0 };
  const coefficients = (k: number) => Array.from({ length: M }, (_, i) => (i === k ? 1 : 0));
  const a: ImageBox = { x1: 20, y1: 100, x2: 200, y2: 500, classId: 0, score: 0.9, coefficients: coefficients(0) };
  const b: ImageBox = { x1: 0, y1: 0, x2: 300, y2: 900, classId: 1, score: 0.8, coefficients: coefficients(1) };

  /**
   * The mask by definition: prototype k's logits sampled bilinearly (half-pixel centres, clamped at the border)
   * where each pixel centre lands in the prototype grid through the letterbox, > 0, inside the box.
   */
  function definedMask(box: ImageBox, k: number): Uint8Array {
    const protos = prototypes().data;
    const cell = (x: number, y: number) => protos[k * P * P + y * P + x]!;
    const out = new Uint8Array(f.width * f.height);
    for (let y = 0; y < f.height; y++)
      for (let x = 0; x < f.width; x++) {
        const u = Math.min(Math.max(((x + 0.5) * f.sx + f.padX) / 4 - 0.5, 0), P - 1);
        const v = Math.min(Math.max(((y + 0.5) * f.sy + f.padY) / 4 - 0.5, 0), P - 1);
        const [u0, v0] = [Math.floor(u), Math.floor(v)];
        const [u1, v1] = [Math.min(u0 + 1, P - 1), Math.min(v0 + 1, P - 1)];
        const [fu, fv] = [u - u0, v - v0];
        const logit =
          (cell(u0, v0) * (1 - fu) + cell(u1, v0) * fu) * (1 - fv) + (cell(u0, v1) * (1 - fu) + cell(u1, v1) * fu) * fv;
        const inBox = x + 0.5 >= box.x1 && x + 0.5 < box.x2 && y + 0.5 >= box.y1 && y + 0.5 < box.y2;
        out[y * f.width + x] = logit > 0 && inBox ? 1 : 0;
      }
    return out;
  }

  /** The image rectangle a prototype's cells [x0,x1) x [y0,y1) cover, clipped to the box and the image. */
  function cellRect(box: ImageBox, x0: number, x1: number, y0: number, y1: number) {
    const ix = (X: number) => (X - f.padX) / f.sx;
    const iy = (Y: number) => (Y - f.padY) / f.sy;
    const left = Math.max(ix(4 * x0), box.x1, 0);
    const right = Math.min(ix(4 * x1), box.x2, f.width);
    const top = Math.max(iy(4 * y0), box.y1, 0);
    const bottom = Math.min(iy(4 * y1), box.y2, f.height);
    return { left, right, top, bottom, area: (right - left) * (bottom - top) };
  }

  function assertMask(d: Detection | undefined, expected: Uint8Array, rect: ReturnType<typeof cellRect>, name: string) {
    assert.ok(d?.mask, `${name}: no mask`);
    assert.deepEqual(d.mask.size, [f.height, f.width]);
    const got = decodeRLE(d.mask);
    let diff = 0;
    let area = 0;
    for (let i = 0; i < got.length; i++) {
      if (got[i] !== expected[i]) diff++;
      area += expected[i]!;
    }
    assert.ok(area > 1000, `${name}: the expected mask is not trivial`);
    assert.equal(diff, 0, `${name}: ${diff} pixels differ`);
    // Where the prototype's cells are in the image: the mask is that rectangle but for its rounded corners.
    let inRect = 0;
    let gotArea = 0;
    for (let y = 0; y < f.height; y++)
      for (let x = 0; x < f.width; x++) {
        const on = got[y * f.width + x]!;
        gotArea += on;
        if (on && x + 0.5 > rect.left && x + 0.5 < rect.right && y + 0.5 > rect.top && y + 0.5 < rect.bottom) inRect++;
      }
    assert.equal(inRect, gotArea, `${name}: mask pixels outside the prototype's rectangle`);
    // Counting pixel centres, a rectangle holds its area give or take one row and one column.
    const slack = rect.right - rect.left + rect.bottom - rect.top;
    assert.ok(gotArea > 0.97 * rect.area && gotArea <= rect.area + slack, `${name}: area ${gotArea} vs ${rect.area}`);
  }

  for (const layout of ['v8', 'v5', 'nms'] as DetectorLayout[]) {
    it(`${layout}-seg: masks are the prototypes' regions, cropped to the box, in image pixels (300x900)`, async () => {
      const out = predictionTensor(layout, [toInput(f, a), toInput(f, b)], 3, 30, M);
      const detector = await detectorFor(constantDetectorGraph(S, out, prototypes()), {
        inputSize: S,
        classes: CLASSES,
      });
      const r = await detector.detect(blank(f));
      assert.equal(r.detections.length, 2);
      assertBox(r.detections[0], a, 'a');
      assertBox(r.detections[1], b, 'b');
      assertMask(r.detections[0], definedMask(a, 0), cellRect(a, 16, 24, 8, 30), 'a');
      assertMask(r.detections[1], definedMask(b, 1), cellRect(b, 20, 30, 20, 36), 'b');
      const none = await detector.detect(blank(f), { masks: false });
      assert.equal(none.detections[0]?.mask, undefined);
    });
  }

  it('turns detections into valid model shapes: a mask (and optionally its box) with the score', async () => {
    const out = predictionTensor('v8', [toInput(f, a)], 3, 30, M);
    const detector = await detectorFor(constantDetectorGraph(S, out, prototypes()), { inputSize: S, classes: CLASSES });
    const { detections } = await detector.detect(blank(f), { labelMap: { person: 'pedestrian' } });
    let n = 0;
    const shapes = detectionsToShapes(detections, { masks: 'both', newId: () => `s${n++}` });
    assert.deepEqual(
      shapes.map((s) => [s.id, s.type, s.label, s.source, s.score?.toFixed(2)]),
      [
        ['s0', 'box', 'pedestrian', 'model', '0.90'],
        ['s1', 'mask', 'pedestrian', 'model', '0.90'],
      ],
    );
    assert.deepEqual(
      detectionsToShapes(detections).map((s) => s.type),
      ['mask'],
    );
    const doc = { version: 1, item: { id: 'i', width: f.width, height: f.height }, shapes };
    const valid = validateDocument(doc);
    assert.ok(valid.ok, valid.ok ? '' : valid.error.message);
  });
});
