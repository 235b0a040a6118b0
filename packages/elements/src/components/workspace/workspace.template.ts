import { html, nothing, type TemplateResult } from 'lit';
import type { ItemStatus } from '../../workspace/status.ts';
import type { LabelConflictDetail } from './events.ts';
import { STATUS_NAMES } from './item-strip.ts';

/** What the user is told about saving. */
export type SaveState = 'saved' | 'pending' | 'saving' | 'offline' | 'conflict' | 'error';

export function saveText(state: SaveState, pending: number, conflicts: number): string {
  switch (state) {
    case 'conflict':
      return `Conflict on ${conflicts} item${conflicts === 1 ? '' : 's'}`;
    case 'offline':
      return `Offline — ${pending} pending`;
    case 'saving':
      return 'Saving…';
    case 'pending':
      return `Unsaved changes (${pending})`;
    case 'error':
      return 'Saving failed';
    case 'saved':
      return 'All changes saved';
  }
}

/** The workspace header's state and actions. */
export interface HeaderView {
  title: string;
  /** "Item 3 of 40+" or ''. */
  position: string;
  status: ItemStatus;
  editable: boolean;
  saveState: SaveState;
  pending: number;
  conflicts: number;
  historyOpen: boolean;
  conflict: LabelConflictDetail | undefined;
  /** Commit viewed read-only, and the item viewed. */
  viewing: string | undefined;
  item: string | undefined;
  exportMenu: TemplateResult;
  setStatus(s: ItemStatus): void;
  toggleHistory(): void;
  resolve(choice: 'mine' | 'theirs'): void;
  backToLatest(): void;
}

function banner(v: HeaderView) {
  if (v.conflict)
    return html`<div part="banner" role="alert">
      ${v.conflict.item}: someone else changed it (${v.conflict.reason}). Your version is kept until you choose.
      <button type="button" data-action="keep-mine" @click=${() => v.resolve('mine')}>Keep mine</button>
      <button type="button" data-action="take-theirs" @click=${() => v.resolve('theirs')}>Take theirs</button>
    </div>`;
  if (v.viewing)
    return html`<div part="banner" role="status">
      Viewing ${v.item} at ${v.viewing.slice(0, 7)} (read-only)
      <button type="button" data-action="latest" @click=${() => v.backToLatest()}>Back to latest</button>
    </div>`;
  return nothing;
}

/** Title, position, item status buttons, save state, export menu, history toggle and the notice banner. */
export function workspaceHeader(v: HeaderView) {
  const pressed = (s: ItemStatus) => (v.status === s ? 'true' : 'false');
  return html`<header>
    <strong>${v.title}</strong>
    <span part="position">${v.position}</span>
    <span role="group" aria-label="Item status">
      <span>${STATUS_NAMES[v.status]}</span>
      <button type="button" data-action="done" aria-pressed=${pressed('done')} ?disabled=${!v.editable} @click=${() => v.setStatus('done')}>Mark done</button>
      <button type="button" data-action="reviewed" aria-pressed=${pressed('reviewed')} ?disabled=${!v.editable} @click=${() => v.setStatus('reviewed')}>Mark reviewed</button>
      <button type="button" data-action="reopen" ?disabled=${!v.editable} @click=${() => v.setStatus('in-progress')}>Reopen</button>
    </span>
    <span class="spacer"></span>
    <span part="save-state" role="status" data-state=${v.saveState}>${saveText(v.saveState, v.pending, v.conflicts)}</span>
    ${v.exportMenu}
    <button type="button" data-action="history" aria-pressed=${v.historyOpen ? 'true' : 'false'} @click=${() => v.toggleHistory()}>History</button>
    ${banner(v)}
  </header>`;
}

/** The page keys of the item strip: `]`/PageDown, `[`/PageUp, `u`. */
export function navigationKey(e: KeyboardEvent): 'next' | 'previous' | 'unlabeled' | undefined {
  if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return undefined;
  const target = e.composedPath()[0] as HTMLElement | undefined;
  if (target && /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) return undefined;
  if (e.key === ']' || e.key === 'PageDown') return 'next';
  if (e.key === '[' || e.key === 'PageUp') return 'previous';
  if (e.key === 'u' || e.key === 'U') return 'unlabeled';
  return undefined;
}
