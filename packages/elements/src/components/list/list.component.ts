import { css, html } from 'lit';
import { CanvasCompanion } from '../../internal/companion.ts';
import { describeShape } from '../canvas/announce.ts';
import { companionStyles } from '../shared.styles.ts';

/**
 * `<label-list for="canvas-id">`: the shapes of a `<label-canvas>` with their label, a visibility and a lock
 * toggle; clicking a row selects the shape (shift-click adds it to the selection).
 *
 * @csspart list - the list (role=list)
 * @csspart item - one row; `aria-current="true"` when selected
 * @csspart visibility - the show/hide toggle
 * @csspart lock - the lock toggle
 * @csspart more - the line saying how many rows were left out
 * @cssproperty --label-panel-background - background
 * @cssproperty --label-panel-color - text colour
 * @cssproperty --label-accent - selected row marker
 * @tagname label-list
 */
export class LabelList extends CanvasCompanion {
  static override styles = [
    companionStyles,
    css`
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      li {
        display: flex;
        align-items: center;
        gap: 4px;
        padding: 2px 4px;
        border-left: 3px solid transparent;
      }
      li[aria-current='true'] {
        border-left-color: var(--_accent);
        background: var(--_hover);
      }
      .name {
        flex: 1;
        cursor: pointer;
        background: none;
        border: 0;
        text-align: left;
      }
      .hidden .name {
        opacity: 0.5;
      }
    `,
  ];
  static override properties = {
    ...CanvasCompanion.properties,
    limit: { type: Number },
  };

  /** Most rows shown (a list of 50,000 rows helps no one; filter in the host app for more). */
  limit = 500;

  protected override render() {
    const c = this.canvas;
    const shapes = c?.document?.shapes ?? [];
    if (!c) return html`<span part="empty">No canvas</span>`;
    const selected = new Set(c.selectedIds);
    const rows = shapes.slice(0, this.limit);
    const name = (id: string) => c.labels.find((l) => l.id === id)?.name ?? id;
    return html`<ul part="list" role="list" aria-label="Shapes">
        ${rows.map((s) => {
          const hidden = c.isHidden(s.id);
          const locked = c.isLocked(s.id);
          return html`<li part="item" data-id=${s.id} class=${hidden ? 'hidden' : ''} aria-current=${selected.has(s.id) ? 'true' : 'false'}>
            <button
              class="name"
              @click=${(e: MouseEvent) => c.select(e.shiftKey ? [...selected, s.id] : [s.id])}
              ?disabled=${locked}
            >
              <span class="swatch" style="background:${c.colorOf(s.label)}"></span>${describeShape(s, name(s.label))}
            </button>
            <button
              part="visibility"
              aria-label="Hidden"
              aria-pressed=${hidden ? 'true' : 'false'}
              @click=${() => c.setHidden(s.id, !hidden)}
            >
              ${hidden ? 'show' : 'hide'}
            </button>
            <button part="lock" aria-label="Locked" aria-pressed=${locked ? 'true' : 'false'} @click=${() => c.setLocked(s.id, !locked)}>
              ${locked ? 'unlock' : 'lock'}
            </button>
          </li>`;
        })}
      </ul>
      ${shapes.length > rows.length ? html`<div part="more">${shapes.length - rows.length} more shapes not listed</div>` : ''}`;
  }
}
