/**
 * The document store: one document, changed only by diffs, with undo/redo of the user's changes.
 *
 * Undo and concurrent changes (the rule): a history step only ever touches shapes still in the state the
 * step left them in. When a `'model'` or `'remote'` change has since modified, removed or re-added a shape,
 * undo (and redo) leave that shape as the later change made it and apply the rest of the step: the later
 * change wins, and undo never throws or resurrects a shape someone else removed. The part that was skipped
 * is dropped from the redo step too.
 */
import { LabelKitError } from '../errors.ts';
import type { ShapeContext } from '../records/shape.ts';
import { labelMap } from '../records/shape.ts';
import type { AnnotationDocument, LabelDef, Shape } from '../records/types.ts';
import { validateDocument } from '../records/validate.ts';
import { err, ok, type Result } from '../result.ts';
import {
  checkDiff,
  composeDiffs,
  type Diff,
  emptyDiff,
  invertDiff,
  isEmptyDiff,
  type Origin,
  StoreError,
  sameShape,
} from './diff.ts';
import { indexOf, type Step, Working } from './working.ts';

export interface StoreChange {
  /** The document after the change. */
  document: AnnotationDocument;
  /** What changed (for undo/redo: what the undo or redo did). */
  diff: Diff;
  origin: Origin;
  reason: 'apply' | 'undo' | 'redo' | 'replace';
}

export interface StoreOptions {
  /** The label set: shapes whose label is not one of these ids are refused (`shape/unknown-label`). */
  labels?: LabelDef[];
  /** How many undo steps are kept (oldest dropped first); 0 records nothing. Default 200. */
  historyDepth?: number;
}

export interface Transaction {
  /** Applies a diff inside the transaction; throws the `LabelKitError` that aborts the whole transaction. */
  apply(diff: Diff): void;
  /** The shape as the transaction has made it so far (`store.getShape` still answers the state before it). */
  getShape(id: string): Shape | undefined;
}

export interface Store {
  /** Immutable (frozen) snapshot; a new object after each change, unchanged shapes shared between snapshots. */
  get(): AnnotationDocument;
  /** The shape with this id, in O(1). */
  getShape(id: string): Shape | undefined;
  /** Applies a diff atomically: it is checked first and nothing changes when it is refused. Origin defaults to 'user'. */
  apply(diff: Diff, opts?: { origin?: Origin }): Result<Diff, LabelKitError>;
  /** Applies every diff `fn` makes or none: one undo step and one notification. */
  transact(fn: (tx: Transaction) => void, opts?: { origin?: Origin }): Result<Diff, LabelKitError>;
  /** Opens an undo group: user changes until the returned function is called (or the next mark, undo or redo) undo as one step. */
  mark(): () => void;
  undo(): boolean;
  redo(): boolean;
  canUndo(): boolean;
  canRedo(): boolean;
  /** Replaces the document from outside: validated, not recorded (history cleared); notified as 'replace' from 'remote'. */
  replace(doc: AnnotationDocument): Result<void, LabelKitError>;
  /** Calls `fn` after every change; returns the function that stops it. */
  subscribe(fn: (change: StoreChange) => void): () => void;
}

interface Entry {
  steps: Step[];
}

const ORIGINS: ReadonlySet<unknown> = new Set(['user', 'model', 'remote']);

function deepFreeze<T>(x: T): T {
  if (typeof x === 'object' && x !== null && !Object.isFrozen(x)) {
    Object.freeze(x);
    for (const v of Object.values(x)) deepFreeze(v);
  }
  return x;
}

function freezeDiff(d: Diff): void {
  for (const s of d.added) deepFreeze(s);
  for (const [, a] of d.updated) deepFreeze(a);
}

/** Keeps the parts of `d` that still apply to the current shapes (see the rule at the top of this file). */
function applicablePart(d: Diff, lookup: (id: string) => Shape | undefined): Diff {
  return {
    added: d.added.filter((s) => lookup(s.id) === undefined),
    updated: d.updated.filter(([b]) => sameShape(lookup(b.id), b)),
    removed: d.removed.filter((s) => sameShape(lookup(s.id), s)),
  };
}

/**
 * Creates a store holding `doc`. Throws the `ValidationError` when `doc` is not valid (a store never holds
 * an invalid document). The document and its shapes are frozen: change them through diffs.
 */
export function createStore(doc: AnnotationDocument, options: StoreOptions = {}): Store {
  const depth = options.historyDepth ?? 200;
  if (!Number.isInteger(depth) || depth < 0)
    throw new StoreError('store/invalid-option', `historyDepth must be a non-negative integer, got ${depth}`);
  const labels = options.labels ? labelMap(options.labels) : undefined;
  const first = validateDocument(doc, options.labels ? { labels: options.labels } : {});
  if (!first.ok) throw first.error;

  let snapshot = deepFreeze({ ...first.value, shapes: first.value.shapes.slice() });
  let index: ReadonlyMap<string, number> = indexOf(snapshot.shapes);
  let ctx: ShapeContext = { labels, image: snapshot.item };
  const undoStack: Entry[] = [];
  const redoStack: Entry[] = [];
  let group: { token: object; entry: Entry | undefined } | undefined;
  let busy = false;
  const listeners = new Set<(change: StoreChange) => void>();

  const lookup = (id: string): Shape | undefined => {
    const i = index.get(id);
    return i === undefined ? undefined : snapshot.shapes[i];
  };

  function commit(w: Working, diff: Diff, origin: Origin, reason: StoreChange['reason']): void {
    index = w.index;
    snapshot = Object.freeze({ ...snapshot, shapes: Object.freeze(w.arr) as Shape[] });
    notify({ document: snapshot, diff, origin, reason });
  }

  function notify(change: StoreChange): void {
    for (const fn of [...listeners]) {
      try {
        fn(change);
      } catch (e) {
        // A failing listener must neither stop the others nor undo a committed change: report it apart.
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  }

  function record(steps: Step[], origin: Origin): void {
    if (origin !== 'user' || depth === 0) return;
    redoStack.length = 0;
    if (group) {
      if (!group.entry) {
        group.entry = { steps: [] };
        undoStack.push(group.entry);
      }
      group.entry.steps.push(...steps);
    } else undoStack.push({ steps });
    while (undoStack.length > depth) {
      const dropped = undoStack.shift();
      if (group && dropped === group.entry) group.entry = undefined;
    }
  }

  function checkOrigin(origin: unknown): LabelKitError | undefined {
    if (ORIGINS.has(origin)) return undefined;
    return new StoreError('store/invalid-option', `origin is 'user', 'model' or 'remote', got ${String(origin)}`);
  }

  function replay(entry: Entry, direction: 'undo' | 'redo'): Entry {
    const w = new Working(snapshot.shapes, index);
    const done: Step[] = [];
    const applied: Diff[] = [];
    const steps = direction === 'undo' ? [...entry.steps].reverse() : entry.steps;
    for (const step of steps) {
      const d = direction === 'undo' ? invertDiff(step.diff) : step.diff;
      const part = applicablePart(d, (id) => w.get(id));
      if (isEmptyDiff(part)) continue;
      w.apply(part, direction === 'undo' ? step.removedAt : step.addedAt);
      applied.push(part);
      done.push({ ...step, diff: direction === 'undo' ? invertDiff(part) : part });
    }
    if (direction === 'undo') done.reverse();
    if (applied.length) commit(w, composeDiffs(applied), 'user', direction);
    return { steps: done };
  }

  const store: Store = {
    get: () => snapshot,
    getShape: lookup,

    apply(diff, opts = {}) {
      const origin = opts.origin ?? 'user';
      const bad = checkOrigin(origin);
      if (bad) return err(bad);
      if (busy) return err(new StoreError('store/busy', 'apply inside a transaction: use the transaction’s apply'));
      const e = checkDiff(diff, lookup, ctx);
      if (e) return err(e);
      if (isEmptyDiff(diff)) return ok(diff);
      freezeDiff(diff);
      const w = new Working(snapshot.shapes, index);
      const step = w.apply(diff);
      record([step], origin);
      commit(w, diff, origin, 'apply');
      return ok(diff);
    },

    transact(fn, opts = {}) {
      const origin = opts.origin ?? 'user';
      const bad = checkOrigin(origin);
      if (bad) return err(bad);
      if (busy) return err(new StoreError('store/busy', 'transactions do not nest'));
      const w = new Working(snapshot.shapes, index);
      const steps: Step[] = [];
      busy = true;
      try {
        fn({
          apply(diff) {
            if (!busy) throw new StoreError('store/busy', 'this transaction has ended');
            const e = checkDiff(diff, (id) => w.get(id), ctx);
            if (e) throw e;
            if (isEmptyDiff(diff)) return;
            freezeDiff(diff);
            steps.push(w.apply(diff));
          },
          getShape: (id) => w.get(id),
        });
      } catch (e) {
        if (e instanceof LabelKitError) return err(e);
        throw e;
      } finally {
        busy = false;
      }
      const net = composeDiffs(steps.map((s) => s.diff));
      if (steps.length === 0 || isEmptyDiff(net)) return ok(emptyDiff());
      record(steps, origin);
      commit(w, net, origin, 'apply');
      return ok(net);
    },

    mark() {
      const token = {};
      group = { token, entry: undefined };
      return () => {
        if (group?.token === token) group = undefined;
      };
    },

    undo() {
      if (busy) return false;
      group = undefined;
      const entry = undoStack.pop();
      if (!entry) return false;
      const done = replay(entry, 'undo');
      if (done.steps.length) redoStack.push(done);
      return true;
    },

    redo() {
      if (busy) return false;
      group = undefined;
      const entry = redoStack.pop();
      if (!entry) return false;
      const done = replay(entry, 'redo');
      if (done.steps.length) undoStack.push(done);
      return true;
    },

    canUndo: () => undoStack.length > 0,
    canRedo: () => redoStack.length > 0,

    replace(doc) {
      if (busy) return err(new StoreError('store/busy', 'replace inside a transaction'));
      const r = validateDocument(doc, options.labels ? { labels: options.labels } : {});
      if (!r.ok) return err(r.error);
      const next = deepFreeze({ ...r.value, shapes: r.value.shapes.slice() });
      const nextIndex = indexOf(next.shapes);
      const diff = emptyDiff();
      for (const s of snapshot.shapes) {
        const i = nextIndex.get(s.id);
        const n = i === undefined ? undefined : next.shapes[i];
        if (!n) diff.removed.push(s);
        else if (!sameShape(s, n)) diff.updated.push([s, n]);
      }
      for (const s of next.shapes) if (!index.has(s.id)) diff.added.push(s);
      snapshot = next;
      index = nextIndex;
      ctx = { labels, image: snapshot.item };
      undoStack.length = 0;
      redoStack.length = 0;
      group = undefined;
      notify({ document: snapshot, diff, origin: 'remote', reason: 'replace' });
      return ok(undefined);
    },

    subscribe(fn) {
      // A wrapper per call, so subscribing the same function twice gives two independent subscriptions.
      const wrapped = (c: StoreChange) => fn(c);
      listeners.add(wrapped);
      return () => {
        listeners.delete(wrapped);
      };
    },
  };
  return store;
}
