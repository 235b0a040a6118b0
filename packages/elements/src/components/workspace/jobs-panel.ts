import type { LabelDef } from '@labelkit/core';
import { html, nothing } from 'lit';
import { isJobFinished, type JobView, type WorkspaceClient } from '../../workspace/client.ts';

/** A detector model of the server that the workspace offers for auto-annotation. */
export interface DetectorChoice {
  /** The model id of the server's configuration (`contract: "detector"`). */
  id: string;
  /** Its class names (index = class id), as in its manifest; the label map is made from them. */
  classes: readonly string[];
}

/** What the jobs panel asks of its workspace. */
export interface JobsHost {
  readonly client: WorkspaceClient | undefined;
  readonly labels: readonly LabelDef[];
  readonly detectors: readonly DetectorChoice[];
  /** Reads the items' annotations again (a job has committed). */
  reload(): Promise<void>;
  requestUpdate(): void;
  fail(error: unknown): void;
}

/** The dataset label a class goes to by default: the label whose id or name equals it (case-insensitive). */
export function defaultLabelFor(cls: string, labels: readonly LabelDef[]): string {
  const c = cls.toLowerCase();
  return labels.find((l) => l.id.toLowerCase() === c || l.name.toLowerCase() === c)?.id ?? '';
}

/**
 * Starts an auto-annotation job on the dataset (detector, class -> label map, thresholds, box-to-mask), shows its
 * progress (polled, see `WorkspaceClient.jobEvents`), cancels it, and reloads the items when it has committed.
 */
export class JobsPanel {
  model = '';
  /** The user's class -> label id choices ('' = dropped), per model; other classes go by equal names. */
  labelMap = new Map<string, Record<string, string>>();
  confidence = 0.25;
  iou = 0.7;
  boxToMask = false;
  job: JobView | undefined;
  /** How often a running job is read, in ms. */
  pollMs = 1000;
  #watch: AbortController | undefined;
  #host: JobsHost;

  constructor(host: JobsHost) {
    this.#host = host;
  }

  get running(): boolean {
    return !!this.job && !isJobFinished(this.job.state);
  }

  #detector() {
    const ds = this.#host.detectors;
    return ds.find((d) => d.id === this.model) ?? ds[0];
  }

  /** The class -> label map of a model: the user's choices over the defaults by equal names. */
  #map(model: DetectorChoice): Record<string, string> {
    const chosen = this.labelMap.get(model.id) ?? {};
    return Object.fromEntries(model.classes.map((c) => [c, chosen[c] ?? defaultLabelFor(c, this.#host.labels)]));
  }

  #choose(model: DetectorChoice, cls: string, label: string): void {
    this.labelMap.set(model.id, { ...this.labelMap.get(model.id), [cls]: label });
  }

  /** Starts the job with the panel's settings and follows it. */
  async start(): Promise<void> {
    const client = this.#host.client;
    const model = this.#detector();
    if (!client || !model || this.running) return;
    const labelMap = Object.fromEntries(Object.entries(this.#map(model)).filter(([, label]) => label));
    try {
      this.job = await client.startJob({
        model: model.id,
        labelMap,
        thresholds: { confidence: this.confidence, iou: this.iou },
        boxToMask: this.boxToMask,
      });
    } catch (e) {
      this.#host.fail(e);
      return;
    }
    this.#host.requestUpdate();
    await this.#follow(client, this.job.id);
  }

  async cancel(): Promise<void> {
    const client = this.#host.client;
    const job = this.job;
    if (!client || !job || !this.running) return;
    try {
      this.job = await client.cancelJob(job.id);
      this.#watch?.abort();
    } catch (e) {
      this.#host.fail(e);
    }
    this.#host.requestUpdate();
  }

  dispose(): void {
    this.#watch?.abort();
  }

  async #follow(client: WorkspaceClient, id: string): Promise<void> {
    this.#watch?.abort();
    const watch = new AbortController();
    this.#watch = watch;
    try {
      for await (const view of client.jobEvents(id, { intervalMs: this.pollMs, signal: watch.signal })) {
        this.job = view;
        this.#host.requestUpdate();
      }
      if (this.job?.state === 'done') await this.#host.reload();
    } catch (e) {
      if (!watch.signal.aborted) this.#host.fail(e);
    }
  }

  render() {
    const detectors = this.#host.detectors;
    if (!detectors.length) return nothing;
    const model = this.#detector() as DetectorChoice;
    const map = this.#map(model);
    const job = this.job;
    const number = (name: string, value: number, set: (v: number) => void) =>
      html`<label>${name}
        <input type="number" min="0" max="1" step="0.05" data-field=${name.toLowerCase()} .value=${String(value)}
          @change=${(e: Event) => {
            const v = Number((e.target as HTMLInputElement).value);
            if (v >= 0 && v <= 1) set(v);
          }} />
      </label>`;
    return html`<section part="jobs" aria-label="Auto-annotation">
      <strong>Auto-annotate</strong>
      <label>Model
        <select data-field="model" @change=${(e: Event) => {
          this.model = (e.target as HTMLSelectElement).value;
          this.#host.requestUpdate();
        }}>
          ${detectors.map((d) => html`<option value=${d.id} ?selected=${d.id === model.id}>${d.id}</option>`)}
        </select>
      </label>
      <fieldset>
        <legend>Classes to labels</legend>
        ${model.classes.map(
          (c) => html`<label>${c}
            <select data-class=${c} @change=${(e: Event) => this.#choose(model, c, (e.target as HTMLSelectElement).value)}>
              <option value="" ?selected=${!map[c]}>(skip)</option>
              ${this.#host.labels.map((l) => html`<option value=${l.id} ?selected=${map[c] === l.id}>${l.name}</option>`)}
            </select>
          </label>`,
        )}
      </fieldset>
      ${number('Confidence', this.confidence, (v) => (this.confidence = v))}
      ${number('IoU', this.iou, (v) => (this.iou = v))}
      <label><input type="checkbox" data-field="boxToMask" .checked=${this.boxToMask}
        @change=${(e: Event) => (this.boxToMask = (e.target as HTMLInputElement).checked)} /> Refine boxes into masks</label>
      <div class="nav">
        <button type="button" data-action="start-job" ?disabled=${this.running} @click=${() => this.start()}>Start</button>
        ${this.running ? html`<button type="button" data-action="cancel-job" @click=${() => this.cancel()}>Cancel</button>` : nothing}
      </div>
      ${
        job
          ? html`<progress aria-label="Job progress" max=${job.total ?? 1} .value=${job.total === null ? 0 : job.done}></progress>
            <span role="status" data-state=${job.state}>${jobText(job)}</span>`
          : nothing
      }
    </section>`;
  }
}

function jobText(j: JobView): string {
  const count = j.total === null ? `${j.done}` : `${j.done} of ${j.total}`;
  switch (j.state) {
    case 'queued':
      return 'Queued';
    case 'running':
      return `Running: ${count} items`;
    case 'done':
      return `Done: ${count} items${j.errorCount ? `, ${j.errorCount} failed` : ''}`;
    case 'cancelled':
      return `Cancelled after ${count} items`;
    case 'failed':
      return `Failed: ${j.failure?.message ?? 'unknown error'}`;
  }
}
