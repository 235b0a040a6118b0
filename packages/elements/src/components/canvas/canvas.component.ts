import { LabelKitError } from '@labelkit/core';
import Konva from 'konva';
import { html, LitElement, type PropertyValues } from 'lit';
import { canvasStyles } from './canvas.styles.ts';

/**
 * `<label-canvas>`: draws an image and its annotations.
 *
 * @fires label-load - the image is loaded; detail `{ width, height }` (natural image size)
 * @fires label-error - the image or an operation failed; detail `{ error: LabelKitError }`
 * @csspart stage - the drawing surface
 * @csspart message - loading and error messages
 * @cssproperty --label-canvas-background - background behind the image
 * @cssproperty --label-canvas-color - text colour of messages
 * @cssproperty --label-focus-ring - outline of the focused canvas
 */
export class LabelCanvas extends LitElement {
  static override styles = canvasStyles;
  static override properties = {
    src: { type: String, reflect: true },
    status: { state: true },
  };

  /** URL of the image to annotate (any URL the browser can read; cross-origin images need CORS). */
  src = '';
  protected status: 'empty' | 'loading' | 'ready' | 'error' = 'empty';

  #stage: Konva.Stage | undefined;
  #imageLayer: Konva.Layer | undefined;
  #image: HTMLImageElement | undefined;
  #resizeObserver: ResizeObserver | undefined;
  #loadToken = 0;

  /** Natural size of the loaded image, or undefined before it loads. */
  get imageSize(): { width: number; height: number } | undefined {
    return this.#image ? { width: this.#image.naturalWidth, height: this.#image.naturalHeight } : undefined;
  }

  /** Current zoom (screen pixels per image pixel). */
  get scale(): number {
    return this.#stage?.scaleX() ?? 1;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.hasAttribute('tabindex')) this.tabIndex = 0;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#resizeObserver?.disconnect();
    this.#stage?.destroy();
    this.#stage = undefined;
  }

  protected override firstUpdated(): void {
    const container = this.renderRoot.querySelector<HTMLDivElement>('[part=stage]');
    if (!container) throw new LabelKitError('canvas/internal', 'stage container missing');
    this.#stage = new Konva.Stage({ container, width: this.clientWidth || 1, height: this.clientHeight || 1 });
    this.#imageLayer = new Konva.Layer({ listening: false });
    this.#stage.add(this.#imageLayer);
    this.#resizeObserver = new ResizeObserver(() => this.#resize());
    this.#resizeObserver.observe(this);
    if (this.#image) this.#showImage(this.#image);
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('src')) void this.#load(this.src);
  }

  /** Scales and centres the image to fit the element. */
  fit(): void {
    const stage = this.#stage;
    const size = this.imageSize;
    if (!stage || !size) return;
    const scale = Math.min(stage.width() / size.width, stage.height() / size.height);
    stage.scale({ x: scale, y: scale });
    stage.position({ x: (stage.width() - size.width * scale) / 2, y: (stage.height() - size.height * scale) / 2 });
    stage.batchDraw();
  }

  async #load(src: string): Promise<void> {
    const token = ++this.#loadToken;
    this.#image = undefined;
    this.#imageLayer?.destroyChildren();
    if (!src) {
      this.status = 'empty';
      return;
    }
    this.status = 'loading';
    const img = new Image();
    img.crossOrigin = 'anonymous';
    img.decoding = 'async';
    img.src = src;
    try {
      await img.decode();
    } catch (cause) {
      if (token !== this.#loadToken) return;
      this.status = 'error';
      const error = new LabelKitError(
        'canvas/image-load',
        `Could not load image ${src} (missing, not an image, or blocked by CORS)`,
        { cause },
      );
      this.dispatchEvent(new CustomEvent('label-error', { detail: { error }, bubbles: true, composed: true }));
      return;
    }
    if (token !== this.#loadToken) return;
    this.#image = img;
    this.status = 'ready';
    this.#showImage(img);
    this.dispatchEvent(
      new CustomEvent('label-load', {
        detail: { width: img.naturalWidth, height: img.naturalHeight },
        bubbles: true,
        composed: true,
      }),
    );
  }

  #showImage(img: HTMLImageElement): void {
    if (!this.#imageLayer) return;
    this.#imageLayer.destroyChildren();
    this.#imageLayer.add(
      new Konva.Image({ image: img, x: 0, y: 0, width: img.naturalWidth, height: img.naturalHeight }),
    );
    this.fit();
  }

  #resize(): void {
    if (!this.#stage) return;
    this.#stage.size({ width: this.clientWidth || 1, height: this.clientHeight || 1 });
    this.fit();
  }

  protected override render() {
    const message =
      this.status === 'loading' ? 'Loading image…' : this.status === 'error' ? 'The image could not be loaded.' : '';
    return html`<div part="stage"></div>${message ? html`<div part="message" role="status">${message}</div>` : ''}`;
  }
}

export interface LabelLoadDetail {
  width: number;
  height: number;
}
export interface LabelErrorDetail {
  error: LabelKitError;
}
