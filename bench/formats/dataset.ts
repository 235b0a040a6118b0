/** Synthetic datasets for the format benchmarks: `n` shapes over n/10 images of 1000x800. */
import type { Dataset, Shape } from '../../packages/core/src/index.ts';

export type Mix = 'boxes' | 'mixed';

/** Deterministic: the same `n` always gives the same dataset (a small LCG, no Math.random). */
export function syntheticDataset(n: number, mix: Mix = 'mixed'): Dataset {
  let seed = 12345;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const labels = ['car', 'person', 'bike', 'sign'].map((name, i) => ({
    id: name,
    name,
    color: ['#f00', '#0f0', '#00f', '#ff0'][i] as string,
  }));
  const perImage = 10;
  const items: Dataset['items'] = [];
  for (let i = 0; i * perImage < n; i++) {
    const shapes: Shape[] = [];
    for (let k = 0; k < perImage && i * perImage + k < n; k++) {
      const label = labels[(i + k) % labels.length]?.id as string;
      const x = Math.round(rnd() * 800 * 100) / 100;
      const y = Math.round(rnd() * 600 * 100) / 100;
      const w = Math.round((10 + rnd() * 150) * 100) / 100;
      const h = Math.round((10 + rnd() * 150) * 100) / 100;
      const id = String(k + 1);
      if (mix === 'boxes' || k % 2 === 0) shapes.push({ type: 'box', id, label, x, y, width: w, height: h });
      else
        shapes.push({
          type: 'polygon',
          id,
          label,
          points: [x, y, x + w, y, x + w, y + h / 2, x + w / 2, y + h, x, y + h, Math.max(0, x - 5), y + h / 2],
        });
    }
    items.push({ version: 1, item: { id: `img_${String(i).padStart(6, '0')}.jpg`, width: 1000, height: 800 }, shapes });
  }
  return { labels, items };
}
