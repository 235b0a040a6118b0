/**
 * An interchange export made ready for a commit (`labelkit import`): parsed by the core adapter, every document
 * checked by the records' validator and the history's rules, labels mapped onto the dataset's. Nothing here
 * writes: a bad file fails whole, before any commit.
 */
import {
  type AnnotationDocument,
  checkDocument,
  checkItemId,
  type FidelityEntry,
  type FileSet,
  FormatError,
  FormatName,
  formats,
  jsonPath,
  type LabelDef,
  validateDocument,
} from '@labelkit/core';

export interface PrepareImportOptions {
  /** The format; detected from the files when undefined. */
  format?: FormatName;
  /** The dataset's labels; empty when the dataset accepts any label. */
  labels: readonly LabelDef[];
  /** Named in errors (the path the user gave). */
  source: string;
}

export interface PreparedImport {
  format: FormatName;
  /** Item id -> its document, in the order of the export. */
  items: Map<string, AnnotationDocument>;
  shapes: number;
  /** What parsing approximated. */
  fidelity: FidelityEntry[];
}

/**
 * Maps the export's labels onto the dataset's: by id, else by name (case-insensitive). A dataset with no labels
 * takes the export's label names as ids (a COCO category id such as "3" means nothing outside its file).
 */
function labelMapper(imported: readonly LabelDef[], declared: readonly LabelDef[], source: string) {
  const byId = new Map(declared.map((l) => [l.id, l.id]));
  const byName = new Map(declared.map((l) => [l.name.toLowerCase(), l.id]));
  const map = new Map<string, string>();
  for (const l of imported) {
    const to = declared.length === 0 ? l.name || l.id : (byId.get(l.id) ?? byName.get(l.name.toLowerCase()));
    if (to !== undefined) map.set(l.id, to);
  }
  return (label: string, path: string): string => {
    const to = map.get(label) ?? (declared.length === 0 ? label : byId.get(label));
    if (to === undefined)
      throw new FormatError(
        'import/unknown-label',
        `label ${JSON.stringify(label)} is not one of the dataset's labels (${declared.map((l) => l.id).join(', ')})`,
        { path, file: source },
      );
    return to;
  };
}

/** Parses and checks `files`. Throws a FormatError (code, file and JSON path) on the first problem. */
export function prepareImport(files: FileSet, options: PrepareImportOptions): PreparedImport {
  const names = Object.values(FormatName) as string[];
  const format = options.format ?? formats.detect(files);
  if (!format)
    throw new FormatError(
      'format/unknown',
      `cannot tell the format of ${options.source}: pass --format (${names.join(', ')})`,
      { file: options.source },
    );
  const parsed = formats[format].parse(files);
  if (!parsed.ok) throw parsed.error;
  const { dataset, fidelity } = parsed.value;
  const mapLabel = labelMapper(dataset.labels, options.labels, options.source);
  const items = new Map<string, AnnotationDocument>();
  let shapes = 0;
  for (const [i, doc] of dataset.items.entries()) {
    const at = jsonPath('$.items', i);
    const id = doc.item.id;
    const bad = checkItemId(id, jsonPath(at, 'item', 'id'));
    if (bad) throw new FormatError(bad.code, bad.message, { path: bad.path ?? at, file: options.source });
    if (items.has(id))
      throw new FormatError('import/duplicate-item', `two images are named ${JSON.stringify(id)}`, {
        path: jsonPath(at, 'item', 'id'),
        file: options.source,
      });
    const mapped: AnnotationDocument = {
      ...doc,
      shapes: doc.shapes.map((s, k) => ({ ...s, label: mapLabel(s.label, jsonPath(at, 'shapes', k, 'label')) })),
    };
    const valid = validateDocument(mapped, options.labels.length ? { labels: options.labels } : {});
    if (!valid.ok)
      throw new FormatError(valid.error.code, valid.error.message, {
        path: (valid.error.path ?? '$').replace(/^\$/, at),
        file: options.source,
      });
    const history = checkDocument(valid.value, id, at);
    if (history)
      throw new FormatError(history.code, history.message, { path: history.path ?? at, file: options.source });
    items.set(id, valid.value);
    shapes += valid.value.shapes.length;
  }
  return { format, items, shapes, fidelity };
}
