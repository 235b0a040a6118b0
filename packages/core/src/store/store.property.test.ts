import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type AnnotationDocument, createStore, type Diff, type Shape, type Store } from '@labelkit/core';
import fc from 'fast-check';

/** One random edit, resolved against the store's current shapes when it runs (so every diff is valid). */
type Op = { kind: 'add' | 'update' | 'remove' | 'mixed'; pick: number; x: number; group: number };

const opArb: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom('add', 'update', 'remove', 'mixed'),
  pick: fc.nat(1000),
  x: fc.integer({ min: -50, max: 150 }),
  // 0: plain apply, 1: inside a transaction of two diffs, 2: inside a mark group with the next op
  group: fc.nat(2),
});

let next = 0;
function makeDiff(store: Store, op: Op): Diff {
  const shapes = store.get().shapes;
  const pick = shapes.length ? (shapes[op.pick % shapes.length] as Shape) : undefined;
  const added: Shape[] = [];
  const updated: [Shape, Shape][] = [];
  const removed: Shape[] = [];
  if (op.kind === 'add' || op.kind === 'mixed' || !pick)
    added.push(
      op.x % 2
        ? { id: `n${next++}`, label: 'l', type: 'point', x: op.x, y: 1 }
        : { id: `n${next++}`, label: 'l', type: 'polygon', points: [0, 0, op.x, 0, op.x, 9] },
    );
  if (pick && op.kind === 'update') updated.push([pick, { ...pick, label: `l${op.x}` }]);
  if (pick && (op.kind === 'remove' || op.kind === 'mixed')) removed.push(pick);
  return { added, updated, removed };
}

function run(store: Store, ops: Op[]): number {
  let steps = 0;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i] as Op;
    if (op.group === 1) {
      const r = store.transact((tx) => {
        // The second diff edits, through tx.getShape, what the first one added or changed.
        const first = makeDiff(store, op);
        tx.apply(first);
        const id = (first.added[0] ?? first.updated[0]?.[1])?.id;
        const target = id === undefined ? undefined : tx.getShape(id);
        if (target) tx.apply({ added: [], updated: [[target, { ...target, label: 'z' }]], removed: [] });
      });
      assert.ok(r.ok);
    } else if (op.group === 2 && i + 1 < ops.length) {
      const close = store.mark();
      assert.ok(store.apply(makeDiff(store, op)).ok);
      assert.ok(store.apply(makeDiff(store, ops[++i] as Op)).ok);
      close();
    } else assert.ok(store.apply(makeDiff(store, op)).ok);
    steps++;
  }
  return steps;
}

const start = (): AnnotationDocument => ({
  version: 1,
  item: { id: 'i', width: 100, height: 100 },
  shapes: [
    { id: 'a', label: 'l', type: 'box', x: 1, y: 2, width: 3, height: 4 },
    { id: 'b', label: 'l', type: 'point', x: 5, y: 6 },
    { id: 'c', label: 'l', type: 'polyline', points: [0, 0, 1, 1] },
  ],
});

describe('store properties', () => {
  it('any sequence of valid user diffs followed by as many undos gives the original document back', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 30 }), (ops) => {
        const store = createStore(start());
        const original = store.get();
        const steps = run(store, ops);
        for (let i = 0; i < steps; i++) assert.ok(store.undo());
        assert.equal(store.canUndo(), false);
        assert.deepEqual(store.get(), original);
      }),
      { numRuns: 150 },
    );
  });

  it('undo then redo is the identity, at every point of the history', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 20 }), fc.nat(20), (ops, back) => {
        const store = createStore(start());
        const steps = run(store, ops);
        const n = Math.min(back, steps);
        for (let i = 0; i < n; i++) store.undo();
        const here = store.get();
        if (store.undo()) {
          assert.ok(store.redo());
          assert.deepEqual(store.get(), here);
        }
        for (let i = 0; i < n; i++) assert.ok(store.redo());
        assert.equal(store.canRedo(), false);
      }),
      { numRuns: 150 },
    );
  });

  it('notified diffs replayed on a copy of the document reproduce every snapshot', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 20 }), fc.nat(10), (ops, back) => {
        const store = createStore(start());
        const mirror = new Map(store.get().shapes.map((s) => [s.id, s]));
        store.subscribe(({ diff, document }) => {
          for (const s of diff.removed) assert.ok(mirror.delete(s.id));
          for (const [b, a] of diff.updated) {
            assert.deepEqual(mirror.get(b.id), b);
            mirror.set(a.id, a);
          }
          for (const s of diff.added) mirror.set(s.id, s);
          assert.deepEqual(new Map(document.shapes.map((s) => [s.id, s])), mirror);
        });
        run(store, ops);
        for (let i = 0; i < back; i++) store.undo();
        for (let i = 0; i < back; i++) store.redo();
      }),
      { numRuns: 100 },
    );
  });
});
