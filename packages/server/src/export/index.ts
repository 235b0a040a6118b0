/**
 * Dataset export (issue 9): the annotations at a commit as a streamed zip in one interchange format, with
 * `fidelity.json` (what the format could not hold, item by item) and `labelkit-export.json` (what was exported).
 * Used by `GET /v1/datasets/:id/export` and `labelkit export`.
 */
import {
  type AnnotationDocument,
  type FidelityEntry,
  FormatName,
  formats,
  type LabelDef,
  LabelKitError,
} from '@labelkit/core';
import { withLineage } from '../ops/lineage.ts';
import { type PerItemSerializer, vocItems, yoloItems } from './serialize.ts';
import { DeflatedBuffer, pullZipStream, type ZipWriter } from './zip-stream.ts';

/** An export that cannot be made as asked; `code` is `export/unknown-format` (HTTP 400). */
export class ExportError extends LabelKitError {
  override name = 'ExportError';
}

export const EXPORT_FORMATS = Object.values(FormatName) as readonly FormatName[];

export interface ExportMeta {
  /** Dataset id. */
  dataset: string;
  /** Hash of the commit the documents come from. */
  commit: string;
}

export interface ExportZipOptions {
  /** One of `coco`, `yolo`, `voc`, `cvat`, `labelstudio`; anything else throws `export/unknown-format`. */
  format: string;
  /** The dataset's labels (class names and order of COCO categories and YOLO classes). */
  labels: readonly LabelDef[];
  /** Every document at the commit, read lazily: YOLO and VOC consume them one at a time. */
  documents: AsyncIterable<AnnotationDocument> | Iterable<AnnotationDocument>;
  meta: ExportMeta;
  /** Stops the export: the stream errors with an `AbortError` and no further document is read. */
  signal?: AbortSignal;
  /**
   * Checks each document's source image (lineage, issue 12): an entry it returns (`image-changed`,
   * `image-missing`) goes into `fidelity.json` under the item. Run a few documents ahead of the serializer.
   */
  lineage?: (doc: AnnotationDocument) => Promise<FidelityEntry | undefined>;
  /** Deflate level 0-9 (default 6). */
  level?: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;
  /** The time written in `labelkit-export.json` and given to every zip entry (default: now). */
  now?: () => Date;
}

/** Content of `labelkit-export.json`. */
export interface ExportSummary {
  dataset: string;
  commit: string;
  format: FormatName;
  items: number;
  shapes: number;
  time: string;
}

/** The file name the route and the CLI give an export: `<id>-<short hash>-<format>.zip`. */
export function exportFileName(dataset: string, commit: string, format: string): string {
  return `${dataset}-${commit.slice(0, 12)}-${format}.zip`;
}

export function checkExportFormat(format: string): FormatName {
  if (!(EXPORT_FORMATS as readonly string[]).includes(format))
    throw new ExportError(
      'export/unknown-format',
      `unknown export format ${JSON.stringify(format)}: use one of ${EXPORT_FORMATS.join(', ')}`,
      { path: '$.format' },
    );
  return format as FormatName;
}

/**
 * `fidelity.json`: `{ format, items: { "<item id>": FidelityEntry[] }, dataset: FidelityEntry[], total }`,
 * written as entries arrive and kept deflated until the end of the zip.
 */
class FidelityReport {
  private readonly out: DeflatedBuffer;
  private items = 0;
  private readonly general: FidelityEntry[] = [];
  total = 0;

  constructor(format: FormatName, level: ZipWriter['level']) {
    this.out = new DeflatedBuffer(level);
    this.out.write(`{"format":${JSON.stringify(format)},"items":{`);
  }

  /** Adds entries, grouping them by item (in order of first appearance). */
  add(entries: readonly FidelityEntry[]): void {
    const byItem = new Map<string, FidelityEntry[]>();
    for (const e of entries) {
      this.total++;
      if (e.itemId === undefined) this.general.push(e);
      else {
        const list = byItem.get(e.itemId);
        if (list) list.push(e);
        else byItem.set(e.itemId, [e]);
      }
    }
    for (const [id, list] of byItem)
      this.out.write(`${this.items++ === 0 ? '' : ','}${JSON.stringify(id)}:${JSON.stringify(list)}`);
  }

  finish(): DeflatedBuffer {
    this.out.write(`},"dataset":${JSON.stringify(this.general)},"total":${this.total}}`);
    this.out.end();
    return this.out;
  }
}

const PER_ITEM: Partial<Record<FormatName, (labels: readonly LabelDef[]) => PerItemSerializer>> = {
  yolo: yoloItems,
  voc: vocItems,
};

function checkAborted(signal: AbortSignal | undefined): void {
  signal?.throwIfAborted();
}

/**
 * The export as a zip stream. Bytes are produced only as the reader pulls them; per-item formats (yolo, voc)
 * hold one document at a time, whole-dataset formats (coco, cvat, labelstudio) gather every document, then
 * serialize. Throws `export/unknown-format` at once (before any document is read).
 */
export function exportZip(options: ExportZipOptions): ReadableStream<Uint8Array> {
  const format = checkExportFormat(options.format);
  const level = options.level ?? 6;
  const { signal } = options;
  const time = options.now?.() ?? new Date();
  return pullZipStream(
    level,
    time.getTime(),
    async function* produce(w) {
      const report = new FidelityReport(format, level);
      let items = 0;
      let shapes = 0;
      const perItem = PER_ITEM[format]?.(options.labels);
      // One add() per item: the report writes an item's entries once, so lineage joins the format's own.
      const lineage: FidelityEntry[] = [];
      const documents = options.lineage ? withLineage(options.documents, options.lineage, lineage) : options.documents;
      if (perItem) {
        for await (const doc of documents) {
          checkAborted(signal);
          items++;
          shapes += doc.shapes.length;
          const out = perItem.item(doc);
          for (const [p, content] of out.files) w.addFile(p, content);
          report.add(lineage.length > 0 ? lineage.splice(0).concat(out.fidelity) : out.fidelity);
          yield;
        }
        for (const [p, content] of perItem.end()) w.addFile(p, content);
      } else {
        const docs: AnnotationDocument[] = [];
        for await (const doc of documents) {
          checkAborted(signal);
          docs.push(doc);
          shapes += doc.shapes.length;
          yield;
        }
        items = docs.length;
        const out = formats[format].serialize({ labels: [...options.labels], items: docs });
        docs.length = 0;
        report.add([...lineage, ...out.fidelity]);
        for (const [p, content] of Object.entries(out.files)) {
          checkAborted(signal);
          w.addLarge(p, content);
          yield;
        }
      }
      w.addDeflated('fidelity.json', report.finish());
      const summary: ExportSummary = {
        dataset: options.meta.dataset,
        commit: options.meta.commit,
        format,
        items,
        shapes,
        time: time.toISOString(),
      };
      w.addFile('labelkit-export.json', `${JSON.stringify(summary, null, 2)}\n`);
      w.end();
    },
    signal,
  );
}
