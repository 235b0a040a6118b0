import type { AnnotationDocument, Shape } from '@labelkit/core';
import { html } from 'lit';
import type { ItemCatalog } from '../../workspace/catalog.ts';
import type { WorkspaceClient } from '../../workspace/client.ts';
import type { Outbox } from '../../workspace/outbox.ts';
import type { LabelCanvas } from '../canvas/canvas.component.ts';
import { shapeBounds } from '../canvas/shape-geometry.ts';

/** What review mode needs from its workspace. */
export interface ReviewHost {
  readonly canvas: LabelCanvas | null;
  readonly catalog: ItemCatalog | undefined;
  readonly client: WorkspaceClient | undefined;
  readonly outbox: Outbox | undefined;
  /** Index of the open item in the catalog (-1: none). */
  readonly currentIndex: number;
  open(index: number): Promise<void>;
  requestUpdate(): void;
  fail(error: unknown): void;
}

/** A review action, as the keys and the buttons name them. */
export type ReviewAction = 'toggle' | 'accept' | 'reject' | 'fix' | 'next' | 'previous';

const isPrediction = (s: Shape) => s.source === 'model';
const hasPredictions = (doc: AnnotationDocument | null | undefined) => !!doc?.shapes.some(isPrediction);

/** The model shapes of a document, highest score first (unscored last; ties keep document order). */
export function predictionsOf(doc: AnnotationDocument | null | undefined): Shape[] {
  return (doc?.shapes ?? [])
    .filter(isPrediction)
    .map((s, i) => ({ s, i }))
    .sort((a, b) => (b.s.score ?? -1) - (a.s.score ?? -1) || a.i - b.i)
    .map(({ s }) => s);
}

/** The key of a review action: `r` toggles; in review `a`/Enter, `x`/Delete, `f`, `n`, `p`. */
export function reviewKey(e: KeyboardEvent, active: boolean): ReviewAction | undefined {
  if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return undefined;
  const target = e.composedPath()[0] as HTMLElement | undefined;
  const tag = target?.tagName ?? '';
  if (/^(INPUT|SELECT|TEXTAREA)$/.test(tag)) return undefined;
  const key = e.key.length === 1 && !e.shiftKey ? e.key.toLowerCase() : e.key;
  if (key === 'r') return 'toggle';
  if (!active) return undefined;
  // Enter on a focused button is that button's click.
  if (key === 'a' || (key === 'Enter' && tag !== 'BUTTON')) return 'accept';
  if (key === 'x' || key === 'Delete') return 'reject';
  if (key === 'f') return 'fix';
  if (key === 'n') return 'next';
  if (key === 'p') return 'previous';
  return undefined;
}

/**
 * Review of model predictions (`source: 'model'` shapes, as auto-annotation jobs write them), one at a time in
 * score order: the one under review is selected and zoomed to; accept makes it a human shape (`source: 'human'`,
 * score dropped), reject removes it, fix hands it to the select tool for editing (review resumes on it with `r`).
 * Each action is one store change of the canvas (one undo step, autosaved like any edit). Past the last
 * prediction of an item, review moves on to the next item that has some (and back, for previous).
 */
export class ReviewController {
  active = false;
  /** Id of the prediction under review. */
  current: string | undefined;
  /** Set while another item is looked for: actions wait. */
  busy = false;
  #host: ReviewHost;

  constructor(host: ReviewHost) {
    this.#host = host;
  }

  /** The open item's predictions, in review order. */
  predictions(): Shape[] {
    return predictionsOf(this.#host.canvas?.document);
  }

  /** Runs an action; false when it does not apply now (not in review, busy). */
  run(action: ReviewAction): boolean {
    if (action === 'toggle') {
      void (this.active ? this.exit() : this.enter());
      return true;
    }
    if (!this.active || this.busy) return this.active;
    const canvas = this.#host.canvas;
    const list = this.predictions();
    const at = this.#indexIn(list);
    const shape = list[at];
    switch (action) {
      case 'next':
        void this.#go(list, at + 1, 1);
        return true;
      case 'previous':
        void this.#go(list, at - 1, -1);
        return true;
      case 'fix':
        if (!shape || !canvas) return true;
        this.active = false;
        canvas.setTool('select');
        canvas.select([shape.id]);
        canvas.focus();
        this.#host.requestUpdate();
        return true;
      case 'accept':
      case 'reject': {
        if (!shape || !canvas || canvas.readonly) return true;
        if (action === 'accept') {
          const { score: _score, ...rest } = shape;
          canvas.commit({ added: [], updated: [[shape, { ...rest, source: 'human' } as Shape]], removed: [] });
        } else canvas.commit({ added: [], updated: [], removed: [shape] });
        // The next one takes the place of the one just reviewed.
        void this.#go(this.predictions(), at, 1);
        return true;
      }
    }
  }

  /** Starts reviewing: the prediction reviewed last (after a fix) or the first; another item's if none here. */
  async enter(): Promise<void> {
    this.active = true;
    const list = this.predictions();
    await this.#go(list, this.#indexIn(list), 1);
  }

  exit(): void {
    this.active = false;
    this.#host.canvas?.select([]);
    this.#host.canvas?.fit();
    this.#host.requestUpdate();
  }

  #indexIn(list: Shape[]): number {
    const i = list.findIndex((s) => s.id === this.current);
    return Math.max(i, 0);
  }

  /** Reviews `list[i]`, or crosses to the next (`step` 1) or previous (-1) item with predictions. */
  async #go(list: Shape[], i: number, step: 1 | -1): Promise<void> {
    const shape = list[i];
    if (shape) {
      this.#show(shape);
      return;
    }
    this.busy = true;
    this.#host.requestUpdate();
    try {
      const found = await this.#cross(step);
      if (found) {
        const next = this.predictions();
        const s = step > 0 ? next[0] : next[next.length - 1];
        if (s) this.#show(s);
      } else {
        // Nothing further that way: stay on what is left here.
        const left = this.predictions();
        const s = left[Math.min(Math.max(i, 0), left.length - 1)];
        if (s) this.#show(s);
        else this.current = undefined;
      }
    } catch (e) {
      this.#host.fail(e);
    } finally {
      this.busy = false;
      this.#host.requestUpdate();
    }
  }

  /** Opens the next item after the open one (in `step` direction) that has predictions; false if none. */
  async #cross(step: 1 | -1): Promise<boolean> {
    const { catalog, client, outbox } = this.#host;
    if (!catalog || !client) return false;
    for (let i = this.#host.currentIndex; ; ) {
      i = await catalog.step(i, step, { label: '', status: '' });
      const item = catalog.items[i];
      if (i < 0 || !item) return false;
      // Read first, so that items without predictions are not opened (an edit waiting in the outbox may differ
      // from the server's version: that item is opened and looked at).
      const staged = await outbox?.entry(item.id).catch(() => undefined);
      if (!staged) {
        const r = await client.readItem(item.id);
        if (!hasPredictions(r.document)) continue;
      }
      await this.#host.open(i);
      if (this.predictions().length) return true;
    }
  }

  /** Selects the shape and zooms to it (half the view, at most 8x). */
  #show(shape: Shape): void {
    this.current = shape.id;
    const canvas = this.#host.canvas;
    this.#host.requestUpdate();
    if (!canvas) return;
    canvas.select([shape.id]);
    canvas.fit();
    const b = shapeBounds(shape);
    const w = canvas.clientWidth;
    const h = canvas.clientHeight;
    const c = canvas.toScreen((b.minX + b.maxX) / 2, (b.minY + b.maxY) / 2);
    canvas.panBy(w / 2 - c.x, h / 2 - c.y);
    const fitted = canvas.scale;
    const bw = Math.max(1, b.maxX - b.minX);
    const bh = Math.max(1, b.maxY - b.minY);
    canvas.zoomTo(Math.min(8, Math.max(fitted, 0.5 * Math.min(w / bw, h / bh))));
  }

  render() {
    if (!this.active)
      return html`<section part="review" aria-label="Review predictions">
        <button type="button" data-action="review" aria-keyshortcuts="r" @click=${() => this.run('toggle')}>Review predictions</button>
      </section>`;
    const list = this.predictions();
    const at = this.#indexIn(list);
    const counter = this.busy
      ? 'Looking for predictions…'
      : list.length
        ? `${at + 1} of ${list.length} predictions`
        : 'No predictions left';
    const score = list[at]?.score;
    const b = (action: ReviewAction, text: string, keys: string) =>
      html`<button type="button" data-action="review-${action}" aria-keyshortcuts=${keys} ?disabled=${this.busy} @click=${() => this.run(action)}>${text}</button>`;
    return html`<section part="review" aria-label="Review predictions">
      <span role="status" class="counter">${counter}${score === undefined ? '' : ` · score ${score.toFixed(2)}`}</span>
      <div class="nav">
        ${b('accept', 'Accept', 'a Enter')} ${b('fix', 'Fix', 'f')} ${b('reject', 'Reject', 'x Delete')}
        ${b('previous', 'Previous', 'p')} ${b('next', 'Next', 'n')} ${b('toggle', 'End review', 'r')}
      </div>
    </section>`;
  }
}
