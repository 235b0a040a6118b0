import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formats, validateDataset } from '@labelkit/core';
import { rleArea } from '../../geometry/rle.ts';
import { fixture, rounded } from '../fixtures/helpers.ts';

const { labelstudio } = formats;

interface LsResult {
  id: string;
  type: string;
  original_width: number;
  original_height: number;
  value: { x: number; y: number; width: number; height: number; rotation: number; points: number[][] };
}

async function load(name: string) {
  const text = (await fixture('labelstudio/fixtures'))[name] as string;
  return { files: { [name]: text }, tasks: JSON.parse(text) as { annotations: { result: LsResult[] }[] }[] };
}

describe('labelstudio', () => {
  it('parses rotated rectangles: sizes from percentages, rotation about the top-left corner', async () => {
    const { files, tasks } = await load('rotated-rectangles.json');
    const r = labelstudio.parse(files);
    assert.ok(r.ok, r.ok ? '' : r.error.message);
    assert.ok(validateDataset(r.value.dataset).ok);
    const [doc] = r.value.dataset.items;
    const results = tasks[0]?.annotations[0]?.result ?? [];
    assert.equal(doc?.shapes.length, results.length);
    assert.deepEqual(doc?.item, { id: 'image1', src: '/image1', width: 597, height: 768 });
    results.forEach((res, k) => {
      const s = doc?.shapes[k];
      assert.ok(s?.type === 'box');
      assert.equal(s.id, res.id);
      const W = res.original_width;
      const H = res.original_height;
      assert.ok(Math.abs(s.width - (res.value.width / 100) * W) < 1e-9);
      assert.ok(Math.abs(s.height - (res.value.height / 100) * H) < 1e-9);
      assert.ok(Math.abs((s.rotation ?? 0) - res.value.rotation) < 1e-9);
      // Turning our centre back by the rotation gives Label Studio's corner.
      const t = ((s.rotation ?? 0) * Math.PI) / 180;
      const cx = s.x + s.width / 2;
      const cy = s.y + s.height / 2;
      const x = cx - (s.width / 2) * Math.cos(t) + (s.height / 2) * Math.sin(t);
      const y = cy - (s.width / 2) * Math.sin(t) - (s.height / 2) * Math.cos(t);
      assert.ok(Math.abs(x - (res.value.x / 100) * W) < 1e-9 && Math.abs(y - (res.value.y / 100) * H) < 1e-9);
    });
  });

  it('parses polygons and brushes', async () => {
    const poly = labelstudio.parse((await load('polygons.json')).files);
    assert.ok(poly.ok);
    const p = poly.value.dataset.items[0]?.shapes[0];
    assert.ok(p?.type === 'polygon');
    assert.equal(p.points.length, 74);
    assert.deepEqual(rounded(p.points.slice(0, 2), 9), [384, 83.32231405]);
    const brush = labelstudio.parse((await load('brush-mask2rle.json')).files);
    assert.ok(brush.ok, brush.ok ? '' : brush.error.message);
    const m = brush.value.dataset.items[0]?.shapes[0];
    assert.ok(m?.type === 'mask');
    assert.equal(rleArea(m.rle), 321);
    assert.equal(brush.value.dataset.items[0]?.item.id, 'blobs.png');
  });

  it('round-trips every fixture, brush bytes included', async () => {
    for (const name of ['rotated-rectangles.json', 'polygons.json', 'brush-mask2rle.json']) {
      const { files, tasks } = await load(name);
      const a = labelstudio.parse(files);
      assert.ok(a.ok);
      const out = labelstudio.serialize(a.value.dataset);
      assert.deepEqual(out.fidelity, []);
      const b = labelstudio.parse(out.files);
      assert.ok(b.ok, b.ok ? '' : b.error.message);
      assert.deepEqual(rounded(b.value.dataset, 9), rounded(a.value.dataset, 9), name);
      if (name.startsWith('brush')) {
        const written = JSON.parse(out.files['tasks.json'] as string);
        assert.deepEqual(
          written[0].annotations[0].result[0].value.rle,
          (tasks[0]?.annotations[0]?.result[0]?.value as unknown as { rle: number[] } | undefined)?.rle,
        );
      }
    }
  });

  it('keeps predictions apart with their scores, and choices as tags', () => {
    const task = {
      id: 3,
      data: { image: 'http://x/a%20b.jpg?sig=1' },
      annotations: [
        { result: [{ type: 'choices', value: { choices: ['indoor'] }, original_width: 10, original_height: 10 }] },
      ],
      predictions: [
        {
          score: 0.4,
          result: [
            {
              id: 'k',
              type: 'keypointlabels',
              original_width: 10,
              original_height: 10,
              value: { x: 50, y: 20, keypointlabels: ['eye'] },
            },
            {
              id: 'r',
              type: 'rectanglelabels',
              score: 0.9,
              original_width: 10,
              original_height: 10,
              value: { x: 0, y: 0, width: 50, height: 50, rectanglelabels: ['face'] },
            },
          ],
        },
      ],
    };
    const r = labelstudio.parse({ 'export.json': JSON.stringify([task]) });
    assert.ok(r.ok, r.ok ? '' : r.error.message);
    const [doc] = r.value.dataset.items;
    assert.equal(doc?.item.id, 'a b.jpg');
    assert.deepEqual(doc?.tags, ['indoor']);
    assert.deepEqual(doc?.shapes, [
      { type: 'point', id: 'k', label: 'eye', source: 'model', score: 0.4, x: 5, y: 2 },
      { type: 'box', id: 'r', label: 'face', source: 'model', score: 0.9, x: 0, y: 0, width: 5, height: 5 },
    ]);
    const out = JSON.parse(labelstudio.serialize(r.value.dataset).files['tasks.json'] as string);
    assert.equal(out[0].predictions[0].result.length, 2);
    assert.deepEqual(out[0].annotations[0].result[0].value, { choices: ['indoor'] });
  });

  it('merges several annotations of a task, skips cancelled ones, and says so', () => {
    const region = (id: string) => ({
      id,
      type: 'rectanglelabels',
      original_width: 10,
      original_height: 10,
      value: { x: 0, y: 0, width: 10, height: 10, rectanglelabels: ['a'] },
    });
    const task = {
      data: { image: 'a.jpg' },
      annotations: [
        { result: [region('x')] },
        { result: [region('x'), region('y')] },
        { was_cancelled: true, result: [region('z')] },
      ],
    };
    const r = labelstudio.parse({ 'e.json': JSON.stringify([task]) });
    assert.ok(r.ok);
    assert.deepEqual(
      r.value.dataset.items[0]?.shapes.map((s) => s.id),
      ['x', 'x-2', 'y'],
    );
    assert.deepEqual(
      r.value.fidelity.map((f) => [f.code, f.itemId]),
      [['annotations-merged', 'a.jpg']],
    );
  });

  it('fails with the file and JSON path on bad input', () => {
    const rect = (value: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      JSON.stringify([
        {
          data: { image: 'a.jpg' },
          annotations: [
            {
              result: [
                {
                  type: 'rectanglelabels',
                  original_width: 10,
                  original_height: 10,
                  value: { x: 0, y: 0, width: 10, height: 10, rectanglelabels: ['a'], ...value },
                  ...extra,
                },
              ],
            },
          ],
        },
      ]);
    const cases: [string, string, string][] = [
      [rect({}).slice(0, 40), 'format/invalid-json', '1:41'],
      [JSON.stringify([{ data: {} }]), 'format/missing-field', '$[0].data.image'],
      [JSON.stringify([{ data: { image: 'a.jpg' } }]), 'format/missing-image', '$[0].data.image'],
      [rect({ x: 'left' }), 'format/wrong-type', '$[0].annotations[0].result[0].value.x'],
      [rect({ x: 120 }), 'format/out-of-bounds', '$[0].annotations[0].result[0].value'],
      [rect({ rectanglelabels: [] }), 'format/missing-field', '$[0].annotations[0].result[0].value.rectanglelabels'],
      [rect({}, { original_width: 10.5 }), 'format/invalid-value', '$[0]'],
      [
        JSON.stringify([
          {
            data: { image: 'a.jpg' },
            annotations: [
              {
                result: [
                  {
                    type: 'brushlabels',
                    original_width: 4,
                    original_height: 4,
                    value: { format: 'rle', rle: [1, 2, 3], brushlabels: ['a'] },
                  },
                ],
              },
            ],
          },
        ]),
        'format/invalid-rle',
        '$[0].annotations[0].result[0].value.rle',
      ],
      [JSON.stringify([{ data: { image: 'a.jpg' }, annotations: {} }]), 'format/wrong-type', '$[0].annotations'],
    ];
    for (const [text, code, path] of cases) {
      const r = labelstudio.parse({ 'export.json': text });
      assert.equal(r.ok, false, `should fail: ${text}`);
      if (r.ok) continue;
      assert.equal(r.error.code, code, text);
      assert.equal(r.error.file, 'export.json');
      assert.equal(r.error.path, path, text);
    }
  });
});
