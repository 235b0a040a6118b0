/** Diffs between two states of a document's shapes, and the checks a diff must pass before it is applied. */
import { LabelKitError, ValidationError } from '../errors.ts';
import { jsonEqual } from '../records/equal.ts';
import { assertShape, isPlainObject, type ShapeContext } from '../records/shape.ts';
import type { Shape } from '../records/types.ts';

/** A change to a document's shapes. `updated` pairs are `[before, after]` of the same id. */
export interface Diff {
  added: Shape[];
  updated: [before: Shape, after: Shape][];
  removed: Shape[];
}

/** Where a change comes from: only `'user'` changes are recorded for undo. */
export type Origin = 'user' | 'model' | 'remote';

/** Store errors: `store/conflict`, `store/duplicate-id`, `store/invalid-diff`, `store/busy`. */
export class StoreError extends LabelKitError {
  override name = 'StoreError';
}

export const emptyDiff = (): Diff => ({ added: [], updated: [], removed: [] });

export function isEmptyDiff(d: Diff): boolean {
  return d.added.length === 0 && d.updated.length === 0 && d.removed.length === 0;
}

/** Shapes are records: the same object, or the same JSON. */
export function sameShape(a: Shape | undefined, b: Shape | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && jsonEqual(a, b));
}

/** The diff that undoes `d`. */
export function invertDiff(d: Diff): Diff {
  return { added: d.removed, updated: d.updated.map(([b, a]) => [a, b]), removed: d.added };
}

/**
 * Checks a diff against the current shapes (looked up by id) without changing anything. Returns the
 * error, or undefined when the diff applies. Added and updated-after shapes are fully validated.
 */
export function checkDiff(
  diff: unknown,
  lookup: (id: string) => Shape | undefined,
  ctx: ShapeContext,
): LabelKitError | undefined {
  if (
    !isPlainObject(diff) ||
    !Array.isArray(diff.added) ||
    !Array.isArray(diff.updated) ||
    !Array.isArray(diff.removed)
  )
    return new StoreError(
      'store/invalid-diff',
      'a diff is { added: Shape[], updated: [before, after][], removed: Shape[] }',
      {
        path: '$',
      },
    );
  const seen = new Set<string>();
  const once = (id: unknown, path: string): LabelKitError | undefined => {
    if (typeof id !== 'string') return new StoreError('store/invalid-diff', 'a shape id is a string', { path });
    if (seen.has(id))
      return new StoreError('store/duplicate-id', `shape ${JSON.stringify(id)} appears twice in one diff`, { path });
    seen.add(id);
    return undefined;
  };
  try {
    for (let i = 0; i < diff.added.length; i++) {
      const s: unknown = diff.added[i];
      const path = `$.added[${i}]`;
      assertShape(s, path, ctx);
      const e = once(s.id, `${path}.id`);
      if (e) return e;
      if (lookup(s.id) !== undefined)
        return new StoreError('store/duplicate-id', `shape ${JSON.stringify(s.id)} already exists`, {
          path: `${path}.id`,
        });
    }
    for (let i = 0; i < diff.updated.length; i++) {
      const pair: unknown = diff.updated[i];
      const path = `$.updated[${i}]`;
      if (!Array.isArray(pair) || pair.length !== 2)
        return new StoreError('store/invalid-diff', 'an update is a [before, after] pair', { path });
      const [before, after] = pair as [unknown, unknown];
      assertShape(after, `${path}[1]`, ctx);
      const id = isPlainObject(before) ? before.id : undefined;
      const e = once(id, `${path}[0].id`);
      if (e) return e;
      if (after.id !== id)
        return new StoreError('store/invalid-diff', 'an update keeps the shape id', { path: `${path}[1].id` });
      if (!sameShape(lookup(after.id), before as Shape))
        return new StoreError('store/conflict', `shape ${JSON.stringify(id)} is not in the state the update expects`, {
          path: `${path}[0]`,
        });
    }
    for (let i = 0; i < diff.removed.length; i++) {
      const before: unknown = diff.removed[i];
      const path = `$.removed[${i}]`;
      const id = isPlainObject(before) ? before.id : undefined;
      const e = once(id, `${path}.id`);
      if (e) return e;
      if (!sameShape(lookup(id as string), before as Shape))
        return new StoreError('store/conflict', `shape ${JSON.stringify(id)} is not in the state the removal expects`, {
          path,
        });
    }
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw e;
  }
  return undefined;
}

/** Net effect of a sequence of diffs (first `before`, last `after` of every shape touched). */
export function composeDiffs(diffs: readonly Diff[]): Diff {
  if (diffs.length === 1) return diffs[0] as Diff;
  const net = new Map<string, { before: Shape | undefined; after: Shape | undefined }>();
  const touch = (id: string, before: Shape | undefined, after: Shape | undefined) => {
    const e = net.get(id);
    if (e) e.after = after;
    else net.set(id, { before, after });
  };
  for (const d of diffs) {
    for (const s of d.removed) touch(s.id, s, undefined);
    for (const [b, a] of d.updated) touch(a.id, b, a);
    for (const s of d.added) touch(s.id, undefined, s);
  }
  const out = emptyDiff();
  for (const { before, after } of net.values()) {
    if (before && after) {
      if (before !== after) out.updated.push([before, after]);
    } else if (after) out.added.push(after);
    else if (before) out.removed.push(before);
  }
  return out;
}
