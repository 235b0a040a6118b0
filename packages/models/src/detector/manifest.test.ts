import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDetectorManifest } from '@labelkit/models';

const good = {
  id: 'yolo11n',
  contract: 'detector',
  model: { url: 'yolo11n.onnx', sha256: 'a'.repeat(64) },
  inputSize: 640,
  classes: ['person', 'bicycle', 'car'],
  license: 'AGPL-3.0',
};

describe('detector manifests', () => {
  it('reads a manifest, with and without a layout', () => {
    const r = parseDetectorManifest(good);
    assert.ok(r.ok);
    assert.deepEqual(r.value, good);
    const withLayout = parseDetectorManifest({ ...good, layout: 'nms' });
    assert.ok(withLayout.ok && withLayout.value.layout === 'nms');
  });

  it('refuses each bad field with model/invalid-manifest and its path', () => {
    const cases: [unknown, string][] = [
      [[], '$'],
      [{ ...good, id: 'a b' }, '$.id'],
      [{ ...good, contract: 'sam1' }, '$.contract'],
      [{ ...good, model: { url: 'x.onnx', sha256: 'nope' } }, '$.model.sha256'],
      [{ ...good, model: undefined }, '$.model'],
      [{ ...good, inputSize: 600 }, '$.inputSize'],
      [{ ...good, inputSize: '640' }, '$.inputSize'],
      [{ ...good, classes: [] }, '$.classes'],
      [{ ...good, classes: ['a', 7] }, '$.classes[1]'],
      [{ ...good, classes: ['a', 'a'] }, '$.classes[1]'],
      [{ ...good, layout: 'v7' }, '$.layout'],
      [{ ...good, license: undefined }, '$.license'],
    ];
    for (const [x, path] of cases) {
      const r = parseDetectorManifest(x);
      assert.ok(!r.ok, `accepted ${JSON.stringify(x)}`);
      assert.equal(r.error.code, 'model/invalid-manifest');
      assert.equal(r.error.path, path);
    }
  });
});
