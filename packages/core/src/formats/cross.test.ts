/** Conversions between formats keep what both hold and report the rest. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Dataset, formats, rleArea, type Shape } from '@labelkit/core';
import { assertClose, byLabelName, fixture, rounded } from './fixtures/helpers.ts';

/** Shapes without ids (ids are renumbered by formats that have none), labels by name, numbers rounded. */
function content(d: Dataset, digits = 6) {
  const n = byLabelName(d);
  return rounded(
    n.items.map((doc) => ({
      item: doc.item.id,
      size: [doc.item.width, doc.item.height],
      shapes: doc.shapes.map(({ id: _id, ...rest }) => rest),
    })),
    digits,
  );
}

describe('cross-format conversions', () => {
  it('CVAT -> COCO -> CVAT keeps boxes, rotations, masks and attributes, and reports the tags', async () => {
    const files = await fixture('cvat/fixtures');
    const a = formats.cvat.parse({ 'annotations.xml': files['urban-scene.xml'] as string });
    assert.ok(a.ok);
    const toCoco = formats.coco.serialize(a.value.dataset);
    assert.deepEqual(
      toCoco.fidelity.map((f) => [f.code, f.itemId]),
      a.value.dataset.items.map((d) => ['tags-dropped', d.item.id]),
    );
    const viaCoco = formats.coco.parse(toCoco.files);
    assert.ok(viaCoco.ok, viaCoco.ok ? '' : viaCoco.error.message);
    const back = formats.cvat.parse(formats.cvat.serialize(viaCoco.value.dataset).files);
    assert.ok(back.ok, back.ok ? '' : back.error.message);
    const withoutTags = a.value.dataset.items.map(({ tags: _t, ...doc }) => doc);
    assert.deepEqual(content(back.value.dataset), content({ ...a.value.dataset, items: withoutTags }));
    assert.deepEqual(
      back.value.dataset.labels.map((l) => l.name),
      a.value.dataset.labels.map((l) => l.name),
    );
  });

  it('Label Studio -> YOLO -> Label Studio keeps rotated boxes and polygons, and reports the brush', async () => {
    const files = await fixture('labelstudio/fixtures');
    for (const name of ['rotated-rectangles.json', 'polygons.json', 'brush-mask2rle.json']) {
      const a = formats.labelstudio.parse({ [name]: files[name] as string });
      assert.ok(a.ok);
      const y = formats.yolo.serialize(a.value.dataset);
      const sizes = Object.fromEntries(
        a.value.dataset.items.map((d) => [d.item.id, { width: d.item.width, height: d.item.height }]),
      );
      const viaYolo = formats.yolo.parse(y.files, { imageSizes: sizes });
      assert.ok(viaYolo.ok, viaYolo.ok ? '' : viaYolo.error.message);
      const ls = formats.labelstudio.serialize(viaYolo.value.dataset);
      const back = formats.labelstudio.parse(ls.files, { imageSizes: sizes });
      assert.ok(back.ok, back.ok ? '' : back.error.message);
      const masks = a.value.dataset.items.flatMap((d) => d.shapes.filter((s: Shape) => s.type === 'mask'));
      assert.deepEqual(
        y.fidelity.map((f) => [f.code, f.shapeId]),
        masks.map((m) => ['mask-as-polygon', m.id]),
        name,
      );
      if (masks.length) {
        // The brush comes back as the traced outlines of its two blobs, topmost first: the 8x3 rectangle as
        // 4 corners, which YOLO's 9-value lines read as a box, then the ellipse as a polygon.
        const shapes = back.value.dataset.items[0]?.shapes ?? [];
        assert.deepEqual(
          shapes.map((s) => s.type),
          ['box', 'polygon'],
        );
        assertClose(
          shapes[0] && shapes[0].type === 'box' ? [shapes[0].x, shapes[0].y, shapes[0].width, shapes[0].height] : [],
          [30, 2, 8, 3],
          1e-4,
        );
        continue;
      }
      // YOLO keeps 8 decimals of normalized coordinates: within 1e-5 px on these images.
      assertClose(content(back.value.dataset, 9), content(a.value.dataset, 9), 1e-4);
    }
  });

  it('COCO -> VOC keeps boxes and names what became a box', async () => {
    const files = await fixture('coco/fixtures');
    const a = formats.coco.parse({ 'c.json': files['urban-scene-cvat-coco.json'] as string });
    assert.ok(a.ok);
    const out = formats.voc.serialize(a.value.dataset);
    const shapes = a.value.dataset.items.flatMap((d) => d.shapes);
    const codes = out.fidelity.map((f) => f.code);
    assert.equal(codes.filter((c) => c === 'shape-as-box').length, shapes.filter((s) => s.type === 'mask').length);
    assert.equal(
      codes.filter((c) => c === 'rotation-dropped').length,
      shapes.filter((s) => s.type === 'box' && s.rotation).length,
    );
    const back = formats.voc.parse(out.files);
    assert.ok(back.ok);
    assert.equal(back.value.dataset.items.flatMap((d) => d.shapes).length, shapes.length);
  });
});

describe('detect', () => {
  it('recognizes every fixture and nothing else', async () => {
    const cases: [string, string][] = [
      ['cvat/fixtures', 'cvat'],
      ['coco/fixtures', 'coco'],
      ['voc/fixtures', 'voc'],
      ['labelstudio/fixtures', 'labelstudio'],
      ['yolo/fixtures/detection', 'yolo'],
      ['yolo/fixtures/oriented_boxes', 'yolo'],
    ];
    for (const [dir, name] of cases) {
      const files = await fixture(dir);
      delete files['SOURCES.md'];
      assert.equal(formats.detect(files), name, dir);
    }
    assert.equal(formats.detect({ 'a.txt': 'hello', 'b.json': '{"x": 1}', 'c.xml': '<svg/>' }), undefined);
    assert.equal(
      formats.detect({ 'x.xml': new TextEncoder().encode('<?xml version="1.0"?><!-- c --><annotation/>') }),
      'voc',
    );
  });
});

describe('polygons with holes', () => {
  const ring: Dataset = {
    labels: [{ id: 'd', name: 'donut', color: '#fa0' }],
    items: [
      {
        version: 1,
        item: { id: 'a.png', width: 12, height: 12 },
        shapes: [
          {
            type: 'polygon',
            id: '1',
            label: 'd',
            points: [1, 1, 11, 1, 11, 11, 1, 11],
            holes: [[4, 4, 8, 4, 8, 8, 4, 8]],
          },
        ],
      },
    ],
  };

  it('become exact masks in COCO, CVAT and Label Studio (100 - 16 = 84 pixels)', () => {
    for (const name of ['coco', 'cvat', 'labelstudio'] as const) {
      const out = formats[name].serialize(ring);
      assert.deepEqual(
        out.fidelity.map((f) => [f.code, f.shapeId]),
        [['polygon-as-mask', '1']],
        name,
      );
      const back = formats[name].parse(out.files);
      assert.ok(back.ok, back.ok ? '' : back.error.message);
      const s = back.value.dataset.items[0]?.shapes[0];
      assert.ok(s?.type === 'mask', name);
      assert.equal(rleArea(s.rle), 84, name);
    }
  });
});
