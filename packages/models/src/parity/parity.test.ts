import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { encodeRLE } from '@labelkit/core';
import { nodeBuiltin } from '../testing/node-decoder.ts';
import { makeScene } from '../testing/synthetic.ts';
import { PARITY_CASES, type ParityFixture } from './cases.ts';

const FIXTURE = new URL('./fixtures/node-masks.json', import.meta.url);

// The fixture is what onnxruntime-node computes today; the browser test holds onnxruntime-web to it. Regenerate with
// LABELKIT_UPDATE_FIXTURES=1 after changing the built-in model (and the browser test then proves the web side).
describe('built-in model: onnxruntime-node masks (the parity fixture)', () => {
  it('computes the fixture masks', async () => {
    const model = await nodeBuiltin();
    const computed: ParityFixture = { cases: [] };
    for (const c of PARITY_CASES) {
      const scene = makeScene(c.spec);
      const embedding = await model.embed(scene.rgba, scene.width, scene.height);
      const r = await model.segment(embedding, c.prompt(scene), scene.width, scene.height);
      const rle = encodeRLE(r.mask, r.width, r.height);
      computed.cases.push({ name: c.name, width: r.width, height: r.height, rle, score: r.score });
    }
    if (process.env.LABELKIT_UPDATE_FIXTURES) writeFileSync(FIXTURE, `${JSON.stringify(computed, null, 2)}\n`);
    const stored = JSON.parse(readFileSync(FIXTURE, 'utf8')) as ParityFixture;
    assert.deepEqual(
      computed.cases.map((c) => ({ ...c, score: Number(c.score.toFixed(5)) })),
      stored.cases.map((c) => ({ ...c, score: Number(c.score.toFixed(5)) })),
    );
    for (const c of stored.cases) assert.ok(c.rle.counts.length > 4, `${c.name}: a real mask, not an empty one`);
  });
});
