import type { Shape, StoreChange } from '@labelkit/core';

const r = (v: number) => Math.round(v);

/** A short spoken description of a shape, e.g. `box car at 10, 20, 30 by 40`. */
export function describeShape(s: Shape, label: string): string {
  switch (s.type) {
    case 'box':
      return `box ${label} at ${r(s.x)}, ${r(s.y)}, ${r(s.width)} by ${r(s.height)}`;
    case 'polygon':
      return `polygon ${label} with ${s.points.length / 2} points`;
    case 'polyline':
      return `polyline ${label} with ${s.points.length / 2} points`;
    case 'point':
      return `point ${label} at ${r(s.x)}, ${r(s.y)}`;
    case 'mask':
      return `mask ${label}`;
    default:
      return 'shape';
  }
}

/** What a live region says after a change. */
export function summarizeChange(c: StoreChange, labelOf: (s: Shape) => string): string {
  const { added, updated, removed } = c.diff;
  const verb = c.reason === 'undo' ? 'Undone: ' : c.reason === 'redo' ? 'Redone: ' : '';
  if (c.reason === 'replace') return `Document loaded with ${c.document.shapes.length} shapes`;
  const parts: string[] = [];
  const one = (list: Shape[], word: string) => {
    const first = list[0];
    if (list.length === 1 && first) parts.push(`${word} ${describeShape(first, labelOf(first))}`);
    else if (list.length > 1) parts.push(`${word} ${list.length} shapes`);
  };
  one(added, 'added');
  one(
    updated.map(([, a]) => a),
    'changed',
  );
  one(removed, 'deleted');
  return verb + parts.join(', ');
}
