/**
 * Item-by-item serialization for the per-image formats (YOLO, VOC): each document is serialized alone by the
 * core adapter, with the little state that crosses items carried here, so that the output equals the adapter's
 * for the whole dataset while memory stays flat in the number of items.
 */
import { type AnnotationDocument, type FidelityEntry, formats, type LabelDef } from '@labelkit/core';

export interface ItemFiles {
  files: [path: string, content: string | Uint8Array][];
  fidelity: FidelityEntry[];
}

export interface PerItemSerializer {
  item(doc: AnnotationDocument): ItemFiles;
  /** Files that depend on every item (YOLO's data.yaml), written after the last item. */
  end(): [path: string, content: string | Uint8Array][];
}

/**
 * Two documents may map to one file (`a/x.png` and `b/x.png` both give `x.txt`); the whole-dataset adapter
 * would keep the last, a stream cannot take back what it wrote: the first is kept and the second reported.
 */
function keepFirst(seen: Set<string>, doc: AnnotationDocument, out: ItemFiles): ItemFiles {
  const files = out.files.filter(([p]) => {
    if (!seen.has(p)) {
      seen.add(p);
      return true;
    }
    out.fidelity.push({
      code: 'duplicate-file',
      itemId: doc.item.id,
      message: `another item already wrote ${p}; this item's annotations are not in the export`,
    });
    return false;
  });
  return { files, fidelity: out.fidelity };
}

export function yoloItems(labels: readonly LabelDef[]): PerItemSerializer {
  const declared = [...labels];
  const known = new Set(declared.map((l) => l.id));
  const splits = new Set<string>();
  const seen = new Set<string>();
  return {
    item(doc) {
      const out = formats.yolo.serialize({ labels: declared, items: [doc] });
      // The adapter adds an undeclared label as the next class, named by its id, in order of first use; the
      // next items must see it as declared so its class number stays the same.
      for (const s of doc.shapes)
        if (!known.has(s.label)) {
          known.add(s.label);
          declared.push({ id: s.label, name: s.label, color: '#000000' });
        }
      const files = Object.entries(out.files).filter(([p]) => p !== 'data.yaml');
      for (const [p] of files) {
        const split = /^labels\/([^/]+)\//.exec(p)?.[1];
        if (split) splits.add(split);
      }
      return keepFirst(seen, doc, { files, fidelity: out.fidelity });
    },
    end() {
      // data.yaml depends only on the class names and the splits seen: serialize empty items, one per split.
      const items: AnnotationDocument[] = [...splits].map((s) => ({
        version: 1,
        item: { id: s, src: `images/${s}/_`, width: 1, height: 1 },
        shapes: [],
      }));
      const yaml = formats.yolo.serialize({ labels: declared, items }).files['data.yaml'];
      return yaml === undefined ? [] : [['data.yaml', yaml]];
    },
  };
}

export function vocItems(labels: readonly LabelDef[]): PerItemSerializer {
  const seen = new Set<string>();
  const all = [...labels];
  return {
    item(doc) {
      const out = formats.voc.serialize({ labels: all, items: [doc] });
      return keepFirst(seen, doc, { files: Object.entries(out.files), fidelity: out.fidelity });
    },
    end: () => [],
  };
}
