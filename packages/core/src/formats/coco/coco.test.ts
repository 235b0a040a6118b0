import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formats, validateDataset } from '@labelkit/core';
import { rleArea, rleToBbox } from '../../geometry/rle.ts';
import { fixture, rounded } from '../fixtures/helpers.ts';

const { coco } = formats;
const URBAN = 'urban-scene-cvat-coco.json';

interface RawAnn {
  id: number;
  image_id: number;
  category_id: number;
  segmentation: unknown;
  area: number;
  bbox: number[];
  iscrowd: number;
  attributes: Record<string, unknown>;
}

async function urban() {
  const files = await fixture('coco/fixtures');
  const text = files[URBAN] as string;
  return { files: { [URBAN]: text }, raw: JSON.parse(text) as { annotations: RawAnn[]; categories: { id: number }[] } };
}

describe('coco', () => {
  it("parses CVAT's COCO export: masks match the file's area and bbox, boxes keep their rotation", async () => {
    const { files, raw } = await urban();
    const r = coco.parse(files);
    assert.ok(r.ok, r.ok ? '' : r.error.message);
    const { dataset } = r.value;
    assert.ok(validateDataset(dataset).ok);
    assert.equal(dataset.items.length, 2);
    assert.equal(dataset.labels.length, 11);
    assert.deepEqual(dataset.labels[2], { id: '3', name: 'TRAFFIC_SIGN', color: dataset.labels[2]?.color });
    const shapes = dataset.items.flatMap((d) => d.shapes);
    assert.equal(shapes.length, raw.annotations.length);
    let masks = 0;
    for (const a of raw.annotations) {
      const s = shapes.find((x) => x.id === String(a.id));
      assert.ok(s, `annotation ${a.id}`);
      assert.equal(s.label, String(a.category_id));
      if (s.type === 'mask') {
        masks++;
        assert.equal(rleArea(s.rle), a.area, `area of ${a.id}`);
        assert.deepEqual(rleToBbox(s.rle), a.bbox, `bbox of ${a.id}`);
      } else {
        assert.equal(s.type, 'box');
        if (s.type !== 'box') continue;
        assert.deepEqual([s.x, s.y, s.width, s.height], a.bbox);
        assert.ok(Math.abs(s.width * s.height - a.area) < 1e-6);
        assert.equal(s.rotation, a.attributes.rotation || undefined);
      }
    }
    assert.equal(masks, 23);
    const rotated = shapes.find((s) => s.id === '24');
    assert.deepEqual(rotated, {
      type: 'box',
      id: '24',
      label: '3',
      x: 2663.24,
      y: 4129.02,
      width: 38.94,
      height: 41.65,
      rotation: 357.3,
      attributes: { Visibility: 'Full', occluded: false },
    });
  });

  it('round-trips with stable category and annotation ids', async () => {
    const { files, raw } = await urban();
    const a = coco.parse(files);
    assert.ok(a.ok);
    const out = coco.serialize(a.value.dataset);
    assert.deepEqual(out.fidelity, []);
    const json = JSON.parse(out.files['annotations/instances_default.json'] as string) as typeof raw;
    assert.deepEqual(
      json.categories.map((c) => c.id),
      raw.categories.map((c) => c.id),
    );
    assert.deepEqual(
      rounded(json.annotations.map((x) => [x.id, x.category_id, x.area, x.bbox, x.iscrowd])),
      raw.annotations.map((x) => [x.id, x.category_id, x.area, x.bbox, x.iscrowd]).map((x) => rounded(x, 6)),
    );
    const b = coco.parse(out.files);
    assert.ok(b.ok);
    assert.deepEqual(b.value.dataset, a.value.dataset);
  });

  it('reads polygons with attributes and uncompressed crowd RLE', async () => {
    const files = await fixture('coco/fixtures');
    const r = coco.parse({ 'i.json': files['datumaro-instances_val.json'] as string });
    assert.ok(r.ok, r.ok ? '' : r.error.message);
    const [poly, crowd] = r.value.dataset.items[0]?.shapes ?? [];
    assert.deepEqual(poly, {
      type: 'polygon',
      id: '1',
      label: '1',
      points: [0, 0, 1, 0, 1, 2, 0, 2],
      attributes: { x: 1, y: 'hello' },
    });
    assert.equal(crowd?.type, 'mask');
    assert.equal(crowd?.type === 'mask' && rleArea(crowd.rle), 20);
    const out = coco.serialize(r.value.dataset);
    const back = coco.parse(out.files);
    assert.ok(back.ok);
    assert.deepEqual(back.value.dataset, r.value.dataset);
  });

  it('joins the parts of a multi-part annotation again', () => {
    const src = {
      images: [{ id: 7, file_name: 'a.jpg', width: 10, height: 10 }],
      categories: [{ id: 3, name: 'cat' }],
      annotations: [
        {
          id: 5,
          image_id: 7,
          category_id: 3,
          iscrowd: 0,
          segmentation: [
            [0, 0, 2, 0, 2, 2],
            [5, 5, 8, 5, 8, 8],
          ],
          area: 6.5,
          bbox: [0, 0, 8, 8],
          score: 0.75,
        },
      ],
    };
    const r = coco.parse({ 'a.json': JSON.stringify(src) });
    assert.ok(r.ok);
    assert.deepEqual(
      r.value.dataset.items[0]?.shapes.map((s) => [s.id, s.score, s.source]),
      [
        ['5', 0.75, 'model'],
        ['5#1', 0.75, 'model'],
      ],
    );
    const out = JSON.parse(coco.serialize(r.value.dataset).files['annotations/instances_default.json'] as string);
    assert.deepEqual(out.annotations, [
      {
        id: 5,
        image_id: 1,
        category_id: 3,
        segmentation: src.annotations[0]?.segmentation,
        area: 6.5,
        bbox: [0, 0, 8, 8],
        iscrowd: 0,
        score: 0.75,
      },
    ]);
  });

  it('fails with the file and JSON path on bad input', () => {
    const good = () => ({
      images: [{ id: 1, file_name: 'a.jpg', width: 10, height: 10 }],
      categories: [{ id: 1, name: 'cat' }],
      annotations: [{ id: 1, image_id: 1, category_id: 1, bbox: [1, 1, 2, 2], iscrowd: 0 }] as Record<
        string,
        unknown
      >[],
    });
    const ann = (patch: Record<string, unknown>) => {
      const g = good();
      g.annotations[0] = { ...g.annotations[0], ...patch };
      return JSON.stringify(g);
    };
    const cases: [string, string, string][] = [
      [JSON.stringify(good()).slice(0, 60), 'format/invalid-json', '1:61'],
      ['{\n  "images": [,]\n}', 'format/invalid-json', '2:14'],
      [
        JSON.stringify({ ...good(), images: [{ id: 1, file_name: 'a.jpg', width: '10', height: 10 }] }),
        'format/wrong-type',
        '$.images[0].width',
      ],
      [ann({ category_id: 9 }), 'format/unknown-label', '$.annotations[0].category_id'],
      [ann({ image_id: 2 }), 'format/missing-image', '$.annotations[0].image_id'],
      [ann({ bbox: [8, 8, 5, 5] }), 'format/out-of-bounds', '$.annotations[0].bbox'],
      [ann({ segmentation: [[1, 1, 2, 2]] }), 'format/invalid-value', '$.annotations[0].segmentation[0]'],
      [ann({ segmentation: [[1, 1, 2, 2, 30, 1]] }), 'format/out-of-bounds', '$.annotations[0].segmentation[0]'],
      [
        ann({ segmentation: { size: [10, 10], counts: [5, 5] } }),
        'format/invalid-rle',
        '$.annotations[0].segmentation.counts',
      ],
      [
        ann({ segmentation: { size: [10, 10], counts: '!!!' } }),
        'format/invalid-rle',
        '$.annotations[0].segmentation.counts',
      ],
      [
        ann({ segmentation: { size: [5, 10], counts: [50] } }),
        'format/invalid-value',
        '$.annotations[0].segmentation.size',
      ],
      [ann({ segmentation: 'x' }), 'format/wrong-type', '$.annotations[0].segmentation'],
      [ann({ attributes: { a: [1] } }), 'format/wrong-type', '$.annotations[0].attributes.a'],
      [ann({ score: 2 }), 'format/invalid-value', '$.annotations[0].score'],
      ['[]', 'format/wrong-type', '$'],
    ];
    for (const [text, code, path] of cases) {
      const r = coco.parse({ 'annotations/instances_train.json': text });
      assert.equal(r.ok, false, `should fail: ${text}`);
      if (r.ok) continue;
      assert.equal(r.error.code, code, text);
      assert.equal(r.error.file, 'annotations/instances_train.json');
      assert.equal(r.error.path, path, text);
    }
  });
});
