import { html, nothing } from 'lit';
import type { WorkspaceClient } from '../../workspace/client.ts';
import { EXPORT_FORMATS, type ExportFormat } from '../../workspace/types.ts';

const FORMAT_NAMES: Record<ExportFormat, string> = {
  coco: 'COCO',
  yolo: 'YOLO',
  voc: 'Pascal VOC',
  cvat: 'CVAT',
  labelstudio: 'Label Studio',
};

/** What the export menu asks of its workspace. */
export interface ExportHost {
  readonly client: WorkspaceClient | undefined;
  requestUpdate(): void;
  fail(error: unknown): void;
}

/**
 * The export picker: fetches `/v1/datasets/:id/export?format=` with the token (so no credential goes into a
 * link), then offers the zip as a blob link and starts the download.
 */
export class ExportMenu {
  format: ExportFormat = 'coco';
  busy = false;
  link: { url: string; filename: string } | undefined;
  #host: ExportHost;

  constructor(host: ExportHost) {
    this.#host = host;
  }

  async run(at?: string): Promise<void> {
    const client = this.#host.client;
    if (!client || this.busy) return;
    this.busy = true;
    this.#host.requestUpdate();
    try {
      const { blob, filename } = await client.exportArchive(this.format, at ? { at } : {});
      this.dispose();
      this.link = { url: URL.createObjectURL(blob), filename };
      const a = document.createElement('a');
      a.href = this.link.url;
      a.download = filename;
      a.click();
    } catch (e) {
      this.#host.fail(e);
    } finally {
      this.busy = false;
      this.#host.requestUpdate();
    }
  }

  dispose(): void {
    if (this.link) URL.revokeObjectURL(this.link.url);
    this.link = undefined;
  }

  render() {
    return html`<span part="export" role="group" aria-label="Export">
      <select
        aria-label="Export format"
        @change=${(e: Event) => (this.format = (e.target as HTMLSelectElement).value as ExportFormat)}
      >
        ${EXPORT_FORMATS.map((f) => html`<option value=${f} ?selected=${f === this.format}>${FORMAT_NAMES[f]}</option>`)}
      </select>
      <button type="button" data-action="export" ?disabled=${this.busy} @click=${() => this.run()}>
        ${this.busy ? 'Exporting…' : 'Export'}
      </button>
      ${this.link ? html`<a part="download" href=${this.link.url} download=${this.link.filename}>${this.link.filename}</a>` : nothing}
    </span>`;
  }
}
