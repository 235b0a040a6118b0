/**
 * Three-way merge inside one item, for when both sides changed the same document. The rule, field by field:
 * - every top-level field but `shapes` and `tags` (`item`, `version`): a side that left it as in the base takes
 *   the other side's value; both changed it differently -> conflict on that field;
 * - `tags` is a set: a tag added or removed on one side is added or removed in the result (never conflicts);
 * - `shapes` are matched by `id` and merged one by one like fields: a shape changed (or added, or deleted) on
 *   one side only takes that side; changed identically on both is fine; changed differently on both, or
 *   changed on one side and deleted on the other, or added on both with different contents -> conflict naming
 *   the shape ids;
 * - shape order (drawing order): when only theirs reordered the shapes present on all three sides, theirs'
 *   order is kept, else ours'; both reordered differently -> conflict `shape-order`. Shapes added on the side
 *   whose order is not kept come after the others, in their own order.
 */
import type { AnnotationDocument, Shape } from '../records/types.ts';
import { canonicalJSON } from './canonical-json.ts';
import { ConflictReason } from './errors.ts';

export type DocumentMerge =
  | { ok: true; doc: AnnotationDocument }
  | { ok: false; reason: ConflictReason; shapes: string[]; fields: string[] };

type Json = Record<string, unknown>;

function reasonFor(b: string | undefined, o: string | undefined, t: string | undefined): ConflictReason {
  if (b === undefined) return ConflictReason.BothAdded;
  return o === undefined || t === undefined ? ConflictReason.DeleteModify : ConflictReason.BothModified;
}

/** 3-way merge of one value by its canonical form; `conflict` when both sides changed it differently. */
function pick<T>(
  b: T | undefined,
  o: T | undefined,
  t: T | undefined,
): { value: T | undefined } | { conflict: ConflictReason } {
  const [cb, co, ct] = [b, o, t].map((v) => (v === undefined ? undefined : canonicalJSON(v)));
  if (co === ct || ct === cb) return { value: o };
  if (co === cb) return { value: t };
  return { conflict: reasonFor(cb, co, ct) };
}

function mergeTags(base: string[] | undefined, ours: string[] | undefined, theirs: string[] | undefined): string[] {
  const b = new Set(base ?? []);
  const o = new Set(ours ?? []);
  const t = new Set(theirs ?? []);
  // A tag's presence changed on at most one side in a way that matters: if ours changed it, ours wins, and
  // if theirs changed it the same way the two agree.
  const keep = (tag: string) => (o.has(tag) !== b.has(tag) ? o.has(tag) : t.has(tag));
  const out = (ours ?? []).filter(keep);
  for (const tag of theirs ?? []) if (!o.has(tag) && keep(tag)) out.push(tag);
  return out;
}

function sameOrder(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Merges `theirs` into `ours` against `base` (`undefined` when the item was added on both sides). */
export function mergeDocuments(
  base: AnnotationDocument | undefined,
  ours: AnnotationDocument,
  theirs: AnnotationDocument,
): DocumentMerge {
  const fields: string[] = [];
  const shapes: string[] = [];
  let reason: ConflictReason | undefined;
  const out: Json = {};
  const keys = new Set([...Object.keys(base ?? {}), ...Object.keys(ours), ...Object.keys(theirs)]);
  for (const k of [...keys].sort()) {
    if (k === 'shapes' || k === 'tags') continue;
    const r = pick((base as Json | undefined)?.[k], (ours as unknown as Json)[k], (theirs as unknown as Json)[k]);
    if ('conflict' in r) {
      fields.push(k);
      reason ??= r.conflict;
    } else if (r.value !== undefined) out[k] = r.value;
  }
  if (ours.tags !== undefined || theirs.tags !== undefined) {
    const tags = mergeTags(base?.tags, ours.tags, theirs.tags);
    if (tags.length > 0 || ours.tags !== undefined) out.tags = tags;
  }

  const byId = (d: AnnotationDocument | undefined) => new Map((d?.shapes ?? []).map((s) => [s.id, s]));
  const [bm, om, tm] = [byId(base), byId(ours), byId(theirs)];
  const merged = new Map<string, Shape>();
  for (const id of new Set([...bm.keys(), ...om.keys(), ...tm.keys()])) {
    const r = pick(bm.get(id), om.get(id), tm.get(id));
    if ('conflict' in r) {
      shapes.push(id);
      reason ??= r.conflict;
    } else if (r.value !== undefined) merged.set(id, r.value);
  }

  const common = (d: AnnotationDocument) =>
    d.shapes.map((s) => s.id).filter((id) => bm.has(id) && om.has(id) && tm.has(id));
  const [seqB, seqO, seqT] = [common(base ?? ours), common(ours), common(theirs)];
  const oursMoved = base !== undefined && !sameOrder(seqO, seqB);
  const theirsMoved = base !== undefined && !sameOrder(seqT, seqB);
  if (oursMoved && theirsMoved && !sameOrder(seqO, seqT)) {
    reason ??= ConflictReason.ShapeOrder;
    if (fields.length === 0 && shapes.length === 0) fields.push('shapes');
  }
  if (reason !== undefined) return { ok: false, reason, shapes: shapes.sort(), fields };

  const [first, second] = theirsMoved && !oursMoved ? [theirs, ours] : [ours, theirs];
  const list: Shape[] = [];
  for (const d of [first, second]) {
    for (const s of d.shapes) {
      const m = merged.get(s.id);
      if (m) {
        list.push(m);
        merged.delete(s.id);
      }
    }
  }
  out.shapes = list;
  return { ok: true, doc: out as unknown as AnnotationDocument };
}
