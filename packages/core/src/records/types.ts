/**
 * Annotation records: plain JSON, image pixel coordinates (origin top-left, x right, y down).
 * See DESIGN.md section 2.
 */

/** Attribute values a shape may carry (CVAT/Label Studio attributes map onto these). */
export type AttributeValue = string | number | boolean;

export const ShapeType = {
  Box: 'box',
  Polygon: 'polygon',
  Polyline: 'polyline',
  Point: 'point',
  Mask: 'mask',
} as const;
export type ShapeType = (typeof ShapeType)[keyof typeof ShapeType];

/** Who made a shape or a change. */
export type ShapeSource = 'human' | 'model';

export interface ShapeBase {
  id: string;
  label: string;
  attributes?: Record<string, AttributeValue>;
  source?: ShapeSource;
  /** Confidence of a model-made shape, in [0, 1]. */
  score?: number;
}

export interface Box extends ShapeBase {
  type: 'box';
  x: number;
  y: number;
  width: number;
  height: number;
  /** Clockwise rotation in degrees around the box centre. */
  rotation?: number;
}

export interface Polygon extends ShapeBase {
  type: 'polygon';
  /** Flat outer ring `[x0, y0, x1, y1, ...]`, not closed (the last point is not the first repeated). */
  points: number[];
  /** Inner rings, each flat like `points`. */
  holes?: number[][];
}

export interface Polyline extends ShapeBase {
  type: 'polyline';
  points: number[];
}

export interface Point extends ShapeBase {
  type: 'point';
  x: number;
  y: number;
}

/** COCO compressed RLE: `size` is [height, width]; `counts` is the pycocotools string (column-major). */
export interface RLE {
  size: [height: number, width: number];
  counts: string;
}

export interface Mask extends ShapeBase {
  type: 'mask';
  rle: RLE;
}

export type Shape = Box | Polygon | Polyline | Point | Mask;

export interface Item {
  id: string;
  src?: string;
  width: number;
  height: number;
}

export interface AnnotationDocument {
  version: 1;
  item: Item;
  shapes: Shape[];
  /** Image-level classes. */
  tags?: string[];
}

export interface LabelDef {
  id: string;
  name: string;
  /** CSS colour. */
  color: string;
  /** Shape types this label may be used with; all when absent. */
  types?: ShapeType[];
}

export interface Dataset {
  labels: LabelDef[];
  items: AnnotationDocument[];
}

/** The current document version; older ones are migrated up, newer ones refused. */
export const DOCUMENT_VERSION = 1 as const;
