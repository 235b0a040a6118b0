import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formats, validateDataset } from '@labelkit/core';
import { rleArea, rleToBbox } from '../../geometry/rle.ts';
import { fixture } from '../fixtures/helpers.ts';

const { cvat } = formats;

async function load(name: string) {
  const files = await fixture('cvat/fixtures');
  const text = files[name] as string;
  return { files: { [name]: text }, text };
}

const wrap = (image: string, labels = '<label><name>car</name></label>') =>
  `<annotations><version>1.1</version><meta><task><labels>${labels}</labels></task></meta>${image}</annotations>`;

describe('cvat', () => {
  it('parses a CVAT project export: rotated boxes, masks, tags and attributes, as the file says', async () => {
    const { files, text } = await load('urban-scene.xml');
    const r = cvat.parse(files);
    assert.ok(r.ok, r.ok ? '' : r.error.message);
    const { dataset } = r.value;
    assert.ok(validateDataset(dataset).ok);
    assert.deepEqual(r.value.fidelity, []);
    const blocks = text.split('<image ').slice(1);
    assert.equal(dataset.items.length, blocks.length);
    dataset.items.forEach((doc, i) => {
      const b = blocks[i] as string;
      const count = (tag: string) => (b.match(new RegExp(`<${tag} `, 'g')) ?? []).length;
      assert.equal(doc.shapes.filter((s) => s.type === 'box').length, count('box'));
      assert.equal(doc.shapes.filter((s) => s.type === 'mask').length, count('mask'));
      assert.equal(doc.tags?.length ?? 0, count('tag'));
      // Every mask covers as many pixels as its odd runs say, inside its left/top/width/height box.
      const masks = [...b.matchAll(/<mask [^>]*rle="([^"]*)" left="(\d+)" top="(\d+)" width="(\d+)" height="(\d+)"/g)];
      const ours = doc.shapes.filter((s) => s.type === 'mask');
      masks.forEach((m, k) => {
        const s = ours[k];
        assert.ok(s && s.type === 'mask');
        const runs = (m[1] as string).split(',').map(Number);
        assert.equal(
          rleArea(s.rle),
          runs.reduce((a, v, j) => (j % 2 ? a + v : a), 0),
        );
        const [x, y, w, h] = rleToBbox(s.rle);
        const [left, top, width, height] = m.slice(2).map(Number) as [number, number, number, number];
        assert.ok(x >= left && y >= top && x + w <= left + width && y + h <= top + height);
      });
    });
    const andre = dataset.items[0];
    assert.equal(andre?.item.id, 'andre-benz-PpsgIw3iWZ4-unsplash.jpg');
    assert.deepEqual(andre?.item, {
      id: 'andre-benz-PpsgIw3iWZ4-unsplash.jpg',
      src: 'andre-benz-PpsgIw3iWZ4-unsplash.jpg',
      width: 4375,
      height: 6562,
    });
    assert.deepEqual(andre?.tags, ['Nighttime_Clear']);
    const first = andre?.shapes[0];
    assert.ok(first?.type === 'box');
    assert.deepEqual(
      [first.x, first.y, Math.round(first.width * 100) / 100, Math.round(first.height * 100) / 100, first.rotation],
      [2261.05, 3823.15, 47.15, 24.8, 1.6],
    );
    // The file's own attribute named "occluded" wins; CVAT's occluded flag is kept beside it.
    assert.deepEqual(first.attributes, { 'cvat.occluded': true, occluded: 'yes', truncated: 'no' });
  });

  it('round-trips both fixtures: parse -> serialize -> parse gives the same dataset', async () => {
    for (const name of ['urban-scene.xml', 'datumaro-project.xml']) {
      const { files } = await load(name);
      const a = cvat.parse(files);
      assert.ok(a.ok);
      const out = cvat.serialize(a.value.dataset);
      assert.deepEqual(out.fidelity, []);
      const b = cvat.parse(out.files);
      assert.ok(b.ok, b.ok ? '' : b.error.message);
      assert.deepEqual(b.value.dataset, a.value.dataset, name);
    }
  });

  it('reads polygons, polylines, multi-point shapes, typed attributes and subsets', async () => {
    const r = cvat.parse((await load('datumaro-project.xml')).files);
    assert.ok(r.ok, r.ok ? '' : r.error.message);
    const { items } = r.value.dataset;
    assert.deepEqual(
      items.map((d) => d.item.id),
      ['img0.jpg', 'img1.jpg', 'Train/img0.jpg', 'Train/img1.jpg', 'Validation/img0.jpg', 'Validation/img1.jpg'],
    );
    assert.deepEqual(items[0]?.shapes, [
      {
        type: 'box',
        id: '0',
        label: 'label1',
        attributes: { occluded: true, z_order: 1, a1: true, a2: 'v3', a3: '0003', a4: 2.4 },
        x: 0,
        y: 2,
        width: 4,
        height: 2,
      },
      { type: 'polyline', id: '1', label: 'label2', points: [1, 2, 3, 4, 5, 6, 7, 8] },
    ]);
    assert.deepEqual(items[1]?.shapes, [
      { type: 'polygon', id: '0', label: 'label1', attributes: { z_order: 1 }, points: [1, 2, 3, 4, 6, 5] },
      { type: 'point', id: '1', label: 'label2', attributes: { z_order: 2 }, x: 1, y: 2 },
      { type: 'point', id: '1#1', label: 'label2', attributes: { z_order: 2 }, x: 3, y: 4 },
      { type: 'point', id: '1#2', label: 'label2', attributes: { z_order: 2 }, x: 5, y: 6 },
    ]);
  });

  it('fails with the file and element path on bad input', () => {
    const img = (inner: string) => `<image id="0" name="a.jpg" width="10" height="10">${inner}</image>`;
    const cases: [string, string, string | undefined][] = [
      [`<!DOCTYPE x [<!ENTITY a "b">]>${wrap('')}`, 'format/xml-doctype', '1:1'],
      [
        wrap(img('<box label="bus" xtl="0" ytl="0" xbr="1" ybr="1"/>')),
        'format/unknown-label',
        '/annotations/image[0]/box[0]@label',
      ],
      [
        wrap(
          img('<box label="car" xtl="0" ytl="0" xbr="1" ybr="1"/><box label="car" xtl="0" ytl="0" xbr="12" ybr="1"/>'),
        ),
        'format/out-of-bounds',
        '/annotations/image[0]/box[1]',
      ],
      [
        wrap(img('<box label="car" xtl="a" ytl="0" xbr="1" ybr="1"/>')),
        'format/invalid-number',
        '/annotations/image[0]/box[0]@xtl',
      ],
      [
        wrap(img('<polygon label="car" points="1,1;2"/>')),
        'format/invalid-value',
        '/annotations/image[0]/polygon[0]@points',
      ],
      [
        wrap(img('<mask label="car" rle="1, 2" left="0" top="0" width="2" height="2"/>')),
        'format/invalid-rle',
        '/annotations/image[0]/mask[0]',
      ],
      [
        wrap('<image id="0" name="a.jpg" width="0" height="10"></image>'),
        'format/invalid-value',
        '/annotations/image[0]',
      ],
      [wrap(img('') + img('')), 'format/duplicate-item', undefined],
      [
        wrap(img('<box label="car" xtl="0" ytl="0" xbr="1" ybr="1"><attribute>x</attribute></box>')),
        'format/missing-field',
        '/annotations/image[0]/box[0]/attribute',
      ],
    ];
    for (const [xml, code, path] of cases) {
      const r = cvat.parse({ 'annotations.xml': xml });
      assert.equal(r.ok, false, `should fail: ${xml}`);
      if (r.ok) continue;
      assert.equal(r.error.code, code, xml);
      assert.equal(r.error.file, 'annotations.xml');
      assert.equal(r.error.path, path, xml);
    }
  });

  it('lists what it does not read', () => {
    const r = cvat.parse({
      'annotations.xml': wrap(
        '<image id="0" name="a.jpg" width="10" height="10"><ellipse label="car" cx="1" cy="1" rx="1" ry="1"/><tag label="car"><attribute name="q">1</attribute></tag></image>',
      ),
    });
    assert.ok(r.ok);
    assert.deepEqual(
      r.value.fidelity.map((f) => f.code),
      ['shape-dropped', 'attributes-dropped'],
    );
  });
});
