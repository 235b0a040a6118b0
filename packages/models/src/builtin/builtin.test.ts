import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CONTRACTS, parseManifest, sha256Hex } from '@labelkit/models';
import onnxProto from 'onnx-proto';
import { nextClick } from '../testing/clicker.ts';
import { nodeBuiltin } from '../testing/node-decoder.ts';
import { makeScene, makeTouchingScene, maskIoU } from '../testing/synthetic.ts';
import { buildDecoder, buildEncoder, writeBuiltinModel } from './index.ts';

type Io = { name: string; dims: (number | string)[] };
function graphIo(bytes: Uint8Array): { inputs: Io[]; outputs: Io[] } {
  const model = onnxProto.onnx.ModelProto.decode(bytes);
  const io = (v: onnxProto.onnx.IValueInfoProto) => ({
    name: v.name ?? '',
    dims: (v.type?.tensorType?.shape?.dim ?? []).map((d) => (d.dimParam ? d.dimParam : Number(d.dimValue))),
  });
  return { inputs: (model.graph?.input ?? []).map(io), outputs: (model.graph?.output ?? []).map(io) };
}

describe('built-in model graphs', () => {
  it('the encoder has the sam1 input and output', () => {
    const { inputs, outputs } = graphIo(buildEncoder());
    assert.deepEqual(inputs, [{ name: 'image', dims: [1, 3, 1024, 1024] }]);
    assert.deepEqual(outputs, [{ name: 'image_embeddings', dims: CONTRACTS.sam1.encoderOutputs.image_embeddings }]);
  });

  it('the decoder has the sam1 inputs and outputs, N dynamic', () => {
    const { inputs, outputs } = graphIo(buildDecoder());
    assert.deepEqual(inputs, [
      { name: 'image_embeddings', dims: [1, 256, 64, 64] },
      { name: 'point_coords', dims: [1, 'num_points', 2] },
      { name: 'point_labels', dims: [1, 'num_points'] },
      { name: 'mask_input', dims: [1, 1, 256, 256] },
      { name: 'has_mask_input', dims: [1] },
      { name: 'orig_im_size', dims: [2] },
    ]);
    assert.deepEqual(
      inputs.map((i) => i.name),
      CONTRACTS.sam1.decoderInputs,
    );
    assert.deepEqual(outputs.map((o) => o.name).sort(), [...CONTRACTS.sam1.decoderOutputs].sort());
    assert.deepEqual(outputs.find((o) => o.name === 'low_res_masks')?.dims, [1, 1, 256, 256]);
  });

  it('writeBuiltinModel writes both graphs and a manifest whose checksums match', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'labelkit-builtin-'));
    const files = await writeBuiltinModel(dir);
    const manifest = parseManifest(JSON.parse(await readFile(files.manifest, 'utf8')));
    assert.ok(manifest.ok);
    assert.equal(manifest.value.id, 'builtin');
    assert.equal(manifest.value.contract, 'sam1');
    assert.equal(await sha256Hex(await readFile(files.encoder)), files.sha256.encoder);
    assert.equal(await sha256Hex(await readFile(files.decoder)), manifest.value.decoder.sha256);
  });

  it('the committed models/builtin files are what the generator writes now', async () => {
    const dir = new URL('../../models/builtin/', import.meta.url);
    const manifest = JSON.parse(await readFile(new URL('manifest.json', dir), 'utf8'));
    assert.equal(
      await sha256Hex(buildDecoder()),
      manifest.decoder.sha256,
      'run `pnpm --filter @labelkit/models generate`',
    );
    assert.equal(await sha256Hex(await readFile(new URL('decoder.onnx', dir))), manifest.decoder.sha256);
  });
});

describe('built-in model quality (onnxruntime-node, synthetic scenes)', () => {
  const scenes = Array.from({ length: 12 }, (_, seed) => makeScene({ seed }));

  it('one positive click inside a shape gives IoU >= 0.9 on most scenes', async () => {
    const model = await nodeBuiltin();
    const ious: number[] = [];
    for (const s of scenes) {
      const e = await model.embed(s.rgba, s.width, s.height);
      const r = await model.segment(
        e,
        { points: [{ x: s.inside[0], y: s.inside[1], positive: true }] },
        s.width,
        s.height,
      );
      assert.equal(r.mask.length, s.width * s.height);
      ious.push(maskIoU(r.mask, s.truth));
    }
    const good = ious.filter((v) => v >= 0.9).length;
    assert.ok(good >= scenes.length * 0.8, `IoU >= 0.9 on ${good}/${scenes.length}: ${ious.map((v) => v.toFixed(3))}`);
  });

  it('a box alone gives IoU >= 0.9 and nothing outside the box', async () => {
    const model = await nodeBuiltin();
    let good = 0;
    for (const s of scenes) {
      const e = await model.embed(s.rgba, s.width, s.height);
      const [x0, y0, x1, y1] = s.box;
      const box = { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
      const r = await model.segment(e, { box }, s.width, s.height);
      if (maskIoU(r.mask, s.truth) >= 0.9) good++;
      for (let i = 0; i < r.mask.length; i++) {
        if (!r.mask[i]) continue;
        const x = i % s.width;
        const y = Math.floor(i / s.width);
        assert.ok(
          x >= x0 - 1 && x <= x1 && y >= y0 - 1 && y <= y1,
          `${s.name}: mask pixel (${x}, ${y}) outside the box`,
        );
      }
    }
    assert.ok(good >= scenes.length * 0.8, `box IoU >= 0.9 on ${good}/${scenes.length}`);
  });

  it('a negative click removes a wrongly included touching region', async () => {
    const model = await nodeBuiltin();
    for (const seed of [1, 2, 3]) {
      const s = makeTouchingScene(seed);
      const e = await model.embed(s.rgba, s.width, s.height);
      const click = { x: s.inside[0], y: s.inside[1], positive: true };
      const first = await model.segment(e, { points: [click] }, s.width, s.height);
      const [dx, dy] = s.distractor;
      assert.equal(first.mask[dy * s.width + dx], 1, `${s.name}: one click should take the touching region too`);
      assert.ok(maskIoU(first.mask, s.truth) < 0.9);
      const second = await model.segment(
        e,
        { points: [click, { x: dx, y: dy, positive: false }] },
        s.width,
        s.height,
        first.lowRes,
      );
      assert.equal(second.mask[dy * s.width + dx], 0, `${s.name}: the negative click's region is still in`);
      assert.ok(maskIoU(second.mask, s.truth) >= 0.9, `${s.name}: IoU ${maskIoU(second.mask, s.truth)}`);
    }
  });

  it('the standard clicker reaches IoU 0.9 within 3 clicks on every scene', async () => {
    const model = await nodeBuiltin();
    for (const s of scenes.slice(0, 6)) {
      const e = await model.embed(s.rgba, s.width, s.height);
      const points: { x: number; y: number; positive: boolean }[] = [];
      let mask: Uint8Array = new Uint8Array(s.width * s.height);
      let previous: Float32Array | undefined;
      let clicks = 0;
      while (maskIoU(mask, s.truth) < 0.9 && clicks < 3) {
        const c = nextClick(mask, s.truth, s.width, s.height);
        assert.ok(c);
        points.push(c);
        clicks++;
        const r = await model.segment(e, { points }, s.width, s.height, previous);
        mask = r.mask;
        previous = r.lowRes;
      }
      assert.ok(maskIoU(mask, s.truth) >= 0.9, `${s.name} after ${clicks} clicks: ${maskIoU(mask, s.truth)}`);
    }
  });

  it('undoes the resize and padding exactly on a wide image (mask inside the box)', async () => {
    const model = await nodeBuiltin();
    const s = makeScene({ seed: 3, width: 1000, height: 300 });
    const e = await model.embed(s.rgba, s.width, s.height);
    const box = { x: 600, y: 40, width: 250, height: 200 };
    const r = await model.segment(e, { box }, s.width, s.height);
    assert.equal(r.width, 1000);
    assert.equal(r.height, 300);
    let inside = 0;
    for (let i = 0; i < r.mask.length; i++) {
      if (!r.mask[i]) continue;
      const x = i % s.width;
      const y = Math.floor(i / s.width);
      assert.ok(x >= 599 && x <= 850 && y >= 39 && y <= 240, `mask pixel (${x}, ${y}) outside the box`);
      inside++;
    }
    assert.ok(inside > 0, 'the box prompt gave an empty mask');
  });
});
