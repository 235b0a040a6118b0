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

/**
 * The source image an item was labeled on, as its storage saw it when the annotations were committed. The
 * server stamps it on every commit (a client-sent value is replaced); export and `labelkit verify` compare it
 * with the image now in storage to warn about annotations whose image changed or vanished since.
 */
export interface ImageStamp {
  /** The storage's ETag of the image (quoted, opaque: a content hash on fs, an MD5 or version on S3). */
  etag: string;
  /** Its size in bytes. */
  size?: number;
}

export interface Item {
  id: string;
  src?: string;
  width: number;
  height: number;
  /** The source image's ETag and size when the item was last committed (set by the server). */
  image?: ImageStamp;
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
