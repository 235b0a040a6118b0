import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { createDetector } from './index.ts';
import { colourSquaresGraph, DUPLICATE_SCORE, SQUARE_SCORE } from './testing/graphs.ts';

/** A black RGBA image with pure red, green and blue rectangles [x1, y1, x2, y2). */
function image(width: number, height: number, rects: [number, number, number, number][]) {
  const data = new Uint8Array(width * height * 4);
  rects.forEach(([x1, y1, x2, y2], c) => {
    for (let y = y1; y < y2; y++)
      for (let x = x1; x < x2; x++) {
        data[(y * width + x) * 4 + c] = 255;
        data[(y * width + x) * 4 + 3] = 255;
      }
  });
  return { data, width, height };
}

describe('detector: an input-dependent YOLOv8-shaped graph (colour squares)', () => {
  const cases: [string, number, number, [number, number, number, number][]][] = [
    [
      '640x360',
      640,
      360,
      [
        [40, 30, 140, 110],
        [300, 200, 420, 350],
        [500, 10, 631, 60],
      ],
    ],
    [
      '300x900',
      300,
      900,
      [
        [20, 40, 130, 200],
        [150, 400, 290, 880],
        [10, 700, 60, 890],
      ],
    ],
  ];
  for (const [name, width, height, rects] of cases) {
    it(`finds each square where it is drawn in a ${name} image, the shifted duplicates removed by NMS`, async () => {
      const session = await ort.InferenceSession.create(colourSquaresGraph(640, 1000));
      const detector = createDetector(session, ort.Tensor, { inputSize: 640, classes: ['red', 'green', 'blue'] });
      const r = await detector.detect(image(width, height, rects));
      assert.deepEqual(
        r.detections.map((d) => [d.className, d.score.toFixed(2)]),
        [
          ['red', SQUARE_SCORE.toFixed(2)],
          ['green', SQUARE_SCORE.toFixed(2)],
          ['blue', SQUARE_SCORE.toFixed(2)],
        ],
      );
      // The graph thresholds the resized image, so its edges are within one input pixel of the true ones.
      const tolerance = Math.max(width, height) / 640;
      r.detections.forEach((d, c) => {
        const [x1, y1, x2, y2] = rects[c]!;
        const got = [d.box.x, d.box.y, d.box.x + d.box.width, d.box.y + d.box.height];
        for (const [k, v] of [x1, y1, x2, y2].entries())
          assert.ok(Math.abs(got[k]! - v) <= tolerance, `${d.className} edge ${k}: ${got[k]} vs ${v}`);
      });
      // With a loose IoU threshold the duplicates come back: NMS, not the graph, removed them.
      const loose = await detector.detect(image(width, height, rects), { iou: 0.99 });
      assert.equal(loose.detections.filter((d) => d.score.toFixed(2) === DUPLICATE_SCORE.toFixed(2)).length, 3);
    });
  }

  it('keeps the browser test fixture equal to what the generator writes', async () => {
    const file = await readFile(new URL('./fixtures/colour-squares-320.onnx', import.meta.url));
    assert.equal(Buffer.compare(file, colourSquaresGraph(320, 200)), 0, 'regenerate the fixture');
  });

  it('finds nothing in an image without pure colours', async () => {
    const session = await ort.InferenceSession.create(colourSquaresGraph(320, 100));
    const detector = createDetector(session, ort.Tensor, { inputSize: 320, classes: ['red', 'green', 'blue'] });
    const grey = { data: new Uint8Array(200 * 100 * 4).fill(100), width: 200, height: 100 };
    assert.deepEqual((await detector.detect(grey)).detections, []);
  });
});
