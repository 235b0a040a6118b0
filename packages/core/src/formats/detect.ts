import { extension } from './shared.ts';
import type { FileSet, FormatName } from './types.ts';

const decoder = new TextDecoder();

/** The first `limit` characters of a file, for sniffing. */
function head(v: string | Uint8Array, limit = 4096): string {
  return typeof v === 'string' ? v.slice(0, limit) : decoder.decode(v.subarray(0, limit));
}

/** Name of the root element, skipping the declaration, comments and processing instructions. */
function xmlRoot(text: string): string | undefined {
  const m = /^(?:\s|<\?[\s\S]*?\?>|<!--[\s\S]*?-->)*<([A-Za-z_][\w.-]*)/.exec(text.replace(/^\uFEFF/, ''));
  return m?.[1];
}

/**
 * Guesses the format of a FileSet from file names and the first bytes of its files, or undefined when
 * nothing looks like one of ours. Cheap: no file is parsed whole.
 */
export function detect(files: FileSet): FormatName | undefined {
  const paths = Object.keys(files).sort();
  let yoloHint = false;
  for (const p of paths) {
    const ext = extension(p);
    const v = files[p] as string | Uint8Array;
    if (ext === 'xml') {
      const root = xmlRoot(head(v));
      if (root === 'annotations') return 'cvat';
      if (root === 'annotation') return 'voc';
    } else if (ext === 'json') {
      const h = head(v, 65536)
        .trimStart()
        .replace(/^\uFEFF/, '');
      if (h.startsWith('[') && /"data"\s*:/.test(h)) return 'labelstudio';
      if (h.startsWith('{')) {
        if (/"(images|annotations|categories)"\s*:/.test(h)) return 'coco';
        if (/"data"\s*:/.test(h) && /"(annotations|predictions)"\s*:/.test(h)) return 'labelstudio';
      }
    } else if ((ext === 'yaml' || ext === 'yml') && /(^|\n)\s*names\s*:/.test(head(v))) yoloHint = true;
    else if (ext === 'txt' && /(^|\/)(labels|labelTxt)\//.test(p)) yoloHint = true;
  }
  return yoloHint ? 'yolo' : undefined;
}
