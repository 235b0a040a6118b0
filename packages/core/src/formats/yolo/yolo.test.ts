import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Dataset, encodeRLE, type FileSet, formats, validateDataset } from '@labelkit/core';
import { fixture, rounded } from '../fixtures/helpers.ts';

const { yolo } = formats;

async function parsed(name: string, options = {}) {
  const r = yolo.parse(await fixture('yolo/fixtures', name), options);
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  assert.ok(validateDataset(r.value.dataset).ok);
  return r.value.dataset;
}

describe('yolo', () => {
  it('parses detection labels with the image size read from the JPEG header', async () => {
    const d = await parsed('detection');
    assert.equal(d.labels.length, 10);
    assert.equal(d.labels[2]?.name, 'label_2');
    const [doc] = d.items;
    assert.deepEqual(doc?.item, { id: '1.jpg', src: 'images/train/1.jpg', width: 15, height: 10 });
    // "2 0.133333 0.300000 0.266667 0.200000" on 15x10: x 0..4, y 2..4
    assert.deepEqual(rounded(doc?.shapes, 3), [
      { type: 'box', id: '0', label: 'label_2', x: 0, y: 2, width: 4, height: 2 },
      { type: 'box', id: '1', label: 'label_4', x: 3, y: 3, width: 2, height: 3 },
    ]);
  });

  it('parses segmentation polygons', async () => {
    const d = await parsed('segmentation');
    assert.deepEqual(rounded(d.items[0]?.shapes, 6), [
      { type: 'polygon', id: '0', label: 'label_2', points: [1.5, 1, 6, 1, 6, 5] },
      { type: 'polygon', id: '1', label: 'label_4', points: [3, 1.5, 6, 1.5, 6, 7.5, 4.5, 7.5, 3.75, 3] },
    ]);
  });

  it('parses oriented boxes into rotated boxes (one corner 0.1 px past the edge is within tolerance)', async () => {
    const d = await parsed('oriented_boxes');
    assert.deepEqual(rounded(d.items[0]?.shapes, 3), [
      { type: 'box', id: '0', label: 'label_2', x: 1, y: 2, width: 3, height: 4, rotation: 30 },
      { type: 'box', id: '1', label: 'label_4', x: 3, y: 2, width: 6, height: 2, rotation: 120 },
    ]);
    const strict = yolo.parse(await fixture('yolo/fixtures/oriented_boxes'), { boundsTolerance: 0 });
    assert.equal(!strict.ok && strict.error.code, 'format/out-of-bounds');
    assert.equal(!strict.ok && strict.error.path, 'line 2');
    const asPolygons = await parsed('oriented_boxes', { task: 'segment' });
    assert.deepEqual(
      asPolygons.items[0]?.shapes.map((s) => s.type),
      ['polygon', 'polygon'],
    );
    const wrongTask = yolo.parse(await fixture('yolo/fixtures/segmentation'), { task: 'obb' });
    assert.equal(!wrongTask.ok && wrongTask.error.code, 'format/invalid-value');
  });

  for (const name of ['detection', 'segmentation', 'oriented_boxes'])
    it(`round-trips ${name}: parse -> serialize -> parse`, async () => {
      const a = await parsed(name);
      const out = yolo.serialize(a);
      assert.deepEqual(out.fidelity, []);
      assert.ok(typeof out.files['labels/train/1.txt'] === 'string');
      const files: FileSet = {
        ...out.files,
        'images/train/1.jpg': (await fixture('yolo/fixtures', name))['images/train/1.jpg'] as Uint8Array,
      };
      const b = yolo.parse(files);
      assert.ok(b.ok, b.ok ? '' : b.error.message);
      assert.deepEqual(rounded(b.value.dataset, 5), rounded(a, 5));
    });

  it('uses sizes from options when the images are absent, and fails clearly when it has none', () => {
    const files: FileSet = { 'data.yaml': "names: ['cat', 'dog']\n", 'labels/val/a.txt': '1 0.5 0.5 0.5 0.5 0.9\n' };
    const r = yolo.parse(files, { imageSizes: { 'a.png': { width: 200, height: 100 } } });
    assert.ok(r.ok, r.ok ? '' : r.error.message);
    assert.deepEqual(r.value.dataset.items[0], {
      version: 1,
      item: { id: 'a.png', src: 'images/val/a.png', width: 200, height: 100 },
      shapes: [
        { type: 'box', id: '0', label: 'dog', x: 50, y: 25, width: 100, height: 50, score: 0.9, source: 'model' },
      ],
    });
    const missing = yolo.parse(files);
    assert.equal(!missing.ok && missing.error.code, 'format/missing-image');
    assert.equal(!missing.ok && missing.error.file, 'labels/val/a.txt');
  });

  it('fails with the file and line on bad labels', () => {
    const img = { 'images/train/a.png': pngOf(100, 50) };
    const cases: [FileSet, string, string | undefined, string | undefined][] = [
      [{ 'labels/train/a.txt': '0 0.5 0.5 0.1 0.1\n' }, 'format/missing-file', undefined, undefined],
      [{ 'data.yaml': 'names: [a', 'labels/train/a.txt': '' }, 'format/invalid-yaml', 'data.yaml', 'line 1'],
      [
        { 'data.yaml': 'names: [a]', 'labels/train/a.txt': '0 0.5 0.5 0.1 0.1\n3 0.5 0.5 0.1 0.1\n' },
        'format/unknown-label',
        'labels/train/a.txt',
        'line 2',
      ],
      [
        { 'data.yaml': 'names: [a]', 'labels/train/a.txt': '0 0.5 0.5 0.1 x\n' },
        'format/invalid-number',
        'labels/train/a.txt',
        'line 1, column 5',
      ],
      [
        { 'data.yaml': 'names: [a]', 'labels/train/a.txt': '0 1.5 0.5 0.1 0.1\n' },
        'format/out-of-bounds',
        'labels/train/a.txt',
        'line 1',
      ],
      [
        { 'data.yaml': 'names: [a]', 'labels/train/a.txt': '0 0.5 0.5\n' },
        'format/invalid-value',
        'labels/train/a.txt',
        'line 1',
      ],
      [
        { 'data.yaml': 'names: [a]', 'labels/train/a.txt': '0 0.5 0.5 0.1 0.1 1.5\n' },
        'format/invalid-value',
        'labels/train/a.txt',
        'line 1',
      ],
      [{ 'data.yaml': 'nc: 2\nnames: [a]', 'labels/train/a.txt': '' }, 'format/invalid-value', 'data.yaml', 'nc'],
    ];
    for (const [files, code, file, path] of cases) {
      const r = yolo.parse({ ...img, ...files });
      assert.equal(r.ok, false, JSON.stringify(files));
      if (r.ok) continue;
      assert.equal(r.error.code, code, JSON.stringify(files));
      assert.equal(r.error.file, file);
      assert.equal(r.error.path, path);
    }
    const notImage = yolo.parse({ 'data.yaml': 'names: [a]', 'images/train/a.jpg': new Uint8Array([1, 2, 3]) });
    assert.equal(!notImage.ok && notImage.error.code, 'format/invalid-image');
  });

  it('reports what YOLO cannot hold and writes data.yaml with every split', () => {
    // A 4x4 square at (5, 5) with a 2x2 hole: traced to its outline, the hole reported.
    const px = new Uint8Array(100);
    for (let y = 5; y < 9; y++)
      for (let x = 5; x < 9; x++) px[y * 10 + x] = x === 6 || x === 7 ? (y === 6 || y === 7 ? 0 : 1) : 1;
    const square = encodeRLE(px, 10, 10);
    const dataset: Dataset = {
      labels: [{ id: 'c', name: 'cat', color: '#f00' }],
      items: [
        {
          version: 1,
          item: { id: 'a.jpg', src: 'images/val/a.jpg', width: 10, height: 10 },
          shapes: [
            { type: 'polyline', id: 'l', label: 'c', points: [0, 0, 5, 5] },
            { type: 'point', id: 'p', label: 'c', x: 1, y: 1 },
            { type: 'mask', id: 'm', label: 'c', rle: square },
            { type: 'box', id: 'b', label: 'c', x: 1, y: 1, width: 2, height: 2, attributes: { a: 1 } },
            { type: 'polygon', id: 'h', label: 'dog', points: [0, 0, 4, 0, 4, 4], holes: [[1, 1, 2, 1, 2, 2]] },
          ],
        },
      ],
    };
    const out = yolo.serialize(dataset);
    assert.deepEqual(
      out.fidelity.map((f) => [f.code, f.shapeId]),
      [
        ['shape-dropped', 'l'],
        ['shape-dropped', 'p'],
        ['mask-as-polygon', 'm'],
        ['holes-dropped', 'm'],
        ['attributes-dropped', 'b'],
        ['label-added', 'h'],
        ['holes-dropped', 'h'],
      ],
    );
    assert.equal(
      out.files['labels/val/a.txt'],
      '0 0.5 0.5 0.9 0.5 0.9 0.9 0.5 0.9\n0 0.2 0.2 0.2 0.2\n1 0 0 0.4 0 0.4 0.4\n',
    );
    assert.match(out.files['data.yaml'] as string, /val: images\/val\n/);
    assert.match(out.files['data.yaml'] as string, /names:\n {2}0: cat\n {2}1: dog\n/);
  });
});

/** A PNG header (enough for the size reader) of the given size. */
function pngOf(width: number, height: number): Uint8Array {
  const b = new Uint8Array(33);
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  new DataView(b.buffer).setUint32(16, width);
  new DataView(b.buffer).setUint32(20, height);
  return b;
}
