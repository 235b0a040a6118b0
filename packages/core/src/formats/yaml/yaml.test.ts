import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseYaml, writeDataYaml } from './yaml.ts';

describe('data.yaml reader', () => {
  it('reads the Ultralytics forms: index maps, block and flow lists, quotes and comments', () => {
    const r = parseYaml(
      [
        '# Ultralytics YOLO, AGPL-3.0 license',
        'path: ../datasets/coco8 # dataset root dir',
        "train: 'images/train'",
        'val: "images/val"',
        'test: # optional',
        'nc: 3',
        'names:',
        '  0: person',
        "  1: 'traffic light'",
        '  2: "a # b"',
      ].join('\n'),
    );
    assert.ok(r.ok, r.ok ? '' : r.error.message);
    assert.deepEqual(r.value, {
      path: '../datasets/coco8',
      train: 'images/train',
      val: 'images/val',
      test: null,
      nc: 3,
      names: { 0: 'person', 1: 'traffic light', 2: 'a # b' },
    });
    const flow = parseYaml('names: [\'a\', b, "c, d"]\nnc: 3\n');
    assert.ok(flow.ok);
    assert.deepEqual(flow.value.names, ['a', 'b', 'c, d']);
    const block = parseYaml('names:\n  - cat\n  - dog\n');
    assert.ok(block.ok);
    assert.deepEqual(block.value.names, ['cat', 'dog']);
    const map = parseYaml('names: {0: cat, 1: dog}\n');
    assert.ok(map.ok);
    assert.deepEqual(map.value.names, { 0: 'cat', 1: 'dog' });
  });

  it('fails with the line on what it does not understand', () => {
    const cases: [string, number, RegExp][] = [
      ['a: 1\n  b: 2', 2, /unexpected indentation/],
      ['names: [a, b', 1, /unterminated flow list/],
      ['names:\n  0: a\n    1: b', 3, /nested blocks/],
      ['a: 1\na: 2', 2, /duplicate key/],
      ['just text', 1, /expected "key: value"/],
      ["names: ['a", 1, /unterminated/],
      ['x: &anchor 1', 1, /unsupported YAML/],
      ['names: [[a]]', 1, /nested flow/],
    ];
    for (const [src, line, msg] of cases) {
      const r = parseYaml(src, 'data.yaml');
      assert.equal(r.ok, false, src);
      if (r.ok) continue;
      assert.equal(r.error.code, 'format/invalid-yaml');
      assert.equal(r.error.path, `line ${line}`, src);
      assert.equal(r.error.file, 'data.yaml');
      assert.match(r.error.message, msg, src);
    }
  });

  it('writes a data.yaml it reads back', () => {
    const text = writeDataYaml({ path: '.', train: 'images/train', val: 'images/val' }, [
      'person',
      'true',
      'a: b',
      '#x',
    ]);
    const r = parseYaml(text);
    assert.ok(r.ok, text);
    assert.deepEqual(r.value.names, { 0: 'person', 1: 'true', 2: 'a: b', 3: '#x' });
    assert.equal(r.value.nc, 4);
  });
});
