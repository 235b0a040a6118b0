/**
 * CVAT for images 1.1 XML (`annotations.xml`): `meta` labels with their attributes, then per `image` the
 * `box` (with `rotation`), `polygon`, `polyline`, `points`, `mask` (CVAT's runs inside `left/top/width/height`)
 * and `tag` elements with `attribute` children. `occluded`, `z_order` and `group_id` become attributes.
 */
import type { FormatError } from '../../errors.ts';
import type { AnnotationDocument, AttributeValue, Dataset, Shape } from '../../records/types.ts';
import type { Result } from '../../result.ts';
import { cvatRunsToRLE, polygonToRLE, rleToCvatRuns } from '../masks.ts';
import {
  baseId,
  checkInside,
  checkPointsInside,
  Fidelity,
  fail,
  fmt,
  guard,
  LabelCollector,
  labelNames,
  parseNumber,
  partId,
  readText,
} from '../shared.ts';
import type { FileSet, FormatAdapter, ParseOptions, ParseOutput, SerializeOutput } from '../types.ts';
import { child, childText, parseXml, type XmlElement } from '../xml/reader.ts';
import { escapeXml, xmlAttrs } from '../xml/writer.ts';

export interface CvatSerializeOptions {
  /** Path of the XML file written. Default `annotations.xml`. */
  file?: string;
  /** Fraction digits of coordinates (CVAT writes 2). Default 2. */
  precision?: number;
}

type AttrType = 'checkbox' | 'number' | 'text';
const SHAPES = new Set(['box', 'polygon', 'polyline', 'points', 'mask']);
const OCCLUDED_FLAG = 'cvat.occluded';
const NO_ATTRIBUTES: Record<string, AttributeValue> = Object.freeze({}) as Record<string, AttributeValue>;
const FLAG_ATTRS = [OCCLUDED_FLAG, 'z_order', 'group_id'] as const;
/** Attributes written as XML attributes of the shape rather than `<attribute>` children. */
const isFlag = (k: string, v: AttributeValue) =>
  (FLAG_ATTRS as readonly string[]).includes(k) || (k === 'occluded' && typeof v === 'boolean');

function parse(files: FileSet, options: ParseOptions = {}): Result<ParseOutput, FormatError> {
  return guard(() => {
    const tol = options.boundsTolerance ?? 1;
    const xmls = Object.keys(files)
      .filter((p) => p.toLowerCase().endsWith('.xml'))
      .sort();
    const labels = new LabelCollector();
    const attrTypes = new Map<string, Map<string, AttrType>>();
    const fidelity = new Fidelity();
    const items: AnnotationDocument[] = [];
    let any = false;
    for (const file of xmls) {
      const root = parseXml(readText(files, file), file);
      if (!root.ok) throw root.error;
      if (root.value.name !== 'annotations') continue;
      any = true;
      readMeta(root.value, labels, attrTypes);
      const seen = new Set(items.map((d) => d.item.id));
      let n = 0;
      for (const im of root.value.children) {
        if (im.name === 'track') {
          fidelity.add('track-dropped', 'CVAT video tracks are not read (export "CVAT for images")');
          continue;
        }
        if (im.name !== 'image') continue;
        const doc = parseImage(im, `/annotations/image[${n++}]`, file, labels, attrTypes, tol, fidelity);
        // A project export repeats names across subsets (Train/img0.jpg, Test/img0.jpg).
        if (seen.has(doc.item.id) && im.attrs.subset) doc.item.id = `${im.attrs.subset}/${doc.item.id}`;
        if (seen.has(doc.item.id)) fail('format/duplicate-item', `image ${doc.item.id} is listed twice`, file);
        seen.add(doc.item.id);
        items.push(doc);
      }
    }
    if (!any) fail('format/no-input', 'no CVAT <annotations> file found');
    return { dataset: { labels: labels.labels, items }, fidelity: fidelity.entries };
  });
}

function readMeta(root: XmlElement, labels: LabelCollector, attrTypes: Map<string, Map<string, AttrType>>): void {
  const meta = child(root, 'meta');
  if (!meta) return;
  const lists: XmlElement[] = [];
  const walk = (el: XmlElement) => {
    for (const c of el.children) {
      if (c.name === 'labels') lists.push(c);
      else if (c.name === 'task' || c.name === 'project' || c.name === 'job' || c.name === 'tasks') walk(c);
    }
  };
  walk(meta);
  for (const list of lists)
    for (const l of list.children) {
      if (l.name !== 'label') continue;
      const name = childText(l, 'name');
      if (name === undefined) continue;
      const color = childText(l, 'color');
      labels.declare(name, color || undefined);
      labels.closed = true;
      const types = attrTypes.get(name) ?? new Map<string, AttrType>();
      for (const a of child(l, 'attributes')?.children ?? []) {
        const an = childText(a, 'name');
        const t = childText(a, 'input_type');
        if (an !== undefined) types.set(an, t === 'checkbox' ? 'checkbox' : t === 'number' ? 'number' : 'text');
      }
      attrTypes.set(name, types);
    }
}

function parsePoints(v: string | undefined, file: string, path: string): number[] {
  if (v === undefined || v.trim() === '') fail('format/missing-field', 'missing points', file, path);
  const out: number[] = [];
  for (const pair of v.split(';')) {
    const xy = pair.split(',');
    if (xy.length !== 2) fail('format/invalid-value', `"${pair}" is not "x,y"`, file, path);
    out.push(parseNumber(xy[0], file, path), parseNumber(xy[1], file, path));
  }
  return out;
}

function parseImage(
  im: XmlElement,
  path: string,
  file: string,
  labels: LabelCollector,
  attrTypes: Map<string, Map<string, AttrType>>,
  tol: number,
  fidelity: Fidelity,
): AnnotationDocument {
  const name = im.attrs.name;
  if (!name) fail('format/missing-field', 'image without a name', file, `${path}@name`);
  const W = parseNumber(im.attrs.width, file, `${path}@width`);
  const H = parseNumber(im.attrs.height, file, `${path}@height`);
  if (!Number.isInteger(W) || !Number.isInteger(H) || W < 1 || H < 1)
    fail('format/invalid-value', 'image width and height must be positive integers', file, path);
  const doc: AnnotationDocument = { version: 1, item: { id: name, src: name, width: W, height: H }, shapes: [] };
  const counts = new Map<string, number>();
  let n = 0;
  for (const el of im.children) {
    const k = counts.get(el.name) ?? 0;
    counts.set(el.name, k + 1);
    const p = `${path}/${el.name}[${k}]`;
    if (el.name === 'tag') {
      const label = el.attrs.label ?? '';
      labels.use(label, file, `${p}@label`);
      (doc.tags ??= []).push(label);
      if (el.children.some((c) => c.name === 'attribute'))
        fidelity.add('attributes-dropped', `attributes of tag "${label}" are not kept (tags are plain names)`, name);
      continue;
    }
    if (!SHAPES.has(el.name)) {
      fidelity.add('shape-dropped', `CVAT ${el.name} shapes are not supported`, name);
      continue;
    }
    const labelName = el.attrs.label;
    if (labelName === undefined) fail('format/missing-field', 'shape without a label', file, `${p}@label`);
    const label = labels.use(labelName, file, `${p}@label`);
    const attributes = readAttributes(el, attrTypes.get(labelName), file, p);
    const id = String(n++);
    const base = {
      label,
      ...(Object.keys(attributes).length ? { attributes } : {}),
      ...(el.attrs.source === 'auto' || el.attrs.source === 'semi-auto' ? { source: 'model' as const } : {}),
    };
    switch (el.name) {
      case 'box': {
        const v = (a: string) => parseNumber(el.attrs[a], file, `${p}@${a}`);
        const [xtl, ytl, xbr, ybr] = [v('xtl'), v('ytl'), v('xbr'), v('ybr')];
        if (xbr < xtl || ybr < ytl) fail('format/invalid-value', 'xbr < xtl or ybr < ytl', file, p);
        const rotation = el.attrs.rotation === undefined ? 0 : v('rotation');
        if (rotation) checkInside((xtl + xbr) / 2, (ytl + ybr) / 2, W, H, tol, file, p);
        else checkPointsInside([xtl, ytl, xbr, ybr], W, H, tol, file, p);
        doc.shapes.push({
          type: 'box',
          id,
          ...base,
          x: xtl,
          y: ytl,
          width: xbr - xtl,
          height: ybr - ytl,
          ...(rotation ? { rotation } : {}),
        });
        break;
      }
      case 'polygon':
      case 'polyline': {
        const pts = parsePoints(el.attrs.points, file, `${p}@points`);
        if (pts.length < (el.name === 'polygon' ? 6 : 4))
          fail('format/invalid-value', `too few points for a ${el.name}`, file, `${p}@points`);
        checkPointsInside(pts, W, H, tol, file, `${p}@points`);
        doc.shapes.push({ type: el.name, id, ...base, points: pts });
        break;
      }
      case 'points': {
        const pts = parsePoints(el.attrs.points, file, `${p}@points`);
        checkPointsInside(pts, W, H, tol, file, `${p}@points`);
        for (let j = 0; j < pts.length; j += 2)
          doc.shapes.push({
            type: 'point',
            id: partId(id, j / 2),
            ...base,
            x: pts[j] as number,
            y: pts[j + 1] as number,
          });
        break;
      }
      case 'mask': {
        const v = (a: string) => parseNumber(el.attrs[a], file, `${p}@${a}`);
        const runs = (el.attrs.rle ?? '').split(',').map((r) => parseNumber(r, file, `${p}@rle`));
        const rle = cvatRunsToRLE(runs, v('left'), v('top'), v('width'), v('height'), W, H);
        if (typeof rle === 'string') fail('format/invalid-rle', rle, file, p);
        doc.shapes.push({ type: 'mask', id, ...base, rle });
        break;
      }
    }
  }
  return doc;
}

function readAttributes(
  el: XmlElement,
  types: Map<string, AttrType> | undefined,
  file: string,
  p: string,
): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  // The `occluded` flag is an attribute of ours unless the label has its own attribute of that name.
  const ownOccluded = el.children.some((c) => c.name === 'attribute' && c.attrs.name === 'occluded');
  if (el.attrs.occluded === '1') out[ownOccluded ? OCCLUDED_FLAG : 'occluded'] = true;
  if (el.attrs.z_order !== undefined && el.attrs.z_order !== '0')
    out.z_order = parseNumber(el.attrs.z_order, file, `${p}@z_order`);
  if (el.attrs.group_id !== undefined) out.group_id = parseNumber(el.attrs.group_id, file, `${p}@group_id`);
  for (const a of el.children) {
    if (a.name !== 'attribute') continue;
    const name = a.attrs.name;
    if (!name) fail('format/missing-field', 'attribute without a name', file, `${p}/attribute`);
    const text = a.text;
    const t = types?.get(name);
    if (t === 'checkbox') out[name] = text.trim() === 'true';
    else if (t === 'number') out[name] = parseNumber(text, file, `${p}/attribute[@name="${name}"]`);
    else out[name] = text;
  }
  return out;
}

function serialize(dataset: Dataset, options: CvatSerializeOptions = {}): SerializeOutput {
  const d = options.precision ?? 2;
  const fidelity = new Fidelity();
  const nameOf = labelNames(dataset);
  // Attribute declarations per label, typed from the values found.
  const declared = new Map<string, Map<string, AttrType>>();
  for (const l of dataset.labels) declared.set(l.name, new Map());
  for (const doc of dataset.items)
    for (const s of doc.shapes) {
      const ln = nameOf(s.label);
      let m = declared.get(ln);
      if (!m) {
        m = new Map();
        declared.set(ln, m);
      }
      for (const [k, v] of Object.entries(s.attributes ?? {})) {
        if (isFlag(k, v)) continue;
        const t: AttrType = typeof v === 'boolean' ? 'checkbox' : typeof v === 'number' ? 'number' : 'text';
        const prev = m.get(k);
        m.set(k, prev && prev !== t ? 'text' : t);
      }
    }
  const colors = new Map(dataset.labels.map((l) => [l.name, l.color]));
  const parts: string[] = [
    '<?xml version="1.0" encoding="utf-8"?>\n<annotations>\n  <version>1.1</version>\n  <meta>\n    <task>\n      <labels>\n',
  ];
  for (const [name, attrs] of declared) {
    parts.push(
      `        <label>\n          <name>${escapeXml(name)}</name>\n          <color>${escapeXml(colors.get(name) ?? '#000000')}</color>\n          <type>any</type>\n          <attributes>\n`,
    );
    for (const [an, t] of attrs)
      parts.push(
        `            <attribute>\n              <name>${escapeXml(an)}</name>\n              <mutable>False</mutable>\n              <input_type>${t}</input_type>\n              <default_value>${t === 'checkbox' ? 'false' : t === 'number' ? '0' : ''}</default_value>\n              <values>${t === 'checkbox' ? 'false\ntrue' : ''}</values>\n            </attribute>\n`,
      );
    parts.push('          </attributes>\n        </label>\n');
  }
  parts.push('      </labels>\n    </task>\n  </meta>\n');
  const f = (n: number) => fmt(n, d);
  dataset.items.forEach((doc, i) => {
    const { item } = doc;
    // A project export's duplicate names were told apart as `<subset>/<name>`: write them back that way.
    const name = item.src ?? item.id;
    const subset = item.id.endsWith(`/${name}`) ? item.id.slice(0, -name.length - 1) : undefined;
    parts.push(`  <image${xmlAttrs({ id: i, name, subset, width: item.width, height: item.height })}>\n`);
    // The points of one CVAT `points` element were split into shapes `id`, `id#1`...: gather them again, and
    // write the element where its first point comes.
    const pointGroups = new Map<string, Shape[]>();
    const emit: Shape[][] = [];
    for (const s of doc.shapes) {
      if (s.type !== 'point') {
        emit.push([s]);
        continue;
      }
      const key = `${baseId(s.id)}\u0000${s.label}`;
      const g = pointGroups.get(key);
      if (g) g.push(s);
      else {
        const group = [s];
        pointGroups.set(key, group);
        emit.push(group);
      }
    }
    for (const shapes of emit) {
      const s = shapes[0] as Shape;
      const a = s.attributes ?? NO_ATTRIBUTES;
      const common = xmlAttrs({
        label: nameOf(s.label),
        source: s.source === 'model' ? 'auto' : 'manual',
        occluded: a.occluded === true || a[OCCLUDED_FLAG] === true ? 1 : 0,
      });
      const tail = xmlAttrs({
        z_order: typeof a.z_order === 'number' ? a.z_order : 0,
        group_id: typeof a.group_id === 'number' ? a.group_id : undefined,
      });
      if (s.score !== undefined) fidelity.add('score-dropped', 'CVAT XML has no score', item.id, s.id);
      let open: string;
      switch (s.type) {
        case 'box':
          open = `box${common} xtl="${f(s.x)}" ytl="${f(s.y)}" xbr="${f(s.x + s.width)}" ybr="${f(s.y + s.height)}"${s.rotation ? ` rotation="${f(s.rotation)}"` : ''}${tail}`;
          break;
        case 'polygon': {
          if (!s.holes?.length) {
            open = `polygon${common} points="${ring(s.points, f)}"${tail}`;
            break;
          }
          // CVAT polygons have no holes: the rings are filled into a CVAT mask instead (exact, even-odd).
          fidelity.add('polygon-as-mask', 'polygon with holes written as a mask', item.id, s.id);
          const r = rleToCvatRuns(polygonToRLE(s.points, s.holes, item.width, item.height));
          if (!r) {
            fidelity.add('shape-dropped', 'polygon covers no pixel', item.id, s.id);
            continue;
          }
          open = `mask${common}${maskAttrs(r)}${tail}`;
          break;
        }
        case 'polyline':
          open = `polyline${common} points="${ring(s.points, f)}"${tail}`;
          break;
        case 'point':
          open = `points${common} points="${shapes.map((p) => (p.type === 'point' ? `${f(p.x)},${f(p.y)}` : '')).join(';')}"${tail}`;
          break;
        case 'mask': {
          const r = rleToCvatRuns(s.rle);
          if (!r) {
            fidelity.add('shape-dropped', 'empty mask', item.id, s.id);
            continue;
          }
          open = `mask${common}${maskAttrs(r)}${tail}`;
          break;
        }
      }
      const tagName = open.slice(0, open.indexOf(' '));
      let body = '';
      for (const k in a) {
        const v = a[k] as AttributeValue;
        if (!isFlag(k, v)) body += `      <attribute name="${escapeXml(k)}">${escapeXml(String(v))}</attribute>\n`;
      }
      parts.push(`    <${open}>\n${body}    </${tagName}>\n`);
    }
    for (const t of doc.tags ?? [])
      parts.push(`    <tag${xmlAttrs({ label: nameOf(t), source: 'manual' })}>\n    </tag>\n`);
    parts.push('  </image>\n');
  });
  parts.push('</annotations>\n');
  return { files: { [options.file ?? 'annotations.xml']: parts.join('') }, fidelity: fidelity.entries };
}

function maskAttrs(r: { runs: number[]; left: number; top: number; width: number; height: number }): string {
  return ` rle="${r.runs.join(', ')}" left="${r.left}" top="${r.top}" width="${r.width}" height="${r.height}"`;
}

function ring(points: readonly number[], f: (n: number) => string): string {
  const out: string[] = [];
  for (let i = 0; i + 1 < points.length; i += 2) out.push(`${f(points[i] as number)},${f(points[i + 1] as number)}`);
  return out.join(';');
}

export const cvat: FormatAdapter<ParseOptions, CvatSerializeOptions> = { name: 'cvat', parse, serialize };
