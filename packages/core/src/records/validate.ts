/** Document and dataset validation (shapes: see shape.ts). */
import { jsonPath, ValidationError } from '../errors.ts';
import { err, ok, type Result } from '../result.ts';
import { migrateDocument } from './migrate.ts';
import {
  assertShape,
  checkKeys,
  expectNumber,
  expectObject,
  expectString,
  labelMap,
  type ShapeContext,
} from './shape.ts';
import type { AnnotationDocument, Dataset, LabelDef } from './types.ts';

export interface ValidateDocumentOptions {
  /** The label set: shapes whose label is not one of these ids are refused (`shape/unknown-label`). */
  labels?: readonly LabelDef[];
}

const DOC_KEYS: ReadonlySet<string> = new Set(['version', 'item', 'shapes', 'tags']);
const ITEM_KEYS: ReadonlySet<string> = new Set(['id', 'src', 'width', 'height', 'image']);
const IMAGE_KEYS: ReadonlySet<string> = new Set(['etag', 'size']);
const LABEL_KEYS: ReadonlySet<string> = new Set(['id', 'name', 'color', 'types']);
const DATASET_KEYS: ReadonlySet<string> = new Set(['labels', 'items']);
const SHAPE_TYPES: ReadonlySet<unknown> = new Set(['box', 'polygon', 'polyline', 'point', 'mask']);

function fail(code: string, message: string, path: string): never {
  throw new ValidationError(code, message, { path });
}

function imageSize(x: unknown, path: string): number {
  const v = expectNumber(x, path);
  if (!Number.isInteger(v) || v < 1) fail('document/out-of-range', `image sizes are positive integers, got ${v}`, path);
  return v;
}

function assertDocument(input: unknown, path: string, labels: ShapeContext['labels']): AnnotationDocument {
  const migrated = migrateDocument(input);
  if (!migrated.ok) {
    const e = migrated.error;
    fail(e.code, e.message, path + (e.path ?? '$').slice(1));
  }
  const o = migrated.value;
  checkKeys(o, DOC_KEYS, path);
  const item = expectObject(o.item, `${path}.item`);
  checkKeys(item, ITEM_KEYS, `${path}.item`);
  expectString(item.id, `${path}.item.id`);
  if (item.src !== undefined) expectString(item.src, `${path}.item.src`, false);
  const width = imageSize(item.width, `${path}.item.width`);
  const height = imageSize(item.height, `${path}.item.height`);
  if (item.image !== undefined) {
    const image = expectObject(item.image, `${path}.item.image`);
    checkKeys(image, IMAGE_KEYS, `${path}.item.image`);
    expectString(image.etag, `${path}.item.image.etag`);
    if (image.size !== undefined) {
      const size = expectNumber(image.size, `${path}.item.image.size`);
      if (!Number.isSafeInteger(size) || size < 0)
        fail(
          'document/out-of-range',
          `an image size in bytes is an integer >= 0, got ${size}`,
          `${path}.item.image.size`,
        );
    }
  }
  if (!Array.isArray(o.shapes)) fail('document/invalid-type', 'expected an array of shapes', `${path}.shapes`);
  const ctx: ShapeContext = { labels, image: { width, height } };
  const ids = new Set<string>();
  const shapes = o.shapes;
  for (let i = 0; i < shapes.length; i++) {
    const s = shapes[i];
    try {
      // Checked at '$' and re-rooted on failure: no path string is built per valid shape.
      assertShape(s, '$', ctx);
    } catch (e) {
      if (e instanceof ValidationError) fail(e.code, e.message, `${path}.shapes[${i}]${(e.path ?? '$').slice(1)}`);
      throw e;
    }
    if (ids.has(s.id))
      fail('document/duplicate-id', `shape id ${JSON.stringify(s.id)} is used twice`, `${path}.shapes[${i}].id`);
    ids.add(s.id);
  }
  if (o.tags !== undefined) {
    if (!Array.isArray(o.tags)) fail('document/invalid-type', 'expected an array of strings', `${path}.tags`);
    for (let i = 0; i < o.tags.length; i++) expectString(o.tags[i], `${path}.tags[${i}]`);
  }
  return o as unknown as AnnotationDocument;
}

function guard<T>(fn: () => T): Result<T, ValidationError> {
  try {
    return ok(fn());
  } catch (e) {
    if (e instanceof ValidationError) return err(e);
    throw e;
  }
}

/**
 * Validates a document (migrating an older version first). A valid current-version document is returned
 * as is (not copied); a migrated one is a new object. Errors carry a stable `code` and the JSON path of
 * the bad field (see the table in packages/core/README.md).
 */
export function validateDocument(
  input: unknown,
  options: ValidateDocumentOptions = {},
): Result<AnnotationDocument, ValidationError> {
  return guard(() => assertDocument(input, '$', labelMap(options.labels)));
}

/** Checks a label set: ids unique and non-empty, names and colours strings, `types` known shape types. */
export function validateLabels(input: unknown, path = '$'): Result<LabelDef[], ValidationError> {
  return guard(() => assertLabels(input, path));
}

function assertLabels(input: unknown, path: string): LabelDef[] {
  if (!Array.isArray(input)) fail('document/invalid-type', 'expected an array of labels', path);
  const ids = new Set<string>();
  for (let i = 0; i < input.length; i++) {
    const p = `${path}[${i}]`;
    const l = expectObject(input[i], p);
    checkKeys(l, LABEL_KEYS, p);
    const id = expectString(l.id, `${p}.id`);
    if (ids.has(id)) fail('dataset/duplicate-label', `label id ${JSON.stringify(id)} is used twice`, `${p}.id`);
    ids.add(id);
    expectString(l.name, `${p}.name`, false);
    expectString(l.color, `${p}.color`, false);
    if (l.types !== undefined) {
      if (!Array.isArray(l.types)) fail('document/invalid-type', 'expected an array of shape types', `${p}.types`);
      for (let j = 0; j < l.types.length; j++)
        if (!SHAPE_TYPES.has(l.types[j]))
          fail('shape/unknown-type', `unknown shape type ${JSON.stringify(l.types[j])}`, `${p}.types[${j}]`);
    }
  }
  return input as LabelDef[];
}

/** Validates a dataset: its labels, then every item against them; item ids must be unique. */
export function validateDataset(input: unknown): Result<Dataset, ValidationError> {
  return guard(() => {
    const o = expectObject(input, '$');
    checkKeys(o, DATASET_KEYS, '$');
    const labels = assertLabels(o.labels, '$.labels');
    if (!Array.isArray(o.items)) fail('document/invalid-type', 'expected an array of documents', '$.items');
    const map = labelMap(labels);
    const ids = new Set<string>();
    const items = o.items.map((doc, i) => {
      const d = assertDocument(doc, jsonPath('$.items', i), map);
      if (ids.has(d.item.id))
        fail('dataset/duplicate-item', `item id ${JSON.stringify(d.item.id)} is used twice`, `$.items[${i}].item.id`);
      ids.add(d.item.id);
      return d;
    });
    // Keep the input object when nothing was migrated, as validateDocument does.
    return items.every((d, i) => d === (o.items as unknown[])[i]) ? (o as unknown as Dataset) : { labels, items };
  });
}
