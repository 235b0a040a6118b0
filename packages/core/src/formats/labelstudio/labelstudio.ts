/**
 * Label Studio JSON export: an array of tasks `{ id, data: { image }, annotations: [{ result }], predictions:
 * [{ result, score }] }`. Region values are percentages of `original_width`/`original_height`. A rectangle's
 * `x, y` is its top-left corner and `rotation` turns it clockwise about that corner (ours turns about the centre).
 * Brushes use Label Studio's own bit-packed RGBA RLE (see masks.ts).
 */
import type { FormatError } from '../../errors.ts';
import { jsonPath } from '../../errors.ts';
import type { AnnotationDocument, Dataset, Shape, ShapeBase } from '../../records/types.ts';
import type { Result } from '../../result.ts';
import { brushToRLE, polygonToRLE, rleToBrush } from '../masks.ts';
import {
  basename,
  checkInside,
  Fidelity,
  fail,
  guard,
  LabelCollector,
  labelNames,
  normRotation,
  parseJsonFile,
} from '../shared.ts';
import type { FileSet, FormatAdapter, ParseOptions, ParseOutput, SerializeOutput } from '../types.ts';

export interface LabelStudioParseOptions extends ParseOptions {
  /** Sizes of images by item id (file name) for tasks without any region (their size is nowhere else). */
  imageSizes?: Record<string, { width: number; height: number }>;
}

export interface LabelStudioSerializeOptions {
  /** Path of the JSON file written. Default `tasks.json`. */
  file?: string;
  /** `from_name` of each control in the labeling config. Defaults: `label`, `polygon`, `keypoint`, `brush`, `choice`. */
  fromNames?: Partial<
    Record<'rectanglelabels' | 'polygonlabels' | 'keypointlabels' | 'brushlabels' | 'choices', string>
  >;
  /** `to_name` (the Image tag's name) and the `data` key of the image. Default `image`. */
  toName?: string;
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const REGION_TYPES = ['rectanglelabels', 'polygonlabels', 'keypointlabels', 'brushlabels'] as const;

function parse(files: FileSet, options: LabelStudioParseOptions = {}): Result<ParseOutput, FormatError> {
  return guard(() => {
    const tol = options.boundsTolerance ?? 1;
    const jsons = Object.keys(files)
      .filter((p) => p.toLowerCase().endsWith('.json'))
      .sort();
    if (jsons.length === 0) fail('format/no-input', 'no Label Studio JSON file found');
    const labels = new LabelCollector();
    const fidelity = new Fidelity();
    const items: AnnotationDocument[] = [];
    const ids = new Set<string>();
    for (const file of jsons) {
      const root = parseJsonFile(files, file);
      const tasks = Array.isArray(root) ? root : [root];
      tasks.forEach((t, i) => {
        const p = Array.isArray(root) ? jsonPath('$', i) : '$';
        const doc = parseTask(t, file, p, labels, fidelity, tol, options);
        if (ids.has(doc.item.id)) {
          const tid = isObj(t) ? String(t.id) : String(i);
          doc.item.id = `${tid}/${doc.item.id}`;
          if (ids.has(doc.item.id)) fail('format/duplicate-item', `task ${tid} is listed twice`, file, p);
        }
        ids.add(doc.item.id);
        items.push(doc);
      });
    }
    return { dataset: { labels: labels.labels, items }, fidelity: fidelity.entries };
  });
}

function num(x: unknown, file: string, path: string): number {
  if (typeof x !== 'number' || !Number.isFinite(x))
    fail('format/wrong-type', `expected a number, got ${JSON.stringify(x)}`, file, path);
  return x;
}

function imageName(url: string): string {
  const clean = url.split(/[?#]/)[0] ?? url;
  let name = basename(clean);
  try {
    name = decodeURIComponent(name);
  } catch {
    // A name that is not percent-encoded stays as it is.
  }
  return name || url;
}

function parseTask(
  t: unknown,
  file: string,
  p: string,
  labels: LabelCollector,
  fidelity: Fidelity,
  tol: number,
  options: LabelStudioParseOptions,
): AnnotationDocument {
  if (!isObj(t)) fail('format/wrong-type', 'a task must be an object', file, p);
  if (!isObj(t.data)) fail('format/wrong-type', 'a task needs a "data" object', file, `${p}.data`);
  const data = t.data;
  const key = typeof data.image === 'string' ? 'image' : Object.keys(data).find((k) => typeof data[k] === 'string');
  if (key === undefined) fail('format/missing-field', 'task data has no image URL', file, `${p}.data.image`);
  const src = data[key] as string;
  const id = imageName(src);
  const regions: { r: Obj; path: string; model: boolean; score?: number }[] = [];
  for (const [listKey, model] of [
    ['annotations', false],
    ['predictions', true],
  ] as const) {
    const list = t[listKey];
    if (list === undefined) continue;
    if (!Array.isArray(list)) fail('format/wrong-type', `"${listKey}" must be an array`, file, `${p}.${listKey}`);
    if (!model && list.length > 1)
      fidelity.add('annotations-merged', `${list.length} annotations of one task merged into one document`, id);
    list.forEach((a, j) => {
      const ap = `${p}.${listKey}[${j}]`;
      if (!isObj(a)) fail('format/wrong-type', 'expected an object', file, ap);
      if (a.was_cancelled === true) return;
      if (!Array.isArray(a.result)) fail('format/wrong-type', '"result" must be an array', file, `${ap}.result`);
      const score = typeof a.score === 'number' ? a.score : undefined;
      a.result.forEach((r, k) => {
        if (!isObj(r)) fail('format/wrong-type', 'expected an object', file, `${ap}.result[${k}]`);
        regions.push({ r, path: `${ap}.result[${k}]`, model, ...(score === undefined ? {} : { score }) });
      });
    });
  }
  let W: number | undefined;
  let H: number | undefined;
  for (const { r, path } of regions) {
    if (r.original_width === undefined) continue;
    const w = num(r.original_width, file, `${path}.original_width`);
    const h = num(r.original_height, file, `${path}.original_height`);
    if (W === undefined) [W, H] = [w, h];
    else if (w !== W || h !== H)
      fail(
        'format/invalid-value',
        `image size ${w}x${h} differs from ${W}x${H} given before`,
        file,
        `${path}.original_width`,
      );
  }
  if (W === undefined || H === undefined) {
    const known = options.imageSizes?.[id];
    if (!known)
      fail(
        'format/missing-image',
        `no region gives the size of ${id}; pass it in options.imageSizes`,
        file,
        `${p}.data.${key}`,
      );
    W = known.width;
    H = known.height;
  }
  if (!Number.isInteger(W) || !Number.isInteger(H) || W < 1 || H < 1)
    fail('format/invalid-value', 'original_width and original_height must be positive integers', file, p);
  const doc: AnnotationDocument = { version: 1, item: { id, src, width: W, height: H }, shapes: [] };
  const shapeIds = new Set<string>();
  for (const { r, path, model, score } of regions) {
    const type = r.type;
    const v = r.value;
    if (!isObj(v)) fail('format/wrong-type', 'a result needs a "value" object', file, `${path}.value`);
    if (type === 'choices') {
      if (!Array.isArray(v.choices))
        fail('format/wrong-type', '"choices" must be an array', file, `${path}.value.choices`);
      for (const c of v.choices) {
        if (typeof c !== 'string') fail('format/wrong-type', 'a choice is a string', file, `${path}.value.choices`);
        (doc.tags ??= []).push(labels.use(c, file, `${path}.value.choices`));
      }
      continue;
    }
    if (typeof type !== 'string' || !(REGION_TYPES as readonly string[]).includes(type)) {
      fidelity.add(
        'result-dropped',
        `results of type ${String(type)} are not read`,
        id,
        typeof r.id === 'string' ? r.id : undefined,
      );
      continue;
    }
    const names = v[type];
    if (!Array.isArray(names) || names.length === 0 || typeof names[0] !== 'string')
      fail('format/missing-field', `"${type}" must name a label`, file, `${path}.value.${type}`);
    let sid = typeof r.id === 'string' && r.id !== '' ? r.id : `r${doc.shapes.length}`;
    for (let n = 2; shapeIds.has(sid); n++) sid = `${r.id}-${n}`;
    shapeIds.add(sid);
    if (names.length > 1)
      fidelity.add('labels-dropped', `only the first of the labels ${names.join(', ')} is kept`, id, sid);
    if (typeof r.image_rotation === 'number' && r.image_rotation !== 0)
      fidelity.add('image-rotation-ignored', 'regions drawn on a rotated image view are read unrotated', id, sid);
    const base: ShapeBase = { id: sid, label: labels.use(names[0], file, `${path}.value.${type}[0]`) };
    const rs = typeof r.score === 'number' ? r.score : score;
    if (model) {
      base.source = 'model';
      if (rs !== undefined) {
        if (rs < 0 || rs > 1) fail('format/invalid-value', 'score must be in [0, 1]', file, `${path}.score`);
        base.score = rs;
      }
    }
    const px = (x: unknown, q: string) => (num(x, file, `${path}.value.${q}`) / 100) * (W as number);
    const py = (y: unknown, q: string) => (num(y, file, `${path}.value.${q}`) / 100) * (H as number);
    let shape: Shape;
    if (type === 'rectanglelabels') {
      const x = px(v.x, 'x');
      const y = py(v.y, 'y');
      const w = px(v.width, 'width');
      const h = py(v.height, 'height');
      if (w < 0 || h < 0) fail('format/invalid-value', 'negative size', file, `${path}.value`);
      const rot = v.rotation === undefined ? undefined : normRotation(num(v.rotation, file, `${path}.value.rotation`));
      const t = ((rot ?? 0) * Math.PI) / 180;
      const cx = x + (w / 2) * Math.cos(t) - (h / 2) * Math.sin(t);
      const cy = y + (w / 2) * Math.sin(t) + (h / 2) * Math.cos(t);
      shape = {
        type: 'box',
        ...base,
        x: cx - w / 2,
        y: cy - h / 2,
        width: w,
        height: h,
        ...(rot ? { rotation: rot } : {}),
      };
      if (rot) checkInside(cx, cy, W, H, tol, file, `${path}.value`);
      else {
        checkInside(x, y, W, H, tol, file, `${path}.value`);
        checkInside(x + w, y + h, W, H, tol, file, `${path}.value`);
      }
    } else if (type === 'polygonlabels') {
      if (!Array.isArray(v.points))
        fail('format/wrong-type', '"points" must be an array', file, `${path}.value.points`);
      const pts: number[] = [];
      v.points.forEach((pt, k) => {
        if (!Array.isArray(pt) || pt.length !== 2)
          fail('format/wrong-type', 'a point is [x, y]', file, `${path}.value.points[${k}]`);
        pts.push(px(pt[0], `points[${k}][0]`), py(pt[1], `points[${k}][1]`));
        checkInside(
          pts[pts.length - 2] as number,
          pts[pts.length - 1] as number,
          W,
          H,
          tol,
          file,
          `${path}.value.points[${k}]`,
        );
      });
      if (pts.length < 6)
        fail('format/invalid-value', 'a polygon needs 3 points or more', file, `${path}.value.points`);
      shape =
        v.closed === false ? { type: 'polyline', ...base, points: pts } : { type: 'polygon', ...base, points: pts };
    } else if (type === 'keypointlabels') {
      const x = px(v.x, 'x');
      const y = py(v.y, 'y');
      checkInside(x, y, W, H, tol, file, `${path}.value`);
      shape = { type: 'point', ...base, x, y };
    } else {
      if (v.format !== undefined && v.format !== 'rle')
        fail('format/invalid-value', `brush format ${String(v.format)} is not "rle"`, file, `${path}.value.format`);
      if (!Array.isArray(v.rle))
        fail('format/wrong-type', '"rle" must be an array of bytes', file, `${path}.value.rle`);
      const rle = brushToRLE(v.rle as number[], W, H);
      if (typeof rle === 'string') fail('format/invalid-rle', rle, file, `${path}.value.rle`);
      shape = { type: 'mask', ...base, rle };
    }
    doc.shapes.push(shape);
  }
  return doc;
}

function serialize(dataset: Dataset, options: LabelStudioSerializeOptions = {}): SerializeOutput {
  const fidelity = new Fidelity();
  const nameOf = labelNames(dataset);
  const from = {
    rectanglelabels: 'label',
    polygonlabels: 'polygon',
    keypointlabels: 'keypoint',
    brushlabels: 'brush',
    choices: 'choice',
    ...options.fromNames,
  };
  const toName = options.toName ?? 'image';
  const tasks = dataset.items.map((doc, i) => {
    const { width: W, height: H } = doc.item;
    const human: Obj[] = [];
    const model: Obj[] = [];
    const common = { original_width: W, original_height: H, image_rotation: 0 };
    const X = (x: number) => (x / W) * 100;
    const Y = (y: number) => (y / H) * 100;
    for (const s of doc.shapes) {
      const label = [nameOf(s.label)];
      let r: Obj;
      if (s.attributes && Object.keys(s.attributes).length)
        fidelity.add('attributes-dropped', 'region attributes are not written', doc.item.id, s.id);
      switch (s.type) {
        case 'box': {
          const t = ((s.rotation ?? 0) * Math.PI) / 180;
          const cx = s.x + s.width / 2;
          const cy = s.y + s.height / 2;
          const x = cx - (s.width / 2) * Math.cos(t) + (s.height / 2) * Math.sin(t);
          const y = cy - (s.width / 2) * Math.sin(t) - (s.height / 2) * Math.cos(t);
          r = {
            type: 'rectanglelabels',
            from_name: from.rectanglelabels,
            value: {
              x: X(x),
              y: Y(y),
              width: X(s.width),
              height: Y(s.height),
              rotation: s.rotation ?? 0,
              rectanglelabels: label,
            },
          };
          break;
        }
        case 'polygon': {
          if (s.holes?.length) {
            // Label Studio polygons have no holes: the rings are filled into a brush instead (exact, even-odd).
            fidelity.add('polygon-as-mask', 'polygon with holes written as a brush', doc.item.id, s.id);
            const rle = polygonToRLE(s.points, s.holes, W, H);
            r = {
              type: 'brushlabels',
              from_name: from.brushlabels,
              value: { format: 'rle', rle: rleToBrush(rle), brushlabels: label },
            };
            break;
          }
          const points: number[][] = [];
          for (let k = 0; k + 1 < s.points.length; k += 2)
            points.push([X(s.points[k] as number), Y(s.points[k + 1] as number)]);
          r = {
            type: 'polygonlabels',
            from_name: from.polygonlabels,
            value: { points, closed: true, polygonlabels: label },
          };
          break;
        }
        case 'point':
          r = {
            type: 'keypointlabels',
            from_name: from.keypointlabels,
            value: { x: X(s.x), y: Y(s.y), keypointlabels: label },
          };
          break;
        case 'mask':
          r = {
            type: 'brushlabels',
            from_name: from.brushlabels,
            value: { format: 'rle', rle: rleToBrush(s.rle), brushlabels: label },
          };
          break;
        case 'polyline':
          fidelity.add('shape-dropped', 'Label Studio image regions have no polyline', doc.item.id, s.id);
          continue;
      }
      const out: Obj = {
        id: s.id,
        ...r,
        to_name: toName,
        ...common,
        origin: s.source === 'model' ? 'prediction' : 'manual',
      };
      if (s.score !== undefined) out.score = s.score;
      (s.source === 'model' ? model : human).push(out);
    }
    if (doc.tags?.length)
      human.push({
        id: `choices-${i + 1}`,
        type: 'choices',
        from_name: from.choices,
        to_name: toName,
        ...common,
        value: { choices: doc.tags.map(nameOf) },
      });
    const task: Obj = {
      id: i + 1,
      data: { [toName]: doc.item.src ?? doc.item.id },
      annotations: [{ id: i + 1, result: human }],
      predictions: [],
    };
    if (model.length) task.predictions = [{ id: i + 1, model_version: 'labelkit', result: model }];
    return task;
  });
  return { files: { [options.file ?? 'tasks.json']: JSON.stringify(tasks) }, fidelity: fidelity.entries };
}

export const labelstudio: FormatAdapter<LabelStudioParseOptions, LabelStudioSerializeOptions> = {
  name: 'labelstudio',
  parse,
  serialize,
};
