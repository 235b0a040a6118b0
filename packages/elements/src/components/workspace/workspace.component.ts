import type { AnnotationDocument, LabelDef } from '@labelkit/core';
import { LabelKitError } from '@labelkit/core';
import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { Autosave } from '../../workspace/autosave.ts';
import { ItemCatalog, type ItemFilter } from '../../workspace/catalog.ts';
import { type TokenSource, WorkspaceClient } from '../../workspace/client.ts';
import { WorkspaceError } from '../../workspace/errors.ts';
import { Outbox, type OutboxEvent, type OutboxSaved } from '../../workspace/outbox.ts';
import { type ItemStatus, statusOf, tagsWithStatus } from '../../workspace/status.ts';
import type { DatasetItem } from '../../workspace/types.ts';
import type { LabelCanvas } from '../canvas/canvas.component.ts';
import type { SamToolHost } from '../canvas/tools/sam.ts';
import { companionStyles } from '../shared.styles.ts';
import type { LabelConflictDetail } from './events.ts';
import { ExportMenu } from './export-menu.ts';
import { HistoryPanel } from './history-panel.ts';
import { itemStrip } from './item-strip.ts';
import { ItemView } from './item-view.ts';
import { type DetectorChoice, JobsPanel } from './jobs-panel.ts';
import { ReviewController, reviewKey } from './review.ts';
import { workspaceStyles } from './workspace.styles.ts';
import { navigationKey, type SaveState, workspaceHeader } from './workspace.template.ts';

/** The canvas's brush size keys move off `]` and `[`, which page through items here, and the brush off `r` (review). */
const CANVAS_SHORTCUTS = { brushBigger: ['}'], brushSmaller: ['{'], 'tool:brush': ['shift+r'] };

/** The item open in the editor, and the commit its document was read at (what its edits are made on). */
interface Current {
  item: DatasetItem;
  base: string | null;
}

/**
 * `<label-workspace server="https://..." dataset="demo" token="...">`: the full editor of one dataset of a
 * LabelKit server: `<label-canvas>`, `<label-toolbar>`, `<label-list>`, an item strip, autosave through an
 * IndexedDB outbox (nothing drawn is lost offline or on a closed tab), a history panel and an export menu.
 *
 * Item status (unlabeled, in progress, done, reviewed) is kept in the document's `tags` as `status:done` /
 * `status:reviewed`; see `ItemStatus`. Keys: `]`/PageDown next item, `[`/PageUp previous, `u` next unlabeled
 * (the canvas's brush size keys move to `}` and `{`), `r` review of model predictions (the brush moves to Shift+R):
 * in review `a`/Enter accept, `x`/Delete reject, `f` fix, `n`/`p` next/previous. With `detectors` set, a panel
 * starts auto-annotation jobs on the server.
 *
 * @fires label-save - a commit was made; detail `{ commit, items }`
 * @fires label-conflict - the server could not merge an edit; detail `{ item, reason, head, mine, theirs }`
 * @fires label-item-change - another item is open; detail `{ item, index }`
 * @fires label-error - loading or saving failed; detail `{ error: LabelKitError }` (a WorkspaceError for the API)
 * @csspart strip - the item strip
 * @csspart save-state - the save state (`data-state`: saved, pending, saving, offline, conflict, error)
 * @csspart banner - the conflict or read-only history notice
 * @csspart history - the history panel
 * @csspart export - the export menu
 * @csspart download - the link to the last export
 * @tagname label-workspace
 */
export class LabelWorkspace extends LitElement {
  static override styles = [companionStyles, workspaceStyles];
  static override properties = {
    server: { type: String, reflect: true },
    datasetId: { type: String, reflect: true, attribute: 'dataset' },
    token: { attribute: 'token' },
    segmenter: { attribute: false },
    fetcher: { attribute: false },
    autosaveDelay: { type: Number, attribute: 'autosave-delay' },
    pageSize: { type: Number, attribute: 'page-size' },
    detectors: { attribute: false },
    prefetch: { attribute: 'no-prefetch', converter: { fromAttribute: (v: string | null) => v === null } },
    labels: { state: true },
    datasetTitle: { state: true },
    index: { state: true },
    filter: { state: true },
    pending: { state: true },
    conflicts: { state: true },
    saving: { state: true },
    online: { state: true },
    historyOpen: { state: true },
    viewing: { state: true },
    conflict: { state: true },
    failure: { state: true },
  };

  /** Base URL of the LabelKit server ('' = this page's origin). */
  server = '';
  /** Dataset id (attribute `dataset`; the property cannot be `dataset`, which is HTMLElement's data-* map). */
  datasetId = '';
  /**
   * Bearer token, or (property only) a function returning the current one, called before each request so that
   * the host app can refresh it. It goes in the Authorization header, never in a URL.
   */
  token: TokenSource = '';
  /** Interactive segmenter for the `sam` tool; the next item's embedding is fetched ahead when it has `prefetch`. */
  segmenter: (SamToolHost & { prefetch?(image: string | ImageData): Promise<void> }) | undefined;
  /** The fetch used for the API (default the global fetch): a host may wrap it (headers, tracing, tests). */
  fetcher: typeof fetch | undefined;
  /** Quiet time after an edit before it is committed, in ms. */
  autosaveDelay = 1500;
  /** Items per page of the item strip. */
  pageSize = 100;
  /**
   * Detector models of the server offered for auto-annotation jobs, with their class names (the server lists only
   * its Segment-Anything models, so the host names its detectors); empty: no jobs panel.
   */
  detectors: DetectorChoice[] = [];
  /** Fetch the next item's image and embedding ahead (attribute `no-prefetch` turns it off, e.g. to save bandwidth). */
  prefetch = true;
  protected labels: LabelDef[] = [];
  protected datasetTitle = '';
  protected index = -1;
  protected filter: ItemFilter = { label: '', status: '' };
  protected pending = 0;
  protected conflicts = 0;
  protected saving = false;
  protected online = true;
  protected historyOpen = false;
  protected viewing: string | undefined;
  protected conflict: LabelConflictDetail | undefined;
  protected failure: LabelKitError | undefined;

  #client: WorkspaceClient | undefined;
  #outbox: Outbox | undefined;
  #autosave: Autosave | undefined;
  #catalog: ItemCatalog | undefined;
  #unsubscribe: (() => void) | undefined;
  #current: Current | undefined;
  #tags: string[] | undefined;
  #staging: Promise<void> = Promise.resolve();
  #openToken = 0;
  /** Bumped by every (re)start, so that answers for an older server or dataset are dropped. */
  #generation = 0;
  readonly #view = new ItemView(this);
  readonly #history = new HistoryPanel(this);
  readonly #export = new ExportMenu(this);
  // Getters: the panel reads the workspace's (protected) labels as they are now.
  readonly #jobs = ((host: LabelWorkspace) =>
    new JobsPanel({
      get client() {
        return host.client;
      },
      get labels() {
        return host.labels;
      },
      get detectors() {
        return host.detectors;
      },
      reload: () => host.reload(),
      requestUpdate: () => host.requestUpdate(),
      fail: (e) => host.fail(e),
    }))(this);
  readonly #review = new ReviewController(this);
  #onKey = (e: KeyboardEvent) => this.#keydown(e);
  /** Review keys are taken before the canvas sees them (`x`, `f`, `p` are canvas tools there). */
  #onReviewKey = (e: KeyboardEvent) => {
    const action = reviewKey(e, this.#review.active);
    if (action && this.#current && !this.viewing && !this.conflict && this.#review.run(action)) {
      e.preventDefault();
      e.stopPropagation();
    }
  };
  #onOffline = () => (this.online = false);

  // ---- public API -------------------------------------------------------------------------------------------

  /** The API client (undefined until `dataset` is set). */
  get client(): WorkspaceClient | undefined {
    return this.#client;
  }

  /** The outbox of edits not yet committed. */
  get outbox(): Outbox | undefined {
    return this.#outbox;
  }

  /** The items paged in so far, with their summaries. */
  get catalog(): ItemCatalog | undefined {
    return this.#catalog;
  }

  /** The canvas inside the workspace. */
  get canvas(): LabelCanvas | null {
    return this.renderRoot?.querySelector('label-canvas') ?? null;
  }

  /** Index of the open item in the catalog (-1: none). */
  get currentIndex(): number {
    return this.index;
  }

  /** Review mode of model predictions. */
  get review(): ReviewController {
    return this.#review;
  }

  /** The auto-annotation jobs panel. */
  get jobs(): JobsPanel {
    return this.#jobs;
  }

  /** Reads the items' annotations again (after a job committed) and reopens the open item. */
  async reload(): Promise<void> {
    const catalog = this.#catalog;
    if (!catalog) return;
    catalog.summaries.clear();
    void catalog.summarize(catalog.items.map((i) => i.id));
    if (this.index >= 0) await this.open(this.index);
  }

  /** Id of the open item. */
  get currentItem(): string | undefined {
    return this.#current?.item.id;
  }

  /** URL of the image fetched ahead (the next item's), so that moving on shows it at once. */
  get prefetching(): string | undefined {
    return this.#view.prefetching;
  }

  /** The save state shown to the user. */
  get saveState(): SaveState {
    if (this.conflicts > 0) return 'conflict';
    if (!this.online) return 'offline';
    if (this.saving) return 'saving';
    if (this.pending > 0) return 'pending';
    return this.failure instanceof WorkspaceError && this.failure.status >= 500 ? 'error' : 'saved';
  }

  /** Commits everything staged now (the autosave does it by itself; hosts may call it before leaving). */
  save(): Promise<void> {
    return this.#autosave?.now('save') ?? Promise.resolve();
  }

  /** Opens the item at `index` of the items paged in (the previous item's edits are saved first). */
  async open(index: number): Promise<void> {
    const item = this.#catalog?.items[index];
    const client = this.#client;
    const outbox = this.#outbox;
    if (!item || !client || !outbox) return;
    if (this.#current && this.#current.item.id !== item.id) void this.#autosave?.now('item-change');
    const token = ++this.#openToken;
    this.index = index;
    this.viewing = undefined;
    this.conflict = undefined;
    const entry = await outbox.entry(item.id).catch(() => undefined);
    let base: string | null = null;
    let doc: AnnotationDocument | null = null;
    let reached = true;
    try {
      const r = await client.readItem(item.id);
      base = r.commit;
      doc = r.document;
    } catch (e) {
      reached = false;
      if (!entry) this.fail(e);
    }
    if (token !== this.#openToken) return;
    if (entry?.conflict) {
      const c = entry.conflict;
      this.conflict = {
        item: item.id,
        reason: c.reason,
        head: c.head,
        mine: entry.document,
        theirs: reached ? doc : undefined,
      };
      if (!reached) doc = entry.document;
    } else if (entry) {
      // The edit waiting in the outbox is the newest version, and it was made on its own base.
      doc = entry.document;
      base = entry.base;
    }
    this.#current = { item, base };
    await this.#show(item, doc, Boolean(entry?.conflict));
    if (token !== this.#openToken) return;
    this.#catalog?.note(item.id, doc);
    this.#emit('label-item-change', { item, index });
    if (this.prefetch) this.#view.prefetch(this.#catalog?.items[index + 1]);
  }

  /** Records the open item's status in its document's tags (and saves it like any edit). */
  setStatus(status: ItemStatus): void {
    this.#tags = tagsWithStatus(this.#tags, status);
    this.#stageCurrent();
  }

  /** Shows the open item as it was at `commit`, read-only; undefined goes back to the latest version. */
  async viewAt(commit: string | undefined): Promise<void> {
    const cur = this.#current;
    const client = this.#client;
    if (!cur || !client) return;
    if (commit === undefined) {
      await this.open(this.index);
      return;
    }
    try {
      const r = await client.readItem(cur.item.id, { at: commit });
      this.viewing = commit;
      await this.#show(cur.item, r.document, true);
    } catch (e) {
      this.fail(e);
    }
  }

  /** Reverts a commit on the branch, then reloads the history and the open item. */
  async revert(commit: string): Promise<void> {
    const client = this.#client;
    if (!client) return;
    try {
      await this.#autosave?.now('revert');
      const r = await client.revert({ commit, message: `Revert ${commit.slice(0, 7)}` });
      this.#emit('label-save', { commit: r.commit, items: [] });
      await this.#history.refresh();
      await this.open(this.index);
    } catch (e) {
      this.fail(e);
    }
  }

  /** Ends the open item's conflict: keep the user's version (sent over the server's) or take the server's. */
  async resolveConflict(choice: 'mine' | 'theirs'): Promise<void> {
    const c = this.conflict;
    const outbox = this.#outbox;
    if (!c || !outbox) return;
    if (choice === 'mine') await outbox.keepMine(c.item);
    else await outbox.discard(c.item);
    this.conflict = undefined;
    await this.open(this.index);
    if (choice === 'mine') void this.#autosave?.now('resolve');
  }

  /** Reports an error as `label-error` (and in the header). */
  fail(error: unknown): void {
    const e =
      error instanceof LabelKitError
        ? error
        : new WorkspaceError('workspace/internal', error instanceof Error ? error.message : String(error), {
            cause: error,
          });
    this.failure = e;
    this.#emit('label-error', { error: e });
  }

  // ---- lifecycle --------------------------------------------------------------------------------------------

  override connectedCallback(): void {
    super.connectedCallback();
    this.addEventListener('keydown', this.#onKey);
    this.addEventListener('keydown', this.#onReviewKey, { capture: true });
    globalThis.addEventListener?.('offline', this.#onOffline);
    if (this.hasUpdated) void this.#start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.removeEventListener('keydown', this.#onKey);
    this.removeEventListener('keydown', this.#onReviewKey, { capture: true });
    globalThis.removeEventListener?.('offline', this.#onOffline);
    // Edits still staged stay in IndexedDB: the next workspace on this dataset sends them. The connection closes
    // once this last save is done (a save cut short only means the next start sends the edit again).
    const outbox = this.#outbox;
    const saving = this.#autosave?.now('disconnect') ?? Promise.resolve();
    this.#stop();
    void saving.finally(() => outbox?.close());
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('server') || changed.has('datasetId') || changed.has('pageSize')) void this.#start();
  }

  #stop(): void {
    this.#autosave?.stop();
    this.#unsubscribe?.();
    this.#export.dispose();
    this.#jobs.dispose();
    this.#review.active = false;
    this.#autosave = undefined;
    this.#outbox = undefined;
    this.#client = undefined;
    this.#catalog = undefined;
    this.#current = undefined;
    this.index = -1;
    this.#openToken++;
    this.#generation++;
  }

  async #start(): Promise<void> {
    this.#stop();
    if (!this.datasetId || !this.isConnected) return;
    let client: WorkspaceClient;
    try {
      client = new WorkspaceClient({
        server: this.server,
        dataset: this.datasetId,
        token: () => (typeof this.token === 'function' ? this.token() : (this.token ?? '')),
        fetch: (input, init) => (this.fetcher ?? globalThis.fetch)(input, init),
      });
    } catch (e) {
      this.fail(e);
      return;
    }
    const outbox = new Outbox(client);
    const catalog = new ItemCatalog(client, () => this.requestUpdate(), this.pageSize);
    this.#client = client;
    this.#outbox = outbox;
    this.#catalog = catalog;
    this.#unsubscribe = outbox.subscribe((e) => this.#onOutbox(e));
    this.#autosave = new Autosave((reason) => this.#save(reason), { delay: this.autosaveDelay });
    this.pending = (await outbox.entries().catch(() => [])).length;
    // Edits left by an earlier page (closed tab, lost connection) go first.
    void this.#autosave.now('start');
    await this.#load(this.#generation);
  }

  /** Loads the dataset and its first items; offline, it tries again when the connection comes back. */
  async #load(token: number): Promise<void> {
    const client = this.#client;
    const catalog = this.#catalog;
    if (!client || !catalog) return;
    try {
      const info = await client.info();
      if (token !== this.#generation) return;
      this.labels = info.labels ?? [];
      this.datasetTitle = info.title ?? info.id;
      if (!catalog.items.length) await catalog.more();
    } catch (e) {
      if (token !== this.#generation) return;
      if (e instanceof WorkspaceError && e.transient) {
        this.online = false;
        globalThis.addEventListener?.('online', () => void this.#load(token), { once: true });
      } else this.fail(e);
      return;
    }
    if (token === this.#generation && catalog.items.length && this.index < 0) await this.open(0);
    if (this.historyOpen) void this.#history.refresh();
  }

  // ---- editing and saving -------------------------------------------------------------------------------------

  async #show(item: DatasetItem, doc: AnnotationDocument | null, readonly: boolean): Promise<void> {
    await this.updateComplete;
    this.#tags = doc?.tags;
    await this.#view.show(item, doc, readonly);
  }

  #stageCurrent(): void {
    const canvas = this.canvas;
    const cur = this.#current;
    const outbox = this.#outbox;
    const doc = canvas?.document;
    if (!cur || !outbox || !doc || this.viewing || this.conflict || doc.item.id !== cur.item.id) return;
    const { tags: _old, ...rest } = doc;
    const full: AnnotationDocument = this.#tags?.length ? { ...rest, tags: [...this.#tags] } : rest;
    this.#catalog?.note(cur.item.id, full);
    this.#staging = this.#staging
      .then(() => outbox.stage(cur.item.id, full, cur.base))
      .catch((e: unknown) => this.fail(e));
    this.#autosave?.schedule();
  }

  async #save(reason: string): Promise<OutboxSaved[]> {
    const outbox = this.#outbox;
    if (!outbox) return [];
    await this.#staging;
    this.saving = true;
    try {
      const saved = await outbox.flush({ keepalive: reason === 'pagehide' || reason === 'hidden' });
      this.online = true;
      if (this.failure instanceof WorkspaceError && this.failure.transient) this.failure = undefined;
      return saved;
    } catch (e) {
      if (e instanceof WorkspaceError && e.transient) this.online = false;
      else this.fail(e);
      throw e;
    } finally {
      this.saving = false;
    }
  }

  #onOutbox(e: OutboxEvent): void {
    switch (e.type) {
      case 'change':
        this.pending = e.pending;
        this.conflicts = e.conflicts;
        return;
      case 'saved':
        this.#saved(e.saved);
        return;
      case 'conflict': {
        const c = e.conflict;
        this.#emit('label-conflict', c);
        if (c.item === this.#current?.item.id) void this.open(this.index);
        return;
      }
      case 'rejected':
        this.fail(e.error);
        return;
    }
  }

  #saved(s: OutboxSaved): void {
    this.#emit('label-save', { commit: s.commit, items: s.items });
    const cur = this.#current;
    if (cur && cur.base === s.parent) {
      const id = cur.item.id;
      const touched = s.items.includes(id) || s.changedElsewhere.includes(id);
      if (!s.merged || !touched) cur.base = s.head;
      // The head now holds a version merged with someone else's: show it unless newer edits wait.
      else
        void this.#outbox?.entry(id).then((left) => {
          if (!left && this.#current === cur && !this.viewing) void this.open(this.index);
        });
    }
    if (this.historyOpen) void this.#history.refresh();
  }

  // ---- navigation -------------------------------------------------------------------------------------------

  async step(step: 1 | -1): Promise<void> {
    const i = await this.#catalog?.step(this.index, step, this.filter);
    if (i !== undefined && i >= 0) await this.open(i);
  }

  async nextUnlabeled(): Promise<void> {
    const i = await this.#catalog?.step(this.index, 1, { label: '', status: 'unlabeled' });
    if (i !== undefined && i >= 0) await this.open(i);
  }

  #keydown(e: KeyboardEvent): void {
    const key = navigationKey(e);
    if (!key) return;
    e.preventDefault();
    void (key === 'next' ? this.step(1) : key === 'previous' ? this.step(-1) : this.nextUnlabeled());
  }

  #emit<K extends keyof GlobalEventHandlersEventMap>(
    name: K,
    detail: GlobalEventHandlersEventMap[K] extends CustomEvent<infer D> ? D : never,
  ): void {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }

  // ---- rendering ----------------------------------------------------------------------------------------------

  protected override render() {
    const count = this.#catalog?.items.length ?? 0;
    const doc = this.canvas?.document;
    return html`${workspaceHeader({
      title: this.datasetTitle || this.datasetId,
      position: this.index >= 0 ? `Item ${this.index + 1} of ${count}${this.#catalog?.done ? '' : '+'}` : '',
      status: statusOf(doc ? { ...doc, tags: this.#tags ?? [] } : null),
      editable: !this.viewing && !this.conflict && this.#current !== undefined,
      saveState: this.saveState,
      pending: this.pending,
      conflicts: this.conflicts,
      historyOpen: this.historyOpen,
      conflict: this.conflict,
      viewing: this.viewing,
      item: this.currentItem,
      exportMenu: this.#export.render(),
      setStatus: (s) => this.setStatus(s),
      toggleHistory: () => this.#toggleHistory(),
      resolve: (choice) => void this.resolveConflict(choice),
      backToLatest: () => void this.viewAt(undefined),
    })}
      ${itemStrip(this.#catalog, this.index, this.filter, this.labels, {
        open: (i) => void this.open(i),
        step: (s) => void this.step(s),
        nextUnlabeled: () => void this.nextUnlabeled(),
        more: () => void this.#catalog?.more().catch((e: unknown) => this.fail(e)),
        filter: (f) => (this.filter = { ...this.filter, ...f }),
      })}
      <label-toolbar for="canvas"></label-toolbar>
      <label-canvas
        id="canvas"
        .labels=${this.labels}
        .segmenter=${this.segmenter}
        .shortcuts=${CANVAS_SHORTCUTS}
        @label-change=${() => this.#stageCurrent()}
        @label-load=${(e: CustomEvent<{ width: number; height: number }>) => this.#view.loaded(this.currentItem, e.detail)}
      ></label-canvas>
      <aside>
        ${this.#current ? this.#review.render() : nothing}
        ${this.#jobs.render()}
        <label-list for="canvas"></label-list>
        ${this.historyOpen ? this.#history.render(this.viewing) : nothing}
      </aside>`;
  }

  #toggleHistory(): void {
    this.historyOpen = !this.historyOpen;
    if (this.historyOpen) void this.#history.refresh();
  }
}

export type { LabelConflictDetail, LabelItemChangeDetail, LabelSaveDetail } from './events.ts';
