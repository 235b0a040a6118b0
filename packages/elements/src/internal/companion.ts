import { LitElement, type PropertyValues } from 'lit';
import type { LabelCanvas } from '../components/canvas/canvas.component.ts';

/** Canvas events after which a companion re-renders. */
const EVENTS = ['label-change', 'label-select', 'label-load', 'label-tool-change'] as const;

/**
 * Base of the elements that work with a `<label-canvas>`: `for="id"` names the canvas (looked up by id in the
 * same document or shadow root, so that two editors on one page stay apart), or the `canvas` property is set
 * directly. The companion re-renders on the canvas's events.
 */
export class CanvasCompanion extends LitElement {
  static override properties = {
    for: { type: String, reflect: true },
  };

  /** Id of the `<label-canvas>` to work with, in the same document or shadow root. */
  for = '';
  #canvas: LabelCanvas | undefined;
  #explicit = false;
  #refresh = () => this.requestUpdate();

  /** The canvas in use; setting it overrides `for`. */
  get canvas(): LabelCanvas | undefined {
    return this.#canvas;
  }
  set canvas(c: LabelCanvas | undefined) {
    this.#explicit = c !== undefined;
    this.#attach(c);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#resolve();
    // The canvas may come later in the markup than its companion: look again once the parser has moved on.
    if (!this.#canvas) setTimeout(() => this.#resolve());
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#attach(undefined);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('for')) this.#resolve();
  }

  #resolve(): void {
    if (this.#explicit || !this.isConnected) return;
    const root = this.getRootNode() as Document | ShadowRoot;
    const found = this.for ? root.getElementById?.(this.for) : null;
    this.#attach(found?.localName === 'label-canvas' ? (found as LabelCanvas) : undefined);
  }

  #attach(c: LabelCanvas | undefined): void {
    if (c === this.#canvas) return;
    for (const e of EVENTS) this.#canvas?.removeEventListener(e, this.#refresh);
    this.#canvas = c;
    for (const e of EVENTS) c?.addEventListener(e, this.#refresh);
    this.requestUpdate();
  }
}
