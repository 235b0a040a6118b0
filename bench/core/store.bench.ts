import { type Box, createStore, type Shape, type Store } from '../../packages/core/src/index.ts';
import { suite } from '../harness.ts';
import { bigDocument } from './fixtures.ts';

const STEPS = 10_000;

/** A store over `n` shapes with STEPS recorded user moves (each its own undo step). */
function edited(n: number): Store {
  const store = createStore(bigDocument(n), { historyDepth: STEPS });
  for (let i = 0; i < STEPS; i++) {
    const s = store.getShape(`s${(i * 7) % n}`) as Shape;
    const r = store.apply({ added: [], updated: [[s, { ...s, label: i % 2 ? 'car' : 'person' }]], removed: [] });
    if (!r.ok) throw r.error;
  }
  return store;
}

function undoRedo(store: Store): void {
  for (let i = 0; i < STEPS; i++) if (!store.undo()) throw new Error('undo stopped early');
  for (let i = 0; i < STEPS; i++) if (!store.redo()) throw new Error('redo stopped early');
}

suite('core store', [
  ...[100, 1_000, 10_000].map((n) => ({
    name: `${STEPS} undos + ${STEPS} redos, ${n} shapes`,
    setup: () => edited(n),
    run: undoRedo,
    iterations: n >= 10_000 ? 3 : undefined,
    units: { count: 2 * STEPS, name: 'steps' },
  })),
  {
    name: '200-move drag in one mark group + undo, 10000 shapes',
    setup: () => createStore(bigDocument(10_000)),
    run: (store: Store) => {
      const close = store.mark();
      for (let i = 0; i < 200; i++) {
        const s = store.getShape('s0') as Box; // s0 is a box (see bigDocument)
        store.apply({ added: [], updated: [[s, { ...s, x: s.x + 1 }]], removed: [] });
      }
      close();
      store.undo();
    },
    units: { count: 200, name: 'moves' },
  },
]);
