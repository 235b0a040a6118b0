/**
 * Pascal VOC: one XML file per image (`Annotations/<stem>.xml`). VOC boxes count pixels from 1 and include
 * both ends (`xmin=1, xmax=W` is the whole row), ours are continuous from 0: x = xmin - 1, width = xmax - xmin + 1.
 */

import type { FormatError } from '../../errors.ts';
import type { AnnotationDocument, AttributeValue, Box, Dataset, Shape } from '../../records/types.ts';
import type { Result } from '../../result.ts';
import {
  basename,
  boxCorners,
  checkInside,
  Fidelity,
  fail,
  fmt,
  guard,
  LabelCollector,
  labelNames,
  parseNumber,
  pointsBBox,
  readText,
  stem,
} from '../shared.ts';
import type { FileSet, FormatAdapter, ParseOptions, ParseOutput, SerializeOutput } from '../types.ts';
import { child, childText, parseXml, type XmlElement } from '../xml/reader.ts';
import { escapeXml } from '../xml/writer.ts';

export interface VocSerializeOptions {
  /** Folder the XML files are written to. Default `Annotations`. */
  dir?: string;
  /** Decimals kept in coordinates; VOC tools expect integers, so fractions are kept only when present. Default 3. */
  precision?: number;
}

const FLAGS = ['truncated', 'difficult', 'occluded'] as const;

function parse(files: FileSet, options: ParseOptions = {}): Result<ParseOutput, FormatError> {
  return guard(() => {
    const tol = options.boundsTolerance ?? 1;
    const labels = new LabelCollector();
    const items: AnnotationDocument[] = [];
    const paths = Object.keys(files)
      .filter((p) => p.toLowerCase().endsWith('.xml'))
      .sort();
    for (const file of paths) {
      const root = parseXml(readText(files, file), file);
      if (!root.ok) throw root.error;
      if (root.value.name !== 'annotation') continue;
      items.push(parseDoc(root.value, file, labels, tol));
    }
    if (items.length === 0) fail('format/no-input', 'no Pascal VOC <annotation> file found');
    return { dataset: { labels: labels.labels, items }, fidelity: [] };
  });
}

function parseDoc(root: XmlElement, file: string, labels: LabelCollector, tol: number): AnnotationDocument {
  const filename = childText(root, 'filename') || `${stem(file)}.jpg`;
  const size = child(root, 'size');
  if (!size) fail('format/missing-field', 'missing <size>', file, '/annotation/size');
  const width = parseNumber(childText(size, 'width'), file, '/annotation/size/width');
  const height = parseNumber(childText(size, 'height'), file, '/annotation/size/height');
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
    fail('format/invalid-value', 'image width and height must be positive integers', file, '/annotation/size');
  const shapes: Shape[] = [];
  let k = 0;
  for (const obj of root.children) {
    if (obj.name !== 'object') continue;
    const path = `/annotation/object[${k}]`;
    const name = childText(obj, 'name');
    if (!name) fail('format/missing-field', 'object without <name>', file, `${path}/name`);
    const bb = child(obj, 'bndbox');
    if (!bb) fail('format/missing-field', 'object without <bndbox>', file, `${path}/bndbox`);
    const v = (t: string) => parseNumber(childText(bb, t), file, `${path}/bndbox/${t}`);
    const xmin = v('xmin');
    const ymin = v('ymin');
    const xmax = v('xmax');
    const ymax = v('ymax');
    if (xmax < xmin || ymax < ymin) fail('format/invalid-value', 'xmax < xmin or ymax < ymin', file, `${path}/bndbox`);
    const box: Box = {
      type: 'box',
      id: String(k),
      label: labels.use(name, file, `${path}/name`),
      x: xmin - 1,
      y: ymin - 1,
      width: xmax - xmin + 1,
      height: ymax - ymin + 1,
    };
    checkInside(box.x, box.y, width, height, tol, file, `${path}/bndbox`);
    checkInside(box.x + box.width, box.y + box.height, width, height, tol, file, `${path}/bndbox`);
    const attributes: Record<string, AttributeValue> = {};
    const pose = childText(obj, 'pose');
    if (pose !== undefined && pose !== 'Unspecified') attributes.pose = pose;
    for (const f of FLAGS) {
      const t = childText(obj, f);
      if (t !== undefined && t !== '0' && t !== '') attributes[f] = t === '1' || t.toLowerCase() === 'true';
    }
    // CVAT's VOC export writes further attributes as <attributes><attribute><name/><value/></attribute>.
    for (const a of child(obj, 'attributes')?.children ?? []) {
      const an = childText(a, 'name');
      const av = childText(a, 'value');
      if (an !== undefined && av !== undefined) attributes[an] = av === 'true' ? true : av === 'false' ? false : av;
    }
    if (Object.keys(attributes).length > 0) box.attributes = attributes;
    shapes.push(box);
    k++;
  }
  return { version: 1, item: { id: filename, src: filename, width, height }, shapes };
}

function serialize(dataset: Dataset, options: VocSerializeOptions = {}): SerializeOutput {
  const dir = options.dir ?? 'Annotations';
  const digits = options.precision ?? 3;
  const fidelity = new Fidelity();
  const nameOf = labelNames(dataset);
  const files: FileSet = {};
  for (const doc of dataset.items) {
    const { item } = doc;
    const filename = basename(item.src ?? item.id);
    let xml = `<annotation>\n  <folder></folder>\n  <filename>${escapeXml(filename)}</filename>\n`;
    xml += `  <size>\n    <width>${item.width}</width>\n    <height>${item.height}</height>\n    <depth>3</depth>\n  </size>\n  <segmented>0</segmented>\n`;
    if (doc.tags?.length)
      fidelity.add('tags-dropped', `image tags ${doc.tags.join(', ')} have no place in VOC`, item.id);
    for (const s of doc.shapes) {
      const bounds = shapeBounds(s);
      if (!bounds) {
        fidelity.add('shape-dropped', `${s.type} shapes have no extent and cannot be a VOC box`, item.id, s.id);
        continue;
      }
      if (s.type !== 'box') fidelity.add('shape-as-box', `${s.type} written as its bounding box`, item.id, s.id);
      else if (s.rotation)
        fidelity.add('rotation-dropped', 'rotated box written as its axis-aligned bounds', item.id, s.id);
      if (s.score !== undefined) fidelity.add('score-dropped', 'VOC has no score', item.id, s.id);
      const [x, y, w, h] = bounds;
      const a = s.attributes ?? {};
      xml += `  <object>\n    <name>${escapeXml(nameOf(s.label))}</name>\n`;
      xml += `    <pose>${escapeXml(typeof a.pose === 'string' ? a.pose : 'Unspecified')}</pose>\n`;
      for (const f of FLAGS) xml += `    <${f}>${a[f] === true ? 1 : 0}</${f}>\n`;
      xml += `    <bndbox>\n      <xmin>${fmt(x + 1, digits)}</xmin>\n      <ymin>${fmt(y + 1, digits)}</ymin>\n`;
      xml += `      <xmax>${fmt(x + w, digits)}</xmax>\n      <ymax>${fmt(y + h, digits)}</ymax>\n    </bndbox>\n`;
      const extra = Object.entries(a).filter(([k]) => k !== 'pose' && !(FLAGS as readonly string[]).includes(k));
      if (extra.length) {
        xml += '    <attributes>\n';
        for (const [k, v] of extra)
          xml += `      <attribute>\n        <name>${escapeXml(k)}</name>\n        <value>${escapeXml(String(v))}</value>\n      </attribute>\n`;
        xml += '    </attributes>\n';
      }
      xml += '  </object>\n';
    }
    xml += '</annotation>\n';
    files[`${dir}/${stem(filename)}.xml`] = xml;
  }
  return { files, fidelity: fidelity.entries };
}

function shapeBounds(s: Shape): [number, number, number, number] | undefined {
  switch (s.type) {
    case 'box':
      return s.rotation ? pointsBBox(boxCorners(s)) : [s.x, s.y, s.width, s.height];
    case 'polygon':
    case 'polyline':
      return pointsBBox(s.points);
    case 'mask':
      return maskBounds(s.rle);
    case 'point':
      return undefined;
  }
}

import { maskBounds } from '../masks.ts';

export const voc: FormatAdapter<ParseOptions, VocSerializeOptions> = { name: 'voc', parse, serialize };
