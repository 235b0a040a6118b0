/**
 * Detector contract (issue 11) on CPU, onnxruntime-node:
 * - `detect`: one `detect()` of a 1280x720 image (letterbox, model, decode, NMS, un-letterbox) through the
 *   generated colour-squares graph at 640 (YOLOv8 layout, 3 classes, 8400 anchors; 3 detections per image),
 *   and the letterbox alone.
 * - `postprocess`: decoding a YOLOv8-sized output ([1, 84, 8400], 80 classes) with 600 candidates above the
 *   threshold, and the same with 32 mask coefficients and [1,32,160,160] prototypes (20 masks, 1280x720).
 * - `nms`: 10,000 candidate boxes (80 classes, clustered so that most are suppressed), stopping at 300 kept, and
 *   with no limit (every candidate compared with every kept box: the worst case the pre-NMS top-k bounds).
 */
import { letterbox, letterboxTransform, nms, postprocess } from '../../packages/models/src/detector/index.ts';
import {
  colourSquaresGraph,
  type KnownBox,
  predictionTensor,
} from '../../packages/models/src/detector/testing/graphs.ts';
import { nodeDetector } from '../../packages/models/src/detector/testing/node.ts';
import { suite } from '../harness.ts';

let seed = 11;
const random = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;

function squaresImage(width: number, height: number) {
  const data = new Uint8Array(width * height * 4);
  const rects = [
    [100, 80, 400, 300],
    [600, 200, 900, 650],
    [1000, 50, 1250, 400],
  ];
  rects.forEach(([x1, y1, x2, y2], c) => {
    for (let y = y1!; y < y2!; y++) for (let x = x1!; x < x2!; x++) data[(y * width + x) * 4 + c] = 255;
  });
  return { data, width, height };
}

function candidates(n: number, classes: number, coefficients = 0): KnownBox[] {
  // Clusters of boxes around 60 objects: what a real head outputs around each object.
  const objects = Array.from({ length: 60 }, () => ({
    cx: random() * 640,
    cy: random() * 640,
    s: 20 + random() * 150,
  }));
  return Array.from({ length: n }, (_, i) => {
    const o = objects[i % objects.length]!;
    return {
      cx: o.cx + (random() - 0.5) * 10,
      cy: o.cy + (random() - 0.5) * 10,
      w: o.s * (0.9 + random() * 0.2),
      h: o.s * (0.9 + random() * 0.2),
      classId: (i % objects.length) % classes,
      score: 0.3 + random() * 0.7,
      ...(coefficients ? { coefficients: Array.from({ length: coefficients }, () => random() - 0.5) } : {}),
    };
  });
}

const COCO = Array.from({ length: 80 }, (_, i) => `class${i}`);

function nmsInput(n: number) {
  const boxes = candidates(n, 80);
  return {
    boxes: new Float32Array(boxes.flatMap((b) => [b.cx - b.w / 2, b.cy - b.h / 2, b.cx + b.w / 2, b.cy + b.h / 2])),
    scores: Float32Array.from(boxes, (b) => b.score),
    classes: Int32Array.from(boxes, (b) => b.classId),
  };
}

suite('models detector', [
  {
    name: 'detect 1280x720, colour-squares graph at 640 (onnxruntime-node CPU)',
    async setup() {
      return {
        detector: await nodeDetector(colourSquaresGraph(640, 8400), { inputSize: 640, classes: ['r', 'g', 'b'] }),
        image: squaresImage(1280, 720),
      };
    },
    run: ({ detector, image }) => detector.detect(image),
    units: { count: 1, name: 'images' },
  },
  {
    name: 'letterbox 1280x720 into 640 (the preprocessing of detect)',
    setup: () => squaresImage(1280, 720),
    run: (image: ReturnType<typeof squaresImage>) => letterbox(image.data, image.width, image.height, 640),
    units: { count: 1, name: 'images' },
  },
  {
    name: 'postprocess [1,84,8400], 600 candidates',
    setup: () => {
      const boxes = candidates(600, 80);
      return { out: predictionTensor('v8', boxes, 80, 8400), lb: letterboxTransform(1280, 720, 640) };
    },
    run: ({ out, lb }) => postprocess({ output0: out }, lb, { inputSize: 640, classes: COCO }),
    units: { count: 1, name: 'images' },
  },
  {
    name: 'postprocess seg [1,116,8400] + protos, 20 masks 1280x720',
    setup: () => {
      seed = 5;
      const boxes = candidates(20, 20, 32).map((b, i) => ({ ...b, classId: i }));
      const protos = {
        data: Float32Array.from({ length: 32 * 160 * 160 }, () => random() - 0.5),
        dims: [1, 32, 160, 160],
      };
      return {
        outputs: { output0: predictionTensor('v8', boxes, 80, 8400, 32), output1: protos },
        lb: letterboxTransform(1280, 720, 640),
      };
    },
    run: ({ outputs, lb }) => postprocess(outputs, lb, { inputSize: 640, classes: COCO }, { classAgnostic: false }),
    units: { count: 20, name: 'masks' },
  },
  {
    name: 'nms 10,000 candidates, 80 classes, limit 300',
    setup: () => nmsInput(10_000),
    run: ({ boxes, scores, classes }) =>
      nms(boxes, scores, classes, 10_000, { iou: 0.7, classAgnostic: false, limit: 300, preNmsTopK: 30_000 }),
    units: { count: 10_000, name: 'boxes' },
  },
  {
    name: 'nms 10,000 candidates, class-agnostic, no limit',
    setup: () => nmsInput(10_000),
    run: ({ boxes, scores, classes }) =>
      nms(boxes, scores, classes, 10_000, { iou: 0.7, classAgnostic: true, limit: 10_000, preNmsTopK: 30_000 }),
    units: { count: 10_000, name: 'boxes' },
  },
]);
