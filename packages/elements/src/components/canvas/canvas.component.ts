import type { AnnotationDocument, LabelDef, Shape } from '@labelkit/core';
import { createStore, type Diff, LabelKitError, type Origin, type Store, type StoreChange } from '@labelkit/core';
import { html, LitElement, type PropertyValues } from 'lit';
import { describeShape, summarizeChange } from './announce.ts';
import { canvasStyles } from './canvas.styles.ts';
import { canvasTemplate } from './canvas.template.ts';
import * as clipboard from './clipboard.ts';
import { labelColor } from './colors.ts';
import { imagePixels, loadImage } from './image-loader.ts';
import { CanvasInput } from './input.ts';
import { DEFAULT_SHORTCUTS, type Shortcuts } from './keyboard.ts';
import { CanvasLayers } from './layers.ts';
import { MaskCache, type PaintStyle } from './painter.ts';
import { Scene } from './scene.ts';
import type { Bounds } from './shape-geometry.ts';
import { noSegmenter } from './tools/candidate.ts';
import { createTool } from './tools/index.ts';
import type { SamOutput, SamTool, SamToolHost } from './tools/sam.ts';
import type { Tool, ToolHost, ToolName } from './tools/types.ts';

/**
 * `<label-canvas>`: draws an image and its annotations and lets the user draw and edit them.
 *
 * @fires label-change - the document changed; detail `{ document, diff, origin }` (not fired when `document` is set)
 * @fires label-select - the selection changed; detail `{ ids }`
 * @fires label-load - the image is loaded; detail `{ width, height }` (natural image size)
 * @fires label-error - the image or an operation failed; detail `{ error: LabelKitError }`
 * @fires label-tool-change - the tool or active label changed from the keyboard or a companion; detail `{ tool, activeLabel }`
 * @csspart stage - the drawing surface
 * @csspart message - loading and error messages
 * @csspart shape-list - the visually hidden list of shapes (role=list) for assistive technology
 * @csspart announcer - the visually hidden live region announcing changes
 * @cssproperty --label-canvas-background - background behind the image
 * @cssproperty --label-canvas-color - text colour of messages
 * @cssproperty --label-focus-ring - outline of the focused canvas
 * @cssproperty --label-selection-color - colour of the selection outline and handles
 * @tagname label-canvas
 */
export class LabelCanvas extends LitElement implements ToolHost {
  static override styles = canvasStyles;
  static override properties = {
    src: { type: String, reflect: true },
    labels: { attribute: false },
    tool: { type: String, reflect: true },
    activeLabel: { type: String, attribute: 'active-label' },
    segmenter: { attribute: false },
    readonly: { type: Boolean, reflect: true },
    shortcuts: { attribute: false },
    brushSize: { type: Number, attribute: 'brush-size' },
    samOutput: { type: String, attribute: 'sam-output' },
    status: { state: true },
    modelStatus: { state: true },
    announcement: { state: true },
  };

  /** URL of the image to annotate (any URL the browser can read; cross-origin images need CORS). */
  src = '';
  /** Label definitions: colours, names and the order of the number-key shortcuts (1 = first). */
  labels: LabelDef[] = [];
  /** The active tool. */
  tool: ToolName = 'select';
  /** Label given to new shapes (a label id); defaults to the first label, or `object`. */
  activeLabel = '';
  /** Interactive segmenter of the `sam` and `extreme` tools (see `SamToolHost`); `@labelkit/models` provides one. */
  segmenter: SamToolHost | undefined;
  /** Review mode: shapes can be selected but not drawn, moved or deleted. */
  readonly = false;
  /** Changes to the default shortcuts (see `DEFAULT_SHORTCUTS`); an action mapped to `[]` is turned off. */
  shortcuts: Partial<Shortcuts> = {};
  /** Diameter of the brush and eraser, in image pixels. */
  brushSize = 20;
  /** What an accepted sam candidate becomes: `polygon` shapes (with holes; default) or one `mask`. */
  samOutput: SamOutput = 'polygon';
  protected status: 'empty' | 'loading' | 'ready' | 'error' = 'empty';
  protected announcement = '';
  /** The segmenter's preparation of the current image (shown in the message part while it runs). */
  protected modelStatus: 'idle' | 'preparing' | 'ready' | 'error' = 'idle';
  #modelToken = 0;

  readonly masks = new MaskCache();
  #store: Store | undefined;
  /** Whether the canvas made the document itself (no `document` given): a new image then gets a new one. */
  #ownDocument = false;
  #unsubscribe: (() => void) | undefined;
  #scene = new Scene((id) => this.#store?.getShape(id), this.masks);
  #selection = new Set<string>();
  #layers: CanvasLayers | undefined;
  #input: CanvasInput | undefined;
  #tool: Tool | undefined;
  #image: HTMLImageElement | undefined;
  #resizeObserver: ResizeObserver | undefined;
  #loadToken = 0;

  // ---- public API -------------------------------------------------------------------------------------------

  /**
   * The annotations. Setting it replaces the document without entering the undo history (the history is cleared);
   * an invalid document is refused with `label-error` (the error of `validateDocument`, with its code and path).
   * Setting `undefined` once an image is loaded gives (or keeps) an empty document the canvas owns.
   */
  get document(): AnnotationDocument | undefined {
    return this.#store?.get();
  }
  set document(doc: AnnotationDocument | undefined) {
    // `undefined` means "no document given" (React wrappers set every prop on each render): the canvas keeps the
    // document it made itself, or makes one for the loaded image.
    if (doc === undefined && (this.#ownDocument || this.#image)) {
      if (!this.#ownDocument && this.#image) this.#setDocument(this.#emptyDocument(this.#image), true);
      return;
    }
    this.#setDocument(doc, false);
  }

  /** The store behind the canvas (the one the events describe); undefined until there is a document. */
  get store(): Store | undefined {
    return this.#store;
  }

  /** Natural size of the loaded image, or undefined before it loads. */
  get imageSize(): { width: number; height: number } | undefined {
    return this.#image ? { width: this.#image.naturalWidth, height: this.#image.naturalHeight } : undefined;
  }

  /** Current zoom (screen pixels per image pixel). */
  get scale(): number {
    return this.#layers?.viewport.scale ?? 1;
  }

  /** Ids of the selected shapes. */
  get selectedIds(): string[] {
    return [...this.#selection];
  }

  undo(): boolean {
    return !this.readonly && (this.#store?.undo() ?? false);
  }

  redo(): boolean {
    return !this.readonly && (this.#store?.redo() ?? false);
  }

  /** Scales and centres the image to fit the element. */
  fit(): void {
    const size = this.imageSize ?? (this.document ? this.document.item : undefined);
    if (!this.#layers || !size?.width || !size.height) return;
    this.#layers.viewport.fit(size.width, size.height);
    this.#layers.drawAll();
  }

  /** Zooms to `scale` keeping the image point under `at` (element pixels; default the centre) in place. */
  zoomTo(scale: number, at?: { x: number; y: number }): void {
    if (!this.#layers) return;
    const stage = this.#layers.stage;
    this.#layers.viewport.zoomAt(scale, at ?? { x: stage.width() / 2, y: stage.height() / 2 });
    this.#layers.drawAll();
  }

  /** Maps element pixels to image pixels. */
  toImage(x: number, y: number): { x: number; y: number } {
    return this.#layers?.viewport.toImage(x, y) ?? { x, y };
  }

  /** Maps image pixels to element pixels. */
  toScreen(x: number, y: number): { x: number; y: number } {
    return this.#layers?.viewport.toScreen(x, y) ?? { x, y };
  }

  select(ids: Iterable<string>): void {
    this.setSelection(ids);
  }

  deleteSelected(): void {
    if (this.readonly || !this.#store) return;
    const removed = [...this.#selection]
      .filter((id) => !this.#scene.locked.has(id))
      .map((id) => this.#store?.getShape(id));
    this.commit({ added: [], updated: [], removed: removed.filter((s): s is Shape => !!s) });
  }

  /** Hides shapes (they stay in the document); used by `<label-list>`. */
  setHidden(id: string, hidden: boolean): void {
    if (hidden) this.#scene.hidden.add(id);
    else this.#scene.hidden.delete(id);
    this.#layers?.drawShapes();
    this.requestUpdate();
  }

  isHidden(id: string): boolean {
    return this.#scene.hidden.has(id);
  }

  /** Locks shapes against selection and editing; used by `<label-list>`. */
  setLocked(id: string, locked: boolean): void {
    if (locked) {
      this.#scene.locked.add(id);
      if (this.#selection.delete(id)) this.setSelection(this.#selection);
    } else this.#scene.locked.delete(id);
    this.requestUpdate();
  }

  isLocked(id: string): boolean {
    return this.#scene.locked.has(id);
  }

  /** The composited canvas pixels (image, shapes, overlay) at device pixel ratio 1. */
  snapshot(): HTMLCanvasElement | undefined {
    return this.#layers?.snapshot();
  }

  /** Copies the selected shapes to a clipboard shared by the canvases of the page. */
  copy(): void {
    clipboard.copy(this.#selectedShapes());
  }

  /** Adds the copied shapes (offset by 10 image pixels) and selects them. */
  paste(): void {
    if (this.readonly) return;
    const added = clipboard.take();
    if (!added.length) return;
    this.commit({ added, updated: [], removed: [] });
    this.setSelection(added.map((s) => s.id));
  }

  /** Copies and pastes the selection in one go, leaving the clipboard as it was. */
  duplicate(): void {
    if (this.readonly) return;
    const added = clipboard.copies(this.#selectedShapes());
    if (!added.length) return;
    this.commit({ added, updated: [], removed: [] });
    this.setSelection(added.map((s) => s.id));
  }

  #selectedShapes(): Shape[] {
    return [...this.#selection].map((id) => this.#store?.getShape(id)).filter((s): s is Shape => !!s);
  }

  /** Switches tool (as the tool shortcuts do) and tells companions with `label-tool-change`. */
  setTool(tool: ToolName): void {
    this.tool = tool;
    this.#toolChanged();
  }

  /**
   * Makes `label` the label of new shapes (as the number keys do); selected shapes take it too, as one undo step.
   */
  setActiveLabel(label: string): void {
    this.activeLabel = label;
    if (!this.readonly && this.#store && this.#selection.size) {
      const updated: [Shape, Shape][] = [];
      for (const id of this.#selection) {
        const s = this.#store.getShape(id);
        if (s && s.label !== label) updated.push([s, { ...s, label }]);
      }
      this.commit({ added: [], updated, removed: [] });
    } else this.#announce(`Label ${this.#label(label)}`);
    this.#toolChanged();
  }

  #toolChanged(): void {
    this.#emit('label-tool-change', { tool: this.tool, activeLabel: this.currentLabel() });
  }

  // ---- ToolHost -------------------------------------------------------------------------------------------

  currentLabel(): string {
    return this.activeLabel || this.labels[0]?.id || 'object';
  }

  getShape(id: string): Shape | undefined {
    return this.#store?.getShape(id);
  }

  selection(): ReadonlySet<string> {
    return this.#selection;
  }

  setSelection(ids: Iterable<string>): void {
    const next = new Set([...ids].filter((id) => this.#store?.getShape(id) && !this.#scene.locked.has(id)));
    const same = next.size === this.#selection.size && [...next].every((id) => this.#selection.has(id));
    this.#selection = next;
    this.#layers?.drawShapes();
    this.#layers?.drawOverlay();
    if (same) return;
    if (next.size)
      this.#announce(next.size === 1 ? `Selected ${this.#describe([...next][0])}` : `${next.size} shapes selected`);
    this.#emit('label-select', { ids: [...next] });
  }

  hitTest(x: number, y: number): Shape | undefined {
    return this.#scene.hitTest(x, y, 4 / this.scale, this.#selection);
  }

  shapesIn(b: Bounds): Shape[] {
    return this.#scene.shapesIn(b);
  }

  commit(diff: Diff, origin: Origin = 'user'): void {
    const store = this.#store;
    if (!store) {
      this.error(new LabelKitError('canvas/no-document', 'There is no document to change yet'));
      return;
    }
    const close = store.mark();
    const r = store.apply(diff, { origin });
    close();
    if (!r.ok) this.error(r.error);
  }

  panBy(dx: number, dy: number): void {
    this.#layers?.viewport.panBy(dx, dy);
    this.#layers?.drawAll();
  }

  redraw(): void {
    this.#layers?.drawOverlay();
    // The accept button follows the model tools' candidate.
    if (this.tool === 'sam' || this.tool === 'extreme') this.requestUpdate();
  }

  error(error: LabelKitError): void {
    this.#announce(error.message);
    this.#emit('label-error', { error });
  }

  colorOf(label: string): string {
    return labelColor(this.labels, label);
  }

  // ---- lifecycle --------------------------------------------------------------------------------------------

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.hasAttribute('tabindex')) this.tabIndex = 0;
    if (!this.hasAttribute('role')) this.setAttribute('role', 'application');
    if (!this.hasAttribute('aria-roledescription'))
      this.setAttribute('aria-roledescription', 'image annotation canvas');
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#resizeObserver?.disconnect();
    this.#input?.detach();
    this.#layers?.destroy();
    this.#layers = undefined;
  }

  protected override firstUpdated(): void {
    const container = this.renderRoot.querySelector<HTMLDivElement>('[part=stage]');
    if (!container) throw new LabelKitError('canvas/internal', 'stage container missing');
    this.#layers = new CanvasLayers(
      container,
      (g, scale) => this.#paintBase(g, scale),
      (g, scale) => this.#paintOverlay(g, scale),
    );
    this.#input = new CanvasInput(this, container, this.#layers.viewport);
    this.#resizeObserver = new ResizeObserver(() => {
      this.#layers?.resize(this.clientWidth, this.clientHeight);
      this.fit();
    });
    this.#resizeObserver.observe(this);
    this.#layers.setImage(this.#image);
    this.fit();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('src')) void this.#load(this.src);
    if (changed.has('tool') || !this.#tool) {
      this.#tool?.cancel();
      this.#tool = createTool(this.tool, this);
      this.#input?.setCursor(this.#tool.cursor);
      if ((this.tool === 'sam' || this.tool === 'extreme') && !this.segmenter) this.error(noSegmenter(this.tool));
    }
    if (changed.has('segmenter') && this.segmenter && this.#image) this.#prepareModel(this.#image);
    if (changed.has('labels') && this.#store) {
      // The store checks labels: a new label set needs a new store (the undo history does not carry over).
      // A document the new labels refuse keeps its old store (and label-error says why).
      this.#setDocument(this.#store.get(), this.#ownDocument, true);
    }
    if (changed.has('labels') || changed.has('readonly')) this.#layers?.drawAll();
  }

  /** The active tool object (for the input controller). */
  get activeTool(): Tool | undefined {
    return this.#tool;
  }

  /** All shortcuts in effect. */
  get effectiveShortcuts(): Shortcuts {
    return { ...DEFAULT_SHORTCUTS, ...this.shortcuts };
  }

  // ---- internals --------------------------------------------------------------------------------------------

  #setDocument(doc: AnnotationDocument | undefined, own: boolean, force = false): void {
    const old = this.#store?.get();
    if (doc === old && !force) return;
    let store: Store | undefined;
    try {
      store = doc ? createStore(doc, this.labels.length ? { labels: this.labels } : {}) : undefined;
    } catch (e) {
      this.error(
        e instanceof LabelKitError ? e : new LabelKitError('canvas/invalid-document', String(e), { cause: e }),
      );
      return;
    }
    this.#unsubscribe?.();
    this.#store = store;
    this.#ownDocument = own;
    this.#unsubscribe = store?.subscribe((c) => this.#onChange(c));
    this.#scene.index.load(doc?.shapes ?? []);
    this.#selection = new Set([...this.#selection].filter((id) => store?.getShape(id)));
    this.#tool?.cancel();
    this.#layers?.drawAll();
    this.requestUpdate('document', old);
  }

  #emptyDocument(img: HTMLImageElement): AnnotationDocument {
    const item = { id: this.src, src: this.src, width: img.naturalWidth, height: img.naturalHeight };
    return { version: 1, item, shapes: [] };
  }

  #onChange(c: StoreChange): void {
    for (const s of c.diff.removed) {
      this.#scene.index.remove(s.id);
      this.#selection.delete(s.id);
    }
    for (const [, s] of c.diff.updated) this.#scene.index.upsert(s);
    for (const s of c.diff.added) this.#scene.index.upsert(s);
    this.#layers?.drawShapes();
    this.#layers?.drawOverlay();
    this.requestUpdate('document');
    this.#announce(summarizeChange(c, (s) => this.#label(s.label)));
    if (c.reason === 'replace') return;
    this.#emit('label-change', { document: c.document, diff: c.diff, origin: c.origin });
  }

  #emit<K extends keyof GlobalEventHandlersEventMap>(
    name: K,
    detail: GlobalEventHandlersEventMap[K] extends CustomEvent<infer D> ? D : never,
  ): void {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }

  #label(id: string): string {
    return this.labels.find((l) => l.id === id)?.name ?? id;
  }

  #describe(id: string | undefined): string {
    const s = id === undefined ? undefined : this.#store?.getShape(id);
    return s ? describeShape(s, this.#label(s.label)) : 'nothing';
  }

  #announce(text: string): void {
    // The same text twice must still be announced: a live region reads changes only.
    this.announcement = this.announcement === text ? `${text}\u00a0` : text;
  }

  #paintBase(g: CanvasRenderingContext2D, scale: number): void {
    if (this.#layers) this.#scene.paintBase(g, this.#style(scale), this.#layers.viewport.visible(16), this.#selection);
  }

  #paintOverlay(g: CanvasRenderingContext2D, scale: number): void {
    const handles = this.tool === 'select' && !this.readonly;
    this.#scene.paintSelection(g, this.#style(scale), this.#selection, this.#tool?.drafts?.(), handles);
    this.#tool?.paint?.(g, scale);
    this.#input?.paintCursor(g, scale);
  }

  #style(scale: number): PaintStyle {
    return { scale, colorOf: (l) => this.colorOf(l), strokeWidth: 2, fillOpacity: 0.18, pointRadius: 4 };
  }

  async #load(src: string): Promise<void> {
    const token = ++this.#loadToken;
    this.#image = undefined;
    this.#layers?.setImage(undefined);
    if (!src) {
      this.status = 'empty';
      return;
    }
    this.status = 'loading';
    const loaded = await loadImage(src);
    if (token !== this.#loadToken) return;
    if (!loaded.ok) {
      this.status = 'error';
      this.error(loaded.error);
      return;
    }
    const img = loaded.value;
    this.#image = img;
    this.status = 'ready';
    if (!this.#store || this.#ownDocument) this.#setDocument(this.#emptyDocument(img), true);
    this.#layers?.setImage(img);
    this.fit();
    if (this.segmenter) this.#prepareModel(img);
    this.#emit('label-load', { width: img.naturalWidth, height: img.naturalHeight });
  }

  /** Hands the image to the segmenter: decoded pixels, or its URL when a cross-origin image taints the canvas. */
  #prepareModel(img: HTMLImageElement): void {
    const segmenter = this.segmenter;
    if (!segmenter) return;
    const token = ++this.#modelToken;
    // Tainted by a cross-origin image without CORS: the segmenter fetches the URL itself.
    const image: ImageData | string = imagePixels(img) ?? img.src;
    this.modelStatus = 'preparing';
    segmenter.setImage(image).then(
      () => {
        if (token === this.#modelToken) this.modelStatus = 'ready';
      },
      (cause: unknown) => {
        if (token !== this.#modelToken) return;
        this.modelStatus = 'error';
        const code = cause instanceof LabelKitError ? cause.code : 'canvas/segmenter-image';
        this.error(new LabelKitError(code, 'The segmenter could not take the image', { cause }));
      },
    );
  }

  #acceptCandidate(): void {
    (this.#tool as SamTool | undefined)?.accept?.();
    this.focus();
  }

  protected override render() {
    const sam = this.tool === 'sam' || this.tool === 'extreme' ? (this.#tool as SamTool | undefined) : undefined;
    const preparing = this.modelStatus === 'preparing' && this.status === 'ready';
    return html`${this.#baseTemplate()}
      ${preparing ? html`<div part="message" role="status">Preparing the model…</div>` : ''}
      ${this.modelStatus === 'error' ? html`<div part="message" role="status">The model could not be prepared.</div>` : ''}
      ${
        sam?.hasCandidate && !this.readonly
          ? html`<button part="accept" type="button" style="position:absolute;right:8px;bottom:8px" aria-label="Accept segmentation" @click=${() => this.#acceptCandidate()}>
            Accept
          </button>`
          : ''
      }`;
  }

  #baseTemplate() {
    return canvasTemplate({
      status: this.status,
      shapes: this.#store?.get().shapes ?? [],
      selected: this.#selection,
      labelName: (id) => this.#label(id),
      announcement: this.announcement,
    });
  }
}

export type {
  LabelChangeDetail,
  LabelErrorDetail,
  LabelLoadDetail,
  LabelSelectDetail,
  LabelToolChangeDetail,
} from './events.ts';
