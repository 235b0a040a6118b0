/**
 * Helpers shared by the adapters: reading files of a FileSet, typed failures, number formatting,
 * label lookup and box geometry. Parsers throw `FormatError` internally and `guard()` turns it into a Result
 * at the adapter boundary, so no adapter ever returns a partial dataset.
 */
import { FormatError } from '../errors.ts';
import type { Box, Dataset, LabelDef } from '../records/types.ts';
import { err, ok, type Result } from '../result.ts';
import { jsonErrorOffset } from './json-error.ts';
import type { FidelityEntry, FileSet } from './types.ts';
import { lineColumn } from './xml/reader.ts';

export { boxCorners, pointsBBox } from '../geometry/index.ts';

export function fail(code: string, message: string, file?: string, path?: string): never {
  throw new FormatError(code, file ? `${file}${path ? ` ${path}` : ''}: ${message}` : message, {
    ...(file === undefined ? {} : { file }),
    ...(path === undefined ? {} : { path }),
  });
}

/** Runs a parser, turning the FormatError it throws into an `err`. Other errors are bugs and propagate. */
export function guard<T>(fn: () => T): Result<T, FormatError> {
  try {
    return ok(fn());
  } catch (e) {
    if (e instanceof FormatError) return err(e);
    throw e;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A file's text (UTF-8; a byte-order mark is dropped). */
export function readText(files: FileSet, path: string): string {
  const v = files[path];
  if (v === undefined) fail('format/missing-file', 'file not found', path);
  if (typeof v === 'string') return v;
  try {
    return utf8.decode(v);
  } catch {
    fail('format/invalid-encoding', 'not valid UTF-8', path);
  }
}

/** JSON.parse with a `format/invalid-json` error that says where, as `line:column`. */
export function parseJsonFile(files: FileSet, path: string): unknown {
  const text = readText(files, path);
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const found = jsonErrorOffset(text);
    const pos = found === -1 ? text.length : found;
    const { line, column } = lineColumn(text, pos);
    fail('format/invalid-json', `invalid JSON at line ${line}, column ${column}: ${msg}`, path, `${line}:${column}`);
  }
}

export function basename(p: string): string {
  const i = p.lastIndexOf('/');
  return i === -1 ? p : p.slice(i + 1);
}

export function stem(p: string): string {
  const b = basename(p);
  const i = b.lastIndexOf('.');
  return i <= 0 ? b : b.slice(0, i);
}

export function extension(p: string): string {
  const b = basename(p);
  const i = b.lastIndexOf('.');
  return i <= 0 ? '' : b.slice(i + 1).toLowerCase();
}

/** Shortest decimal form with at most `digits` fraction digits (no exponent, no trailing zeros). */
const POW10 = Array.from({ length: 16 }, (_, i) => 10 ** i);
export function fmt(n: number, digits = 6): string {
  if (Number.isInteger(n)) return String(n);
  const p = POW10[digits] ?? 10 ** digits;
  const r = Math.round(n * p) / p;
  return Object.is(r, -0) ? '0' : String(r);
}

/** Collects fidelity entries. */
export class Fidelity {
  readonly entries: FidelityEntry[] = [];
  add(code: string, message: string, itemId?: string, shapeId?: string): void {
    const e: FidelityEntry = { code, message };
    if (itemId !== undefined) e.itemId = itemId;
    if (shapeId !== undefined) e.shapeId = shapeId;
    this.entries.push(e);
  }
}

const PALETTE = ['#e6194b', '#3cb44b', '#ffe119', '#4363d8', '#f58231', '#911eb4', '#46f0f0', '#f032e6'];
export function paletteColor(i: number): string {
  return PALETTE[i % PALETTE.length] as string;
}

/** Label definitions in order of first use, for formats that only name labels. */
export class LabelCollector {
  private readonly byName = new Map<string, LabelDef>();
  /** Labels declared by the file itself (CVAT meta, data.yaml); undeclared names are then an error. */
  closed = false;
  declare(name: string, color?: string): LabelDef {
    let def = this.byName.get(name);
    if (!def) {
      def = { id: name, name, color: color ?? paletteColor(this.byName.size) };
      this.byName.set(name, def);
    }
    return def;
  }
  use(name: string, file: string, path: string): string {
    if (this.byName.has(name)) return name;
    if (this.closed) fail('format/unknown-label', `label "${name}" is not declared`, file, path);
    return this.declare(name).id;
  }
  get labels(): LabelDef[] {
    return [...this.byName.values()];
  }
}

/** Maps a shape's `label` (a LabelDef id) to the label's name; undeclared labels keep their own string. */
export function labelNames(dataset: Dataset): (label: string) => string {
  const m = new Map(dataset.labels.map((l) => [l.id, l.name]));
  return (label) => m.get(label) ?? label;
}

/** Checks a point against the image, with a tolerance in pixels. */
export function checkInside(
  x: number,
  y: number,
  width: number,
  height: number,
  tolerance: number,
  file: string,
  path: string,
): void {
  if (!Number.isFinite(x) || !Number.isFinite(y))
    fail('format/invalid-number', 'coordinate is not a number', file, path);
  if (x < -tolerance || y < -tolerance || x > width + tolerance || y > height + tolerance)
    fail('format/out-of-bounds', `point (${x}, ${y}) lies outside the ${width}x${height} image`, file, path);
}

export function checkPointsInside(
  points: readonly number[],
  width: number,
  height: number,
  tolerance: number,
  file: string,
  path: string,
): void {
  for (let i = 0; i + 1 < points.length; i += 2)
    checkInside(points[i] as number, points[i + 1] as number, width, height, tolerance, file, path);
}

/** Rotation normalized to [0, 360), undefined when it is (numerically) zero. */
export function normRotation(deg: number): number | undefined {
  let r = deg % 360;
  if (r < 0) r += 360;
  if (Math.abs(r) < 1e-9 || Math.abs(r - 360) < 1e-9) return undefined;
  return r;
}

/**
 * A box from four corners given in drawing order (first edge = the box's top edge), or undefined when the
 * four points are not a rectangle (within `tolerance` of its diagonal).
 */
export function rectangleFromCorners(p: readonly number[], tolerance = 1e-3): Box | undefined {
  const [x0, y0, x1, y1, x2, y2, x3, y3] = p as [number, number, number, number, number, number, number, number];
  const w = Math.hypot(x1 - x0, y1 - y0);
  const h = Math.hypot(x2 - x1, y2 - y1);
  const diag = Math.hypot(x2 - x0, y2 - y0);
  if (w === 0 || h === 0) return undefined;
  const tol = tolerance * Math.max(diag, 1);
  // Opposite sides equal and diagonals equal make a rectangle.
  if (Math.abs(Math.hypot(x3 - x2, y3 - y2) - w) > tol || Math.abs(Math.hypot(x0 - x3, y0 - y3) - h) > tol)
    return undefined;
  if (Math.abs(Math.hypot(x3 - x1, y3 - y1) - diag) > tol) return undefined;
  const cx = (x0 + x1 + x2 + x3) / 4;
  const cy = (y0 + y1 + y2 + y3) / 4;
  const rotation = normRotation((Math.atan2(y1 - y0, x1 - x0) * 180) / Math.PI);
  const box: Box = { type: 'box', id: '', label: '', x: cx - w / 2, y: cy - h / 2, width: w, height: h };
  if (rotation !== undefined) box.rotation = rotation;
  return box;
}

/**
 * One source shape may become several of ours (a COCO annotation in several parts, a CVAT `points` element
 * with several points): the parts get ids `base`, `base#1`, `base#2`... and serializers join them again.
 */
export function partId(base: string, k: number): string {
  return k === 0 ? base : `${base}#${k}`;
}
export function baseId(id: string): string {
  const i = id.lastIndexOf('#');
  return i === -1 || !/^\d+$/.test(id.slice(i + 1)) ? id : id.slice(0, i);
}

/** Number from a string attribute, or a `format/invalid-number` error naming the place. */
export function parseNumber(v: string | undefined, file: string, path: string): number {
  if (v === undefined || v.trim() === '') fail('format/missing-field', 'missing value', file, path);
  const n = Number(v);
  if (!Number.isFinite(n)) fail('format/invalid-number', `"${v}" is not a number`, file, path);
  return n;
}
