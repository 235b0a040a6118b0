import { LabelKitError } from '../errors.ts';

/**
 * Errors of the versioned history. Codes:
 * - `history/invalid-json-value`: a value canonical JSON cannot represent (NaN, Infinity, undefined, a function,
 *   a cycle, a lone surrogate, a non-plain object); `path` names it.
 * - `history/invalid-hash`: a string that is not 64 lowercase hex digits where a hash is expected.
 * - `history/invalid-item-id`, `history/invalid-document`, `history/invalid-commit`, `history/invalid-ref`:
 *   caller-supplied data that breaks the format's rules; `path` names the field.
 * - `history/missing-object`: the reader has no object under a key the history points to (`key` names it).
 * - `history/corrupt-object`: an object whose bytes do not hash to its key, are not JSON, or are not the shape
 *   the format requires (`key` names it).
 * - `history/merge-conflict`: see {@link MergeConflictError}.
 * - `history/no-webcrypto`: `crypto.subtle` is absent (a browser page that is not a secure context).
 */
export class HistoryError extends LabelKitError {
  override name = 'HistoryError';
  /** The storage key the error is about, where there is one (e.g. `trees/<sha256>.json`). */
  readonly key: string | undefined;

  constructor(code: string, message: string, options: { path?: string; key?: string; cause?: unknown } = {}) {
    super(code, message, options);
    this.key = options.key;
  }

  override toJSON(): { code: string; message: string; path?: string; key?: string } {
    return { ...super.toJSON(), ...(this.key === undefined ? {} : { key: this.key }) };
  }
}

/** Why one item could not be merged. */
export const ConflictReason = {
  /** Both sides changed the item (or a shape inside it) to different contents. */
  BothModified: 'both-modified',
  /** One side deleted the item (or a shape), the other changed it. */
  DeleteModify: 'delete-modify',
  /** Both sides added the item (or a shape with the same id) with different contents. */
  BothAdded: 'both-added',
  /** Both sides reordered the item's shapes differently. */
  ShapeOrder: 'shape-order',
} as const;
export type ConflictReason = (typeof ConflictReason)[keyof typeof ConflictReason];

/** One item both sides of a merge changed in ways that cannot be combined. Hashes are object hashes. */
export interface MergeConflict {
  itemId: string;
  reason: ConflictReason;
  base?: string;
  ours?: string;
  theirs?: string;
  /** Shape ids both sides changed incompatibly (when the per-shape merge got that far). */
  shapes?: string[];
  /** Document fields other than shapes both sides changed incompatibly (`item`, `version`). */
  fields?: string[];
}

/** A merge that cannot complete: every conflicting item is listed, none is resolved silently. */
export class MergeConflictError extends HistoryError {
  override name = 'MergeConflictError';
  readonly conflicts: readonly MergeConflict[];

  constructor(conflicts: MergeConflict[]) {
    const ids = conflicts.map((c) => c.itemId);
    super(
      'history/merge-conflict',
      `${conflicts.length} item(s) conflict: ${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', ...' : ''}`,
    );
    this.conflicts = conflicts;
  }
}
