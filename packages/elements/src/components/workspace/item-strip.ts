import type { LabelDef } from '@labelkit/core';
import { html, nothing } from 'lit';
import type { ItemCatalog, ItemFilter } from '../../workspace/catalog.ts';
import { ITEM_STATUSES, type ItemStatus } from '../../workspace/status.ts';

const STATUS_NAMES: Record<ItemStatus, string> = {
  unlabeled: 'Unlabeled',
  'in-progress': 'In progress',
  done: 'Done',
  reviewed: 'Reviewed',
};

export interface StripActions {
  open(index: number): void;
  step(step: 1 | -1): void;
  nextUnlabeled(): void;
  more(): void;
  filter(f: Partial<ItemFilter>): void;
}

/** The item strip: filters, previous/next, and the items paged in so far with their status. */
export function itemStrip(
  catalog: ItemCatalog | undefined,
  current: number,
  filter: ItemFilter,
  labels: LabelDef[],
  act: StripActions,
) {
  const items = catalog?.items ?? [];
  return html`<nav part="strip" aria-label="Items">
    <div class="filters">
      <select aria-label="Filter by label" @change=${(e: Event) => act.filter({ label: (e.target as HTMLSelectElement).value })}>
        <option value="" ?selected=${!filter.label}>Any label</option>
        ${labels.map((l) => html`<option value=${l.id} ?selected=${filter.label === l.id}>${l.name}</option>`)}
      </select>
      <select
        aria-label="Filter by status"
        @change=${(e: Event) => act.filter({ status: (e.target as HTMLSelectElement).value as ItemStatus | '' })}
      >
        <option value="" ?selected=${!filter.status}>Any status</option>
        ${ITEM_STATUSES.map((s) => html`<option value=${s} ?selected=${filter.status === s}>${STATUS_NAMES[s]}</option>`)}
      </select>
    </div>
    <div class="nav">
      <button type="button" data-action="previous" title="Previous item ([ or Page Up)" @click=${() => act.step(-1)}>Previous</button>
      <button type="button" data-action="next" title="Next item (] or Page Down)" @click=${() => act.step(1)}>Next</button>
      <button type="button" data-action="next-unlabeled" title="Next unlabeled item (U)" @click=${() => act.nextUnlabeled()}>
        Next unlabeled
      </button>
    </div>
    <ul aria-label="Items of the dataset">
      ${items.map((item, i) => {
        if (catalog && i !== current && !catalog.matches(item, filter)) return nothing;
        const status = catalog?.summaries.get(item.id)?.status;
        const statusName = status ? STATUS_NAMES[status] : 'Status unknown';
        return html`<li>
          <button
            type="button"
            data-item=${item.id}
            aria-current=${i === current ? 'true' : 'false'}
            aria-label="${item.id}, ${statusName}"
            @click=${() => act.open(i)}
          >
            <span class="dot" data-status=${status ?? 'unknown'}></span>${item.id}
          </button>
        </li>`;
      })}
    </ul>
    ${catalog && !catalog.done ? html`<button type="button" data-action="more-items" @click=${() => act.more()}>More items</button>` : nothing}
  </nav>`;
}

export { STATUS_NAMES };
