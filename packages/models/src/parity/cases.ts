/**
 * Prompts on synthetic scenes whose masks onnxruntime-node computes (parity.test.ts, which also writes the fixture)
 * and onnxruntime-web must reproduce in the browser (parity.browser.test.ts): the built-in model gives the same
 * masks on both runtimes.
 */
import type { Prompt } from '../prompt.ts';
import type { makeScene, SceneSpec } from '../testing/synthetic.ts';

export interface ParityCase {
  name: string;
  spec: SceneSpec;
  prompt(scene: ReturnType<typeof makeScene>): Prompt;
}

export const PARITY_CASES: ParityCase[] = [
  {
    name: 'click inside a flat disc',
    spec: { seed: 11, shape: 'disc', texture: 'flat', noise: 4 },
    prompt: (s) => ({ points: [{ x: s.inside[0], y: s.inside[1], positive: true }] }),
  },
  {
    name: 'box around a striped rectangle on a non-square image',
    spec: { seed: 12, shape: 'rect', texture: 'stripes', noise: 6, width: 500, height: 260 },
    prompt: (s) => ({ box: { x: s.box[0], y: s.box[1], width: s.box[2] - s.box[0], height: s.box[3] - s.box[1] } }),
  },
  {
    name: 'positive and negative clicks on a checkered triangle',
    spec: { seed: 13, shape: 'triangle', texture: 'checker', noise: 8 },
    prompt: (s) => ({
      points: [
        { x: s.inside[0], y: s.inside[1], positive: true },
        { x: 4, y: 4, positive: false },
      ],
    }),
  },
];

/** The fixture: per case, the node mask as COCO RLE and the score. */
export interface ParityFixture {
  cases: {
    name: string;
    width: number;
    height: number;
    rle: { size: [number, number]; counts: string };
    score: number;
  }[];
}
