import type { AnnotationDocument } from '@labelkit/core';

/**
 * Where an item stands. `done` and `reviewed` are stored in the document's `tags` as `status:done` and
 * `status:reviewed` (so they travel with the annotations through commits and exports); `unlabeled` and
 * `in-progress` are derived: no shapes, or shapes without a status tag.
 */
export const ItemStatus = {
  Unlabeled: 'unlabeled',
  InProgress: 'in-progress',
  Done: 'done',
  Reviewed: 'reviewed',
} as const;
export type ItemStatus = (typeof ItemStatus)[keyof typeof ItemStatus];
export const ITEM_STATUSES: readonly ItemStatus[] = Object.values(ItemStatus);

const TAG_PREFIX = 'status:';

export function statusOf(doc: AnnotationDocument | null | undefined): ItemStatus {
  const tags = doc?.tags ?? [];
  if (tags.includes(`${TAG_PREFIX}reviewed`)) return ItemStatus.Reviewed;
  if (tags.includes(`${TAG_PREFIX}done`)) return ItemStatus.Done;
  return doc?.shapes.length ? ItemStatus.InProgress : ItemStatus.Unlabeled;
}

/** The document's tags with `status` recorded (derived statuses remove the status tag). */
export function tagsWithStatus(tags: readonly string[] | undefined, status: ItemStatus): string[] {
  const rest = (tags ?? []).filter((t) => !t.startsWith(TAG_PREFIX));
  return status === ItemStatus.Done || status === ItemStatus.Reviewed ? [...rest, `${TAG_PREFIX}${status}`] : rest;
}

/** Label ids used by the document's shapes. */
export function labelsOf(doc: AnnotationDocument | null | undefined): Set<string> {
  return new Set((doc?.shapes ?? []).map((s) => s.label));
}
