import type { Shape } from '@labelkit/core';
import RBush from 'rbush';
import { type Bounds, shapeBounds } from './shape-geometry.ts';

interface Entry extends Bounds {
  id: string;
  order: number;
}

/**
 * An R-tree over the document's shapes (rbush) for hit-testing and culling: the canvas asks it which shapes
 * touch the view or the pointer instead of walking every shape on each frame.
 */
export class SpatialIndex {
  #tree = new RBush<Entry>();
  #entries = new Map<string, Entry>();
  #order = 0;

  /** Rebuilds from a list (bulk load is much faster than one insert per shape). */
  load(shapes: readonly Shape[]): void {
    this.#tree.clear();
    this.#entries.clear();
    this.#order = 0;
    const entries = shapes.map((s) => this.#entry(s));
    this.#tree.load(entries);
  }

  upsert(s: Shape): void {
    this.remove(s.id);
    this.#tree.insert(this.#entry(s));
  }

  remove(id: string): void {
    const e = this.#entries.get(id);
    if (!e) return;
    this.#tree.remove(e);
    this.#entries.delete(id);
  }

  /** Ids of shapes whose bounds touch the rectangle, in drawing order (older first). */
  search(b: Bounds): string[] {
    return this.#tree
      .search(b)
      .sort((a, c) => a.order - c.order)
      .map((e) => e.id);
  }

  get size(): number {
    return this.#entries.size;
  }

  #entry(s: Shape): Entry {
    const e: Entry = { ...shapeBounds(s), id: s.id, order: this.#order++ };
    this.#entries.set(s.id, e);
    return e;
  }
}
