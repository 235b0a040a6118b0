/**
 * Parse and serialize of every format at 10,000 and 100,000 shapes (10 shapes per 1000x800 image; half boxes,
 * half 6-point polygons, boxes only for VOC). Peak memory per case: bench/formats/peak-memory.ts.
 */
import { type Dataset, type FileSet, formats } from '../../packages/core/src/index.ts';
import { suite } from '../harness.ts';
import { syntheticDataset } from './dataset.ts';

const NAMES = ['coco', 'yolo', 'voc', 'cvat', 'labelstudio'] as const;

function sizesOf(d: Dataset) {
  return Object.fromEntries(d.items.map((doc) => [doc.item.id, { width: doc.item.width, height: doc.item.height }]));
}

for (const n of [10_000, 100_000]) {
  const cases = NAMES.flatMap((name) => {
    const make = () => syntheticDataset(n, name === 'voc' ? 'boxes' : 'mixed');
    const units = { count: n, name: 'shapes' };
    const iterations = n >= 100_000 ? 3 : 5;
    return [
      {
        name: `${name} serialize ${n / 1000}k`,
        setup: make,
        run: (d: Dataset) => formats[name].serialize(d),
        units,
        iterations,
      },
      {
        name: `${name} parse ${n / 1000}k`,
        setup: () => {
          const d = make();
          return { files: formats[name].serialize(d).files, sizes: sizesOf(d) };
        },
        run: ({ files, sizes }: { files: FileSet; sizes: Record<string, { width: number; height: number }> }) => {
          const r = formats[name].parse(files, { imageSizes: sizes });
          if (!r.ok) throw r.error;
          return r.value.dataset.items.length;
        },
        units,
        iterations,
      },
    ];
  });
  suite('formats', cases);
}
