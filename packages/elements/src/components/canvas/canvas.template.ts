import type { Shape } from '@labelkit/core';
import { html } from 'lit';
import { describeShape } from './announce.ts';

/** Most shapes listed for assistive technology; the rest are summarised (a 10,000-item list helps no one). */
const LISTED_SHAPES = 200;

export interface CanvasView {
  status: 'empty' | 'loading' | 'ready' | 'error';
  shapes: readonly Shape[];
  selected: ReadonlySet<string>;
  labelName: (id: string) => string;
  announcement: string;
}

/** The element's shadow DOM: the drawing surface, a message, the hidden shape list and the live region. */
export function canvasTemplate(v: CanvasView) {
  const message =
    v.status === 'loading' ? 'Loading image…' : v.status === 'error' ? 'The image could not be loaded.' : '';
  const listed = v.shapes.slice(0, LISTED_SHAPES);
  return html`<div part="stage"></div>
    ${message ? html`<div part="message" role="status">${message}</div>` : ''}
    <ul part="shape-list" class="visually-hidden" role="list" aria-label="Shapes">
      ${listed.map(
        (s) =>
          // A list item cannot carry aria-selected (axe: aria-allowed-attr): the selection is said in words.
          html`<li role="listitem" data-selected=${v.selected.has(s.id) ? 'true' : 'false'}>
            ${describeShape(s, v.labelName(s.label))}${v.selected.has(s.id) ? ', selected' : ''}
          </li>`,
      )}
      ${v.shapes.length > listed.length ? html`<li role="listitem">and ${v.shapes.length - listed.length} more shapes</li>` : ''}
    </ul>
    <div part="announcer" class="visually-hidden" aria-live="polite" role="status">${v.announcement}</div>`;
}
