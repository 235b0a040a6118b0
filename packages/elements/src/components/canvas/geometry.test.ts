import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Box } from '@labelkit/core';
import { boxCorners } from '@labelkit/core';
import { handlesOf, pickHandle, resizeBox, rotateBox } from './handles.ts';
import { actionFor, DEFAULT_SHORTCUTS } from './keyboard.ts';
import { hitShape, shapeBounds, translateShape } from './shape-geometry.ts';

const box: Box = { id: 'b', type: 'box', label: 'a', x: 10, y: 20, width: 40, height: 20 };
const close = (a: number[], b: number[]) => a.every((v, i) => Math.abs(v - (b[i] as number)) < 1e-9);

test('rotated box corners and bounds turn around the centre', () => {
  const r = { ...box, rotation: 90 };
  assert.ok(close(boxCorners(r), [40, 10, 40, 50, 20, 50, 20, 10]));
  assert.deepEqual(shapeBounds(r), { minX: 20, minY: 10, maxX: 40, maxY: 50 });
});

test('hit testing: inside a box, near a polyline within tolerance, not beyond it', () => {
  assert.equal(hitShape(box, 30, 30, 0), true);
  assert.equal(hitShape(box, 5, 30, 2), false);
  const line = { id: 'l', type: 'polyline' as const, label: 'a', points: [0, 0, 100, 0] };
  assert.equal(hitShape(line, 50, 3, 4), true);
  assert.equal(hitShape(line, 50, 5, 4), false);
  const holed = {
    id: 'p',
    type: 'polygon' as const,
    label: 'a',
    points: [0, 0, 100, 0, 100, 100, 0, 100],
    holes: [[40, 40, 60, 40, 60, 60, 40, 60]],
  };
  assert.equal(hitShape(holed, 20, 20, 0), true);
  assert.equal(hitShape(holed, 50, 50, 0), false);
});

test('translateShape moves every coordinate, holes included', () => {
  const p = {
    id: 'p',
    type: 'polygon' as const,
    label: 'a',
    points: [0, 0, 1, 0, 1, 1],
    holes: [[0.2, 0.2, 0.4, 0.2, 0.4, 0.4]],
  };
  const m = translateShape(p, 10, 5);
  assert.deepEqual(m.points, [10, 5, 11, 5, 11, 6]);
  assert.ok(close(m.holes?.[0] ?? [], [10.2, 5.2, 10.4, 5.2, 10.4, 5.4]));
});

test('resizing by a corner keeps the opposite corner fixed, also when rotated', () => {
  assert.deepEqual(resizeBox(box, 1, 1, 70, 60), { ...box, width: 60, height: 40 });
  const r = { ...box, rotation: 30 };
  const fixed = boxCorners(r).slice(0, 2);
  const out = resizeBox(r, 1, 1, 80, 90);
  assert.ok(close(boxCorners(out).slice(0, 2), fixed));
  assert.equal(out.rotation, 30);
});

test('the rotation handle turns the box towards the pointer', () => {
  assert.equal(rotateBox(box, 100, 30).rotation, 90);
  assert.equal(rotateBox(box, 30, -100).rotation, 0);
  const h = pickHandle(handlesOf(box, 1), 30, 20 - 24, 1);
  assert.equal(h?.kind, 'rotate');
});

test('shortcuts match on key with mod = Ctrl or Cmd, letters in either case', () => {
  const ev = (key: string, m: Partial<KeyboardEvent> = {}) =>
    ({ key, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...m }) as KeyboardEvent;
  assert.equal(actionFor(ev('z', { ctrlKey: true }), DEFAULT_SHORTCUTS), 'undo');
  assert.equal(actionFor(ev('z', { metaKey: true }), DEFAULT_SHORTCUTS), 'undo');
  assert.equal(actionFor(ev('Z', { metaKey: true, shiftKey: true }), DEFAULT_SHORTCUTS), 'redo');
  assert.equal(actionFor(ev('+', { shiftKey: true }), DEFAULT_SHORTCUTS), 'zoomIn');
  assert.equal(actionFor(ev('b'), DEFAULT_SHORTCUTS), 'tool:box');
  assert.equal(actionFor(ev('b', { ctrlKey: true }), DEFAULT_SHORTCUTS), null);
  assert.equal(actionFor(ev('b'), { ...DEFAULT_SHORTCUTS, 'tool:box': [] }), null);
});
