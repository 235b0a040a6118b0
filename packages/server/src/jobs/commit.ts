/** The end of a job: every result merged per item over the head of `main`, landed as one commit. */
import { type AnnotationDocument, readCommit, readItem } from '@labelkit/core';
import type { DatasetService } from '../datasets/service.ts';
import { mergePredictions } from './merge.ts';
import type { JobStore } from './store.ts';
import type { ItemResult, JobRecord } from './types.ts';

/** Lands the record's parts and `pending` as one commit on `main`; undefined when nothing changes. */
export async function commitResults(
  service: DatasetService,
  store: JobStore,
  record: JobRecord,
  pending: ReadonlyMap<string, ItemResult>,
): Promise<string | undefined> {
  const results = new Map<string, ItemResult>();
  for (let n = 0; n < record.parts; n++)
    for (const [item, r] of Object.entries(await store.readPart(record.id, n))) results.set(item, r);
  for (const [item, r] of pending) results.set(item, r);
  const reader = service.history.reader;
  for (let attempt = 0; ; attempt++) {
    const ref = await service.history.readRef('main');
    const tree = ref ? (await readCommit(reader, ref.head)).tree : undefined;
    const items = new Map<string, AnnotationDocument>();
    for (const [item, r] of results) {
      const existing = tree ? await readItem(reader, tree, item) : undefined;
      const doc = mergePredictions(item, existing, r);
      if (doc) items.set(item, doc);
    }
    if (items.size === 0) return undefined;
    try {
      const landed = await service.commit({
        parent: ref?.head ?? null,
        items,
        message: `Auto-annotation: ${record.spec.model} over ${items.size} item${items.size === 1 ? '' : 's'} (job ${record.id})`,
        author: record.author,
      });
      return landed.commit;
    } catch (e) {
      // A person saved one of these items meanwhile: merge again over the new head (their shapes are kept).
      if ((e as { code?: string }).code !== 'history/merge-conflict' || attempt >= 4) throw e;
    }
  }
}
