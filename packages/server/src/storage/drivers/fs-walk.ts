import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Orders keys segment by segment (`a/b` < `a-c` < `ab`), a folder's keys together, as a folder walk meets them. */
export function compareKeys(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x !== y) return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

const isPrefixOf = (a: readonly string[], b: readonly string[]): boolean =>
  a.length <= b.length && a.every((s, i) => s === b[i]);

/**
 * Yields the files under `root` whose key starts with `prefix` and comes after `after` (in `compareKeys`
 * order), as `/`-joined keys. Subtrees wholly before `after` are not read, so a page costs the folders it
 * crosses, not the whole tree. Symbolic links and names for which `skip` is true are left out.
 */
export async function* walkFiles(
  root: string,
  prefix: string,
  after: string | undefined,
  skip: (name: string) => boolean,
): AsyncGenerator<string> {
  const cut = prefix.lastIndexOf('/');
  const start = cut < 0 ? [] : prefix.slice(0, cut).split('/');
  const namePrefix = prefix.slice(cut + 1);
  yield* walk(root, start, namePrefix, after?.split('/'), skip);
}

async function* walk(
  root: string,
  dir: string[],
  namePrefix: string,
  after: string[] | undefined,
  skip: (name: string) => boolean,
): AsyncGenerator<string> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(join(root, ...dir), { withFileTypes: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return;
    throw e;
  }
  const names = entries
    .filter((d) => (d.isFile() || d.isDirectory()) && d.name.startsWith(namePrefix) && !skip(d.name))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of names) {
    const segs = [...dir, entry.name];
    if (entry.isDirectory()) {
      if (after && !isPrefixOf(segs, after) && compareKeys(segs, after) < 0) continue;
      yield* walk(root, segs, '', after && isPrefixOf(segs, after) ? after : undefined, skip);
    } else if (!after || compareKeys(segs, after) > 0) yield segs.join('/');
  }
}
