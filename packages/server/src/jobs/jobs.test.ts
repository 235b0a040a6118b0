import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AnnotationDocument, Shape } from '@labelkit/core';
import { validateManifest } from '../models/manifest.ts';
import { labelMapOf, parseLabelConfig } from './labelconfig.ts';
import { mergePredictions } from './merge.ts';

const box = (id: string, source?: 'human' | 'model'): Shape => ({
  id,
  type: 'box',
  label: 'cat',
  x: 1,
  y: 2,
  width: 3,
  height: 4,
  ...(source ? { source } : {}),
});

describe('predictions merged into an item', () => {
  const existing: AnnotationDocument = {
    version: 1,
    item: { id: 'a.png', width: 10, height: 10, src: 'a.png' },
    shapes: [box('h', 'human'), box('old', 'model'), box('plain')],
    tags: ['day'],
  };

  it('keeps human shapes and shapes without a source, replaces model shapes, keeps the item and tags', () => {
    const doc = mergePredictions('a.png', existing, { width: 10, height: 10, shapes: [box('new', 'model')] });
    assert.deepEqual(
      doc?.shapes.map((s) => s.id),
      ['h', 'plain', 'new'],
    );
    assert.deepEqual(doc?.item, existing.item);
    assert.deepEqual(doc?.tags, ['day']);
  });

  it('gives a prediction another id when a human shape holds its id', () => {
    const doc = mergePredictions('a.png', existing, { width: 10, height: 10, shapes: [box('h', 'model')] });
    const ids = doc?.shapes.map((s) => s.id) ?? [];
    assert.equal(new Set(ids).size, ids.length);
  });

  it('changes nothing where there is nothing to change', () => {
    assert.equal(mergePredictions('b.png', undefined, { width: 5, height: 5, shapes: [] }), undefined);
    const human = { ...existing, shapes: [box('h', 'human')] };
    assert.equal(mergePredictions('a.png', human, { width: 10, height: 10, shapes: [] }), undefined);
    // Old predictions and no new ones: the old ones go.
    assert.deepEqual(
      mergePredictions('a.png', existing, { width: 10, height: 10, shapes: [] })?.shapes.map((s) => s.id),
      ['h', 'plain'],
    );
  });
});

describe('Label Studio labeling configs', () => {
  it('reads the image and the rectangle and brush controls with predicted_values', () => {
    const c = parseLabelConfig(`<View>
      <Image name="img" value="$photo"/>
      <RectangleLabels name="box" toName="img"><Label value="Car" predicted_values="car, truck"/><Label value="Person &amp; bike"/></RectangleLabels>
    </View>`);
    assert.deepEqual(c.image, { name: 'img', dataKey: 'photo' });
    assert.equal(c.rectangles?.name, 'box');
    assert.equal(c.brushes, undefined);
    assert.deepEqual(
      [...(c.rectangles?.labels ?? [])],
      [
        ['Car', ['car', 'truck']],
        ['Person & bike', ['Person & bike']],
      ],
    );
    assert.deepEqual(labelMapOf([c.rectangles!], ['Truck', 'car', 'dog', 'person & BIKE']), {
      car: 'Car',
      Truck: 'Car',
      'person & BIKE': 'Person & bike',
    });
  });

  it('refuses configs without an image or a supported control, naming $.label_config', () => {
    for (const xml of [
      '',
      '<View><Text name="t" value="$text"/></View>',
      '<View><Image name="i" value="$i"/><Choices name="c" toName="i"/></View>',
      '<View><Image name="i" value="$i"/><RectangleLabels name="r"/></View>',
      42,
    ]) {
      assert.throws(
        () => parseLabelConfig(xml),
        (e: { code: string; path: string }) => e.code === 'labelstudio/invalid-request' && e.path === '$.label_config',
        String(xml),
      );
    }
  });
});

describe('detector manifests in the server configuration', () => {
  const good = {
    id: 'yolo11n',
    contract: 'detector',
    model: { url: 'yolo11n.onnx', sha256: 'A'.repeat(64) },
    inputSize: 640,
    classes: ['person', 'car'],
    license: 'AGPL-3.0',
  };

  it('accepts them, resolving a relative model path against the config file', () => {
    const r = validateManifest(good, '$.models[1]', '/etc/labelkit/labelkit.config.json');
    assert.ok(r.ok && r.value.contract === 'detector');
    assert.equal(r.value.model.url, '/etc/labelkit/yolo11n.onnx');
    assert.equal(r.value.model.sha256, 'a'.repeat(64));
  });

  it('refuses bad ones with the path of the field under the models entry', () => {
    for (const [patch, path] of [
      [{ inputSize: 100 }, '$.models[1].inputSize'],
      [{ classes: [] }, '$.models[1].classes'],
      [{ classes: ['a', 'a'] }, '$.models[1].classes[1]'],
      [{ model: { url: 'ftp://x/y.onnx', sha256: 'a'.repeat(64) } }, '$.models[1].model.url'],
    ] as const) {
      const r = validateManifest({ ...good, ...patch }, '$.models[1]');
      assert.equal(r.ok, false, JSON.stringify(patch));
      if (!r.ok) assert.equal(r.error.path, path, JSON.stringify(patch));
    }
  });
});
