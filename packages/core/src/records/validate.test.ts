import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type AnnotationDocument,
  DOCUMENT_VERSION,
  encodeRLE,
  migrateDocument,
  ValidationError,
  validateDataset,
  validateDocument,
  validateLabels,
  validateShape,
} from '@labelkit/core';
import fc from 'fast-check';

const mask = encodeRLE(new Uint8Array(4 * 3).fill(1, 2, 7), 4, 3);
const valid = (): AnnotationDocument => ({
  version: 1,
  item: { id: 'img-1', src: 'a.jpg', width: 4, height: 3 },
  shapes: [
    { id: 'b', label: 'car', type: 'box', x: 1, y: 1, width: 2, height: 1, rotation: 30, score: 0.5, source: 'model' },
    { id: 'p', label: 'road', type: 'polygon', points: [0, 0, 3, 0, 3, 2], holes: [[1, 0.2, 2, 0.2, 2, 1]] },
    { id: 'l', label: 'road', type: 'polyline', points: [0, 0, 1, 1], attributes: { lane: 2, wet: true, name: 'x' } },
    { id: 'pt', label: 'car', type: 'point', x: 2, y: 2 },
    { id: 'm', label: 'car', type: 'mask', rle: { size: [3, 4], counts: mask.counts } },
  ],
  tags: ['day'],
});
const labels = [
  { id: 'car', name: 'Car', color: '#f00' },
  { id: 'road', name: 'Road', color: '#888', types: ['polygon' as const, 'polyline' as const] },
];

// biome-ignore lint/suspicious/noExplicitAny: these tests break documents on purpose, field by field.
type Loose = Record<string, any>;

/** Applies `edit` to a fresh valid document and expects the given code and path. */
function refuses(edit: (d: Loose) => void, code: string, path: string, opts = {}) {
  const d = valid() as unknown as Loose;
  edit(d);
  const r = validateDocument(d, opts);
  assert.ok(!r.ok, `accepted: ${code} ${path}`);
  assert.ok(r.error instanceof ValidationError);
  assert.equal(r.error.code, code, `${path}: ${r.error.message}`);
  assert.equal(r.error.path, path);
}

describe('validateDocument', () => {
  it('accepts a valid document of every shape type and returns it as is', () => {
    const d = valid();
    const r = validateDocument(d, { labels });
    assert.ok(r.ok);
    assert.equal(r.value, d);
  });

  it('refuses wrong types, NaN/Infinity and negative or non-integer sizes with the field path', () => {
    refuses((d) => (d.item = 'x'), 'document/invalid-type', '$.item');
    refuses((d) => (d.item.width = -4), 'document/out-of-range', '$.item.width');
    refuses((d) => (d.item.height = 2.5), 'document/out-of-range', '$.item.height');
    refuses((d) => (d.item.id = ''), 'document/empty-string', '$.item.id');
    refuses((d) => (d.shapes = {}), 'document/invalid-type', '$.shapes');
    refuses((d) => (d.shapes[0].x = Number.NaN), 'document/not-finite', '$.shapes[0].x');
    refuses((d) => (d.shapes[0].width = Number.POSITIVE_INFINITY), 'document/not-finite', '$.shapes[0].width');
    refuses((d) => (d.shapes[0].height = -1), 'document/out-of-range', '$.shapes[0].height');
    refuses((d) => (d.shapes[0].x = '1'), 'document/invalid-type', '$.shapes[0].x');
    refuses((d) => (d.shapes[0].score = 1.5), 'document/out-of-range', '$.shapes[0].score');
    refuses((d) => (d.shapes[0].source = 'robot'), 'shape/invalid-source', '$.shapes[0].source');
    refuses(
      (d) => (d.shapes[2].attributes = { 'a b': null }),
      'document/invalid-type',
      '$.shapes[2].attributes["a b"]',
    );
    refuses((d) => (d.shapes[3].y = null), 'document/invalid-type', '$.shapes[3].y');
    refuses((d) => (d.tags = ['ok', 3]), 'document/invalid-type', '$.tags[1]');
    refuses((d) => (d.extra = 1), 'document/unknown-property', '$.extra');
    refuses((d) => (d.shapes[1].colour = 'red'), 'document/unknown-property', '$.shapes[1].colour');
    refuses((d) => (d.shapes[0].type = 'circle'), 'shape/unknown-type', '$.shapes[0].type');
    refuses((d) => (d.shapes[4] = null), 'document/invalid-type', '$.shapes[4]');
  });

  it('refuses polygons with fewer than 3 points or odd coordinates, and short polylines', () => {
    refuses((d) => (d.shapes[1].points = [0, 0, 1, 1]), 'shape/too-few-points', '$.shapes[1].points');
    refuses((d) => (d.shapes[1].points = [0, 0, 1, 1, 2]), 'shape/odd-coordinates', '$.shapes[1].points');
    refuses((d) => (d.shapes[1].holes = [[0, 0, 1]]), 'shape/odd-coordinates', '$.shapes[1].holes[0]');
    refuses((d) => (d.shapes[1].points[3] = Number.NaN), 'document/not-finite', '$.shapes[1].points[3]');
    refuses((d) => (d.shapes[2].points = [0, 0]), 'shape/too-few-points', '$.shapes[2].points');
  });

  it('refuses an RLE whose size or counts do not match', () => {
    refuses(
      (d) => (d.shapes[4].rle = { size: [3, 5], counts: mask.counts }),
      'shape/mask-size-mismatch',
      '$.shapes[4].rle.size',
    );
    refuses((d) => (d.shapes[4].rle = { size: [3, 4], counts: '05' }), 'shape/invalid-rle', '$.shapes[4].rle.counts');
    refuses(
      (d) => (d.shapes[4].rle = { size: [3, 4], counts: '0 \u0000' }),
      'shape/invalid-rle',
      '$.shapes[4].rle.counts',
    );
    refuses((d) => (d.shapes[4].rle = { size: [3], counts: '' }), 'document/invalid-type', '$.shapes[4].rle.size');
    refuses((d) => (d.shapes[4].rle.size = [3, -4]), 'document/out-of-range', '$.shapes[4].rle.size[1]');
  });

  it('refuses duplicate shape ids', () => {
    refuses((d) => (d.shapes[3].id = 'b'), 'document/duplicate-id', '$.shapes[3].id');
  });

  it('refuses labels outside the label set, and types a label does not allow', () => {
    refuses((d) => (d.shapes[0].label = 'bus'), 'shape/unknown-label', '$.shapes[0].label', { labels });
    refuses((d) => (d.shapes[3].label = 'road'), 'shape/label-type-mismatch', '$.shapes[3].label', { labels });
  });

  it('accepts an item image stamp and refuses a malformed one with its path', () => {
    const d = valid();
    d.item.image = { etag: '"abc"', size: 1234 };
    assert.ok(validateDocument(d, { labels }).ok);
    d.item.image = { etag: '"abc"' };
    assert.ok(validateDocument(d, { labels }).ok);
    refuses((d) => (d.item.image = '"abc"'), 'document/invalid-type', '$.item.image');
    refuses((d) => (d.item.image = { size: 3 }), 'document/invalid-type', '$.item.image.etag');
    refuses((d) => (d.item.image = { etag: '' }), 'document/empty-string', '$.item.image.etag');
    refuses((d) => (d.item.image = { etag: 'e', size: -1 }), 'document/out-of-range', '$.item.image.size');
    refuses((d) => (d.item.image = { etag: 'e', size: 1.5 }), 'document/out-of-range', '$.item.image.size');
    refuses((d) => (d.item.image = { etag: 'e', sha: 'x' }), 'document/unknown-property', '$.item.image.sha');
  });

  it('refuses a newer version and a missing one', () => {
    refuses((d) => (d.version = DOCUMENT_VERSION + 1), 'document/unsupported-version', '$.version');
    refuses((d) => delete d.version, 'document/unsupported-version', '$.version');
    refuses((d) => (d.version = '1'), 'document/unsupported-version', '$.version');
  });
});

describe('migrateDocument', () => {
  const v0 = {
    version: 0,
    image: { id: 'a', url: 'a.jpg', width: 640, height: 480 },
    annotations: [
      { id: 's1', label: 'car', type: 'box', bbox: [1, 2, 3, 4] },
      {
        id: 's2',
        label: 'road',
        type: 'polygon',
        points: [
          [0, 0],
          [9, 0],
          [9, 9],
        ],
        holes: [
          [
            [1, 1],
            [2, 1],
            [2, 2],
          ],
        ],
      },
      {
        id: 's3',
        label: 'road',
        type: 'polyline',
        points: [
          [0, 0],
          [5, 5],
        ],
      },
    ],
    tags: ['day'],
  };

  it('upgrades a v0 document to the current version, and validateDocument accepts it', () => {
    const r = migrateDocument(v0);
    assert.ok(r.ok);
    const expected = {
      version: 1,
      item: { id: 'a', src: 'a.jpg', width: 640, height: 480 },
      shapes: [
        { id: 's1', label: 'car', type: 'box', x: 1, y: 2, width: 3, height: 4 },
        { id: 's2', label: 'road', type: 'polygon', points: [0, 0, 9, 0, 9, 9], holes: [[1, 1, 2, 1, 2, 2]] },
        { id: 's3', label: 'road', type: 'polyline', points: [0, 0, 5, 5] },
      ],
      tags: ['day'],
    };
    assert.deepEqual(r.value, expected);
    const v = validateDocument(v0);
    assert.ok(v.ok);
    assert.deepEqual(v.value, expected);
  });

  it('returns the current version unchanged and reports a broken v0 document at its v0 path', () => {
    const d = valid();
    const same = migrateDocument(d);
    assert.ok(same.ok && same.value === (d as unknown));
    const broken = { ...v0, annotations: [{ id: 's', label: 'x', type: 'box', bbox: [1, 2] }] };
    const r = validateDocument(broken);
    assert.ok(!r.ok && r.error.code === 'document/invalid-migration' && r.error.path === '$.annotations[0].bbox');
    const noImage = validateDocument({ version: 0, annotations: [] });
    assert.ok(!noImage.ok && noImage.error.path === '$.image');
  });
});

describe('validateShape, validateLabels and validateDataset', () => {
  it('validates one shape with an optional path, labels and image', () => {
    assert.ok(validateShape({ id: 'a', label: 'x', type: 'point', x: 1, y: 2 }).ok);
    const r = validateShape(
      { id: 'a', label: 'x', type: 'mask', rle: mask },
      { image: { width: 5, height: 3 }, path: '$.s' },
    );
    assert.ok(!r.ok && r.error.code === 'shape/mask-size-mismatch' && r.error.path === '$.s.rle.size');
    const id = validateShape({ id: 7, label: 'x', type: 'point', x: 1, y: 2 });
    assert.ok(!id.ok && id.error.path === '$.id');
  });

  it('checks labels: unique ids and known shape types', () => {
    assert.ok(validateLabels(labels).ok);
    const dup = validateLabels([labels[0], labels[0]]);
    assert.ok(!dup.ok && dup.error.code === 'dataset/duplicate-label' && dup.error.path === '$[1].id');
    const t = validateLabels([{ ...labels[0], types: ['circle'] }]);
    assert.ok(!t.ok && t.error.code === 'shape/unknown-type' && t.error.path === '$[0].types[0]');
  });

  it('validates a dataset: items against its labels, unique item ids, paths inside items', () => {
    const d = valid();
    const r0 = validateDataset({ labels, items: [d] });
    assert.ok(r0.ok, String(!r0.ok && r0.error.path + r0.error.message));
    const dup = validateDataset({ labels, items: [d, d] });
    assert.ok(!dup.ok && dup.error.code === 'dataset/duplicate-item' && dup.error.path === '$.items[1].item.id');
    const bad = validateDataset({ labels: labels.slice(1), items: [d] });
    assert.ok(!bad.ok && bad.error.code === 'shape/unknown-label' && bad.error.path === '$.items[0].shapes[0].label');
    const old = validateDataset({ labels: [], items: [{ version: 9 }] });
    assert.ok(!old.ok && old.error.code === 'document/unsupported-version' && old.error.path === '$.items[0].version');
  });
});

describe('validation fuzz', () => {
  const check = (x: unknown) => {
    for (const r of [
      validateDocument(x),
      validateDataset(x),
      validateShape(x),
      validateLabels(x),
      migrateDocument(x),
    ]) {
      if (r.ok) continue;
      assert.ok(r.error instanceof ValidationError, String(r.error));
      assert.equal(typeof r.error.code, 'string');
      assert.ok(r.error.path?.startsWith('$'), `no path for ${r.error.code}`);
    }
  };

  it('arbitrary JSON never crashes: always ok or a ValidationError with a code and a path', () => {
    fc.assert(fc.property(fc.jsonValue(), check), { numRuns: 500 });
  });

  it('a valid document with one field replaced by arbitrary JSON gives ok or a ValidationError with a path', () => {
    const fields = ['version', 'item', 'shapes', 'tags'] as const;
    fc.assert(
      fc.property(fc.constantFrom(...fields), fc.nat(4), fc.string(), fc.jsonValue(), (field, i, key, value) => {
        const d = valid() as unknown as Loose;
        d[field] = value;
        check(d);
        const e = valid() as unknown as Loose;
        e.shapes[i][key] = value;
        check(e);
      }),
      { numRuns: 500 },
    );
  });
});
