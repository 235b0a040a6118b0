import { expect } from 'chai';
import * as ort from 'onnxruntime-web/wasm';
import { createDetector } from './index.ts';

// The same contract code over onnxruntime-web (single-threaded WASM) in Chromium: the session and Tensor are
// the only runtime-specific parts. The graph is colourSquaresGraph(320, 200), written by Node (onnx-proto is
// CommonJS, which the test server does not serve); squares.test.ts checks the file is what the generator writes.
describe('detector in the browser (onnxruntime-web)', () => {
  it('finds the red, green and blue squares of a 300x900 image', async function () {
    this.timeout(60_000);
    ort.env.wasm.numThreads = 1;
    const graph = await (await fetch(new URL('./fixtures/colour-squares-320.onnx', import.meta.url))).arrayBuffer();
    const session = await ort.InferenceSession.create(new Uint8Array(graph));
    const detector = createDetector(session, ort.Tensor, { inputSize: 320, classes: ['red', 'green', 'blue'] });
    const width = 300;
    const height = 900;
    const rects = [
      [20, 40, 130, 200],
      [150, 400, 290, 880],
      [10, 700, 60, 890],
    ];
    const data = new Uint8ClampedArray(width * height * 4);
    rects.forEach(([x1, y1, x2, y2], c) => {
      for (let y = y1!; y < y2!; y++) for (let x = x1!; x < x2!; x++) data[(y * width + x) * 4 + c] = 255;
    });
    const r = await detector.detect(new ImageData(data, width, height));
    expect(r.detections.map((d) => d.className)).to.deep.equal(['red', 'green', 'blue']);
    // One input pixel of the 320 frame is 900/320 image pixels.
    const tolerance = height / 320;
    r.detections.forEach((d, c) => {
      const [x1, y1, x2, y2] = rects[c]!;
      expect(d.box.x).to.be.closeTo(x1!, tolerance);
      expect(d.box.y).to.be.closeTo(y1!, tolerance);
      expect(d.box.x + d.box.width).to.be.closeTo(x2!, tolerance);
      expect(d.box.y + d.box.height).to.be.closeTo(y2!, tolerance);
    });
  });
});
