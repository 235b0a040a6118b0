/**
 * The Label Studio ML backend protocol, so that a Label Studio project pre-labels with a LabelKit server:
 * `GET <base>/health`, `POST <base>/setup`, `POST <base>/predict`, with `<base>` =
 * `/v1/labelstudio/<dataset>/<detector model>` given to Label Studio as the backend URL. Predictions are
 * `rectanglelabels` (percent of the image, with original_width/height) and, when the config has `BrushLabels`,
 * `brushlabels` masks (the box refined by the Segment-Anything refiner) in Label Studio's brush RLE, both written
 * by @labelkit/core's Label Studio format.
 *
 * Images are never fetched from a URL (no SSRF): a task's image must be an item of the dataset, named by its
 * item id or by this server's signed fs URL of it (`/v1/storage/fs/<storage>/<key>`, relative or on this host).
 * Requests need read access to the dataset: give Label Studio's requests a bearer token through a proxy, or
 * the dataset anonymous read access (Label Studio sends no bearer token of its own).
 */
import { type AnnotationDocument, formats, type LabelDef, type Shape } from '@labelkit/core';
import type { DetectorManifest } from '@labelkit/models/detector';
import { type Context, Hono } from 'hono';
import type { AuthEnv } from '../auth/scopes.ts';
import { datasetFor } from '../datasets/access.ts';
import type { DatasetRegistry } from '../datasets/registry.ts';
import type { DatasetService } from '../datasets/service.ts';
import { HttpError } from '../errors.ts';
import { JobError } from '../jobs/errors.ts';
import { jsonObject, withJobErrors } from '../jobs/http.ts';
import { type LabelControl, labelMapOf, parseLabelConfig } from '../jobs/labelconfig.ts';
import type { PredictorFactory } from '../jobs/predict.ts';
import { normalizeStorageKey } from '../storage/drivers/keys.ts';

export interface LabelStudioRoutesOptions {
  datasets: DatasetRegistry;
  predictors: PredictorFactory;
  detectors: () => readonly DetectorManifest[];
  /** Name of the dataset's source storage in fs signed URLs (`/v1/storage/fs/<name>/...`): the dataset's own. */
  fsBaseUrl?: string;
  /** Most tasks per `/predict` (default 100). */
  maxTasks?: number;
  /** Largest request body in bytes (default 4 MiB: label configs and task data can be long). */
  maxBodyBytes?: number;
}

type C = Context<AuthEnv>;
const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** `params.confidence` (0..1) when the request gives one (Label Studio's extra params), else 0.25. */
function confidenceOf(params: unknown): number {
  const v = isRecord(params) ? params.confidence : undefined;
  if (v === undefined || v === null) return 0.25;
  if (typeof v !== 'number' || !(v >= 0 && v <= 1))
    throw bad('params.confidence is a number from 0 to 1', '$.params.confidence');
  return v;
}
const bad = (message: string, path: string) => new JobError('labelstudio/invalid-request', message, { path });

/**
 * The item id a task's image names: an item id, or a path (or a URL on this same host) of this server's fs
 * signed route for the dataset's source storage and a key under its prefix. Anything else is refused.
 */
export function itemOfImage(
  ref: unknown,
  service: DatasetService,
  host: string | undefined,
  fsBase: string,
  path: string,
): string {
  const forbidden = () =>
    new JobError(
      'labelstudio/forbidden-image',
      "Images are read only from the dataset: give an item id or this server's URL of the item",
      { path },
    );
  if (typeof ref !== 'string' || ref.length === 0 || ref.length > 4096) throw forbidden();
  const { storage, prefix } = service.dataset.source;
  let key: string;
  if (/^[a-z][a-z0-9+.-]*:/i.test(ref) || ref.startsWith('/')) {
    let url: URL;
    try {
      url = new URL(ref, 'http://same.host.invalid');
    } catch {
      throw forbidden();
    }
    const sameHost = url.host === 'same.host.invalid' || (host !== undefined && url.host === host);
    if (!sameHost || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw forbidden();
    const base = `${fsBase}/${storage}/`;
    if (!url.pathname.startsWith(base)) throw forbidden();
    try {
      key = decodeURIComponent(url.pathname.slice(base.length));
    } catch {
      throw forbidden();
    }
  } else key = prefix + ref;
  try {
    key = normalizeStorageKey(key);
  } catch {
    throw forbidden();
  }
  if (!key.startsWith(prefix) || key.length === prefix.length) throw forbidden();
  return key.slice(prefix.length);
}

/** Label Studio results of one image's shapes, written by core's Label Studio format. */
function results(
  doc: AnnotationDocument,
  labels: LabelDef[],
  toName: string,
  from: { rectangles?: LabelControl; brushes?: LabelControl },
): Record<string, unknown>[] {
  const { files } = formats.labelstudio.serialize(
    { labels, items: [doc] },
    {
      toName,
      fromNames: {
        ...(from.rectangles ? { rectanglelabels: from.rectangles.name } : {}),
        ...(from.brushes ? { brushlabels: from.brushes.name } : {}),
      },
    },
  );
  const tasks = JSON.parse(files['tasks.json'] as string) as { predictions: { result: Record<string, unknown>[] }[] }[];
  return tasks[0]?.predictions[0]?.result ?? [];
}

export function labelStudioRoutes(options: LabelStudioRoutesOptions): Hono<AuthEnv> {
  const { datasets, predictors } = options;
  const fsBase = (options.fsBaseUrl ?? '/v1/storage/fs').replace(/\/+$/, '');
  const maxTasks = options.maxTasks ?? 100;
  const app = new Hono<AuthEnv>();

  const context = async (c: C) => {
    const { service } = await datasetFor(c, datasets, c.req.param('dataset') as string, 'read');
    const name = c.req.param('model') as string;
    const model = options.detectors().find((d) => d.id === name);
    if (!model) throw new HttpError(404, 'model/unknown', `No detector model "${name}" is configured`);
    return { service, model, version: `${model.id}@${model.model.sha256.slice(0, 12)}` };
  };
  const wrap = withJobErrors<C>;

  app.get(
    '/:dataset/:model/health',
    wrap(async (c) => {
      const { version } = await context(c);
      return c.json({ status: 'UP', model_class: 'LabelKit', model_version: version });
    }),
  );

  app.post(
    '/:dataset/:model/setup',
    wrap(async (c) => {
      const { version } = await context(c);
      const body = await jsonObject(c, options.maxBodyBytes ?? 4 * 2 ** 20, 'labelstudio/invalid-request');
      // Label Studio sends its access token here; it is neither kept nor used (images come from the dataset).
      if (body.schema !== undefined) parseLabelConfig(body.schema);
      return c.json({ model_version: version });
    }),
  );

  app.post(
    '/:dataset/:model/predict',
    wrap(async (c) => {
      const { service, model, version } = await context(c);
      const body = await jsonObject(c, options.maxBodyBytes ?? 4 * 2 ** 20, 'labelstudio/invalid-request');
      const config = parseLabelConfig(body.label_config);
      if (!Array.isArray(body.tasks) || body.tasks.length === 0 || body.tasks.length > maxTasks)
        throw bad(`tasks is a list of 1 to ${maxTasks} tasks`, '$.tasks');
      const controls = [config.rectangles, config.brushes].filter((x): x is LabelControl => x !== undefined);
      const labelMap = labelMapOf(controls, model.classes);
      const items = body.tasks.map((t, i) => {
        if (!isRecord(t) || !isRecord(t.data)) throw bad('A task is { id, data: { ... } }', `$.tasks[${i}]`);
        const path = `$.tasks[${i}].data.${config.image.dataKey}`;
        return itemOfImage(t.data[config.image.dataKey], service, c.req.header('host'), fsBase, path);
      });
      const out: { result: Record<string, unknown>[]; score: number; model_version: string }[] = [];
      if (Object.keys(labelMap).length === 0) {
        // No label of the config stands for a class of this model: nothing to predict, as Label Studio expects.
        for (const _ of items) out.push({ result: [], score: 0, model_version: version });
        return c.json({ results: out, model_version: version });
      }
      const predictor = await predictors.create({
        model: model.id,
        items: { list: items },
        labelMap,
        thresholds: { confidence: confidenceOf(body.params), iou: 0.7 },
        boxToMask: false,
      });
      const refine = config.brushes ? await predictors.refiner() : undefined;
      const labels = [...new Set(Object.values(labelMap))].map((name) => ({ id: name, name, color: '#000000' }));
      for (const [i, item] of items.entries()) {
        const found = await service.source.get(service.dataset.source.prefix + item);
        if (!found)
          throw new JobError('labelstudio/image-not-found', `No item ${item} in the dataset`, {
            path: `$.tasks[${i}].data.${config.image.dataKey}`,
          });
        let n = 0;
        const p = await predictor.predict(found.body, () => `lk-${i}-${n++}`);
        // Boxes for RectangleLabels, masks for BrushLabels; a label a control does not list is not written by it.
        const pick = (shapes: Shape[], control: LabelControl | undefined) =>
          control ? shapes.filter((s) => control.labels.has(s.label)) : [];
        let shapes = pick(p.shapes, config.rectangles);
        if (refine) {
          const boxes = pick(p.shapes, config.brushes).map((s) => ({ ...s, id: `${s.id}-mask` }));
          shapes = [
            ...shapes,
            ...(await refine(found.body, p.width, p.height, boxes)).filter((s) => s.type === 'mask'),
          ];
        }
        const doc: AnnotationDocument = { version: 1, item: { id: item, width: p.width, height: p.height }, shapes };
        const scores = shapes.map((s) => s.score ?? 0);
        out.push({
          result: shapes.length ? results(doc, labels, config.image.name, config) : [],
          score: scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : 0,
          model_version: version,
        });
      }
      return c.json({ results: out, model_version: version });
    }),
  );

  return app;
}
