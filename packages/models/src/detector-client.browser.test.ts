import { LabelKitError } from '@labelkit/core';
import { expect } from 'chai';
import type { DetectorManifest } from './detector/manifest.ts';
import { type BrowserDetector, createBrowserDetector } from './detector-client.ts';
import { sha256Hex } from './manifest.ts';

// colourSquaresGraph(320, 200) (squares.test.ts checks the file is what the generator writes): the bounding box
// of each pure red, green and blue region with score 0.9, plus a shifted duplicate (0.8) that NMS removes.
const GRAPH = new URL('./detector/fixtures/colour-squares-320.onnx', import.meta.url).href;
const CLASSES = ['red', 'green', 'blue'];
const WIDTH = 300;
const HEIGHT = 900;
const RECTS = [
  [20, 40, 130, 200],
  [150, 400, 290, 880],
  [10, 700, 60, 890],
] as const;

function squares(): ImageData {
  const data = new Uint8ClampedArray(WIDTH * HEIGHT * 4);
  for (let i = 3; i < data.length; i += 4) data[i] = 255;
  RECTS.forEach(([x1, y1, x2, y2], c) => {
    for (let y = y1; y < y2; y++) for (let x = x1; x < x2; x++) data[(y * WIDTH + x) * 4 + c] = 255;
  });
  return new ImageData(data, WIDTH, HEIGHT);
}

function expectSquares(detections: Awaited<ReturnType<BrowserDetector['detect']>>): void {
  expect(detections.map((d) => d.className)).to.deep.equal(CLASSES);
  // One input pixel of the 320 frame is 900/320 image pixels.
  const tolerance = HEIGHT / 320;
  detections.forEach((d, c) => {
    const [x1, y1, x2, y2] = RECTS[c]!;
    expect(d.score).to.be.closeTo(0.9, 1e-6);
    expect(d.box.x).to.be.closeTo(x1, tolerance);
    expect(d.box.y).to.be.closeTo(y1, tolerance);
    expect(d.box.x + d.box.width).to.be.closeTo(x2, tolerance);
    expect(d.box.y + d.box.height).to.be.closeTo(y2, tolerance);
  });
}

async function rejection(p: Promise<unknown>): Promise<LabelKitError> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(LabelKitError);
    return e as LabelKitError;
  }
  throw new Error('expected a rejection');
}

describe('createBrowserDetector (the detector contract in the model worker)', () => {
  let detector: BrowserDetector;
  let workers = 0;
  before(() => {
    detector = createBrowserDetector({
      modelUrl: GRAPH,
      inputSize: 320,
      classes: CLASSES,
      worker: () => {
        workers++;
        return new Worker(new URL('./worker/decoder-worker.ts', import.meta.url), { type: 'module' });
      },
    });
  });
  after(() => detector.dispose());

  it('starts no worker before the first detect, then finds the known squares at their boxes', async function () {
    this.timeout(60_000);
    expect(workers).to.equal(0);
    expect(detector.backend).to.equal(undefined);
    const detections = await detector.detect(squares());
    expect(workers).to.equal(1);
    expect(detector.backend).to.equal('wasm');
    expect(detector.config).to.deep.equal({ inputSize: 320, classes: CLASSES });
    expectSquares(detections);
  });

  it('takes encoded images and options: a label map keeps and names the mapped classes', async () => {
    const c = document.createElement('canvas');
    c.width = WIDTH;
    c.height = HEIGHT;
    c.getContext('2d')!.putImageData(squares(), 0, 0);
    const png = await new Promise<Blob>((r) => c.toBlob((b) => r(b!), 'image/png'));
    const detections = await detector.detect(png, { labelMap: { red: 'apple', blue: 'berry' } });
    expect(detections.map((d) => [d.className, d.label])).to.deep.equal([
      ['red', 'apple'],
      ['blue', 'berry'],
    ]);
    // A loose IoU threshold lets the shifted duplicates through: NMS ran in the worker.
    expect(await detector.detect(squares(), { iou: 0.99 })).to.have.length(6);
  });

  it('a newer call aborts an older one; an aborted signal rejects with AbortError', async () => {
    const first = detector.detect(squares());
    const second = detector.detect(squares(), { confidence: 0.85 });
    expect((await rejection(first)).code).to.equal('abort');
    expectSquares(await second);
    const controller = new AbortController();
    const third = detector.detect(squares(), {}, controller.signal);
    controller.abort();
    expect((await rejection(third)).code).to.equal('abort');
    // The worker still answers afterwards.
    expectSquares(await detector.detect(squares()));
  });

  it('bad options reject with model/invalid-option and the path', async () => {
    const e = await rejection(detector.detect(squares(), { confidence: 2 }));
    expect([e.name, e.code, e.path]).to.deep.equal(['ModelInputError', 'model/invalid-option', '$.confidence']);
  });
});

describe('createBrowserDetector with a manifest', () => {
  it('runs a manifest whose sha256 matches, and refuses one whose does not', async function () {
    this.timeout(60_000);
    const bytes = new Uint8Array(await (await fetch(GRAPH)).arrayBuffer());
    const manifest: DetectorManifest = {
      id: 'colour-squares',
      contract: 'detector',
      model: { url: GRAPH, sha256: await sha256Hex(bytes) },
      inputSize: 320,
      classes: CLASSES,
      license: 'MIT',
    };
    const good = createBrowserDetector({ manifest, executionProviders: ['wasm'] });
    const bad = createBrowserDetector({ manifest: { ...manifest, model: { url: GRAPH, sha256: '0'.repeat(64) } } });
    try {
      expectSquares(await good.detect(squares()));
      const e = await rejection(bad.detect(squares()));
      expect([e.code, e.path]).to.deep.equal(['model/checksum-mismatch', '$.model.sha256']);
    } finally {
      good.dispose();
      bad.dispose();
    }
  });

  it('checks its options at once: one model source, a valid manifest, inputSize and classes', () => {
    const thrown = (f: () => unknown): LabelKitError => {
      try {
        f();
      } catch (e) {
        expect(e).to.be.instanceOf(LabelKitError);
        return e as LabelKitError;
      }
      throw new Error('expected a throw');
    };
    expect(thrown(() => createBrowserDetector({})).path).to.equal('$');
    expect(thrown(() => createBrowserDetector({ modelUrl: GRAPH, manifest: 'm.json' })).code).to.equal(
      'model/invalid-option',
    );
    expect(thrown(() => createBrowserDetector({ modelUrl: GRAPH, classes: CLASSES })).path).to.equal('$.inputSize');
    expect(thrown(() => createBrowserDetector({ modelUrl: GRAPH, inputSize: 320, classes: [] })).path).to.equal(
      '$.classes',
    );
    const manifest = { id: 'x', contract: 'detector', model: { url: GRAPH, sha256: 'nope' } } as never;
    expect(thrown(() => createBrowserDetector({ manifest })).path).to.equal('$.model.sha256');
  });
});
