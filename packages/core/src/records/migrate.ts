/**
 * Versioned document migrations. Each step upgrades a document from `from` to `from + 1`, working on
 * plain JSON (never on typed records: an old document is not a valid new one until the last step ran).
 *
 * Version 0 is the pre-release layout, kept to prove the mechanism and to read early files:
 * ```json
 * { "version": 0,
 *   "image": { "id": "a", "url": "a.jpg", "width": 640, "height": 480 },
 *   "annotations": [ { "id": "s1", "label": "car", "type": "box", "bbox": [x, y, w, h] },
 *                    { "id": "s2", "label": "road", "type": "polygon", "points": [[x, y], ...] } ],
 *   "tags": ["day"] }
 * ```
 * v0 -> v1: `image` becomes `item` (`url` -> `src`), `annotations` becomes `shapes`, box `bbox` becomes
 * `x/y/width/height`, and point lists of polygons, holes and polylines are flattened to `[x0, y0, x1, y1, ...]`.
 */
import { jsonPath, ValidationError } from '../errors.ts';
import { err, ok, type Result } from '../result.ts';
import { isPlainObject } from './shape.ts';
import { DOCUMENT_VERSION } from './types.ts';

type Json = Record<string, unknown>;

interface Migration {
  from: number;
  up(doc: Json): Json;
}

function bad(message: string, path: string): never {
  throw new ValidationError('document/invalid-migration', message, { path });
}

function flattenPairs(x: unknown, path: string): unknown {
  if (!Array.isArray(x)) return x; // left to the v1 validator to report
  const out: unknown[] = [];
  for (let i = 0; i < x.length; i++) {
    const p = x[i];
    if (!Array.isArray(p) || p.length !== 2) bad('v0 points are [x, y] pairs', jsonPath(path, i));
    out.push(p[0], p[1]);
  }
  return out;
}

const v0ToV1: Migration = {
  from: 0,
  up(doc) {
    const { image, annotations, version: _v, ...rest } = doc;
    if (!isPlainObject(image)) bad('a v0 document has an `image` object', '$.image');
    if (!Array.isArray(annotations)) bad('a v0 document has an `annotations` array', '$.annotations');
    const { url, ...item } = image;
    const shapes = annotations.map((a, i) => {
      if (!isPlainObject(a)) return a;
      const path = jsonPath('$.annotations', i);
      const s: Json = { ...a };
      if (a.type === 'box') {
        const b = a.bbox;
        if (!Array.isArray(b) || b.length !== 4) bad('a v0 box has `bbox: [x, y, w, h]`', `${path}.bbox`);
        delete s.bbox;
        [s.x, s.y, s.width, s.height] = b;
      } else if (a.type === 'polygon' || a.type === 'polyline') {
        s.points = flattenPairs(a.points, `${path}.points`);
        if (Array.isArray(a.holes)) s.holes = a.holes.map((h, j) => flattenPairs(h, jsonPath(path, 'holes', j)));
      }
      return s;
    });
    return { ...rest, version: 1, item: url === undefined ? item : { ...item, src: url }, shapes };
  },
};

const MIGRATIONS: readonly Migration[] = [v0ToV1];

/** The oldest document version that can still be read. */
export const OLDEST_DOCUMENT_VERSION = 0;

/**
 * Upgrades a document of an older version to the current one (returned as plain JSON, not yet validated:
 * `validateDocument` runs this first). The current version is returned unchanged (same object);
 * a newer or unknown version is refused with `document/unsupported-version`.
 */
export function migrateDocument(input: unknown): Result<Json, ValidationError> {
  if (!isPlainObject(input))
    return err(new ValidationError('document/invalid-type', 'expected an object', { path: '$' }));
  const v = input.version;
  if (v === DOCUMENT_VERSION) return ok(input);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < OLDEST_DOCUMENT_VERSION || v > DOCUMENT_VERSION)
    return err(
      new ValidationError(
        'document/unsupported-version',
        `document version ${JSON.stringify(v)} is not supported (this LabelKit reads ${OLDEST_DOCUMENT_VERSION} to ${DOCUMENT_VERSION})`,
        { path: '$.version' },
      ),
    );
  let doc: Json = input;
  try {
    for (const m of MIGRATIONS) if (m.from >= v) doc = m.up(doc);
  } catch (e) {
    if (e instanceof ValidationError) return err(e);
    throw e;
  }
  return ok(doc);
}
