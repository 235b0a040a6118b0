/**
 * Shape validation: hand-written checks (no schema library, no closures per field) because a document
 * of 10,000 shapes is validated on every load and every store change validates its shapes.
 */
import { jsonPath, LabelKitError, ValidationError } from '../errors.ts';
import { rleToCounts } from '../geometry/rle.ts';
import { err, ok, type Result } from '../result.ts';
import type { LabelDef, RLE, Shape } from './types.ts';

/** What a shape is checked against beyond its own fields. */
export interface ShapeContext {
  /** Labels by id: a shape's `label` must be one of them (and allow its type) when given. */
  labels?: ReadonlyMap<string, LabelDef> | undefined;
  /** Image size: a mask's RLE size must equal `[height, width]` when given. */
  image?: { width: number; height: number } | undefined;
}

export interface ValidateShapeOptions {
  /** The label set; a shape whose `label` is not one of these ids is refused (`shape/unknown-label`). */
  labels?: readonly LabelDef[];
  /** The image: masks must have its size (`shape/mask-size-mismatch`). */
  image?: { width: number; height: number };
  /** JSON path of the shape in its document, used in errors (default `$`). */
  path?: string;
}

const BASE_KEYS = ['id', 'label', 'type', 'attributes', 'source', 'score'];
const KEYS: Record<Shape['type'], ReadonlySet<string>> = {
  box: new Set([...BASE_KEYS, 'x', 'y', 'width', 'height', 'rotation']),
  polygon: new Set([...BASE_KEYS, 'points', 'holes']),
  polyline: new Set([...BASE_KEYS, 'points']),
  point: new Set([...BASE_KEYS, 'x', 'y']),
  mask: new Set([...BASE_KEYS, 'rle']),
};

/** Thrown inside the checks and turned into a returned error at the boundary: keeps the hot path branch-light. */
function fail(code: string, message: string, path: string): never {
  throw new ValidationError(code, message, { path });
}

export function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

export function expectObject(x: unknown, path: string): Record<string, unknown> {
  if (!isPlainObject(x)) fail('document/invalid-type', 'expected an object', path);
  return x;
}

export function expectString(x: unknown, path: string, nonEmpty = true): string {
  if (typeof x !== 'string') fail('document/invalid-type', 'expected a string', path);
  if (nonEmpty && x.length === 0) fail('document/empty-string', 'expected a non-empty string', path);
  return x;
}

export function expectNumber(x: unknown, path: string): number {
  if (typeof x !== 'number') fail('document/invalid-type', 'expected a number', path);
  if (!Number.isFinite(x)) fail('document/not-finite', `expected a finite number, got ${x}`, path);
  return x;
}

/** `o[key]` as a non-empty string; the field's path is only built on failure (this runs per shape). */
function str(o: Record<string, unknown>, key: string, base: string): string {
  const v = o[key];
  if (typeof v === 'string' && v.length > 0) return v;
  return expectString(v, `${base}.${key}`);
}

/** `o[key]` as a finite number, path built on failure only. */
function num(o: Record<string, unknown>, key: string, base: string): number {
  const v = o[key];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  return expectNumber(v, `${base}.${key}`);
}

export function checkKeys(o: Record<string, unknown>, allowed: ReadonlySet<string>, path: string): void {
  for (const k in o) {
    if (!allowed.has(k)) fail('document/unknown-property', `unknown property ${JSON.stringify(k)}`, jsonPath(path, k));
  }
}

function checkCoords(x: unknown, base: string, key: string | number, minPoints: number, what: string): void {
  const path = () => (typeof key === 'number' ? `${base}[${key}]` : `${base}.${key}`);
  if (!Array.isArray(x)) fail('document/invalid-type', 'expected an array of numbers', path());
  const n = x.length;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (typeof v !== 'number') fail('document/invalid-type', 'expected a number', `${path()}[${i}]`);
    if (!Number.isFinite(v)) fail('document/not-finite', `expected a finite number, got ${v}`, `${path()}[${i}]`);
  }
  if (n % 2 !== 0) fail('shape/odd-coordinates', `${what} has an odd number of coordinates (${n})`, path());
  if (n < minPoints * 2)
    fail('shape/too-few-points', `${what} needs at least ${minPoints} points, has ${n / 2}`, path());
}

function checkBase(o: Record<string, unknown>, path: string, ctx: ShapeContext, type: Shape['type']): void {
  str(o, 'id', path);
  const label = str(o, 'label', path);
  if (ctx.labels) {
    const def = ctx.labels.get(label);
    if (!def) fail('shape/unknown-label', `label ${JSON.stringify(label)} is not in the label set`, `${path}.label`);
    if (def.types && !def.types.includes(type))
      fail(
        'shape/label-type-mismatch',
        `label ${JSON.stringify(label)} does not allow ${type} shapes`,
        `${path}.label`,
      );
  }
  if (o.attributes !== undefined) {
    const a = expectObject(o.attributes, `${path}.attributes`);
    for (const k in a) {
      const v = a[k];
      if (typeof v === 'number') expectNumber(v, jsonPath(path, 'attributes', k));
      else if (typeof v !== 'string' && typeof v !== 'boolean')
        fail(
          'document/invalid-type',
          'attribute values are strings, numbers or booleans',
          jsonPath(path, 'attributes', k),
        );
    }
  }
  if (o.source !== undefined && o.source !== 'human' && o.source !== 'model')
    fail('shape/invalid-source', "source is 'human' or 'model'", `${path}.source`);
  if (o.score !== undefined) {
    const s = num(o, 'score', path);
    if (s < 0 || s > 1) fail('document/out-of-range', `score must be in [0, 1], got ${s}`, `${path}.score`);
  }
}

/** Checks one shape in place; throws `ValidationError` (use `validateShape` for a Result). */
export function assertShape(input: unknown, path: string, ctx: ShapeContext): asserts input is Shape {
  const o = expectObject(input, path);
  const type = o.type;
  if (type !== 'box' && type !== 'polygon' && type !== 'polyline' && type !== 'point' && type !== 'mask')
    fail('shape/unknown-type', `unknown shape type ${JSON.stringify(type)}`, `${path}.type`);
  checkKeys(o, KEYS[type], path);
  checkBase(o, path, ctx, type);
  switch (type) {
    case 'box': {
      num(o, 'x', path);
      num(o, 'y', path);
      const w = num(o, 'width', path);
      const h = num(o, 'height', path);
      if (w < 0) fail('document/out-of-range', `width must not be negative, got ${w}`, `${path}.width`);
      if (h < 0) fail('document/out-of-range', `height must not be negative, got ${h}`, `${path}.height`);
      if (o.rotation !== undefined) num(o, 'rotation', path);
      return;
    }
    case 'point':
      num(o, 'x', path);
      num(o, 'y', path);
      return;
    case 'polyline':
      checkCoords(o.points, path, 'points', 2, 'a polyline');
      return;
    case 'polygon': {
      checkCoords(o.points, path, 'points', 3, 'a polygon');
      if (o.holes !== undefined) {
        if (!Array.isArray(o.holes)) fail('document/invalid-type', 'expected an array of rings', `${path}.holes`);
        for (let i = 0; i < o.holes.length; i++) checkCoords(o.holes[i], `${path}.holes`, i, 3, 'a hole');
      }
      return;
    }
    case 'mask': {
      const rle = expectObject(o.rle, `${path}.rle`);
      checkKeys(rle, RLE_KEYS, `${path}.rle`);
      const size = rle.size;
      if (!Array.isArray(size) || size.length !== 2)
        fail('document/invalid-type', 'expected [height, width]', `${path}.rle.size`);
      const [h, w] = size as unknown[];
      for (const [v, i] of [
        [h, 0],
        [w, 1],
      ] as const) {
        expectNumber(v, `${path}.rle.size[${i}]`);
        if (!Number.isInteger(v) || (v as number) < 0)
          fail('document/out-of-range', 'mask sizes are non-negative integers', `${path}.rle.size[${i}]`);
      }
      expectString(rle.counts, `${path}.rle.counts`, false);
      if (ctx.image && (h !== ctx.image.height || w !== ctx.image.width))
        fail(
          'shape/mask-size-mismatch',
          `mask is ${h}x${w} (h x w), the image is ${ctx.image.height}x${ctx.image.width}`,
          `${path}.rle.size`,
        );
      try {
        rleToCounts(rle as unknown as RLE);
      } catch (e) {
        if (e instanceof LabelKitError) fail('shape/invalid-rle', e.message, `${path}.rle.counts`);
        throw e;
      }
      return;
    }
  }
}
const RLE_KEYS: ReadonlySet<string> = new Set(['size', 'counts']);

export function labelMap(labels: readonly LabelDef[] | undefined): Map<string, LabelDef> | undefined {
  if (!labels) return undefined;
  const m = new Map<string, LabelDef>();
  for (const l of labels) m.set(l.id, l);
  return m;
}

/**
 * Validates one shape. The shape is returned as is (not copied) when valid; the error carries a stable
 * `code` and the JSON path of the bad field.
 */
export function validateShape(input: unknown, options: ValidateShapeOptions = {}): Result<Shape, ValidationError> {
  try {
    assertShape(input, options.path ?? '$', { labels: labelMap(options.labels), image: options.image });
    return ok(input);
  } catch (e) {
    if (e instanceof ValidationError) return err(e);
    throw e;
  }
}
