import { randomUUID } from 'node:crypto';
import { access, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Storage } from './index.ts';
import { normalizeKey } from './keys.ts';

/** Storage in a local folder (default `./data`): key `a/b.png` is the file `<root>/a/b.png`. */
export class LocalStorage implements Storage {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      const buf = await readFile(join(this.root, normalizeKey(key)));
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'EISDIR')
        return undefined;
      throw e;
    }
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    const path = join(this.root, normalizeKey(key));
    await mkdir(dirname(path), { recursive: true });
    // Write then rename, so a reader (another server of the fleet) never sees a partial object.
    const tmp = `${path}.${randomUUID()}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, path);
  }

  async ping(): Promise<boolean> {
    try {
      await mkdir(this.root, { recursive: true });
      await access(this.root);
      return true;
    } catch {
      return false;
    }
  }
}
