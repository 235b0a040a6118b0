import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Dataset, formats, validateDataset } from '@labelkit/core';
import { fixture } from '../fixtures/helpers.ts';

const { voc } = formats;

const doc = (objects: string, size = '<size><width>100</width><height>50</height></size>') =>
  `<annotation><filename>a.jpg</filename>${size}${objects}</annotation>`;
const box = (x0: number, y0: number, x1: number, y1: number, name = 'cat') =>
  `<object><name>${name}</name><bndbox><xmin>${x0}</xmin><ymin>${y0}</ymin><xmax>${x1}</xmax><ymax>${y1}</ymax></bndbox></object>`;

describe('voc', () => {
  it('parses VOC2007 000001.xml with its 1-based inclusive boxes', async () => {
    const r = voc.parse(await fixture('voc/fixtures'));
    assert.ok(r.ok, r.ok ? '' : r.error.message);
    const { dataset } = r.value;
    assert.ok(validateDataset(dataset).ok);
    assert.deepEqual(
      dataset.labels.map((l) => l.name),
      ['dog', 'person'],
    );
    const [d] = dataset.items;
    assert.deepEqual(d?.item, { id: '000001.jpg', src: '000001.jpg', width: 353, height: 500 });
    // dog: xmin 48..xmax 195 covers 148 pixel columns starting at column 47 (0-based)
    assert.deepEqual(d?.shapes[0], {
      type: 'box',
      id: '0',
      label: 'dog',
      x: 47,
      y: 239,
      width: 148,
      height: 132,
      attributes: { pose: 'Left', truncated: true },
    });
    assert.deepEqual(d?.shapes[1] && d.shapes[1].type === 'box' && [d.shapes[1].x, d.shapes[1].width], [7, 345]);
  });

  it('round-trips: parse -> serialize -> parse gives the same dataset and the same numbers in the XML', async () => {
    const files = await fixture('voc/fixtures');
    const a = voc.parse(files);
    assert.ok(a.ok);
    const out = voc.serialize(a.value.dataset);
    assert.deepEqual(out.fidelity, []);
    const xml = out.files['Annotations/000001.xml'] as string;
    assert.match(xml, /<xmin>48<\/xmin>\s*<ymin>240<\/ymin>\s*<xmax>195<\/xmax>\s*<ymax>371<\/ymax>/);
    const b = voc.parse(out.files);
    assert.ok(b.ok);
    assert.deepEqual(b.value.dataset, a.value.dataset);
  });

  it('reports what VOC cannot hold', () => {
    const dataset: Dataset = {
      labels: [{ id: 'c', name: 'cat', color: '#f00' }],
      items: [
        {
          version: 1,
          item: { id: 'x.png', width: 100, height: 100 },
          tags: ['indoor'],
          shapes: [
            { type: 'box', id: 'r', label: 'c', x: 10, y: 10, width: 20, height: 10, rotation: 90, score: 0.5 },
            { type: 'polygon', id: 'p', label: 'c', points: [1, 1, 5, 1, 5, 9] },
            { type: 'point', id: 'pt', label: 'c', x: 3, y: 3 },
          ],
        },
      ],
    };
    const out = voc.serialize(dataset);
    assert.deepEqual(
      out.fidelity.map((f) => [f.code, f.shapeId]),
      [
        ['tags-dropped', undefined],
        ['rotation-dropped', 'r'],
        ['score-dropped', 'r'],
        ['shape-as-box', 'p'],
        ['shape-dropped', 'pt'],
      ],
    );
    const back = voc.parse(out.files);
    assert.ok(back.ok);
    const [r, p] = back.value.dataset.items[0]?.shapes ?? [];
    // The box turned 90 degrees about its centre (20, 15) covers x 15..25, y 5..25.
    assert.deepEqual(
      r && r.type === 'box' && [r.x, r.y, r.width, r.height].map((v) => Math.round(v * 1e9) / 1e9),
      [15, 5, 10, 20],
    );
    assert.deepEqual(p && p.type === 'box' && [p.x, p.y, p.width, p.height], [1, 1, 4, 8]);
  });

  it('fails with the file and place on bad input, never with a partial dataset', () => {
    const cases: [string, string, string | undefined][] = [
      ['<!DOCTYPE a [<!ENTITY x "y">]><annotation/>', 'format/xml-doctype', '1:1'],
      ['<annotation><filename>a.jpg</filename>', 'format/invalid-xml', '1:1'],
      [doc(box(1, 1, 10, 10), ''), 'format/missing-field', '/annotation/size'],
      [doc(box(1, 1, 103, 10)), 'format/out-of-bounds', '/annotation/object[0]/bndbox'],
      [doc(box(20, 1, 10, 10)), 'format/invalid-value', '/annotation/object[0]/bndbox'],
      [
        doc(box(1, 1, 10, 10) + box(1, 'x' as unknown as number, 10, 10)),
        'format/invalid-number',
        '/annotation/object[1]/bndbox/ymin',
      ],
      [doc('<object><bndbox/></object>'), 'format/missing-field', '/annotation/object[0]/name'],
    ];
    for (const [xml, code, path] of cases) {
      const r = voc.parse({ 'Annotations/good.xml': doc(box(1, 1, 5, 5)), 'Annotations/bad.xml': xml });
      assert.equal(r.ok, false, `should fail: ${xml}`);
      if (r.ok) continue;
      assert.equal(r.error.code, code, xml);
      assert.equal(r.error.file, 'Annotations/bad.xml');
      assert.equal(r.error.path, path, xml);
    }
    const none = voc.parse({ 'notes.txt': 'x' });
    assert.equal(!none.ok && none.error.code, 'format/no-input');
  });
});
