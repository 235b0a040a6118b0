import { html, nothing } from 'lit';
import type { WorkspaceClient } from '../../workspace/client.ts';
import type { CommitDetail, CommitInfo, DiffChange } from '../../workspace/types.ts';

/** What the history panel asks of its workspace. */
export interface HistoryHost {
  readonly client: WorkspaceClient | undefined;
  /** Item shown in the editor (its changes get a "view" button). */
  readonly currentItem: string | undefined;
  requestUpdate(): void;
  /** Shows the current item as it was at `commit`, read-only (undefined: back to the latest). */
  viewAt(commit: string | undefined): void;
  /** Reverts `commit` on the branch and reloads. */
  revert(commit: string): Promise<void>;
  fail(error: unknown): void;
}

const short = (hash: string) => hash.slice(0, 7);
const when = (t: string | number) => {
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? String(t) : d.toLocaleString();
};

/** The commits of the dataset's branch: author, time, message, items touched; view, compare and revert. */
export class HistoryPanel {
  commits: CommitInfo[] = [];
  cursor: string | undefined;
  detail: CommitDetail | undefined;
  /** Items that differ between the selected commit and the head. */
  since: DiffChange[] | undefined;
  loading = false;
  #host: HistoryHost;

  constructor(host: HistoryHost) {
    this.#host = host;
  }

  async refresh(): Promise<void> {
    const client = this.#host.client;
    if (!client) return;
    this.loading = true;
    this.#host.requestUpdate();
    try {
      const page = await client.log({ limit: 50 });
      this.commits = page.commits;
      this.cursor = page.cursor;
      if (this.detail && !this.commits.some((c) => c.hash === this.detail?.hash)) this.detail = undefined;
    } catch (e) {
      this.#host.fail(e);
    } finally {
      this.loading = false;
      this.#host.requestUpdate();
    }
  }

  async more(): Promise<void> {
    const client = this.#host.client;
    if (!client || !this.cursor) return;
    try {
      const page = await client.log({ limit: 50, cursor: this.cursor });
      this.commits = [...this.commits, ...page.commits];
      this.cursor = page.cursor;
    } catch (e) {
      this.#host.fail(e);
    }
    this.#host.requestUpdate();
  }

  async select(hash: string): Promise<void> {
    const client = this.#host.client;
    if (!client) return;
    if (this.detail?.hash === hash) {
      this.detail = undefined;
      this.since = undefined;
    } else {
      try {
        this.detail = await client.showCommit(hash);
        this.since = undefined;
      } catch (e) {
        this.#host.fail(e);
      }
    }
    this.#host.requestUpdate();
  }

  async compareWithHead(hash: string): Promise<void> {
    const client = this.#host.client;
    const head = this.commits[0]?.hash;
    if (!client || !head) return;
    try {
      this.since = (await client.diff(hash, head, { limit: 200 })).changes;
    } catch (e) {
      this.#host.fail(e);
    }
    this.#host.requestUpdate();
  }

  render(viewing: string | undefined) {
    const current = this.#host.currentItem;
    return html`<section part="history" aria-label="History">
      <div class="nav">
        <strong>History</strong>
        <button type="button" aria-label="Refresh history" @click=${() => this.refresh()}>Refresh</button>
        ${viewing ? html`<button type="button" data-action="latest" @click=${() => this.#host.viewAt(undefined)}>Back to latest</button>` : nothing}
      </div>
      ${this.loading && !this.commits.length ? html`<p>Loading…</p>` : nothing}
      ${!this.loading && !this.commits.length ? html`<p>No commits yet.</p>` : nothing}
      <ol aria-label="Commits">
        ${this.commits.map(
          (c) => html`<li data-hash=${c.hash}>
            <button
              type="button"
              class="commit"
              aria-expanded=${this.detail?.hash === c.hash ? 'true' : 'false'}
              aria-label="Commit ${short(c.hash)} by ${c.author}: ${c.message}"
              @click=${() => this.select(c.hash)}
            >
              ${c.message || short(c.hash)}
            </button>
            <div class="meta">${c.author} · ${when(c.time)} · ${short(c.hash)}</div>
            ${this.detail?.hash === c.hash ? this.#detail(this.detail, current) : nothing}
          </li>`,
        )}
      </ol>
      ${this.cursor ? html`<button type="button" @click=${() => this.more()}>Older commits</button>` : nothing}
    </section>`;
  }

  #detail(d: CommitDetail, current: string | undefined) {
    return html`<div class="detail">
      <div class="meta">${d.changes.length} item${d.changes.length === 1 ? '' : 's'} touched</div>
      <ul aria-label="Items changed in ${short(d.hash)}">
        ${d.changes.map(
          (ch) => html`<li>${ch.kind} ${ch.item}
            ${
              ch.item === current
                ? html`<button type="button" data-action="view" aria-label="View ${ch.item} at ${short(d.hash)}" @click=${() => this.#host.viewAt(d.hash)}>View</button>`
                : nothing
            }</li>`,
        )}
      </ul>
      <button type="button" data-action="compare" aria-label="Compare ${short(d.hash)} with the latest" @click=${() => this.compareWithHead(d.hash)}>
        Changes since
      </button>
      <button type="button" data-action="revert" aria-label="Revert ${short(d.hash)}" @click=${() => this.#host.revert(d.hash)}>
        Revert
      </button>
      ${
        this.since
          ? html`<ul aria-label="Changes since ${short(d.hash)}">
              ${this.since.length ? this.since.map((ch) => html`<li>${ch.kind} ${ch.item}</li>`) : html`<li>No changes since.</li>`}
            </ul>`
          : nothing
      }
    </div>`;
  }
}
