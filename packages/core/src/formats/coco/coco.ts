/**
 * COCO instances JSON (`annotations/instances_<split>.json`, or a results file): images, categories and
 * annotations with a `bbox`, polygon `segmentation` (several parts), RLE segmentation (compressed string or
 * uncompressed counts), `iscrowd`, `area`, `score`, and `attributes` as CVAT writes them (with `rotation`).
 * Label ids are the category ids as strings, so they survive a round trip.
 */
import type { FormatError } from '../../errors.ts';
import { jsonPath } from '../../errors.ts';
import type { AnnotationDocument, AttributeValue, Box, Dataset, LabelDef, Mask, Shape } from '../../records/types.ts';
import type { Result } from '../../result.ts';
import { countsToRLE, maskBounds, polygonArea, polygonToRLE, rleArea } from '../masks.ts';
import {
  baseId,
  boxCorners,
  checkInside,
  checkPointsInside,
  Fidelity,
  fail,
  guard,
  paletteColor,
  parseJsonFile,
  partId,
  pointsBBox,
} from '../shared.ts';
import type { FileSet, FormatAdapter, ParseOptions, ParseOutput, SerializeOutput } from '../types.ts';

export interface CocoSerializeOptions {
  /** Path of the JSON file written. Default `annotations/instances_default.json` (as CVAT names it). */
  file?: string;
}

type Obj = Record<string, unknown>;

function isObj(x: unknown): x is Obj {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** The JSON files of a FileSet that look like COCO (an object with `images` and `annotations`). */
export function cocoFiles(files: FileSet): string[] {
  return Object.keys(files)
    .filter((p) => p.toLowerCase().endsWith('.json'))
    .sort();
}

function parse(files: FileSet, options: ParseOptions = {}): Result<ParseOutput, FormatError> {
  return guard(() => {
    const tol = options.boundsTolerance ?? 1;
    const candidates = cocoFiles(files);
    if (candidates.length === 0) fail('format/no-input', 'no COCO JSON file found');
    const fidelity = new Fidelity();
    const labels = new Map<string, LabelDef>();
    const items: AnnotationDocument[] = [];
    let any = false;
    for (const file of candidates) {
      const root = parseJsonFile(files, file);
      if (!isObj(root) || !('images' in root) || !('annotations' in root)) {
        if (candidates.length === 1)
          fail('format/wrong-type', 'expected an object with "images" and "annotations"', file, '$');
        continue;
      }
      any = true;
      parseRoot(root, file, tol, labels, items, fidelity);
    }
    if (!any) fail('format/no-input', 'no COCO instances file found');
    return { dataset: { labels: [...labels.values()], items }, fidelity: fidelity.entries };
  });
}

function arr(x: unknown, file: string, path: string): unknown[] {
  if (!Array.isArray(x)) fail('format/wrong-type', 'expected an array', file, path);
  return x;
}
function obj(x: unknown, file: string, path: string): Obj {
  if (!isObj(x)) fail('format/wrong-type', 'expected an object', file, path);
  return x;
}
function num(x: unknown, file: string, path: string): number {
  if (typeof x !== 'number' || !Number.isFinite(x))
    fail('format/wrong-type', `expected a number, got ${JSON.stringify(x)}`, file, path);
  return x;
}
function str(x: unknown, file: string, path: string): string {
  if (typeof x !== 'string') fail('format/wrong-type', `expected a string, got ${JSON.stringify(x)}`, file, path);
  return x;
}

function parseRoot(
  root: Obj,
  file: string,
  tol: number,
  labels: Map<string, LabelDef>,
  items: AnnotationDocument[],
  fidelity: Fidelity,
): void {
  const cats = arr(root.categories ?? [], file, '$.categories');
  let superDropped = false;
  cats.forEach((c, i) => {
    const p = jsonPath('$.categories', i);
    const o = obj(c, file, p);
    const id = String(num(o.id, file, `${p}.id`));
    const name = str(o.name, file, `${p}.name`);
    const prev = labels.get(id);
    if (prev && prev.name !== name)
      fail('format/invalid-value', `category ${id} is also named "${prev.name}"`, file, `${p}.name`);
    if (!prev) labels.set(id, { id, name, color: paletteColor(labels.size) });
    if (typeof o.supercategory === 'string' && o.supercategory !== '' && !superDropped) {
      superDropped = true;
      fidelity.add('supercategory-dropped', 'category supercategories are not kept');
    }
  });
  const byImage = new Map<number, AnnotationDocument>();
  const known = new Set(items.map((d) => d.item.id));
  arr(root.images, file, '$.images').forEach((im, i) => {
    const p = jsonPath('$.images', i);
    const o = obj(im, file, p);
    const id = num(o.id, file, `${p}.id`);
    const name = str(o.file_name, file, `${p}.file_name`);
    const width = num(o.width, file, `${p}.width`);
    const height = num(o.height, file, `${p}.height`);
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
      fail('format/invalid-value', 'image width and height must be positive integers', file, p);
    if (byImage.has(id)) fail('format/duplicate-item', `image id ${id} is used twice`, file, `${p}.id`);
    if (known.has(name)) fail('format/duplicate-item', `image ${name} is listed twice`, file, `${p}.file_name`);
    known.add(name);
    const doc: AnnotationDocument = { version: 1, item: { id: name, src: name, width, height }, shapes: [] };
    byImage.set(id, doc);
    items.push(doc);
  });
  const anns = arr(root.annotations, file, '$.annotations');
  for (let i = 0; i < anns.length; i++) {
    const p = jsonPath('$.annotations', i);
    const a = obj(anns[i], file, p);
    const imageId = num(a.image_id, file, `${p}.image_id`);
    const doc = byImage.get(imageId);
    if (!doc) fail('format/missing-image', `image ${imageId} is not in "images"`, file, `${p}.image_id`);
    const catId = String(num(a.category_id, file, `${p}.category_id`));
    if (!labels.has(catId))
      fail('format/unknown-label', `category ${catId} is not in "categories"`, file, `${p}.category_id`);
    const id = a.id === undefined ? String(i + 1) : String(num(a.id, file, `${p}.id`));
    const base: { label: string; attributes?: Record<string, AttributeValue>; score?: number; source?: 'model' } = {
      label: catId,
    };
    const attributes: Record<string, AttributeValue> = {};
    if (a.attributes !== undefined) {
      const at = obj(a.attributes, file, `${p}.attributes`);
      for (const [k, v] of Object.entries(at)) {
        if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')
          fail(
            'format/wrong-type',
            'attribute values are strings, numbers or booleans',
            file,
            jsonPath(`${p}.attributes`, k),
          );
        attributes[k] = v;
      }
    }
    if (a.score !== undefined) {
      base.score = num(a.score, file, `${p}.score`);
      if (base.score < 0 || base.score > 1) fail('format/invalid-value', 'score must be in [0, 1]', file, `${p}.score`);
      base.source = 'model';
    }
    const iscrowd = a.iscrowd === undefined ? 0 : num(a.iscrowd, file, `${p}.iscrowd`);
    const { width: W, height: H } = doc.item;
    const seg = a.segmentation;
    const shapes: Shape[] = [];
    if (Array.isArray(seg) && seg.length > 0) {
      if (iscrowd) attributes.iscrowd = true;
      seg.forEach((part, k) => {
        const pp = `${p}.segmentation[${k}]`;
        const pts = arr(part, file, pp).map((v, j) => num(v, file, `${pp}[${j}]`));
        if (pts.length < 6 || pts.length % 2)
          fail('format/invalid-value', 'a polygon needs 3 or more x,y pairs', file, pp);
        checkPointsInside(pts, W, H, tol, file, pp);
        shapes.push({ type: 'polygon', id: partId(id, k), ...base, points: pts });
      });
    } else if (isObj(seg)) {
      const pp = `${p}.segmentation`;
      const size = arr(seg.size, file, `${pp}.size`);
      const h = num(size[0], file, `${pp}.size[0]`);
      const w = num(size[1], file, `${pp}.size[1]`);
      if (h !== H || w !== W)
        fail('format/invalid-value', `RLE size ${h}x${w} is not the image's ${H}x${W}`, file, `${pp}.size`);
      let rle: Mask['rle'];
      try {
        rle =
          typeof seg.counts === 'string'
            ? { size: [h, w], counts: seg.counts }
            : countsToRLE(
                arr(seg.counts, file, `${pp}.counts`).map((v, j) => num(v, file, `${pp}.counts[${j}]`)),
                h,
                w,
              );
        rleArea(rle); // checks the counts against the size
      } catch (e) {
        fail('format/invalid-rle', e instanceof Error ? e.message : String(e), file, `${pp}.counts`);
      }
      if (!iscrowd) attributes.iscrowd = false;
      shapes.push({ type: 'mask', id, ...base, rle });
    } else if (seg === undefined || (Array.isArray(seg) && seg.length === 0)) {
      const bb = arr(a.bbox, file, `${p}.bbox`).map((v, j) => num(v, file, `${p}.bbox[${j}]`));
      if (bb.length !== 4) fail('format/invalid-value', 'bbox is [x, y, width, height]', file, `${p}.bbox`);
      const [x, y, w, h] = bb as [number, number, number, number];
      if (w < 0 || h < 0) fail('format/invalid-value', 'negative bbox size', file, `${p}.bbox`);
      const box: Box = { type: 'box', id, ...base, x, y, width: w, height: h };
      if (typeof attributes.rotation === 'number') {
        if (attributes.rotation !== 0) box.rotation = attributes.rotation;
        delete attributes.rotation;
      }
      if (iscrowd) attributes.iscrowd = true;
      const corners = box.rotation ? boxCorners(box) : [x, y, x + w, y + h];
      if (box.rotation) checkInside(x + w / 2, y + h / 2, W, H, tol, file, `${p}.bbox`);
      else checkPointsInside(corners, W, H, tol, file, `${p}.bbox`);
      shapes.push(box);
    } else
      fail('format/wrong-type', 'segmentation must be a list of polygons or an RLE object', file, `${p}.segmentation`);
    if (Object.keys(attributes).length) for (const s of shapes) s.attributes = { ...attributes };
    doc.shapes.push(...shapes);
  }
}

function serialize(dataset: Dataset, options: CocoSerializeOptions = {}): SerializeOutput {
  const fidelity = new Fidelity();
  const catIds = new Map<string, number>();
  const used = new Set<number>();
  for (const l of dataset.labels) {
    const n = Number(l.id);
    if (/^\d+$/.test(l.id) && !used.has(n)) {
      catIds.set(l.id, n);
      used.add(n);
    }
  }
  let nextCat = Math.max(0, ...used) + 1;
  const categories: Obj[] = [];
  const labelOf = (id: string): number => {
    let c = catIds.get(id);
    if (c === undefined) {
      c = nextCat++;
      catIds.set(id, c);
    }
    return c;
  };
  const known = new Set(dataset.labels.map((l) => l.id));
  for (const l of dataset.labels) categories.push({ id: labelOf(l.id), name: l.name, supercategory: '' });
  const images: Obj[] = [];
  const annotations: Obj[] = [];
  const usedAnn = new Set<number>();
  const pending: Obj[] = [];
  dataset.items.forEach((doc, i) => {
    const imageId = i + 1;
    images.push({
      id: imageId,
      width: doc.item.width,
      height: doc.item.height,
      file_name: doc.item.id,
      license: 0,
      flickr_url: '',
      coco_url: '',
      date_captured: 0,
    });
    if (doc.tags?.length) fidelity.add('tags-dropped', 'COCO instances have no image tags', doc.item.id);
    const groups = new Map<string, Shape[]>();
    for (const s of doc.shapes) {
      if (s.type === 'point' || s.type === 'polyline') {
        fidelity.add('shape-dropped', `COCO instances cannot hold a ${s.type}`, doc.item.id, s.id);
        continue;
      }
      // Parts of one annotation share a base id; a polygon with holes stands alone (it becomes a mask).
      const key = s.type === 'polygon' && !s.holes?.length ? `${baseId(s.id)}\u0000${s.label}` : `${s.id}\u0000`;
      const g = groups.get(key);
      if (g) g.push(s);
      else groups.set(key, [s]);
    }
    for (const [, shapes] of groups) {
      const s = shapes[0] as Shape;
      if (!known.has(s.label)) {
        known.add(s.label);
        categories.push({ id: labelOf(s.label), name: s.label, supercategory: '' });
        fidelity.add('label-added', `label "${s.label}" was not declared; added as a category`, doc.item.id, s.id);
      }
      const attributes: Record<string, AttributeValue> = { ...(s.attributes ?? {}) };
      let iscrowd = s.type === 'mask' ? 1 : 0;
      if (typeof attributes.iscrowd === 'boolean' || typeof attributes.iscrowd === 'number') {
        iscrowd = attributes.iscrowd ? 1 : 0;
        delete attributes.iscrowd;
      }
      const ann: Obj = { id: 0, image_id: imageId, category_id: labelOf(s.label) };
      if (s.type === 'polygon' && s.holes?.length) {
        // COCO polygons have no holes: the rings are filled into an RLE mask instead (exact, even-odd).
        fidelity.add('polygon-as-mask', 'polygon with holes written as an RLE mask', doc.item.id, s.id);
        const rle = polygonToRLE(s.points, s.holes, doc.item.width, doc.item.height);
        ann.segmentation = { size: rle.size, counts: rle.counts };
        ann.area = rleArea(rle);
        ann.bbox = maskBounds(rle) ?? [0, 0, 0, 0];
      } else if (s.type === 'polygon') {
        const parts = shapes.map((p) => (p as typeof s).points);
        ann.segmentation = parts;
        ann.area = parts.reduce((a, p) => a + polygonArea(p), 0);
        ann.bbox = pointsBBox(parts.flat());
      } else if (s.type === 'mask') {
        ann.segmentation = { size: s.rle.size, counts: s.rle.counts };
        ann.area = rleArea(s.rle);
        ann.bbox = maskBounds(s.rle) ?? [0, 0, 0, 0];
      } else if (s.type === 'box') {
        ann.segmentation = [];
        ann.area = s.width * s.height;
        ann.bbox = [s.x, s.y, s.width, s.height];
        if (s.rotation) attributes.rotation = s.rotation;
      }
      ann.iscrowd = iscrowd;
      if (s.score !== undefined) ann.score = s.score;
      if (Object.keys(attributes).length) ann.attributes = attributes;
      const want = Number(baseId(s.id));
      if (/^\d+$/.test(baseId(s.id)) && want > 0 && !usedAnn.has(want)) {
        ann.id = want;
        usedAnn.add(want);
      } else pending.push(ann);
      annotations.push(ann);
    }
  });
  let next = 1;
  for (const n of usedAnn) if (n >= next) next = n + 1;
  for (const a of pending) a.id = next++;
  const json = JSON.stringify({
    licenses: [{ name: '', id: 0, url: '' }],
    info: { contributor: '', date_created: '', description: '', url: '', version: '', year: '' },
    categories,
    images,
    annotations,
  });
  return { files: { [options.file ?? 'annotations/instances_default.json']: json }, fidelity: fidelity.entries };
}

export const coco: FormatAdapter<ParseOptions, CocoSerializeOptions> = { name: 'coco', parse, serialize };
