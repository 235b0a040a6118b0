import { type AnnotationDocument, validateDocument } from '../../packages/core/src/index.ts';
import { suite } from '../harness.ts';
import { bigDocument } from './fixtures.ts';

const labels = [
  { id: 'car', name: 'Car', color: '#f00' },
  { id: 'person', name: 'Person', color: '#0f0' },
];

suite(
  'core validate',
  [1_000, 10_000, 50_000].map((n) => ({
    name: `validateDocument ${n} shapes (with labels)`,
    setup: () => bigDocument(n),
    run: (doc: AnnotationDocument) => {
      const r = validateDocument(doc, { labels });
      if (!r.ok) throw r.error;
    },
    units: { count: n, name: 'shapes' },
  })),
);
