/**
 * Ultralytics YOLO datasets: `data.yaml` (class names as a list or an index map) and one `.txt` per image
 * under `labels/<split>/` beside `images/<split>/` (or Roboflow's `<split>/labels` + `<split>/images`).
 * A line is `class cx cy w h` (detect), `class x1 y1 ... xn yn` (segment) or `class x1 y1 x2 y2 x3 y3 x4 y4`
 * (oriented box), all normalized by the image size, optionally followed by a confidence.
 */
import type { FormatError } from '../../errors.ts';
import type { AnnotationDocument, Box, Dataset, Polygon, Shape } from '../../records/types.ts';
import type { Result } from '../../result.ts';
import { decodeRLE, maskToPolygons } from '../masks.ts';
import {
  basename,
  boxCorners,
  checkInside,
  extension,
  Fidelity,
  fail,
  fmt,
  guard,
  paletteColor,
  readText,
  rectangleFromCorners,
  stem,
} from '../shared.ts';
import type { FileSet, FormatAdapter, ParseOptions, ParseOutput, SerializeOutput } from '../types.ts';
import { parseYaml, writeDataYaml, type YamlValue } from '../yaml/yaml.ts';
import { imageSize } from './image-size.ts';

export type YoloTask = 'detect' | 'segment' | 'obb';

export interface YoloParseOptions extends ParseOptions {
  /**
   * How 9-value lines are read. `obb`: always oriented boxes; `segment`: always 4-point polygons; left out,
   * a line whose 4 points form a rectangle becomes a (rotated) box and any other a polygon.
   */
  task?: YoloTask;
  /** Image sizes by image file name (`a.jpg`), for labels whose image is not in the FileSet. */
  imageSizes?: Record<string, { width: number; height: number }>;
}

export interface YoloSerializeOptions {
  /** Split an item goes to when its `src` does not say (`images/<split>/...`). Default `train`. */
  split?: string;
  /** Fraction digits of normalized coordinates. Default 8 (sub-pixel exact up to 10^6-pixel images). */
  precision?: number;
  /** Writes a shape's score as a last column, as `yolo predict --save-conf` does. Default true. */
  scores?: boolean;
  /** Simplification tolerance (pixels) of the polygons traced from masks. Default 0.5. */
  maskTolerance?: number;
}

const IMAGE_EXT = new Set(['jpg', 'jpeg', 'png', 'webp', 'bmp', 'gif', 'tif', 'tiff']);

function readNames(files: FileSet): { names: string[]; file: string } | undefined {
  const yamls = Object.keys(files)
    .filter((p) => /\.ya?ml$/i.test(p))
    .sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b));
  for (const file of yamls) {
    const doc = parseYaml(readText(files, file), file);
    if (!doc.ok) throw doc.error;
    const names = doc.value.names;
    if (names === undefined) continue;
    return { names: namesList(names, doc.value.nc, file), file };
  }
  const txt = Object.keys(files).find((p) => basename(p) === 'classes.txt' || basename(p) === 'obj.names');
  if (txt)
    return {
      names: readText(files, txt)
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l !== ''),
      file: txt,
    };
  return undefined;
}

function namesList(names: YamlValue, nc: YamlValue | undefined, file: string): string[] {
  let out: string[];
  if (Array.isArray(names)) out = names.map((n) => String(n));
  else if (names !== null && typeof names === 'object') {
    out = [];
    for (const [k, v] of Object.entries(names)) {
      const i = Number(k);
      if (!Number.isInteger(i) || i < 0)
        fail('format/invalid-value', `class index "${k}" is not an integer`, file, `names.${k}`);
      out[i] = String(v);
    }
    for (let i = 0; i < out.length; i++)
      if (out[i] === undefined) fail('format/invalid-value', `class ${i} has no name`, file, 'names');
  } else fail('format/wrong-type', '`names` must be a list or a map', file, 'names');
  if (nc !== undefined && nc !== null && nc !== out.length)
    fail('format/invalid-value', `nc is ${nc} but ${out.length} names are given`, file, 'nc');
  return out;
}

/** `images/<split>/x.jpg` <-> `labels/<split>/x.txt`, as Ultralytics `img2label_paths` pairs them. */
function labelPathOf(imagePath: string): string {
  const parts = imagePath.split('/');
  const i = parts.lastIndexOf('images');
  if (i !== -1) parts[i] = 'labels';
  parts[parts.length - 1] = `${stem(imagePath)}.txt`;
  return parts.join('/');
}

function parse(files: FileSet, options: YoloParseOptions = {}): Result<ParseOutput, FormatError> {
  return guard(() => {
    const tol = options.boundsTolerance ?? 1;
    const found = readNames(files);
    const fidelity = new Fidelity();
    const names = found?.names ?? [];
    const images = Object.keys(files)
      .filter((p) => IMAGE_EXT.has(extension(p)))
      .sort();
    const imageByLabel = new Map(images.map((p) => [labelPathOf(p), p]));
    const labelFiles = Object.keys(files)
      .filter((p) => p.endsWith('.txt') && /(^|\/)(labels|labelTxt)\//.test(p))
      .sort();
    if (labelFiles.length === 0 && images.length === 0) fail('format/no-input', 'no YOLO labels or images found');
    if (!found && labelFiles.length > 0) fail('format/missing-file', 'no data.yaml (or classes.txt) names the classes');
    const sizesByStem = new Map<string, [string, { width: number; height: number }]>();
    for (const [name, size] of Object.entries(options.imageSizes ?? {})) sizesByStem.set(stem(name), [name, size]);
    const items: AnnotationDocument[] = [];
    const seen = new Set<string>();
    const add = (labelPath: string | undefined, imagePath: string | undefined) => {
      let id: string;
      let size: { width: number; height: number } | undefined;
      if (imagePath) {
        id = basename(imagePath);
        const bytes = files[imagePath];
        size = typeof bytes === 'string' ? undefined : imageSize(bytes as Uint8Array);
        if (!size) size = options.imageSizes?.[id];
        if (!size) fail('format/invalid-image', 'cannot read the image size from this file', imagePath);
      } else {
        const known = sizesByStem.get(stem(labelPath as string));
        if (!known)
          fail(
            'format/missing-image',
            'no image for these labels and no size given in options.imageSizes: normalized coordinates need it',
            labelPath,
          );
        [id, size] = known;
      }
      if (seen.has(id)) fail('format/duplicate-item', `two images are named ${id}`, imagePath ?? labelPath);
      seen.add(id);
      const src =
        imagePath ??
        `${(labelPath as string).replace(/(^|\/)(labels|labelTxt)\//, '$1images/').replace(/[^/]*$/, '')}${id}`;
      const shapes = labelPath
        ? parseLabels(readText(files, labelPath), labelPath, names, size, tol, options.task)
        : [];
      items.push({ version: 1, item: { id, src, width: size.width, height: size.height }, shapes });
    };
    const labelSet = new Set(labelFiles);
    for (const img of images) add(labelSet.has(labelPathOf(img)) ? labelPathOf(img) : undefined, img);
    for (const lf of labelFiles) {
      const alt = lf.replace(/(^|\/)labelTxt\//, '$1labels/');
      if (!imageByLabel.has(lf) && !imageByLabel.has(alt)) add(lf, undefined);
    }
    const labels = names.map((name, i) => ({ id: name, name, color: paletteColor(i) }));
    return { dataset: { labels, items }, fidelity: fidelity.entries };
  });
}

function parseLabels(
  text: string,
  file: string,
  names: string[],
  size: { width: number; height: number },
  tol: number,
  task: YoloTask | undefined,
): Shape[] {
  const shapes: Shape[] = [];
  const { width: W, height: H } = size;
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = (lines[n] as string).trim();
    if (line === '') continue;
    const path = `line ${n + 1}`;
    const tok = line.split(/\s+/);
    const v = tok.map(Number);
    for (let k = 0; k < v.length; k++)
      if (!Number.isFinite(v[k]))
        fail('format/invalid-number', `"${tok[k]}" is not a number`, file, `${path}, column ${k + 1}`);
    const cls = v[0] as number;
    if (!Number.isInteger(cls) || cls < 0 || cls >= names.length)
      fail('format/unknown-label', `class ${tok[0]} is not one of the ${names.length} classes`, file, path);
    const label = names[cls] as string;
    const id = String(shapes.length);
    const count = v.length - 1;
    let score: number | undefined;
    if (count === 4 || count === 5) {
      if (task === 'segment' || task === 'obb')
        fail('format/invalid-value', `a ${task} line needs more than 4 values`, file, path);
      const [cx, cy, w, h] = v.slice(1, 5) as [number, number, number, number];
      if (count === 5) score = v[5];
      const box: Box = {
        type: 'box',
        id,
        label,
        x: (cx - w / 2) * W,
        y: (cy - h / 2) * H,
        width: w * W,
        height: h * H,
      };
      if (w < 0 || h < 0) fail('format/invalid-value', 'negative box size', file, path);
      checkInside(box.x, box.y, W, H, tol, file, path);
      checkInside(box.x + box.width, box.y + box.height, W, H, tol, file, path);
      shapes.push(withScore(box, score, file, path));
      continue;
    }
    if (count < 6) fail('format/invalid-value', `${count} values: not a box (4) nor a polygon (6 or more)`, file, path);
    if (task === 'detect') fail('format/invalid-value', 'a detect line has 4 values', file, path);
    const coords = v.slice(1);
    if (coords.length % 2 === 1) score = coords.pop();
    const pts = coords.map((c, k) => c * (k % 2 === 0 ? W : H));
    for (let k = 0; k < pts.length; k += 2) checkInside(pts[k] as number, pts[k + 1] as number, W, H, tol, file, path);
    if (pts.length === 8 && task !== 'segment') {
      const rect = rectangleFromCorners(pts);
      if (rect) {
        rect.id = id;
        rect.label = label;
        shapes.push(withScore(rect, score, file, path));
        continue;
      }
      if (task === 'obb')
        fail('format/invalid-value', 'the 4 points of an oriented box do not form a rectangle', file, path);
    } else if (task === 'obb') fail('format/invalid-value', 'an oriented box has 8 coordinates', file, path);
    shapes.push(withScore({ type: 'polygon', id, label, points: pts } satisfies Polygon, score, file, path));
  }
  return shapes;
}

function withScore<S extends Shape>(s: S, score: number | undefined, file: string, path: string): S {
  if (score === undefined) return s;
  if (score < 0 || score > 1) fail('format/invalid-value', `confidence ${score} is not in [0, 1]`, file, path);
  s.score = score;
  s.source = 'model';
  return s;
}

function serialize(dataset: Dataset, options: YoloSerializeOptions = {}): SerializeOutput {
  const digits = options.precision ?? 8;
  const writeScores = options.scores ?? true;
  const fidelity = new Fidelity();
  const files: FileSet = {};
  const index = new Map(dataset.labels.map((l, i) => [l.id, i]));
  const names = dataset.labels.map((l) => l.name);
  const splits = new Set<string>();
  for (const doc of dataset.items) {
    const { item } = doc;
    const m =
      item.src === undefined ? null : /(?:^|\/)images\/([^/]+)\/[^/]+$|(?:^|\/)([^/]+)\/images\/[^/]+$/.exec(item.src);
    const split = m?.[1] ?? m?.[2] ?? options.split ?? 'train';
    splits.add(split);
    const W = item.width;
    const H = item.height;
    const nx = (x: number) => fmt(x / W, digits);
    const ny = (y: number) => fmt(y / H, digits);
    const ring = (pts: readonly number[]) => pts.map((c, k) => (k % 2 === 0 ? nx(c) : ny(c))).join(' ');
    let out = '';
    if (doc.tags?.length)
      fidelity.add('tags-dropped', 'YOLO detection/segmentation labels have no image tags', item.id);
    for (const s of doc.shapes) {
      let cls = index.get(s.label);
      if (cls === undefined) {
        cls = names.length;
        index.set(s.label, cls);
        names.push(s.label);
        fidelity.add('label-added', `label "${s.label}" was not declared; added as class ${cls}`, item.id, s.id);
      }
      if (s.attributes && Object.keys(s.attributes).length)
        fidelity.add('attributes-dropped', 'YOLO has no attributes', item.id, s.id);
      const tail = writeScores && s.score !== undefined ? ` ${fmt(s.score, 6)}` : '';
      switch (s.type) {
        case 'box':
          if (s.rotation) out += `${cls} ${ring(boxCorners(s))}${tail}\n`;
          else
            out += `${cls} ${nx(s.x + s.width / 2)} ${ny(s.y + s.height / 2)} ${nx(s.width)} ${ny(s.height)}${tail}\n`;
          break;
        case 'polygon':
          if (s.holes?.length) fidelity.add('holes-dropped', 'YOLO polygons have no holes', item.id, s.id);
          out += `${cls} ${ring(s.points)}${tail}\n`;
          break;
        case 'mask': {
          // Outlines traced along pixel edges, simplified to half a pixel; YOLO has no holes.
          const rings = maskToPolygons(decodeRLE(s.rle), s.rle.size[1], s.rle.size[0], {
            tolerance: options.maskTolerance ?? 0.5,
          });
          fidelity.add('mask-as-polygon', `mask written as ${rings.length} traced polygon(s)`, item.id, s.id);
          if (rings.some((r) => r.holes.length))
            fidelity.add('holes-dropped', 'YOLO polygons have no holes', item.id, s.id);
          for (const r of rings) if (r.points.length >= 6) out += `${cls} ${ring(r.points)}${tail}\n`;
          break;
        }
        case 'polyline':
        case 'point':
          fidelity.add('shape-dropped', `YOLO cannot hold a ${s.type}`, item.id, s.id);
          break;
      }
    }
    files[`labels/${split}/${stem(basename(item.src ?? item.id))}.txt`] = out;
  }
  const first = [...splits][0] ?? 'train';
  files['data.yaml'] = writeDataYaml(
    {
      path: '.',
      train: `images/${splits.has('train') ? 'train' : first}`,
      val: `images/${splits.has('val') ? 'val' : splits.has('train') ? 'train' : first}`,
      ...(splits.has('test') ? { test: 'images/test' } : {}),
    },
    names,
  );
  return { files, fidelity: fidelity.entries };
}

export const yolo: FormatAdapter<YoloParseOptions, YoloSerializeOptions> = { name: 'yolo', parse, serialize };
