import type { AnnotationDocument } from '@labelkit/core';
import type { WorkspaceClient } from './client.ts';
import { type ItemStatus, labelsOf, statusOf } from './status.ts';
import type { DatasetItem } from './types.ts';

/** What the strip knows of an item's annotations without holding its document. */
export interface ItemSummary {
  status: ItemStatus;
  labels: Set<string>;
}

export interface ItemFilter {
  /** Only items with a shape of this label ('' = any). */
  label: string;
  /** Only items with this status ('' = any). */
  status: ItemStatus | '';
}

/**
 * The dataset's items as far as they were paged in, with a summary (status, labels) per item read lazily from
 * the server, a few requests at a time. Statuses come from each item's document, so knowing them costs one
 * request per item: they are read for the pages in view only, never for the whole dataset up front.
 */
export class ItemCatalog {
  items: DatasetItem[] = [];
  cursor: string | undefined;
  done = false;
  summaries = new Map<string, ItemSummary>();
  readonly pageSize: number;
  #client: WorkspaceClient;
  #onChange: () => void;
  #reading = new Set<string>();

  constructor(client: WorkspaceClient, onChange: () => void, pageSize = 100) {
    this.#client = client;
    this.#onChange = onChange;
    this.pageSize = pageSize;
  }

  /** Loads the next page of items; false at the end of the dataset. */
  async more(): Promise<boolean> {
    if (this.done) return false;
    const page = await this.#client.items({ limit: this.pageSize, ...(this.cursor ? { cursor: this.cursor } : {}) });
    const known = new Set(this.items.map((i) => i.id));
    this.items.push(...page.items.filter((i) => !known.has(i.id)));
    this.cursor = page.cursor;
    this.done = !page.cursor;
    this.#onChange();
    void this.summarize(page.items.map((i) => i.id));
    return page.items.length > 0;
  }

  /** Records what the editor knows of an item (its latest local document). */
  note(id: string, doc: AnnotationDocument | null | undefined): void {
    this.summaries.set(id, { status: statusOf(doc), labels: labelsOf(doc) });
    this.#onChange();
  }

  /** Reads the summaries not known yet, 4 requests at a time. */
  async summarize(ids: string[]): Promise<void> {
    const todo = ids.filter((id) => !this.summaries.has(id) && !this.#reading.has(id));
    for (const id of todo) this.#reading.add(id);
    const worker = async () => {
      for (let id = todo.shift(); id !== undefined; id = todo.shift()) {
        try {
          const r = await this.#client.readItem(id);
          if (!this.summaries.has(id))
            this.summaries.set(id, { status: statusOf(r.document), labels: labelsOf(r.document) });
        } catch {
          // Offline or gone: the item shows as unknown and is read again when asked for.
        } finally {
          this.#reading.delete(id);
        }
      }
      this.#onChange();
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
  }

  matches(item: DatasetItem, filter: ItemFilter): boolean {
    if (!filter.label && !filter.status) return true;
    const s = this.summaries.get(item.id);
    if (!s) return false;
    return (!filter.status || s.status === filter.status) && (!filter.label || s.labels.has(filter.label));
  }

  /**
   * Index of the next (step 1) or previous (-1) item after `from` that passes `filter`, paging in more items
   * when going forward past the end; -1 when there is none.
   */
  async step(from: number, step: 1 | -1, filter: ItemFilter): Promise<number> {
    for (let i = from + step; ; i += step) {
      if (i < 0) return -1;
      if (i >= this.items.length && (step < 0 || !(await this.more()))) return -1;
      const item = this.items[i];
      if (!item) return -1;
      if (filter.label || filter.status) await this.summarize([item.id]);
      if (this.matches(item, filter)) return i;
    }
  }
}
